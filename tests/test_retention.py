"""P5: the clock's daily retention job purges closed reports, finished removals and unfinished wizard drafts after
their configured periods and strips old audit entries of their details, keeping the entries; nothing is purged a
day early, and the purge says what it did in the audit trail. Time is the test's clock; the job runs through the
scheduler as the clock process runs it."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.jobs import slack_jobs
from flows.audit.models import AuditEntry
from flows.outbox.models import Notice as OutboxMessage
from flows.privacy import retention
from flows.removals.models import RemovalDecision
from flows.removals.service import RemovalForm, RemovalService
from flows.reports.models import UnofficialGroupCase, UnofficialGroupReport
from flows.reports.service import Action, ReportForm, UnofficialGroupReports
from flows.scheduler import Scheduler
from flows.wizard.models import WizardDraft
from tests.support import (
    MANAGER, STAFF, VOLUNTEER, TestClock, add_lewes_group, directory_by_id, roles_by_id,
)

# Noon UTC is after the job's 03:00 UK time in winter and summer alike.
# Midday (the daily purge runs from 03:00 UK time) no later than now: the audit trail stamps entries with the real
# time, which must not fall before the test's start, or an entry would look a day older than it is.
START = (datetime.now(UTC) - timedelta(hours=12)).replace(hour=12, minute=0, second=0, microsecond=0)


def day(n: int) -> datetime:
    return START + timedelta(days=n)


@pytest.fixture
def ours(settings):
    return roles_by_id(settings)


@pytest.fixture
def clock():
    return TestClock(START)


@pytest.fixture
def services(db, ours, clock):
    directory = directory_by_id(db, ours)
    return (RemovalService(db, ours, directory, clock=clock), UnofficialGroupReports(db, ours, directory, clock=clock))


class Purge:
    """The clock's tick at a given day: the retention job, registered with these settings."""

    def __init__(self, db, ours, clock) -> None:
        self.db, self.ours, self.clock = db, ours, clock

    def __call__(self, at: datetime) -> list[str]:
        self.clock.set(at)
        registry = slack_jobs(lambda: self.ours, only=[retention.RETENTION_JOB])
        return Scheduler(self.db, registry, clock=self.clock).run_due()


@pytest.fixture
def purge(db, ours, clock):
    return Purge(db, ours, clock)


def count(db, model, *where) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def log(removals, group_id, key, kind="permanent", review_on: date | None = None, corrects=None):
    result = removals.log(VOLUNTEER, key, RemovalForm(
        group_id=str(group_id), member_ref="J.S.", kind=kind, breaches=("bullying",),
        review_on=review_on.isoformat() if review_on else None, corrects_id=corrects,
    ))
    assert result.done, result
    return result.decision.id


def signed_off(removals, group_id, key, corrects=None) -> int:
    decision_id = log(removals, group_id, key, corrects=corrects)
    assert removals.agree(decision_id, STAFF).done
    assert removals.approve(decision_id, MANAGER).done
    return decision_id


def report_messages(db, case_id) -> int:
    with db.transaction() as session:
        return len(session.scalars(select(OutboxMessage.id).where(
            OutboxMessage.subject_type == "unofficial_group_case", OutboxMessage.subject_id == str(case_id))).all())


def test_each_kind_of_record_goes_after_its_own_period_and_not_a_day_before(db, services, purge, clock):
    removals, reports = services
    group_id = add_lewes_group(db)
    finished = signed_off(removals, group_id, "finished")
    waiting = log(removals, group_id, "waiting")  # never agreed: not finished, so kept
    temporary = log(removals, group_id, "temporary", kind="temporary", review_on=START.date() + timedelta(days=30))
    closed = reports.file(VOLUNTEER, ReportForm(name="Amaze Parents Chat", where_seen="whatsapp",
                                                how_found="A parent told me.")).case.id
    reports.act(closed, STAFF, Action.NO_ACTION, reason="An ordinary word.")
    still_open = reports.file(VOLUNTEER, ReportForm(name="PaCC Friends", where_seen="facebook",
                                                    how_found="Saw it.")).case.id
    with db.transaction() as session:
        session.add(WizardDraft(id="unfinished", user_id=VOLUNTEER, step="name", data={}, created_at=START,
                                updated_at=START))
        session.add(WizardDraft(id="finished", user_id=VOLUNTEER, step="done", data={}, created_at=START,
                                updated_at=START, group_id=group_id))
    audited = count(db, AuditEntry)
    assert report_messages(db, closed) > 0

    assert purge(day(30)) == ["privacy-retention"]
    assert count(db, WizardDraft) == 2
    assert purge(day(30)) == []  # once a day, however many clocks tick
    purge(day(31))
    assert [d for d in _ids(db, WizardDraft)] == ["finished"]
    assert last_purged(db) == {"wizard_drafts": 1}

    purge(day(365))
    assert all(details for details in logged_details(db))
    purge(day(366))
    # Every entry is still there, saying who did what and when; the particulars are gone.
    assert logged_details(db) == [{}, {}, {}]
    assert count(db, AuditEntry, AuditEntry.action == "removal.logged", AuditEntry.actor == VOLUNTEER) == 3

    purge(day(730))
    assert count(db, UnofficialGroupCase) == 2
    purge(day(731))
    assert _ids(db, UnofficialGroupCase) == [still_open]
    assert count(db, UnofficialGroupReport) == 1 and report_messages(db, closed) == 0
    assert last_purged(db)["closed_reports"] == 1

    purge(day(1095))
    assert count(db, RemovalDecision) == 3
    purge(day(1096))
    # The temporary removal's period runs from its review date, 30 days after the sign-off of the other.
    assert _ids(db, RemovalDecision) == [waiting, temporary]
    assert last_purged(db)["finished_removals"] == 1
    purge(day(1126))
    assert _ids(db, RemovalDecision) == [waiting]
    assert finished not in _ids(db, RemovalDecision)
    assert count(db, AuditEntry) > audited


def test_a_decision_a_kept_correction_points_to_stays_until_the_correction_goes(db, services, purge, clock):
    removals, _ = services
    group_id = add_lewes_group(db)
    first = signed_off(removals, group_id, "first")
    clock.set(day(500))
    correction = signed_off(removals, group_id, "correction", corrects=first)
    purge(day(1096))
    assert _ids(db, RemovalDecision) == [first, correction]
    purge(day(1596))
    assert _ids(db, RemovalDecision) == []


def test_the_periods_come_from_the_settings(db, ours, purge):
    with db.transaction() as session:
        session.add(WizardDraft(id="old", user_id=VOLUNTEER, step="name", data={}, created_at=START, updated_at=START))
    purge.ours = ours.model_copy(update={"retention_drafts_days": 7})
    purge(day(6))
    assert count(db, WizardDraft) == 1
    purge(day(8))
    assert count(db, WizardDraft) == 0


def test_a_purged_draft_is_gone_from_the_sqlite_files(db, purge, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's files")
    path = Path(database_url.removeprefix("sqlite:///"))
    with db.transaction() as session:
        session.add(WizardDraft(id="old", user_id=VOLUNTEER, step="name", data={"name": "Amaze capybara-6262"},
                                created_at=START, updated_at=START))
        session.add(WizardDraft(id="new", user_id=STAFF, step="name", data={"name": "Amaze Lewes"},
                                created_at=day(20), updated_at=day(20)))
    raw = lambda: b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())  # noqa: E731
    assert b"capybara-6262" in raw()
    purge(day(31))
    assert _ids(db, WizardDraft) == ["new"]
    assert b"capybara-6262" not in raw()


def last_purged(db) -> dict:
    with db.transaction() as session:
        return session.scalars(select(AuditEntry.details).where(AuditEntry.action == "retention.purged")
                               .order_by(AuditEntry.id.desc())).first()


def logged_details(db) -> list[dict]:
    with db.transaction() as session:
        return list(session.scalars(select(AuditEntry.details).where(AuditEntry.action == "removal.logged")
                                    .order_by(AuditEntry.id)))


def _ids(db, model) -> list:
    with db.transaction() as session:
        key = model.__mapper__.primary_key[0]
        return list(session.scalars(select(key).order_by(key)))


def test_a_removal_not_agreed_or_withdrawn_is_finished_and_goes_after_its_period(db, services, purge, clock):
    from flows.removals.disputes import RemovalDisputes

    removals, _ = services
    disputes = RemovalDisputes(removals)
    group_id = add_lewes_group(db)
    not_agreed = log(removals, group_id, "not-agreed")
    assert disputes.disagree(not_agreed, STAFF, "Try a temporary removal first.").done
    clock.set(day(10))
    withdrawn = log(removals, group_id, "withdrawn")
    assert disputes.withdraw(withdrawn, VOLUNTEER).done
    waiting = log(removals, group_id, "waiting")
    purge(day(1096))
    assert _ids(db, RemovalDecision) == [withdrawn, waiting]  # not agreed on day 0, withdrawn on day 10
    purge(day(1106))
    assert _ids(db, RemovalDecision) == [waiting]
