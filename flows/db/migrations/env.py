from alembic import context

import flows.db.models  # noqa: F401  (registers every table on Base.metadata)
from flows.db.adapters import load_adapter_tables
from flows.db.base import Base

# The adapters' own tables live beside the domain's, migrated with them.
load_adapter_tables()

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
