"""Erasure that reaches the disk (P4, P5).

Deleting a row, or overwriting a column, is not enough on its own: SQLite keeps the old page in its `-wal` file
until a checkpoint, and in the database file's free space unless `secure_delete` is on (flows/db/session.py turns
it on for every connection); PostgreSQL keeps the old row version as a dead tuple until VACUUM. Code that erases
personal data marks its session with `erased(session, table, ...)`; once that transaction has committed, the
tables are scrubbed: a TRUNCATE checkpoint on SQLite, a VACUUM of those tables on PostgreSQL.

The scrub is best effort and bounded: it never fails a committed erasure, and waits for other connections only as
long as the caller allows (a click may be waiting on it: half a second by default; the erase command and the daily
retention job allow more). A scrub that could not finish is logged, and the daily retention job scrubs again.
"""
from __future__ import annotations

import logging

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_KEY, _WAIT = "erased_tables", "erased_wait_seconds"
# Inside a request: the chat platform waits 3 s for the acknowledgement that may follow the erasure.
REQUEST_WAIT_SECONDS = 0.5


def erased(session: Session, *tables: str, wait_seconds: float = REQUEST_WAIT_SECONDS) -> None:
    """Personal data was erased from `tables` in this session's transaction: scrub them once it commits, waiting
    at most about `wait_seconds` for other connections."""
    session.info.setdefault(_KEY, set()).update(tables)
    session.info[_WAIT] = max(session.info.get(_WAIT, 0.0), wait_seconds)


@event.listens_for(Session, "after_commit")
def _scrub_after_commit(session: Session) -> None:
    tables, wait = session.info.pop(_KEY, None), session.info.pop(_WAIT, REQUEST_WAIT_SECONDS)
    if not tables:
        return
    try:
        bind = session.get_bind()
    except Exception:  # a session bound to nothing erased nothing on disk either
        log.exception("no database to scrub after an erasure")
        return
    scrub(getattr(bind, "engine", bind), tables, wait)


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    # Nothing was erased after all.
    session.info.pop(_KEY, None)
    session.info.pop(_WAIT, None)


def scrub(engine: Engine, tables: set[str] | tuple[str, ...] = (), wait_seconds: float = REQUEST_WAIT_SECONDS) -> bool:
    """Make what was just erased unreadable from the database's files. True when it completed."""
    wait_ms = max(1, int(wait_seconds * 1000))
    try:
        if engine.dialect.name == "sqlite":
            return _checkpoint(engine, wait_ms)
        if engine.dialect.name == "postgresql":
            return _vacuum(engine, tables, wait_ms)
    except Exception as error:  # the erasure itself is committed; a failed scrub must not turn it into an error
        log.warning("could not scrub %s after an erasure (%s); the next retention run tries again",
                    sorted(tables), type(error).__name__)
        return False
    return True


def _checkpoint(engine: Engine, wait_ms: int) -> bool:
    with engine.connect() as connection:
        # The connection goes back to the pool afterwards: it gets its own waiting time back.
        usual = int(connection.exec_driver_sql("PRAGMA busy_timeout").scalar())
        connection.exec_driver_sql(f"PRAGMA busy_timeout={wait_ms}")
        try:
            busy, _log_frames, _done = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={usual}")
    if busy:
        log.warning("the WAL checkpoint after an erasure was blocked by a reader; the retention job retries it")
    return not busy


def _vacuum(engine: Engine, tables, wait_ms: int) -> bool:
    from flows.db.base import Base

    known = [t for t in sorted(tables) if t in Base.metadata.tables]  # names from code, never from input
    # VACUUM cannot run inside a transaction block.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # A VACUUM cut short by the timeout leaves the rest to autovacuum and the next retention run.
        connection.exec_driver_sql(f"SET statement_timeout = {wait_ms}")
        try:
            for table in known:
                connection.exec_driver_sql(f'VACUUM "{table}"')
        finally:
            connection.exec_driver_sql("RESET statement_timeout")
    return True
