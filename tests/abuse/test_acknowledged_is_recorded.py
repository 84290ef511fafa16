"""A click Slack got a 200 for is never sent again: so a 200 must mean the decision is recorded. The database is
held (another writer has it locked) while a senior manager presses Approve: no answer reaches Slack until the
decision is committed, and the answer that does arrive finds the decision approved."""
from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import contextmanager
from sqlalchemy import select
from sqlalchemy.engine import make_url

from flows.removals.models import RemovalDecision, RemovalStatus
from flows.reports.models import UnofficialGroupCase
from tests.abuse.support import (
    APPROVALS,
    MANAGERS_CHANNEL,
    add_group,
    click_payload,
    log_removal,
    opened_view,
    settle,
    submission,
    wait_post,
)
from tests.conftest import MANAGER, STAFF, VOLUNTEER

HELD_FOR = 1.5


@contextmanager
def writes_held(db, row_id: int, table: str = "removal_decisions"):
    """Another writer holds the row (SQLite: the write lock on the file; PostgreSQL: the row itself)."""
    if db.url.startswith("sqlite"):
        holder = sqlite3.connect(make_url(db.url).database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    import psycopg

    with psycopg.connect(db.url.replace("postgresql+psycopg://", "postgresql://")) as holder:
        holder.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", (row_id,))
        yield
        holder.rollback()


def status_of(db, decision_id: int) -> str:
    with db.transaction() as session:
        return session.scalar(select(RemovalDecision.status).where(RemovalDecision.id == decision_id))


def test_approve_is_answered_only_once_the_decision_is_recorded(app):
    group_id = add_group(app.db)
    log_removal(app, STAFF, group_id)
    sign_off = wait_post(app.fake, APPROVALS, "removal_approve")
    settle(app)
    with app.db.transaction() as session:
        decision_id = session.scalar(select(RemovalDecision.id))
    answered: dict = {}

    def press():
        response = app.sender.interact(click_payload(sign_off, "removal_approve", MANAGER))
        answered.update(response=response, at=time.monotonic(), status_then=status_of(app.db, decision_id))

    with writes_held(app.db, decision_id):
        presser = threading.Thread(target=press)
        presser.start()
        time.sleep(HELD_FOR)
        early = answered.get("response")
        released = time.monotonic()
    presser.join(timeout=10)

    # While the decision could not be written, Slack heard nothing it would take as "done".
    assert early is None or early.status != 200, "Slack got a 200 while the approval was not yet recorded"
    response = answered["response"]
    assert response.status == 200
    assert answered["at"] >= released
    assert answered["status_then"] == RemovalStatus.APPROVED
    # The sign-off request is closed: the person sees the decision taken.
    app.fake.wait_for("chat.update", lambda c: c.args.get("ts") == sign_off.response["ts"])


def test_a_report_button_is_answered_only_once_the_case_is_recorded(app):
    opens = len(app.fake.calls("views.open"))
    assert app.sender.command("/report-unofficial-group", user_id=VOLUNTEER).status == 200
    view_id, view = opened_view(app.fake, opens)
    filed = app.sender.interact(submission(view, VOLUNTEER, view_id, name="A.M.A.Z.E parents chat",
                                           where_seen="whatsapp", how_found="A parent told me."))
    assert filed.status == 200
    case_message = wait_post(app.fake, MANAGERS_CHANNEL, "report_approach")
    settle(app)
    with app.db.transaction() as session:
        case_id = session.scalar(select(UnofficialGroupCase.id))
    answered: dict = {}

    def press():
        response = app.sender.interact(click_payload(case_message, "report_approach", STAFF))
        with app.db.transaction() as session:
            state = session.scalar(select(UnofficialGroupCase.state).where(UnofficialGroupCase.id == case_id))
        answered.update(response=response, at=time.monotonic(), state_then=state)

    with writes_held(app.db, case_id, table=UnofficialGroupCase.__tablename__):
        presser = threading.Thread(target=press)
        presser.start()
        time.sleep(HELD_FOR)
        early = answered.get("response")
        released = time.monotonic()
    presser.join(timeout=10)

    assert early is None or early.status != 200, "Slack got a 200 while the case was not yet recorded"
    assert answered["response"].status == 200 and answered["at"] >= released
    assert answered["state_then"] == "approached"
