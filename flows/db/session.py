from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

# Registers the after-commit scrub of erased tables (flows/db/erasure.py) on every session.
import flows.db.erasure  # noqa: F401,E402


# What people typed must not reach the logs through a database error's message.
HIDE_PARAMETERS = True


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # Several threads and processes share one file: wait for the write lock instead of failing at once.
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=HIDE_PARAMETERS
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            # Deleted content is overwritten, not left in free pages (P4: an erasure must reach the disk).
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        return engine
    # pre_ping: a server restart must not surface as an error on the next request.
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, hide_parameters=HIDE_PARAMETERS)


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed whole, or rolled back whole (never a half-written record)."""
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
