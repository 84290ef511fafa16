"""Slack failing or rate-limiting just as a senior manager signs a removal off: the decision is made and kept, and
everyone it concerns is told once Slack answers again (the clock's next round), exactly once each."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.delivery import Deliverer, delivery_client
from flows.audit.models import AuditEntry
from flows.db import utcnow
from flows.removals.models import RemovalDecision
from tests.abuse.support import APPROVALS, add_group, click_payload, log_removal, settle, wait_post
from tests.conftest import MANAGER, STAFF, STAFF_2, VOLUNTEER

# Who hears of an approval: the moderator who logged it and the group's other moderators on Slack (R3).
TOLD = (STAFF, VOLUNTEER, STAFF_2)


def sent_after(fake, since: int, method: str) -> list:
    return [c for c in fake.calls()[since:] if c.method == method and c.ok]


@pytest.mark.parametrize("status", [500, 429], ids=["slack down", "rate limited"])
def test_a_decision_made_while_slack_fails_is_kept_and_told_once_slack_is_back(app, status):
    fake = app.fake
    group_id = add_group(app.db)
    log_removal(app, STAFF, group_id)
    sign_off = wait_post(fake, APPROVALS, "removal_approve")
    settle(app)
    since = len(fake.calls())

    fake.respond_with_status("chat.postMessage", status, times=len(TOLD),
                             headers={"Retry-After": "30"} if status == 429 else None)
    fake.respond_with_status("chat.update", status, times=1)
    assert app.sender.interact(click_payload(sign_off, "removal_approve", MANAGER)).status == 200
    fake.wait_for("chat.update", lambda c: c.status == status)
    settle(fake)

    # Made and kept, though nobody could be told yet.
    with app.db.transaction() as session:
        assert session.scalars(select(RemovalDecision.status)).all() == ["approved"]
        assert len(session.scalars(select(AuditEntry).where(AuditEntry.action == "removal.approved")).all()) == 1
    assert sent_after(fake, since, "chat.postMessage") == [] and sent_after(fake, since, "chat.update") == []
    assert {c.method for c in fake.calls()[since:] if c.status == status} == {"chat.postMessage", "chat.update"}

    # The clock's next rounds, once Slack answers again: everyone is told, once.
    later = Deliverer(
        app.db, delivery_client(app.settings), app.settings, clock=lambda: utcnow() + timedelta(minutes=10)
    )
    later.deliver_due()
    later.deliver_due()
    posts = sent_after(fake, since, "chat.postMessage")
    assert sorted(c.args["channel"] for c in posts) == sorted(TOLD)
    assert all("approved" in str(c.args) for c in posts)
    [closed] = sent_after(fake, since, "chat.update")
    assert (closed.args["channel"], closed.args["ts"]) == (sign_off.response["channel"], sign_off.response["ts"])
    assert "Approved" in str(closed.args["blocks"])
