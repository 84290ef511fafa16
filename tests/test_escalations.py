"""Escalations: permanent removals waiting too long for a staff moderator's agreement or a senior manager's
sign-off (R2), and reports of unofficial groups nobody has taken on or finished (U2), are listed for the managers
once per item and wait, with since when and where the original message is. Time is the test's; Slack is the
local fake."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.delivery import Deliverer, delivery_client
from bot.jobs import slack_jobs
from flows.audit.models import AuditEntry
from flows.db import Database
from flows.escalations.service import ESCALATION_JOB, Delivery, Escalations, Sent, escalation_of
from flows.outbox import Destination, NoticeKind
from flows.removals.service import RemovalForm, RemovalService
from flows.reports.service import Action, ReportForm, UnofficialGroupReports
from flows.scheduler import Scheduler
from bot.settings import SlackSettings as Settings
from tests.support import directory_by_id, TestClock, add_lewes_group

STAFF, STAFF_2, VOLUNTEER, MANAGER, MANAGER_2 = "U0STAFF1", "U0STAFF2", "U0VOLUN1", "U0MANAGR", "U0MANAG2"
MANAGERS, APPROVALS = "C0MANAGERS", "C0APPROVE"
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # Greenwich time: the UK's 09:00 is 09:00 UTC


@pytest.fixture
def clock():
    return TestClock(MONDAY)


@pytest.fixture
def ours(database_url, settings):
    return settings.model_copy(update={
        "managers_channel": MANAGERS, "approvals_channel": APPROVALS, "staff_user_ids": [STAFF, STAFF_2],
        "senior_manager_user_ids": [MANAGER, MANAGER_2], "staff_usergroup": None, "pcf_staff_usergroup": None,
        "senior_managers_usergroup": None,
    })


@pytest.fixture
def removals(db, ours, clock):
    return RemovalService(db, ours, directory_by_id(db, ours), clock=clock)


@pytest.fixture
def reports(db, ours, clock):
    return UnofficialGroupReports(db, ours, directory_by_id(db, ours), clock=clock)


@pytest.fixture
def group_id(db):
    return add_lewes_group(db, 'Amaze Lewes Parents', with_more_moderators=False)


class Tick:
    """One clock process's tick at the test's time: the escalations job (with these settings), then delivery."""

    def __init__(self, db, ours, clock) -> None:
        self.db, self.ours, self.clock = db, ours, clock
        self.registry = slack_jobs(lambda: self.ours, only=[ESCALATION_JOB])

    def __call__(self, at: datetime) -> None:
        self.clock.now = at
        Scheduler(self.db, self.registry, clock=self.clock).run_due()
        self.deliver()

    def deliver(self) -> None:
        Deliverer(self.db, delivery_client(self.ours), self.ours, clock=self.clock).deliver_due()


@pytest.fixture
def tick(db, ours, clock):
    return Tick(db, ours, clock)


def escalations(fake_slack, channel=MANAGERS) -> list[str]:
    return [
        c.args["text"] for c in fake_slack.calls("chat.postMessage")
        if c.args.get("channel") == channel and "Waiting too long" in c.args.get("text", "")
    ]


def day(n: int, hour: int = 9) -> datetime:
    return (MONDAY + timedelta(days=n)).replace(hour=hour, minute=0)


def log_permanent(removals, group_id, user=VOLUNTEER, key="key-1"):
    result = removals.log(user, key, RemovalForm(group_id=str(group_id), member_ref="J.S.", kind="permanent",
                                                 breaches=("bullying",)))
    assert result.done, result
    return result.decision


def test_a_removal_waiting_for_agreement_then_for_sign_off_is_escalated_once_for_each_wait(
    removals, group_id, tick, clock, fake_slack
):
    decision = log_permanent(removals, group_id)  # Monday 10:00; Alex is asked to agree
    tick.deliver()
    tick(day(3, 9))  # Thursday 09:00: 2 days 23 hours
    assert escalations(fake_slack) == []

    tick(day(4, 9))  # Friday: more than 3 days
    [text] = escalations(fake_slack)
    assert f"*Permanent removal #{decision.id}* from *Amaze Lewes Parents* (J.S.)" in text
    assert "waiting for a staff moderator of the group to agree since Monday 2 March 2026 (3 days ago)" in text
    assert f"I asked <@{STAFF}> by direct message" in text
    assert "removal decisions after 3 days" in text

    tick(day(5, 9))
    tick(day(6, 9))
    assert len(escalations(fake_slack)) == 1  # once per wait

    clock.now = day(6, 11)
    assert removals.agree(decision.id, STAFF).done
    tick.deliver()  # the sign-off request lands in the approvals channel
    tick(day(9, 9))
    assert len(escalations(fake_slack)) == 1
    tick(day(10, 9))
    [_, text] = escalations(fake_slack)
    assert "waiting for a senior manager to sign it off since Sunday 8 March 2026 (3 days ago)" in text
    assert f"It is #{decision.id} in <#{APPROVALS}>" in text

    with tick.db.transaction() as session:
        trail = session.scalars(select(AuditEntry).where(AuditEntry.action == "removal.escalated")).all()
        assert [(e.actor, e.from_state, e.details["to"]) for e in trail] == [
            ("app", "awaiting_agreement", "managers"), ("app", "awaiting_sign_off", "managers"),
        ]


def test_reports_nobody_took_on_or_finished_are_escalated_after_a_week_with_where_their_message_is(
    reports, tick, clock, fake_slack
):
    form = ReportForm(name="A.M.A.Z.E parents chat", where_seen="whatsapp", how_found="A parent told me.")
    unowned = reports.file(VOLUNTEER, form).case
    reports.file(STAFF_2, form)
    approached = reports.file(VOLUNTEER, ReportForm(name="PaCC Dads", where_seen="facebook", how_found="Saw it")).case
    clock.now = MONDAY + timedelta(days=2)
    reports.act(approached.id, STAFF, Action.APPROACH)
    finished = reports.file(VOLUNTEER, ReportForm(name="ESPCF Parents", where_seen="whatsapp", how_found="Told")).case
    reports.act(finished.id, STAFF, Action.NO_ACTION, reason="It has closed.")
    tick.deliver()

    tick(day(7, 9))  # a week less an hour
    assert escalations(fake_slack) == []
    tick(day(8, 9))
    [text] = escalations(fake_slack)
    assert "*“A.M.A.Z.E parents chat”* (unofficial group report" in text and "2 reports" in text
    assert "nobody has taken it on since it was reported on Monday 2 March 2026 (7 days ago)" in text
    assert f"Its message is in <#{MANAGERS}>" in text
    assert "PaCC Dads" not in text and "ESPCF" not in text  # approached 6 days ago; finished

    tick(day(10, 9))
    [_, text] = escalations(fake_slack)
    assert f"<@{STAFF}> has been approaching the group since Wednesday 4 March 2026 (7 days ago)" in text
    assert "A.M.A.Z.E" not in text
    assert f"#{unowned.id}" not in text


def test_without_a_managers_channel_decisions_go_to_the_approvals_channel_and_reports_wait_for_one(
    db, removals, reports, group_id, tick, fake_slack
):
    tick.ours = tick.ours.model_copy(update={"managers_channel": None})
    log_permanent(removals, group_id)
    reports.file(VOLUNTEER, ReportForm(name="Amaze Dads", where_seen="whatsapp", how_found="Told"))
    tick(day(8, 9))
    [text] = escalations(fake_slack, APPROVALS)
    assert "Permanent removal" in text and "Amaze Dads" not in text

    tick.ours = tick.ours.model_copy(update={"managers_channel": MANAGERS})
    tick(day(9, 9))
    [text] = escalations(fake_slack, MANAGERS)
    assert "Amaze Dads" in text and "Permanent removal" not in text


def test_two_clocks_at_once_escalate_each_item_once(db, removals, group_id, ours, clock, fake_slack):
    log_permanent(removals, group_id)
    clock.now = day(5, 9)
    registries = [slack_jobs(lambda: ours, only=[ESCALATION_JOB]) for _ in range(2)]
    databases = [Database(db.url) for _ in range(2)]
    start = threading.Barrier(2)
    errors = []

    def run(database, registry):
        try:
            start.wait()
            Scheduler(database, registry, clock=clock).run_due()
            Deliverer(database, delivery_client(ours), ours, clock=clock).deliver_due()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=pair) for pair in zip(databases, registries)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for d in databases:
        d.dispose()
    assert errors == [] and len(escalations(fake_slack)) == 1


def test_how_long_is_too_long_comes_from_the_settings_when_they_have_it(ours):
    assert Escalations(ours).decisions_after == timedelta(days=3)
    assert Escalations(ours).reports_after == timedelta(days=7)
    assert Escalations(ours, decisions_after=timedelta(days=1)).decisions_after == timedelta(days=1)

    configured = Settings(_env_file=None, escalate_decisions_after_days=2, escalate_reports_after_days=14)
    assert Escalations(configured).decisions_after == timedelta(days=2)
    assert Escalations(configured).reports_after == timedelta(days=14)


def test_the_domain_hands_the_adapter_facts_not_words(db, removals, group_id, ours, clock):
    decision = log_permanent(removals, group_id)
    with db.transaction() as session:
        [notice] = Escalations(ours).escalate(session, day(4, 9))
        assert (notice.kind, notice.recipient) == (NoticeKind.ESCALATION, Destination.MANAGERS)
        assert notice.data["items"] == [["removal", decision.id]] and notice.data["decisions_after"] == 3 * 86400
        escalation = escalation_of(session, notice.recipient, notice.data)
    assert escalation.destination == Destination.MANAGERS and escalation.decisions_after == timedelta(days=3)
    [item] = escalation.items
    assert (item.subject_id, item.state, item.name, item.member_ref, item.logged_by, item.asked) == (
        decision.id, "awaiting_agreement", "Amaze Lewes Parents", "J.S.", VOLUNTEER, (STAFF,),
    )
    assert item.message == Delivery(Sent.NONE)  # no sign-off request while it waits for agreement
