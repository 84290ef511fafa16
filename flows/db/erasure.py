"""Erasure that reaches the disk (P4, P5).

Deleting a row, or overwriting a column, is not enough on its own: SQLite keeps the old page in its `-wal` file
until a checkpoint, and in the database file's free space unless `secure_delete` is on (flows/db/session.py turns
it on for every connection); PostgreSQL keeps the old row version as a dead tuple until VACUUM. Code that erases
personal data marks its session with `erased(session, table, ...)`; once that transaction has committed, the
tables are scrubbed: a TRUNCATE checkpoint on SQLite, a VACUUM of those tables on PostgreSQL.

The scrub is best effort and bounded: it never fails or delays a committed erasure for long (a click may be waiting
on it). A checkpoint kept from finishing by a long reader is logged, and the daily retention job scrubs again.
"""
from __future__ import annotations

import logging

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_KEY = "erased_tables"
# How long the checkpoint may wait for other connections to finish reading (milliseconds), and VACUUM in total.
CHECKPOINT_WAIT_MS = 2000
VACUUM_TIMEOUT_MS = 10000


def erased(session: Session, *tables: str) -> None:
    """Personal data was erased from `tables` in this session's transaction: scrub them once it commits."""
    session.info.setdefault(_KEY, set()).update(tables)


@event.listens_for(Session, "after_commit")
def _scrub_after_commit(session: Session) -> None:
    tables = session.info.pop(_KEY, None)
    if not tables:
        return
    try:
        bind = session.get_bind()
    except Exception:  # a session bound to nothing erased nothing on disk either
        log.exception("no database to scrub after an erasure")
        return
    scrub(getattr(bind, "engine", bind), tables)


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    # Nothing was erased after all.
    session.info.pop(_KEY, None)


def scrub(engine: Engine, tables: set[str] | tuple[str, ...] = ()) -> bool:
    """Make what was just erased unreadable from the database's files. True when it completed."""
    try:
        if engine.dialect.name == "sqlite":
            return _checkpoint(engine)
        if engine.dialect.name == "postgresql":
            return _vacuum(engine, tables)
    except Exception:  # the erasure itself is committed; a failed scrub must not turn it into an error
        log.exception("could not scrub %s after an erasure; the next retention run tries again", sorted(tables))
        return False
    return True


def _checkpoint(engine: Engine) -> bool:
    with engine.connect() as connection:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
        try:
            busy, _log_frames, _done = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        finally:
            connection.exec_driver_sql("PRAGMA busy_timeout=30000")
    if busy:
        log.warning("the WAL checkpoint after an erasure was blocked by a reader; the retention job retries it")
    return not busy


def _vacuum(engine: Engine, tables) -> bool:
    from flows.db.base import Base

    known = [t for t in sorted(tables) if t in Base.metadata.tables]  # names from code, never from input
    # VACUUM cannot run inside a transaction block.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"SET statement_timeout = {VACUUM_TIMEOUT_MS}")
        try:
            for table in known:
                connection.exec_driver_sql(f'VACUUM "{table}"')
        finally:
            connection.exec_driver_sql("RESET statement_timeout")
    return True
