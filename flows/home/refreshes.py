"""Home refreshes as work queued in the database: the web workers only say whose Home to publish again (one
statement, in the time of the acknowledgement), and the clock composes and publishes them, many at a time.

Why: composing a Home and building its view was most of the web workers' CPU for an App Home opened and a third of
an Approve (see README, Performance). Queued in the database, not in memory: any clock may do any refresh, and one
that is lost (a clock stopped between claiming and publishing) costs nothing but freshness; the Home is composed
afresh whenever it is next opened.
"""
from __future__ import annotations

from dataclasses import asdict
from functools import cache

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from flows.db import Database, utcnow
from flows.home.models import HomeRefresh
from flows.home.register import RegisterFilter


def ask(db: Database, user_id: str, chosen: RegisterFilter | None = None) -> None:
    """Queue a refresh of this person's Home (kept once however often it is asked for before it is done)."""
    values = {"user_id": user_id, "chosen": _stored(chosen), "requested_at": utcnow()}
    with db.transaction() as session:
        insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
        statement = insert(HomeRefresh).values(values)
        # The filter last asked for wins; the time asked stays the first, so a busy person's refresh is not put off.
        session.execute(statement.on_conflict_do_update(
            index_elements=[HomeRefresh.user_id], set_={"chosen": statement.excluded.chosen}
        ))


def claim(db: Database, limit: int = 50) -> list[tuple[str, RegisterFilter | None]]:
    """Take the oldest refreshes waiting (at most `limit`), in one statement: each is taken by one clock only."""
    with db.transaction() as session:
        rows = session.execute(_claim(), {"limit": limit}).all()
    rows.sort(key=lambda row: row.requested_at)
    return [(row.user_id, RegisterFilter.of(**row.chosen) if isinstance(row.chosen, dict) else None) for row in rows]


def waiting(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(HomeRefresh))


@cache
def _claim():
    oldest = select(HomeRefresh.user_id).order_by(HomeRefresh.requested_at).limit(bindparam("limit"))
    return (delete(HomeRefresh).where(HomeRefresh.user_id.in_(oldest))
            .returning(HomeRefresh.user_id, HomeRefresh.chosen, HomeRefresh.requested_at))


def _stored(chosen: RegisterFilter | None) -> dict | None:
    if chosen is None:
        return None
    fields = asdict(chosen)
    return {**fields, "kind": chosen.kind.value if chosen.kind else None,
            "status": chosen.status.value if chosen.status else None}
