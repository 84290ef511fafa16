"""Schema changes go through Alembic migrations; this brings a database to the newest one."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from flows.db.session import make_engine

HERE = Path(__file__).resolve().parent
# Any fixed number: PostgreSQL advisory locks are keyed by it, so concurrent starts migrate one at a time.
MIGRATION_LOCK = 7_400_117


def alembic_config() -> Config:
    config = Config(str(HERE / "alembic.ini"))
    config.set_main_option("script_location", str(HERE / "migrations"))
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    engine = make_engine(url, create=True)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def revision(url: str, message: str) -> None:
    """Developers' helper: autogenerate a new migration from the models (python -m flows.db.migrate "msg")."""
    engine = make_engine(url, create=True)
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)


@cache
def head_revisions() -> frozenset[str]:
    """Read once per process from the scripts shipped with the code. The newest revision(s) the migration scripts define: what a database must be at to be this app's."""
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(connection) -> frozenset[str]:
    rows = connection.execute(text("SELECT version_num FROM alembic_version"))
    return frozenset(row[0] for row in rows)


if __name__ == "__main__":
    import sys

    from flows.settings import get_settings

    revision(get_settings().database_url, sys.argv[1])
