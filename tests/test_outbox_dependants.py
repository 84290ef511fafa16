"""A request that delivers its own messages also delivers what other requests queued to follow them: an edit of
a post still on its way when the edit was queued goes as soon as the post does, not at the clock's next tick."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bot.delivery import Deliverer, delivery_client
from bot.calls import enqueue
from flows.outbox import Notice as OutboxMessage

FROM_POST = {"channel": {"$from": "channel"}, "ts": {"$from": "ts"}}
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def deliverer(db, settings):
    return Deliverer(db, delivery_client(settings), settings, clock=lambda: NOW)


def queue(db, method, args, **options) -> OutboxMessage:
    # Each in its own transaction, as two requests would.
    with db.transaction() as session:
        return enqueue(session, method, args, **options)


def status(db) -> dict[str, str]:
    with db.transaction() as session:
        return {m.data["args"].get("text"): m.status for m in session.scalars(select(OutboxMessage))}


def test_edits_queued_by_other_requests_go_with_the_post_they_edit(db, fake_slack, deliverer):
    post = queue(db, "chat.postMessage", {"channel": "C0MANAGERS", "text": "Reported"})
    approached = queue(db, "chat.update", {**FROM_POST, "text": "Approached"}, depends_on=post)
    renamed = queue(db, "chat.update", {**FROM_POST, "text": "Renamed"}, depends_on=approached)
    unrelated = queue(db, "chat.postMessage", {"channel": "C0OTHER", "text": "Someone else's"})

    report = deliverer.flush_after_request(post)

    assert report.sent == [post.id, approached.id, renamed.id]
    assert [c.args["text"] for c in fake_slack.calls("chat.update")] == ["Approached", "Renamed"]
    assert status(db)["Someone else's"] == "pending"  # not this request's, and not waiting for it
    assert unrelated.id not in report.sent


def test_edits_of_a_post_that_cannot_be_delivered_are_settled_with_it(db, fake_slack, deliverer):
    fake_slack.fail_next("chat.postMessage", "channel_not_found")
    post = queue(db, "chat.postMessage", {"channel": "C0GONE", "text": "Reported"})
    queue(db, "chat.update", {**FROM_POST, "text": "Approached"}, depends_on=post)

    report = deliverer.flush_after_request(post)

    assert len(report.failed) == 2 and fake_slack.calls("chat.update") == []
    assert status(db) == {"Reported": "failed", "Approached": "failed"}


def test_edits_wait_while_their_post_is_to_be_tried_again(db, fake_slack, deliverer):
    fake_slack.respond_with_status("chat.postMessage", 500)
    post = queue(db, "chat.postMessage", {"channel": "C0MANAGERS", "text": "Reported"})
    queue(db, "chat.update", {**FROM_POST, "text": "Approached"}, depends_on=post)

    deliverer.flush_after_request(post)

    assert fake_slack.calls("chat.update") == []
    assert status(db) == {"Reported": "pending", "Approached": "pending"}
