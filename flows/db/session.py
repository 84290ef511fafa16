from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# Registers the after-commit scrub of erased tables (flows/db/erasure.py) on every session.
import flows.db.erasure  # noqa: F401,E402


# What people typed must not reach the logs through a database error's message.
HIDE_PARAMETERS = True


def make_engine(url: str, create: bool = False) -> Engine:
    """`create`: only migrations may bring a new SQLite file into being. The app opens an existing file only, so
    a database deleted under a running app is an error people are told about, not a new empty database that
    acknowledges their work and loses it."""
    if url.startswith("sqlite"):
        # Several threads and processes share one file: wait for the write lock instead of failing at once.
        path = make_url(url).database
        opening = {} if create or not path or path == ":memory:" else {"creator": _existing_file(path)}
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=HIDE_PARAMETERS,
            **opening,
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

        if opening:
            _drop_connections_to_a_deleted_file(engine, path)
        return engine
    # pre_ping: a server restart must not surface as an error on the next request.
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, hide_parameters=HIDE_PARAMETERS)


def _existing_file(path: str):
    uri = "file:" + path.replace("?", "%3f").replace("#", "%23") + "?mode=rw"

    def connect():
        return sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30)

    return connect


def _drop_connections_to_a_deleted_file(engine: Engine, path: str) -> None:
    """A pooled connection to a file since deleted (or replaced) still reads and writes the old, unlinked file:
    work would be acknowledged and gone. Such a connection is discarded before use, and the new one fails."""

    @event.listens_for(engine, "connect")
    def _remember_file(dbapi_connection, record):
        record.info["file"] = _identity(path)

    @event.listens_for(engine, "checkout")
    def _same_file(dbapi_connection, record, proxy):
        if _identity(path) != record.info.get("file"):
            raise exc.DisconnectionError("the database file was deleted or replaced")


def _identity(path: str) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


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
