"""Migrations carry a working database over: one made by the previous head (0008_people), holding a decision
awaiting sign-off whose request is posted, a report with its managers' message, a pending confirmation request and
a queued message, is upgraded to the newest schema, and the app goes on from where it was: Approve edits the
sign-off post in place, and what was queued is still sent once."""
from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.engine import make_url

from bot.delivery import Deliverer, delivery_client
from bot.removals.notify import queue_messages
from flows.db import Database
from flows.db.migrate import upgrade
from flows.directory.service import Directory
from flows.outbox import Notice, NoticeStatus
from flows.removals.service import RemovalService
from flows.reports.models import UnofficialGroupCase
from tests.support import MANAGER, STAFF, VOLUNTEER, EveryoneByTheirId, roles_by_id

APPROVALS, MANAGERS = "C0APPROVALS", "C0MANAGERS"
POSTED_TS, MANAGERS_TS = "1764000000.000100", "1764000000.000200"
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"] if os.environ.get("TEST_POSTGRES_URL") else ["sqlite"])
def previous_head(request, tmp_path):
    """An empty database at 0008_people (on PostgreSQL, a database of its own on the test server)."""
    if request.param == "postgresql":
        server = make_url(request.getfixturevalue("postgres_url"))
        name = f"gpa_migration_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = server.set(database=name).render_as_string(hide_password=False)
        upgrade(url, "0008_people")
        yield url
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        url = f"sqlite:///{tmp_path / 'previous.db'}"
        upgrade(url, "0008_people")
        yield url


def fill(url: str) -> dict[str, int]:
    """What the previous head held, written as it wrote it."""
    engine = create_engine(url)
    tables = MetaData()
    tables.reflect(engine)
    t = tables.tables
    with engine.begin() as c:
        group = c.execute(t["groups"].insert().values(
            kind="parent_carers", name="Amaze Lewes Parent Carers", official=True, description="", advice=[],
            created_by=STAFF, created_at=NOW).returning(t["groups"].c.id)).scalar()
        staff, volunteer = (c.execute(t["moderators"].insert().values(
            group_id=group, name=name, role=role, slack_user_id=user, is_lead=lead, added_by=STAFF, added_at=NOW,
        ).returning(t["moderators"].c.id)).scalar() for name, role, user, lead in (
            ("Sam Patel", "staff", STAFF, True), ("Val Jones", "volunteer", VOLUNTEER, False)))
        decision = c.execute(t["removal_decisions"].insert().values(
            group_id=group, member_ref="J.S.", kind="permanent", breaches=["bullying"], tried_first=["warned"],
            status="awaiting_sign_off", logged_by=VOLUNTEER, logged_at=NOW, agreed_by=STAFF, agreed_at=NOW,
            submission_key="before-upgrade-1").returning(t["removal_decisions"].c.id)).scalar()
        outbox = t["outbox_messages"]

        def message(**values) -> int:
            row = dict(status="sent", attempts=1, created_at=NOW, sent_at=NOW) | values
            return c.execute(outbox.insert().values(**row).returning(outbox.c.id)).scalar()

        sign_off = message(
            method="chat.postMessage", dedupe_key=f"removal:{decision}:sign-off",
            args={"channel": APPROVALS, "text": "Permanent removal to sign off", "blocks": []},
            reference={"type": "removal", "id": decision}, result_channel=APPROVALS, result_ts=POSTED_TS)
        card = message(
            method="chat.postMessage", dedupe_key="report:1:managers:post:reported",
            args={"channel": MANAGERS, "text": "Unofficial group reported"},
            reference={"type": "unofficial_group_case", "id": 1, "message": "managers_post"},
            result_channel=MANAGERS, result_ts=MANAGERS_TS)
        c.execute(t["unofficial_group_cases"].insert().values(
            id=1, name="Amaze Hastings Chat", normalised_name="amaze hastings chat", matched_names=["Amaze"],
            state="reported", reported_by=STAFF, reported_at=NOW, managers_message_id=card))
        request = message(
            method="chat.postMessage", dedupe_key="moderation:confirm:1", status="pending", sent_at=None,
            attempts=0, args={"channel": VOLUNTEER, "text": "Please confirm you have read the policy"},
            reference={"type": "moderation_confirmation_request", "id": 1, "to": VOLUNTEER,
                       "emergency_contact_for": []})
        c.execute(t["moderator_confirmations"].insert().values(
            id=1, moderator_id=volunteer, group_id=group, requested_at=NOW, on_behalf=False,
            request_message_id=request))
        queued = message(method="chat.postMessage", status="pending", sent_at=None, attempts=0,
                         args={"channel": STAFF, "text": "A message queued before the upgrade"})
    engine.dispose()
    return dict(group=group, staff=staff, decision=decision, sign_off=sign_off, card=card, request=request,
                queued=queued)


def test_an_upgraded_database_edits_the_sign_off_post_in_place_on_approve(previous_head, settings, fake_slack):
    before = fill(previous_head)
    upgrade(previous_head)

    db = Database(previous_head)
    try:
        with db.transaction() as session:
            sign_off = session.get(Notice, before["sign_off"])
            assert (sign_off.status, sign_off.delivered_via) == ("sent", "slack")
            assert sign_off.delivered_ref == {"channel": APPROVALS, "ts": POSTED_TS}
            assert session.get(UnofficialGroupCase, 1).managers_notice_id == before["card"]
        ours = roles_by_id(settings).model_copy(update={"approvals_channel": APPROVALS})
        removals = RemovalService(db, ours, Directory(db, EveryoneByTheirId(), ours))
        assert removals.approve(before["decision"], MANAGER, on_change=queue_messages).done
        Deliverer(db, delivery_client(settings), ours).deliver_due()

        [edit] = [c for c in fake_slack.calls("chat.update") if c.args["ts"] == POSTED_TS]
        assert edit.ok and edit.args["channel"] == APPROVALS
        assert "Approved" in str(edit.args.get("text", "")) + str(edit.args.get("blocks", ""))
        posted = [c.args["text"] for c in fake_slack.calls("chat.postMessage")]
        assert posted.count("A message queued before the upgrade") == 1
        assert posted.count("Please confirm you have read the policy") == 1
        with db.transaction() as session:
            pending = session.scalars(select(Notice).where(Notice.status == NoticeStatus.PENDING.value)).all()
            assert pending == []
    finally:
        db.dispose()
