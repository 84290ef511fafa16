from alembic import context

import flows.db.models  # noqa: F401  (registers every table on Base.metadata)
# The adapters' own tables (the Teams conversation references) live beside the domain's, migrated with them.
import teams.models  # noqa: F401
from flows.db.base import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
