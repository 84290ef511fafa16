"""Slack posts a message but its answer comes after the app has stopped waiting. The Web API has no idempotency
key: the retry must find the post that is already there instead of posting a second one, or the senior managers
see two sign-off requests and, after one is approved, the other still offers live Approve / Reject buttons."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.delivery import Deliverer, delivery_client
from flows.db import utcnow
from flows.outbox.models import Destination
from flows.outbox.models import Notice as OutboxMessage
from flows.removals.models import RemovalDecision, RemovalStatus
from tests.abuse.support import APPROVALS, MANAGERS_CHANNEL, add_group, buttons, click_payload, log_removal, wait_post
from tests.conftest import MANAGER, STAFF
from tests.harness.fake_slack import Call
from tests.harness.fake_slack import TEAM_ID
from tests.support import slack_user

CLIENT_TIMEOUT = 1.0


@pytest.fixture
def our_settings(settings):
    return settings.model_copy(update={
        "slack_team_id": TEAM_ID, "approvals_channel": APPROVALS, "managers_channel": MANAGERS_CHANNEL,
        "slack_timeout_seconds": CLIENT_TIMEOUT,
    })


def outbox_row(db, channel: str) -> OutboxMessage | None:
    """The first notice for that channel (the approvals channel is the sign-off destination) or person."""
    with db.transaction() as session:
        rows = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    # A direct message is queued for a person: the Slack user they are is the channel it goes to.
    if channel == APPROVALS:
        return next((m for m in rows if m.recipient == Destination.SIGN_OFF), None)
    return next((m for m in rows if m.person_id and slack_user(db, m.person_id) == channel), None)


def wait_until(check, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("not in time")


def live_buttons(fake, channel: str) -> list[str]:
    shown = [Call("chat.postMessage", message, None, 0.0) for message in fake.messages_in(channel)]
    return [action for call in shown for action in buttons(call)]


def retry_later(app):
    """The clock's next round, once the retry is due (the outbox backs off after a failed try)."""
    later = lambda: utcnow() + timedelta(hours=1)  # noqa: E731
    Deliverer(app.db, delivery_client(app.settings), app.settings, clock=later).deliver_due()


@pytest.mark.parametrize("where", ["channel", "direct message"])
def test_a_post_answered_after_the_timeout_is_not_posted_twice(app, where):
    group_id = add_group(app.db)
    if where == "channel":
        app.fake.answer_late("chat.postMessage", CLIENT_TIMEOUT + 1.5, channel=APPROVALS)
    else:
        app.fake.answer_late("chat.postMessage", CLIENT_TIMEOUT + 1.5, channel=STAFF)  # the logger's own copy
    log_removal(app, STAFF, group_id)
    channel = APPROVALS if where == "channel" else STAFF
    wait_until(lambda: (outbox_row(app.db, channel) or OutboxMessage()).last_error)  # the try that timed out
    retry_later(app)

    shown_in = APPROVALS if where == "channel" else "D" + STAFF
    assert len(app.fake.messages_in(shown_in)) == 1
    row = outbox_row(app.db, channel)
    assert (row.status, row.delivered_ref["ts"]) == ("sent", app.fake.messages_in(shown_in)[0]["ts"])


def test_after_approval_no_sign_off_request_keeps_live_buttons(app):
    group_id = add_group(app.db)
    app.fake.answer_late("chat.postMessage", CLIENT_TIMEOUT + 1.5, channel=APPROVALS)
    log_removal(app, STAFF, group_id)
    wait_until(lambda: (outbox_row(app.db, APPROVALS) or OutboxMessage()).last_error)
    retry_later(app)
    assert len(app.fake.messages_in(APPROVALS)) == 1

    sign_off = wait_post(app.fake, APPROVALS, "removal_approve")
    assert app.sender.interact(click_payload(sign_off, "removal_approve", MANAGER)).status == 200
    app.fake.wait_for("chat.update", lambda c: c.args.get("ts") == sign_off.response["ts"])
    assert len(app.fake.messages_in(APPROVALS)) == 1
    assert live_buttons(app.fake, APPROVALS) == []
    with app.db.transaction() as session:
        assert session.scalar(select(RemovalDecision.status)) == RemovalStatus.APPROVED
