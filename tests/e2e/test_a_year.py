"""One group's year, end to end: set up with /newgroup, its moderators confirm (one is chased), a new member is
welcomed, a permanent removal is not agreed and a temporary one is logged and reviewed, the six-monthly check finds a
moderator stepping down and the lead adds a replacement, the agreement goes round again from the group's own link,
and the group closes and hears no more.

Clicks and forms are signed HTTP requests to the running app, which talks to the fake Slack; the clock's jobs run
at the day of the year the test sets. The app's own clock is the real one, so what a click records is stamped
today: only the jobs see the year go by. What each person was told is written, day by day, to
tests/artifacts/a-year.txt (the closing note of issue 12 reads from it)."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.groups.ids import ActionId
from bot.jobs import slack_jobs
from flows.db import Database
from flows.groups.models import Group
from flows.home.register import RegisterFilter, register_page
from flows.moderation import group_state
from flows.scheduler import Scheduler
from bot.wsgi import create_wsgi_app
from tests.conftest import PEOPLE, SIGNING_SECRET, STAFF, VOLUNTEER, RunningApp, prompt_loop
from tests.e2e.test_lifecycle import from_home, home_where, press, shown
from tests.e2e.test_newgroup import walk_to_review_parent_carers
from tests.e2e.test_removal_disputes import open_from
from tests.e2e.test_removals import log_removal, wait_post
from tests.moderation_helpers import buttons, click, deliver, dms
from tests.harness.signing import SlackSender
from tests.harness.wsgi_server import WSGIServer
from tests.support import TestClock

ARTIFACT = Path(__file__).resolve().parents[1] / "artifacts" / "a-year.txt"
MANAGERS = "C0MANAGERS"
VIC = "U0VOLUN2"
NAMES = {**PEOPLE, VIC: "Vic Lane"}
CONFIRM = "I have read the policy and the group agreement"
DISAGREEMENT = "Ask K.L. to change their behaviour first: they have had one warning only."
AGREEMENT_URL = "https://www.amazesussex.org.uk/groups/brighton-parents-agreement"


class Year:
    """The clock's jobs at a day of the group's year, and a diary of what each person was told."""

    def __init__(self, app: RunningApp) -> None:
        self.app = app
        self.day0 = datetime.now(timezone.utc).date()
        self.registry = slack_jobs(lambda: app.settings)
        self.clock = TestClock(self.at(0))
        self.lines: list[str] = []
        self.seen = 0

    def at(self, day: int) -> datetime:
        # Ten in the morning UTC: after the morning jobs' hour in the UK, winter or summer.
        return datetime.combine(self.day0 + timedelta(days=day), time(10, 0), tzinfo=timezone.utc)

    def jobs(self, day: int) -> None:
        """Run every job due by that day, then deliver what they queued."""
        self.clock.now = self.at(day)
        db = Database(self.app.db.url)
        try:
            Scheduler(db, self.registry, clock=self.clock).run_due()
        finally:
            db.dispose()
        deliver(self.app)

    def note(self, day: int, what: str) -> None:
        """A line of the diary, then what the app posted since the last one, to whom."""
        self.lines.append(f"Day {day:>3}: {what}")
        calls = [c for c in self.app.fake.calls("chat.postMessage") if c.ok]
        for call in calls[self.seen:]:
            channel = call.args.get("channel", "")
            self.lines.append(f"          -> {NAMES.get(channel, channel)}: {plain(call.args.get('text', ''))[:110]}")
        self.seen = len(calls)

    def write(self) -> None:
        ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
        ARTIFACT.write_text("\n".join(self.lines) + "\n")


def plain(text: str) -> str:
    """A message's text as a person reads it: mentions by name, no bold marks."""
    named = re.sub(r"<@(\w+)>", lambda m: NAMES.get(m.group(1), m.group(1)), text)
    return " ".join(re.sub(r":[a-z_]+: ", "", named).replace("*", "").split())


@pytest.fixture
def app(settings, db, fake_slack):
    fake_slack.add_user(VIC, name="vic", real_name="Vic Lane")
    ours = settings.model_copy(update={"managers_channel": MANAGERS})
    with WSGIServer(create_wsgi_app(ours, db)) as server, prompt_loop(ours, db):
        yield RunningApp(url=server.url, sender=SlackSender(server.url, SIGNING_SECRET), fake=fake_slack, db=db,
                         settings=ours)


def state(app, group_id):
    with app.db.transaction() as session:
        return group_state(session, group_id, app.settings)


def told(app, user_id: str, containing: str):
    return app.fake.wait_for("chat.postMessage", lambda c: c.ok and c.args.get("channel") == user_id
                             and containing in str(c.args))


@pytest.mark.e2e
def test_one_group_through_a_year_of_its_life(app):
    year = Year(app)

    # Day 0: Alex sets the group up; the texts come back to paste, and every moderator is asked to confirm (M8).
    modal = walk_to_review_parent_carers(app)
    assert modal.submit().json["response_action"] == "update"
    with app.db.transaction() as session:
        group_id = session.scalars(select(Group.id)).one()
    kit = told(app, STAFF, "Registered ")
    to_alex, to_val = told(app, STAFF, CONFIRM), told(app, VOLUNTEER, CONFIRM)
    year.note(0, "Alex Morgan registers Amaze Brighton Parent Carers Chat with /newgroup")
    assert "Group agreement" in str(kit.args["blocks"])
    for button in ("Confirm for Sam Patel", "Confirm for Ali Khan", CONFIRM):
        click(app, to_alex, button, STAFF)
        app.fake.wait_for("chat.update", lambda c, b=button: c.args.get("ts") == to_alex.response["ts"]
                          and b not in buttons(c))
    year.note(0, "Alex confirms for himself and for Sam and Ali, who are not on Slack; Val has not answered")
    assert "3 of 4 moderators have confirmed" in state(app, group_id).summary

    # Day 1: nothing to chase yet.
    year.jobs(1)
    assert len(dms(app, VOLUNTEER, CONFIRM)) == 1
    year.note(1, "The clock runs: nothing is due")

    # Day 3: Val is asked again (L5), and confirms.
    year.jobs(3)
    again = dms(app, VOLUNTEER, CONFIRM)
    assert len(again) == 2, "Val is asked again after three days"
    year.note(3, "Val has not confirmed: she is asked again (L5)")
    click(app, again[-1], CONFIRM, VOLUNTEER)
    app.fake.wait_for("chat.update", lambda c: c.args.get("ts") == again[-1].response["ts"])
    assert state(app, group_id).complete
    year.note(3, "Val confirms: the group is complete")

    # Day 20: someone joins; Val records it and gets the welcome and the agreement's link to paste (L1).
    form = from_home(app, VOLUNTEER, ActionId.WELCOME, group_id)
    welcomed = form.submit(member="J.S.")
    assert "Welcome message (S3)" in shown(welcomed)
    home_where(app, STAFF, lambda home: "1 new member welcomed this year" in home)
    year.note(20, "J.S. joins: Val records it and pastes the welcome message and the agreement's link (L1)")

    # Day 40: Val removes someone for bullying and logs it as permanent; Alex, the staff moderator, does not agree
    # and says why (R2); Val is told, with what she can do next, and logs a temporary removal instead (R4).
    log_removal(app, VOLUNTEER, group_id, member_ref="K.L.")
    ask_alex = wait_post(app, STAFF, "removal_disagree")
    reason_form = open_from(app, STAFF, ask_alex, "removal_disagree")
    assert reason_form.submit(reason=DISAGREEMENT).json["response_action"] == "update"
    not_agreed = told(app, VOLUNTEER, "did not agree")
    assert DISAGREEMENT in str(not_agreed.args["blocks"]) and "What you can do next" in str(not_agreed.args["blocks"])
    year.note(40, "Val logs a permanent removal of K.L.; Alex does not agree, and says why (R2)")
    log_removal(app, VOLUNTEER, group_id, kind="temporary", member_ref="K.L.")
    wait_post(app, STAFF, containing="Temporary")
    wait_post(app, VOLUNTEER, containing="Temporary")
    year.note(40, "Val logs a temporary removal instead, to be reviewed in a fortnight (R4); Alex is told (R3)")
    year.jobs(54)
    assert len(dms(app, VOLUNTEER, "review")) >= 1
    year.note(54, "The review date comes: the moderators are reminded to look at it again (R4)")

    # Day 183: the six-monthly check (M9). Val steps down; Alex answers for himself and for Sam and Ali.
    year.jobs(183)
    [check_val] = dms(app, VOLUNTEER, "Still moderating")
    [check_alex] = dms(app, STAFF, "Still moderating")
    year.note(183, "The six-monthly check asks every moderator whether they can go on (M9)")
    click(app, check_val, "I need to step down", VOLUNTEER)
    told(app, STAFF, "stepped down")
    for button in ("Sam Patel: still able", "Ali Khan: still able", "Still able to moderate"):
        click(app, check_alex, button, STAFF)
        app.fake.wait_for("chat.update", lambda c, b=button: c.args.get("ts") == check_alex.response["ts"]
                          and b not in buttons(c))
    assert state(app, group_id).needs_moderator
    year.note(183, "Val steps down; Alex, Sam and Ali go on: the group needs a new moderator")

    # Day 190: Alex adds Vic in Val's place from the App Home (L2); Vic is asked to confirm, and does.
    form = press(from_home(app, STAFF, ActionId.CHANGE, group_id), ActionId.MODERATORS)
    changed = form.submit(other_moderators=[VIC])
    assert "Added as moderators: Vic Lane" in shown(changed)
    to_vic = told(app, VIC, CONFIRM)
    year.note(190, "Alex adds Vic Lane in Val's place (L2): Vic is asked to confirm (M8)")
    click(app, to_vic, CONFIRM, VIC)
    app.fake.wait_for("chat.update", lambda c: c.args.get("ts") == to_vic.response["ts"])
    after = state(app, group_id)
    assert after.complete and not after.needs_moderator
    year.note(190, "Vic confirms: the group is complete again")

    # Day 365: the agreement goes round again, from the group's own published link (A3).
    year.jobs(365)
    [circulate] = dms(app, STAFF, "Time to circulate")
    assert AGREEMENT_URL in str(circulate.args["blocks"])
    assert "Group Agreement for" not in str(circulate.args["blocks"]), "the group's own link, not a new template"
    year.note(365, "A year on: Alex is reminded to circulate the agreement, with the group's own link (A3)")
    click(app, circulate, "Circulated", STAFF)
    app.fake.wait_for("chat.update", lambda c: c.args.get("ts") == circulate.response["ts"])
    year.note(365, "Alex posts it in the group and presses Circulated: the next reminder is a year on")

    # Day 368: Alex and Vic have not answered this round's check: each is asked again (L5).
    year.jobs(368)
    # Vic: the check and its reminder; Alex: the first check of day 183 too.
    assert len(dms(app, VIC, "Still moderating")) == 2 and len(dms(app, STAFF, "Still moderating")) == 3
    year.note(368, "Nobody has answered the second check yet: Alex and Vic are asked again (L5)")

    # Day 370: the group closes; it leaves the register and hears nothing more.
    form = press(from_home(app, STAFF, ActionId.CHANGE, group_id), ActionId.CLOSE)
    closed = form.submit(closed_as="closed", reason="The families now meet in the forum's own group")
    assert "is now closed" in shown(closed)
    with app.db.transaction() as session:
        assert register_page(session, RegisterFilter(), app.settings).total == 0
    told(app, VIC, "forum's own group")  # the moderators are told
    year.note(370, "Alex closes the group (L4): it leaves the active register, and its moderators are told")
    posted = len(app.fake.calls("chat.postMessage"))
    year.jobs(380)
    year.jobs(550)
    assert len(app.fake.calls("chat.postMessage")) == posted
    year.note(550, "Months on, nothing more is asked or chased: the group is closed")

    year.write()
