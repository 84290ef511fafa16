"""Reports' messages are never lost: queued in the outbox with the change they tell of, they reach Slack even
when Slack fails at first, move on to the managers' channel when the manager cannot be messaged (also when that
is found out later, by the clock), show concurrent changes in the order they were made, and keep no copy of who
runs a group once its report is finished. Time is the test's; Slack is the local fake over real HTTP."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import Clock
from bot.delivery import Deliverer, delivery_client
from bot.jobs import slack_jobs
from flows.db import utcnow
from flows.outbox import Notice as OutboxMessage
from flows.jobs import UNDELIVERED_JOB
from flows.scheduler import Scheduler
from tests.conftest import MANAGER, SIGNING_SECRET, STAFF, STAFF_2, VOLUNTEER, RunningApp, prompt_loop
from tests.e2e.test_reports import (
    MANAGERS_CHANNEL,
    buttons,
    click,
    dm_to,
    open_form,
    posted_case,
    report,
    shown,
    the_case,
    updates_of,
)
from tests.harness.signing import SlackSender
from tests.harness.wsgi_server import WSGIServer


@pytest.fixture
def app(settings, db, fake_slack):
    """As in test_reports: a managers' channel, and Bea (STAFF_2) has a line manager."""
    from bot.wsgi import create_wsgi_app

    configured = settings.model_copy(
        update={"managers_channel": MANAGERS_CHANNEL, "line_managers": [f"{STAFF_2}:{MANAGER}"]}
    )
    with WSGIServer(create_wsgi_app(configured, db)) as server, prompt_loop(configured, db):
        running = RunningApp(
            url=server.url, sender=SlackSender(server.url, SIGNING_SECRET), fake=fake_slack, db=db,
            settings=configured,
        )
        yield running
        # The last click's listener may still be sending what it queued: let it finish before the app stops.
        tried_by_the_request(running, at_least=0)


class LaterClock:
    """The clock of a worker that runs after the request: whatever Slack asked to wait for is over."""

    def __init__(self, ahead: timedelta = timedelta(hours=1)) -> None:
        self.now = utcnow() + ahead

    def __call__(self):
        return self.now


def deliverer(app, clock) -> Deliverer:
    return Deliverer(app.db, delivery_client(app.settings), app.settings, clock=clock)


def clock_process(app, clock) -> Clock:
    """What `python -m bot.clock` runs: delivery, then the due jobs (here, the reports' follow-up)."""
    registry = slack_jobs(lambda: app.settings, only=[UNDELIVERED_JOB])
    return Clock(deliverer(app, clock), Scheduler(app.db, registry, clock=clock))


def outbox(db) -> list[OutboxMessage]:
    with db.transaction() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def tried_by_the_request(app, at_least: int = 1, timeout: float = 5.0) -> None:
    """Wait until the request has made its own attempt at every message it queued and let go of them, so that a
    worker with a later clock does not take over a message the request is still sending."""
    deadline = time.monotonic() + timeout
    while True:
        messages = outbox(app.db)
        if len(messages) >= at_least and all(m.attempts > 0 and m.claim_token is None for m in messages):
            return
        assert time.monotonic() < deadline, [(m.id, m.status, m.attempts, m.claim_token) for m in messages]
        time.sleep(0.01)


def posts_to(app, channel):
    return [c for c in app.fake.calls("chat.postMessage") if c.args.get("channel") == channel]


@pytest.mark.e2e
def test_a_reports_messages_survive_slack_failing_at_first_and_go_later_once(app):
    app.fake.respond_with_status("chat.postMessage", 500)
    modal = report(app, "A.M.A.Z.E parents chat")
    assert "Thank you" in modal.text()  # the reporter is not troubled with Slack's trouble
    tried_by_the_request(app)
    assert [c for c in posts_to(app, MANAGERS_CHANNEL) if c.ok] == []

    later = LaterClock()
    deliverer(app, later).deliver_due()
    channel, ts, blocks = posted_case(app)
    assert "A.M.A.Z.E parents chat" in shown(blocks)

    # Slack fails the edit and the reporter's news too; both go when a worker comes round again.
    app.fake.respond_with_status("chat.update", 500)
    app.fake.respond_with_status("chat.postMessage", 500)
    click(app, STAFF, buttons(blocks)["I'll approach them"], channel, ts)
    app.fake.wait_for("chat.update", lambda c: c.status == 500)
    app.fake.wait_for("chat.postMessage", lambda c: c.status == 500 and c.args.get("channel") == VOLUNTEER)
    tried_by_the_request(app)
    assert the_case(app.db).state == "approached"  # the change stands, whatever Slack says

    deliverer(app, later).deliver_due()
    [update] = [u for u in updates_of(app, channel, ts, 1) if u.ok]
    assert f"<@{STAFF}> is approaching the group" in shown(update.args["blocks"])
    dm_to(app, VOLUNTEER, f"<@{STAFF}> is approaching the group")
    assert len([c for c in posts_to(app, VOLUNTEER) if c.ok]) == 1
    assert len([c for c in posts_to(app, MANAGERS_CHANNEL) if c.ok]) == 1
    assert all(m.status == "sent" for m in outbox(app.db))


@pytest.mark.e2e
def test_a_manager_who_turns_out_unreachable_later_gets_the_report_moved_to_the_channel_by_the_clock(app):
    app.fake.respond_with_status("chat.postMessage", 500)  # while the request is handled
    app.fake.fail_next("chat.postMessage", "user_not_found")  # at the clock: the manager has left
    modal = report(app, "ESPCF parents together", user=STAFF_2)
    assert f"your manager, <@{MANAGER}>" in modal.text()
    tried_by_the_request(app)

    clock_process(app, LaterClock()).tick()
    assert [c.response.get("error") for c in posts_to(app, MANAGER)] == ["fatal_error", "user_not_found"]
    channel, ts, blocks = posted_case(app)
    assert channel == MANAGERS_CHANNEL and "ESPCF parents together" in shown(blocks)

    # Later changes edit the channel's message.
    click(app, STAFF, buttons(blocks)["I'll approach them"], channel, ts)
    assert f"<@{STAFF}> is approaching" in shown(updates_of(app, MANAGERS_CHANNEL, ts, 1)[0].args["blocks"])


@pytest.mark.e2e
def test_a_report_nobody_can_receive_is_told_to_the_reporter_once_however_many_clocks_come_round(app):
    app.fake.respond_with_status("chat.postMessage", 500)
    app.fake.fail_next("chat.postMessage", "channel_not_found")
    report(app, "Amaze Hastings Chat")
    tried_by_the_request(app)
    later = LaterClock()
    clock_process(app, later).tick()
    told = dm_to(app, VOLUNTEER, "couldn't pass")
    assert "Amaze Hastings Chat" in told.args["text"]
    for _ in range(2):
        later.now += timedelta(minutes=5)
        clock_process(app, later).tick()
    assert len([c for c in posts_to(app, VOLUNTEER) if "couldn't pass" in c.args.get("text", "")]) == 1
    assert [c.status for c in posts_to(app, MANAGERS_CHANNEL)] == [500, 200]  # one try each time, no more


@pytest.mark.e2e
def test_a_report_linked_while_the_first_post_waits_for_slack_edits_that_post_once_it_is_out(app):
    app.fake.respond_with_status("chat.postMessage", 500)
    report(app, "PaCC Dads")
    tried_by_the_request(app)
    # The same group reported again while the first post waits to be retried: its edit waits for the post.
    report(app, "pacc dads", user=STAFF)
    assert app.fake.calls("chat.update") == []

    deliverer(app, LaterClock()).deliver_due()
    channel, ts, _ = posted_case(app)
    [update] = updates_of(app, channel, ts, 1)
    assert "Reported again" in shown(update.args["blocks"])


@pytest.mark.e2e
def test_two_changes_at_once_end_with_the_managers_message_showing_both(app):
    report(app, "Amaze Mums Brighton")
    channel, ts, blocks = posted_case(app)
    modal = open_form(app, user=STAFF_2)
    start = threading.Barrier(2)

    def approach():
        start.wait()
        click(app, STAFF, buttons(blocks)["I'll approach them"], channel, ts)

    def report_again():
        start.wait()
        modal.submit(name="amaze mums brighton", where_seen="facebook", how_found="Saw a post")

    threads = [threading.Thread(target=approach), threading.Thread(target=report_again)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    last = updates_of(app, channel, ts, 2)[-1].args["blocks"]
    assert f"<@{STAFF}> is approaching the group" in shown(last)
    assert "Reported again" in shown(last) and f"<@{STAFF_2}>" in shown(last)


@pytest.mark.e2e
def test_who_runs_a_group_is_not_kept_in_the_apps_messages_once_the_report_is_finished(app):
    report(app, "PaCC Dads", knows_who_runs="yes", contact="Jo Bloggs, 07700 900123")
    channel, ts, blocks = posted_case(app)
    click(app, STAFF_2, buttons(blocks)["I'll approach them"], channel, ts)
    assert "07700 900123" in dm_to(app, STAFF_2, "who runs it").args["text"]
    approached = updates_of(app, channel, ts, 1)[0].args["blocks"]
    # Notices never hold it: it is read from the report when the message is delivered.
    assert not any("07700" in str(m.data) for m in outbox(app.db))

    click(app, STAFF_2, buttons(approached)["Closed down"], channel, ts)
    updates_of(app, channel, ts, 2)
    assert not any("07700" in str(m.data) for m in outbox(app.db))
