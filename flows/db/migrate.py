"""Schema changes go through Alembic migrations; this brings a database to the newest one."""
from __future__ import annotations

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
    engine = make_engine(url)
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
    engine = make_engine(url)
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)


if __name__ == "__main__":
    import sys

    from flows.settings import get_settings

    revision(get_settings().database_url, sys.argv[1])
