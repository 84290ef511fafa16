"""The outbox: messages queued with the change they report reach Slack once, wait when Slack says wait, and are
flagged to an admin when they cannot go. Time is the test's clock; Slack is the local fake."""
from __future__ import annotations

import socket
import threading
from datetime import datetime, timedelta, timezone

import pytest
from slack_sdk import WebClient
from sqlalchemy import func, select

from bot.delivery import Deliverer, delivery_client
from flows.audit.models import AuditEntry
from flows.audit.service import record
from flows.db import Database
from bot.calls import enqueue
from flows.outbox import Notice as OutboxMessage, Outbox
from flows.outbox import failed_notices as failed_messages
from flows.outbox.dispatch import Dispatcher

FAMILY_CHANNEL = "C0FAMILY"
ADMIN_CHANNEL = "C0ADMIN"
PERSONAL = "Jo's son had a seizure at the meet-up"  # must never be repeated to the admins


class TestClock:
    __test__ = False

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock():
    return TestClock()


@pytest.fixture
def deliverer(db, settings, clock):
    return Deliverer(db, delivery_client(settings), settings, clock=clock, admin_channel=ADMIN_CHANNEL)


def queue(db, text=PERSONAL, channel=FAMILY_CHANNEL, **options) -> OutboxMessage:
    with db.transaction() as session:
        return enqueue(session, "chat.postMessage", {"channel": channel, "text": text}, **options)


def row(db, message) -> OutboxMessage:
    with db.transaction() as session:
        return session.get(OutboxMessage, message.id)


def posts_to(fake, channel):
    return [c for c in fake.calls("chat.postMessage") if c.args.get("channel") == channel]


def test_rate_limit_then_server_error_then_delivered_once_and_not_before_retry_after(db, fake_slack, deliverer, clock):
    fake_slack.respond_with_status("chat.postMessage", 429, headers={"Retry-After": "30"})
    fake_slack.respond_with_status("chat.postMessage", 500)
    message = queue(db)

    deliverer.deliver_due()
    assert [c.status for c in fake_slack.calls("chat.postMessage")] == [429]
    clock.advance(29)
    deliverer.deliver_due()
    assert len(fake_slack.calls("chat.postMessage")) == 1  # Slack said 30 seconds; 29 is too soon
    clock.advance(1)
    deliverer.deliver_due()
    assert [c.status for c in fake_slack.calls("chat.postMessage")] == [429, 500]
    clock.advance(300)  # the longest backoff: whatever the backoff, it is due now
    deliverer.deliver_due()
    clock.advance(3600)
    deliverer.deliver_due()

    delivered = [c for c in fake_slack.calls("chat.postMessage") if c.ok]
    assert len(delivered) == 1 and delivered[0].args["text"] == PERSONAL
    sent = row(db, message)
    assert sent.status == "sent" and sent.attempts == 3
    assert (sent.delivered_ref["channel"], sent.delivered_ref["ts"]) == (FAMILY_CHANNEL, delivered[0].response["ts"])


def test_server_errors_are_retried_with_growing_backoff(db, fake_slack, settings, clock):
    deliverer = Deliverer(db, delivery_client(settings), clock=clock, base_backoff=2, max_backoff=5)
    fake_slack.respond_with_status("chat.postMessage", 503, times=3)
    queue(db)
    tried_at = []
    for second in range(30):
        before = len(fake_slack.calls("chat.postMessage"))
        deliverer.deliver_due()
        if len(fake_slack.calls("chat.postMessage")) > before:
            tried_at.append(second)
        clock.advance(1)
    # Again after 2 seconds, then 4, then 5 (the cap, not 8); the 4th try is delivered and nothing follows.
    assert tried_at == [0, 2, 6, 11]
    assert fake_slack.calls("chat.postMessage")[-1].ok


def test_a_message_that_always_fails_is_flagged_to_the_admins_after_its_last_try(db, fake_slack, settings, clock):
    deliverer = Deliverer(db, delivery_client(settings), clock=clock, max_attempts=3, admin_channel=ADMIN_CHANNEL)
    fake_slack.respond_with_status("chat.postMessage", 503, times=3)
    message = queue(db, reference={"type": "removal_approval", "id": 12})

    for _ in range(6):
        deliverer.deliver_due()
        clock.advance(300)

    assert len(posts_to(fake_slack, FAMILY_CHANNEL)) == 3
    with db.transaction() as session:
        failed = failed_messages(session)
        assert [m.id for m in failed] == [message.id]
        assert failed[0].last_error == "http_503"
        trail = session.scalars(select(AuditEntry).where(AuditEntry.action == "outbox.delivery_failed")).one()
        assert trail.subject_id == str(message.id)
    [flag] = posts_to(fake_slack, ADMIN_CHANNEL)
    assert flag.ok
    assert f"<#{FAMILY_CHANNEL}>" in flag.args["text"] and "3 times" in flag.args["text"]
    assert "removal approval 12" in flag.args["text"]
    assert "seizure" not in flag.args["text"] and "Jo" not in flag.args["text"]


def test_channel_not_found_fails_at_once_and_is_flagged(db, fake_slack, deliverer, clock):
    fake_slack.fail_next("chat.postMessage", "channel_not_found")
    message = queue(db)

    report = deliverer.deliver_due()
    clock.advance(3600)
    deliverer.deliver_due()

    assert len(posts_to(fake_slack, FAMILY_CHANNEL)) == 1
    assert report.failed == [message.id]
    assert row(db, message).status == "failed" and row(db, message).last_error == "channel_not_found"
    [flag] = posts_to(fake_slack, ADMIN_CHANNEL)
    assert "channel_not_found" in flag.args["text"] and "tried once" in flag.args["text"]


def test_without_an_admin_channel_a_failure_is_only_listed(db, fake_slack, settings, clock):
    deliverer = Deliverer(db, delivery_client(settings), clock=clock)
    fake_slack.fail_next("chat.postMessage", "not_in_channel")
    message = queue(db)
    deliverer.deliver_due()
    with db.transaction() as session:
        assert [m.id for m in failed_messages(session)] == [message.id]
    assert len(fake_slack.calls("chat.postMessage")) == 1


def test_an_admin_flag_that_cannot_be_delivered_is_not_flagged_again(db, fake_slack, deliverer):
    fake_slack.fail_next("chat.postMessage", "channel_not_found")
    fake_slack.fail_next("chat.postMessage", "channel_not_found")  # the admin channel is wrong too
    queue(db)
    deliverer.deliver_due()
    deliverer.deliver_due()
    assert len(fake_slack.calls("chat.postMessage")) == 2
    with db.transaction() as session:
        assert len(failed_messages(session)) == 2


def test_slack_internal_errors_are_retried(db, fake_slack, deliverer, clock):
    fake_slack.fail_next("chat.postMessage", "internal_error")
    message = queue(db)
    deliverer.deliver_due()
    assert row(db, message).status == "pending"
    clock.advance(300)
    deliverer.deliver_due()
    assert row(db, message).status == "sent"
    assert [c.ok for c in fake_slack.calls("chat.postMessage")] == [False, True]


def test_network_errors_are_retried(db, settings, clock):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/api/"  # nothing listens once the socket is closed
    client = WebClient(token="xoxb-test", base_url=closed, timeout=2, retry_handlers=[])
    message = queue(db)
    report = Deliverer(db, client, clock=clock).deliver_due()
    assert report.retrying == [message.id]
    assert row(db, message).status == "pending" and row(db, message).last_error.startswith("network")


def test_an_update_waits_for_the_post_it_edits_and_gets_its_channel_and_ts(db, fake_slack, deliverer, clock):
    fake_slack.respond_with_status("chat.postMessage", 429, headers={"Retry-After": "10"})
    with db.transaction() as session:
        post = enqueue(session, "chat.postMessage", {"channel": "U0STAFF1", "text": "Removal requested"})
        edit = enqueue(session, "chat.update",
                       {"channel": {"$from": "channel"}, "ts": {"$from": "ts"}, "text": "Removal approved"},
                       depends_on=post)

    deliverer.deliver_due()
    assert fake_slack.calls("chat.update") == []
    clock.advance(10)
    deliverer.deliver_due()

    posted = [c for c in fake_slack.calls("chat.postMessage") if c.ok][0]
    [update] = fake_slack.calls("chat.update")
    assert update.ok and update.args["text"] == "Removal approved"
    # A post to a person lands in a DM channel: the edit must name that channel, not the person.
    assert (update.args["channel"], update.args["ts"]) == (posted.response["channel"], posted.response["ts"])
    assert row(db, edit).status == "sent"


def test_an_update_whose_post_failed_fails_without_being_sent(db, fake_slack, deliverer):
    fake_slack.fail_next("chat.postMessage", "channel_not_found")
    with db.transaction() as session:
        post = enqueue(session, "chat.postMessage", {"channel": FAMILY_CHANNEL, "text": "Removal requested"})
        edit = enqueue(session, "chat.update",
                       {"channel": {"$from": "channel"}, "ts": {"$from": "ts"}, "text": "Removal approved"},
                       depends_on=post)
    deliverer.deliver_due()
    deliverer.deliver_due()
    assert fake_slack.calls("chat.update") == []
    assert row(db, edit).status == "failed" and row(db, edit).last_error == "replaced_notice_failed"


def test_placeholders_without_a_dependency_are_refused_when_queued(db):
    with pytest.raises(ValueError), db.transaction() as session:
        enqueue(session, "chat.update", {"channel": "C1", "ts": {"$from": "ts"}, "text": "x"})



def remember_where_it_landed(session, notice):
    record(session, actor="app", action="test.approval_posted", subject_type="approval", subject_id=notice.subject_id,
           **notice.delivered_ref)


def broken_hook(session, notice):
    raise RuntimeError("a bug in what is recorded on delivery")


def recording(deliverer, db, on_sent):
    outbox = Outbox(db, deliverer.outbox.policy, deliverer.outbox.clock, on_sent=on_sent)
    return lambda: outbox.deliver_due(Dispatcher(db, [deliverer.slack]))


def test_a_workflow_learns_where_its_message_landed(db, fake_slack, deliverer):
    queue(db, reference={"type": "test_approval_request", "id": 7})
    recording(deliverer, db, remember_where_it_landed)()
    [posted] = fake_slack.calls("chat.postMessage")
    with db.transaction() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "test.approval_posted")).one()
    assert (entry.subject_id, entry.details) == ("7", {"channel": FAMILY_CHANNEL, "ts": posted.response["ts"]})


def test_a_failing_hook_does_not_get_the_message_sent_again(db, fake_slack, deliverer, clock):
    message = queue(db, reference={"type": "test_broken_hook", "id": 1})
    deliver = recording(deliverer, db, broken_hook)
    deliver()
    clock.advance(3600)
    deliver()
    assert len(fake_slack.calls("chat.postMessage")) == 1 and row(db, message).status == "sent"


def test_two_deliverers_in_two_threads_send_each_message_once(db, fake_slack, settings, clock):
    texts = [f"message {i}" for i in range(30)]
    with db.transaction() as session:
        for text in texts:
            enqueue(session, "chat.postMessage", {"channel": FAMILY_CHANNEL, "text": text})
    fake_slack.delay_seconds = 0.01  # both workers are mid-send at the same time
    databases = [Database(db.url), Database(db.url)]  # as two processes would have
    workers = [Deliverer(d, delivery_client(settings), clock=clock) for d in databases]
    start = threading.Barrier(2)
    errors = []

    def work(deliverer):
        try:
            start.wait()
            deliverer.deliver_due(limit=100)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for d in databases:
        d.dispose()

    assert errors == []
    assert sorted(c.args["text"] for c in fake_slack.calls("chat.postMessage")) == sorted(texts)
    with db.transaction() as session:
        assert set(session.scalars(select(OutboxMessage.status))) == {"sent"}


def test_a_message_claimed_by_a_worker_that_died_is_sent_once_its_lease_runs_out(db, fake_slack, settings, clock):
    message = queue(db)
    dead = Deliverer(db, delivery_client(settings), clock=clock, lease=60)
    assert dead.outbox.claim(message.id) is not None  # ...and the process stops before sending
    survivor = Deliverer(db, delivery_client(settings), clock=clock, lease=60)

    survivor.deliver_due()
    assert fake_slack.calls("chat.postMessage") == []
    clock.advance(60)
    survivor.deliver_due()
    assert len(fake_slack.calls("chat.postMessage")) == 1 and row(db, message).status == "sent"


def test_the_same_dedupe_key_queued_twice_keeps_one_message(db, fake_slack, deliverer):
    first = queue(db, dedupe_key="removal:12:requested")
    second = queue(db, text="a redelivered event", dedupe_key="removal:12:requested")
    with db.transaction() as session:  # twice in one transaction too
        enqueue(session, "chat.postMessage", {"channel": "C1", "text": "again"}, dedupe_key="removal:12:requested")
        enqueue(session, "chat.postMessage", {"channel": "C1", "text": "again"}, dedupe_key="removal:12:requested")
    assert first.id == second.id
    deliverer.deliver_due()
    deliverer.deliver_due()
    assert [c.args["text"] for c in fake_slack.calls("chat.postMessage")] == [PERSONAL]


def test_the_same_event_handled_by_two_workers_at_once_queues_one_message(db, fake_slack, deliverer):
    databases = [Database(db.url), Database(db.url)]
    start = threading.Barrier(2)
    ids, errors = [], []

    def handle_event(database):
        try:
            start.wait()
            with database.transaction() as session:
                ids.append(enqueue(session, "chat.postMessage", {"channel": FAMILY_CHANNEL, "text": "Report received"},
                                   dedupe_key="event:Ev0123").id)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=handle_event, args=(d,)) for d in databases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for d in databases:
        d.dispose()
    assert errors == [] and len(set(ids)) == 1
    deliverer.deliver_due()
    assert len(fake_slack.calls("chat.postMessage")) == 1


def test_a_message_queued_in_a_transaction_that_rolls_back_is_never_sent(db, fake_slack, deliverer):
    with pytest.raises(RuntimeError), db.transaction() as session:
        enqueue(session, "chat.postMessage", {"channel": FAMILY_CHANNEL, "text": "Approved"}, dedupe_key="k")
        raise RuntimeError("the decision could not be saved")
    deliverer.deliver_due()
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert fake_slack.calls("chat.postMessage") == []
    queue(db, dedupe_key="k")  # the key is free again: the rolled-back row never existed
    deliverer.deliver_due()
    assert len(fake_slack.calls("chat.postMessage")) == 1


def test_flush_after_request_sends_what_the_request_queued_at_once(db, fake_slack, deliverer):
    later = queue(db, text="queued by someone else", not_before=datetime(2030, 1, 1, tzinfo=timezone.utc))
    with db.transaction() as session:
        post = enqueue(session, "chat.postMessage", {"channel": FAMILY_CHANNEL, "text": "Thanks, sent to managers"})
        edit = enqueue(session, "chat.update", {"channel": {"$from": "channel"}, "ts": {"$from": "ts"}, "text": "x"},
                       depends_on=post)
    report = deliverer.flush_after_request(post, edit)
    assert report.sent == [post.id, edit.id]
    assert row(db, later).status == "pending"


def test_flush_after_request_never_raises(tmp_path, settings, clock):
    broken = Database(f"sqlite:///{tmp_path / 'missing' / 'no.db'}")
    report = Deliverer(broken, delivery_client(settings), clock=clock).flush_after_request(1)
    assert len(report) == 0
