"""L5 end to end: a moderator who does not answer the M9 check-in is asked again (the earlier message loses its
buttons), then the group's lead is told, then the managers' channel; once they answer, by a signed click on the
newer message, nothing more is chased. A3's reminder hands the lead the group's own published agreement link to
paste; a group with no link gets the drafted agreement and is told how to add one. The clock's time is the test's;
what the app sends goes to the fake Slack."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.jobs import slack_jobs
from flows.groups.models import Group
from flows.jobs import CHECK_JOB, CIRCULATION_JOB
from flows.moderation.chasing import CHASE_JOB
from flows.moderation.models import ModeratorCheckin
from flows.scheduler import Scheduler
from tests.conftest import STAFF, VOLUNTEER
from tests.moderation_helpers import AGREEMENT, NAME, buttons, click, deliver, dms, put_on_register, updates_of
from tests.support import TestClock
from tests.test_reminders import CHECK_DUE, CIRCULATION_DUE, REGISTERED, STILL_MODERATING, TO_CIRCULATE

MANAGERS = "C0MANAGERS"
DAY = timedelta(days=1)


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"managers_channel": MANAGERS})


@pytest.fixture
def clock_at(running_app):
    """Run the check, the chase and the circulation jobs at a time the test sets, then deliver what they queued."""
    registry = slack_jobs(lambda: running_app.settings, only=[CHECK_JOB, CHASE_JOB, CIRCULATION_JOB])
    clock = TestClock(REGISTERED)

    def run_at(now) -> None:
        clock.now = now
        Scheduler(running_app.db, registry, clock=clock).run_due()
        deliver(running_app)

    return run_at


def posted_to(app, channel: str) -> list:
    return [c for c in app.fake.calls("chat.postMessage") if c.ok and c.args.get("channel") == channel]


@pytest.mark.e2e
def test_an_unanswered_check_in_is_chased_then_escalated(running_app, clock_at):
    app = running_app
    put_on_register(app, created_at=REGISTERED, ask_to_confirm=False)
    clock_at(CHECK_DUE)
    [first] = dms(app, VOLUNTEER, STILL_MODERATING)
    [to_alex] = dms(app, STAFF, STILL_MODERATING)
    # Alex answers for himself and for Sam (not on Slack); Val does not answer.
    click(app, to_alex, "Still able to moderate", STAFF)
    app.fake.wait_for("chat.update", lambda c: c.args.get("ts") == to_alex.response["ts"])
    click(app, to_alex, "Sam Patel: still able", STAFF)
    app.fake.wait_for("chat.update", lambda c: c.args.get("ts") == to_alex.response["ts"]
                      and "Sam Patel: still able" not in buttons(c))

    clock_at(CHECK_DUE + 2 * DAY)
    assert len(dms(app, VOLUNTEER, STILL_MODERATING)) == 1

    clock_at(CHECK_DUE + 3 * DAY)
    [_, again] = dms(app, VOLUNTEER, STILL_MODERATING)
    assert "A reminder:* I first asked on 1 September 2025" in str(again.args["blocks"])
    assert {"Still able to moderate", "I need to step down"} <= set(buttons(again))
    # The earlier message says it was asked again, and has no buttons left to answer twice with.
    [closed] = updates_of(app, first)
    assert "asked about this again in a newer message" in str(closed.args["blocks"]) and buttons(closed) == {}
    assert len(dms(app, STAFF)) == 1, "Alex has answered: he is not chased"

    clock_at(CHECK_DUE + 6 * DAY)
    assert len(dms(app, STAFF)) == 1
    clock_at(CHECK_DUE + 7 * DAY)
    [to_lead] = dms(app, STAFF, "Not answered yet")
    assert f"Not answered yet in {NAME}" in to_lead.args["text"]
    assert "Val Jones has not said whether they can go on moderating (M9): asked on 1 September 2025" in to_lead.args["text"]
    assert "Alex Morgan" not in to_lead.args["text"] and "Sam Patel" not in to_lead.args["text"]

    clock_at(CHECK_DUE + 13 * DAY)
    assert posted_to(app, MANAGERS) == []
    clock_at(CHECK_DUE + 14 * DAY)
    [to_managers] = posted_to(app, MANAGERS)
    text = to_managers.args["text"]
    assert "Moderators who have not answered" in text and f"*{NAME}*: Val Jones has not said whether" in text
    assert "asked on 1 September 2025 (14 days ago)" in text and f"Lead staff moderator: <@{STAFF}>" in text

    # Val answers on the newer message: it closes in place, and nothing more is chased.
    click(app, again, "Still able to moderate", VOLUNTEER)
    closed_again = app.fake.wait_for("chat.update", lambda c: c.args.get("ts") == again.response["ts"])
    assert "You: still able to moderate" in str(closed_again.args["blocks"]) and buttons(closed_again) == {}
    with app.db.transaction() as session:
        assert all(row.answer == "able" for row in session.scalars(select(ModeratorCheckin)))
    posts = len(app.fake.calls("chat.postMessage"))
    for days in (15, 21, 40):
        clock_at(CHECK_DUE + days * DAY)
    assert len(app.fake.calls("chat.postMessage")) == posts


@pytest.mark.e2e
def test_the_yearly_circulation_hands_the_lead_the_group_s_own_agreement_link(running_app, clock_at):
    app = running_app
    group_id = put_on_register(app, created_at=REGISTERED, ask_to_confirm=False)
    clock_at(CIRCULATION_DUE)
    [reminder] = dms(app, STAFF, TO_CIRCULATE)
    text = str(reminder.args["blocks"])
    assert "Message to paste into the WhatsApp group" in text and f"Please take a moment to read it: {AGREEMENT}" in text
    assert "Confidentiality" not in text, "not a template drafted again"
    assert "Circulated" in buttons(reminder)



@pytest.mark.e2e
def test_a_group_with_no_published_agreement_gets_the_drafted_one_and_how_to_add_its_link(running_app, clock_at):
    app = running_app
    group_id = put_on_register(app, created_at=REGISTERED, ask_to_confirm=False)
    with app.db.transaction() as session:
        session.execute(update(Group).where(Group.id == group_id).values(agreement_url=None))
    clock_at(CIRCULATION_DUE)
    [drafted] = dms(app, STAFF, TO_CIRCULATE)
    text = str(drafted.args["blocks"])
    assert f"{NAME} has no published agreement link yet" in text and "Confidentiality" in text
    assert "*Change this group*" in text and "*Link to the group agreement*" in text
    assert "Circulated" in buttons(drafted)
