"""Insert a row unless one with the same unique key exists, without failing the caller's transaction.

Both the outbox (dedupe keys) and the scheduler (one run per due key) stand on this: the database, not process
memory, decides who was first, however many workers race."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import insert, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

_DIALECT_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def insert_once(session: Session, model: type, values: Mapping[str, object], unique: Sequence[str]) -> bool:
    """True if this call inserted the row; False if a row with the same `unique` columns was already there
    (on PostgreSQL, also when a concurrent transaction inserted it and committed while this one waited)."""
    dialect_insert = _DIALECT_INSERTS.get(session.get_bind().dialect.name)
    if dialect_insert is not None:
        statement = (
            dialect_insert(model).values(**values).on_conflict_do_nothing(index_elements=list(unique))
            # rowcount is not reliable here (PostgreSQL with implicit RETURNING reports -1): a returned row is.
            .returning(*inspect(model).primary_key)
        )
        return session.connection().execute(statement).first() is not None
    # Any other database: a savepoint keeps the outer transaction usable after the constraint refuses the row.
    try:
        with session.begin_nested():
            session.connection().execute(insert(model).values(**values))
    except IntegrityError:
        return False
    return True
