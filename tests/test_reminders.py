"""A3 and M9 reminders: each goes once on its due date (not before), however many schedulers run; "Circulated"
moves the next one a year on; a moderator who steps down is no longer active, the lead is told, and the group
is blocked if the moderators left do not satisfy M1/M2. The scheduler's time is the test's; clicks go to the
running app over HTTP."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.jobs import slack_jobs
from flows.db import Database
from flows.groups.models import Moderator
from flows.moderation import checkins_to_answer, circulations_to_record, group_state
from flows.moderation.models import AgreementCirculation, ModeratorCheckin, ModeratorVacancy
from flows.moderation.queries import local_date
from flows.jobs import CHECK_JOB, CIRCULATION_JOB
from flows.scheduler import Scheduler
from tests.conftest import MANAGER, STAFF, STAFF_2, VOLUNTEER
from tests.moderation_helpers import AGREEMENT, audit_count, buttons, click, deliver, dms, put_on_register
from tests.support import person
from tests.support import TestClock

REGISTERED = datetime(2025, 3, 3, 10, 0, tzinfo=timezone.utc)
CHECK_DUE = datetime(2025, 9, 1, 9, 0, tzinfo=timezone.utc)  # 182 days on, 10:00 in the UK (BST)
CIRCULATION_DUE = datetime(2026, 3, 3, 9, 0, tzinfo=timezone.utc)  # 365 days on, 09:00 in the UK (GMT)
TO_CIRCULATE = "Time to circulate"
STILL_MODERATING = "Still moderating"


@pytest.fixture
def reminders(running_app):
    """Run the reminder jobs at a time the test sets, then deliver what they queued."""
    registry = slack_jobs(lambda: running_app.settings, only=[CIRCULATION_JOB, CHECK_JOB])
    clock = TestClock(REGISTERED)

    def run_at(now: datetime, schedulers: int = 1) -> None:
        clock.now = now
        databases = [Database(running_app.db.url) for _ in range(schedulers)]  # as separate processes would have
        start = threading.Barrier(schedulers)

        def tick(db):
            start.wait()
            Scheduler(db, registry, clock=clock).run_due()

        threads = [threading.Thread(target=tick, args=(db,)) for db in databases]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for db in databases:
            db.dispose()
        deliver(running_app)

    return run_at


def state(app, group_id):
    with app.db.transaction() as session:
        return group_state(session, group_id, app.settings)


def moderator(app, name) -> Moderator:
    with app.db.transaction() as session:
        return session.scalars(select(Moderator).where(Moderator.name == name)).one()


# --- A3 -------------------------------------------------------------------------------------------------------------
def test_the_agreement_reminder_goes_once_on_its_due_date_and_not_before(running_app, reminders):
    app = running_app
    group_id = put_on_register(app, created_at=REGISTERED, ask_to_confirm=False)
    assert state(app, group_id).agreement_due_on == CIRCULATION_DUE.date()

    reminders(CIRCULATION_DUE - timedelta(days=1))
    reminders(CIRCULATION_DUE - timedelta(minutes=1))
    assert dms(app, STAFF, TO_CIRCULATE) == []

    reminders(CIRCULATION_DUE, schedulers=2)
    reminders(CIRCULATION_DUE + timedelta(hours=3))
    reminders(CIRCULATION_DUE + timedelta(days=1))

    [reminder] = dms(app, STAFF, TO_CIRCULATE)  # to the lead staff moderator, once
    text = str(reminder.args["blocks"])
    assert AGREEMENT in text and "Confidentiality" not in text  # the group's own agreement, not a new draft
    assert "Circulated" in buttons(reminder)
    assert dms(app, VOLUNTEER, TO_CIRCULATE) == []
    with app.db.transaction() as session:
        assert [c.due_on for c in circulations_to_record(session, person(app.db, STAFF))] == [CIRCULATION_DUE.date()]
        assert circulations_to_record(session, person(app.db, VOLUNTEER)) == []  # only staff moderators record it
    assert "due to be circulated" in " ".join(state(app, group_id).to_do)


def test_circulated_moves_the_next_reminder_a_year_on_and_only_staff_moderators_can_press_it(running_app, reminders):
    app = running_app
    group_id = put_on_register(app, created_at=REGISTERED, ask_to_confirm=False)
    reminders(CIRCULATION_DUE)
    [reminder] = dms(app, STAFF, TO_CIRCULATE)

    for outsider in (VOLUNTEER, STAFF_2):  # a volunteer moderator; a member of staff who does not moderate it
        click(app, reminder, "Circulated", outsider)
        told = app.fake.wait_for("chat.postEphemeral", lambda c, who=outsider: c.args.get("user") == who)
        assert "Only the staff moderators" in told.args["text"]
    assert audit_count(app.db, "agreement_circulation.refused") == 2
    with app.db.transaction() as session:
        assert session.scalars(select(AgreementCirculation)).one().circulated_at is None

    click(app, reminder, "Circulated", STAFF)
    edited = app.fake.wait_for("chat.update", lambda c: c.args.get("ts") == reminder.response["ts"])
    assert f"Circulated: recorded by <@{STAFF}>" in str(edited.args["blocks"]) and buttons(edited) == {}
    with app.db.transaction() as session:
        circulation = session.scalars(select(AgreementCirculation)).one()
        assert circulation.circulated_by == person(app.db, STAFF)
        circulated_on = local_date(circulation.circulated_at)
    next_due = circulated_on + timedelta(days=365)
    assert state(app, group_id).agreement_due_on == next_due
    assert not [t for t in state(app, group_id).to_do if "A3" in t]

    at_nine = datetime(next_due.year, next_due.month, next_due.day, 9, 0, tzinfo=timezone.utc)
    reminders(at_nine - timedelta(days=1))
    assert len(dms(app, STAFF, TO_CIRCULATE)) == 1
    reminders(at_nine + timedelta(hours=1))
    assert len(dms(app, STAFF, TO_CIRCULATE)) == 2


# --- M9 -------------------------------------------------------------------------------------------------------------
def test_the_moderator_check_asks_each_moderator_once_on_its_due_date(running_app, reminders):
    app = running_app
    group_id = put_on_register(app, created_at=REGISTERED, ask_to_confirm=False)
    assert state(app, group_id).check_due_on == CHECK_DUE.date()

    reminders(CHECK_DUE - timedelta(days=1))
    assert dms(app, STAFF, STILL_MODERATING) == [] and dms(app, VOLUNTEER, STILL_MODERATING) == []
    reminders(CHECK_DUE, schedulers=2)
    reminders(CHECK_DUE + timedelta(days=1))

    [to_val] = dms(app, VOLUNTEER, STILL_MODERATING)
    [to_alex] = dms(app, STAFF, STILL_MODERATING)
    assert {"Still able to moderate", "I need to step down"} <= set(buttons(to_val))
    # Sam is not on Slack: the lead asks him and answers for him.
    assert {"Sam Patel: still able", "Sam Patel: stepping down"} <= set(buttons(to_alex))
    with app.db.transaction() as session:
        assert [(c.moderator_name, c.on_behalf) for c in checkins_to_answer(session, person(app.db, STAFF))] == [
            ("Alex Morgan", False), ("Sam Patel", True)]

    click(app, to_val, "Still able to moderate", VOLUNTEER)
    app.fake.wait_for("chat.update", lambda c: c.args.get("ts") == to_val.response["ts"])
    click(app, to_alex, "Sam Patel: still able", STAFF)
    edited = app.fake.wait_for("chat.update", lambda c: c.args.get("ts") == to_alex.response["ts"])
    assert "Sam Patel: still able" not in buttons(edited) and "Still able to moderate" in buttons(edited)
    with app.db.transaction() as session:
        answers = {c.moderator_id: (c.answer, c.answered_by, c.on_behalf) for c in session.scalars(select(ModeratorCheckin))}
    assert answers[moderator(app, "Val Jones").id] == ("able", person(app.db, VOLUNTEER), False)
    assert answers[moderator(app, "Sam Patel").id] == ("able", person(app.db, STAFF), True)
    assert [t for t in state(app, group_id).to_do if "M9" in t] == [
        "Not yet answered the check that moderators are still able and willing (M9): Alex Morgan"]
    # The next check is due the interval after this one was asked.
    assert state(app, group_id).check_due_on == CHECK_DUE.date() + timedelta(days=182)


def test_a_volunteer_stepping_down_tells_the_lead_and_the_group_needs_a_moderator(running_app, reminders):
    app = running_app
    group_id = put_on_register(app, created_at=REGISTERED, ask_to_confirm=False)
    reminders(CHECK_DUE)
    [to_val] = dms(app, VOLUNTEER, STILL_MODERATING)

    click(app, to_val, "I need to step down", STAFF_2)  # not Val: refused, recorded, nothing changes
    assert "Only Val Jones" in app.fake.wait_for("chat.postEphemeral").args["text"]
    assert moderator(app, "Val Jones").stepped_down_at is None
    assert audit_count(app.db, "moderator_checkin.refused", actor=STAFF_2) == 1

    click(app, to_val, "I need to step down", VOLUNTEER)
    told = app.fake.wait_for("chat.postMessage", lambda c: c.args.get("channel") == STAFF and "stepped down" in c.args["text"])
    assert "Val Jones" in told.args["text"] and "needs a new moderator" in str(told.args["blocks"])
    assert moderator(app, "Val Jones").stepped_down_at is not None  # kept on the register, no longer active
    after = state(app, group_id)
    assert after.needs_moderator and after.status == "incomplete" and after.moderators == 2
    assert any("Val Jones stepped down" in line for line in after.missing)
    assert audit_count(app.db, "moderator.stepped_down", actor=VOLUNTEER) == 1


def test_the_only_staff_moderator_stepping_down_leaves_the_group_blocked_under_m1(running_app, reminders):
    app = running_app
    group_id = put_on_register(app, created_at=REGISTERED, ask_to_confirm=False)
    reminders(CHECK_DUE)
    [to_alex] = dms(app, STAFF, STILL_MODERATING)

    click(app, to_alex, "I need to step down", STAFF)
    edited = app.fake.wait_for("chat.update", lambda c: c.args.get("ts") == to_alex.response["ts"])
    m1 = "This group needs at least one moderator who is an Amaze staff member."
    # The lead who stepped down sees what it means, in place; the senior manager on call is told.
    assert "blocked under M1" in str(edited.args["blocks"]) and f"Must fix: {m1}" in str(edited.args["blocks"])
    told = app.fake.wait_for("chat.postMessage", lambda c: c.args.get("channel") == MANAGER)
    assert "Alex Morgan has stepped down" in told.args["text"] and "blocked under M1" in told.args["text"]
    assert m1 in str(told.args["blocks"])

    blocked = state(app, group_id)
    assert blocked.status == "blocked" and blocked.needs_moderator
    assert [f.rule for f in blocked.findings] == ["M1", "M2"]
    assert blocked.summary.startswith(f"Blocked: Blocked under M1: {m1}")
    with app.db.transaction() as session:
        vacancy = session.scalars(select(ModeratorVacancy)).one()
        assert [f["rule"] for f in vacancy.findings] == ["M1", "M2"]
    assert moderator(app, "Alex Morgan").stepped_down_at is not None

    # A second press changes nothing more.
    click(app, to_alex, "I need to step down", STAFF)
    assert "already answered" in app.fake.wait_for("chat.postEphemeral").args["text"]
    assert audit_count(app.db, "moderator.stepped_down") == 1
