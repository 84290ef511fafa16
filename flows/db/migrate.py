"""Schema changes go through Alembic migrations; this brings a database to the newest one."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

# Read without Alembic, for the web workers' health check (flows/db/revisions.py); here for older callers.
from flows.db.revisions import current_revisions, head_revisions  # noqa: F401
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


def revision(message: str, into: Path | None = None) -> Path:
    """Developers' helper: autogenerate a new migration from the models (python -m flows.db.migrate "msg").

    The models are compared with a fresh SQLite database brought up to the newest migration, in a temporary folder
    of its own: no database of yours is needed or touched, and none is left behind. The file is named with the next
    free number (0008_what_changed.py) and written into the migrations' versions folder, or `into`.
    """
    versions = HERE / "migrations" / "versions"
    with tempfile.TemporaryDirectory(prefix="gpa-migration-") as folder:
        url = f"sqlite:///{Path(folder) / 'head.db'}"
        upgrade(url)
        engine = make_engine(url)
        try:
            with engine.begin() as connection:
                config = alembic_config()
                config.set_main_option("file_template", "%%(rev)s")
                if into is not None:
                    config.set_main_option("version_locations", f"{versions}{os.pathsep}{into}")
                config.attributes["connection"] = connection
                script = command.revision(config, message=message, autogenerate=True,
                                          rev_id=_next_id(message, [versions, into]),
                                          version_path=str(into) if into is not None else None)
        finally:
            engine.dispose()
    return Path(script.path)


def _next_id(message: str, folders: list[Path | None]) -> str:
    numbers = [int(f.name[:4]) for folder in folders if folder for f in folder.glob("[0-9][0-9][0-9][0-9]_*.py")]
    topic = "_".join(re.findall(r"[a-z0-9]+", message.lower()))[:40].rstrip("_") or "change"
    return f"{max(numbers, default=0) + 1:04d}_{topic}"


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 2 or not sys.argv[1].strip():
        sys.stderr.write('Usage: python -m flows.db.migrate "what changed"   (writes a new migration)\n')
        raise SystemExit(2)
    from alembic.util import CommandError

    try:
        print(f"Wrote {revision(sys.argv[1])}")
    except CommandError as error:  # e.g. two heads from branches merged side by side: they need a merge first
        sys.stderr.write(f"Error: {error}\n")
        raise SystemExit(1)
