"""R4: on a temporary removal's review date (UK time) the group's moderators on Slack are reminded, once, however
many clocks run, never before the date. Time is the test's; Slack is the local fake."""
from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from bot.delivery import Deliverer, delivery_client
from bot.jobs import slack_jobs
from flows.audit.models import AuditEntry
from flows.db import Database
from flows.groups.models import Moderator
from flows.outbox import NoticeKind
from flows.removals import reviews
from flows.removals.service import RemovalForm, RemovalService
from flows.scheduler import Scheduler
from bot.settings import SlackSettings as Settings
from tests.support import directory_by_id, TestClock, add_lewes_group

STAFF, STAFF_2, VOLUNTEER, MANAGER = "U0STAFF1", "U0STAFF2", "U0VOLUN1", "U0MANAGR"
LOGGED = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
REVIEW_ON = date(2026, 6, 10)  # British Summer Time: 09:00 in the UK is 08:00 UTC


@pytest.fixture
def removals(db, database_url):
    settings = Settings(_env_file=None, database_url=database_url, staff_user_ids=[STAFF, STAFF_2, MANAGER],
                        senior_manager_user_ids=[MANAGER])
    return RemovalService(db, settings, directory_by_id(db, settings), clock=lambda: LOGGED)


@pytest.fixture
def group_id(db):
    return add_lewes_group(db, 'Amaze Lewes <Parents>')


@pytest.fixture
def registry(settings):
    return slack_jobs(lambda: settings, only=[reviews.REVIEW_JOB])


def log_temporary(removals, group_id, user=VOLUNTEER, review_on=REVIEW_ON, key="key-1", **values):
    answers = {
        "group_id": str(group_id), "member_ref": "J.S.", "kind": "temporary", "breaches": ("bullying", "language"),
        "tried_first": ("asked_to_delete", "warned"), "review_on": review_on.isoformat(), **values,
    }
    result = removals.log(user, key, RemovalForm(**answers))
    assert result.done, result
    return result.decision


def tick(db, registry, fake_slack, settings, now: datetime) -> list[str]:
    """One clock tick at `now`: the due jobs, then delivery. Returns the reminders Slack received, as text."""
    clock = TestClock(now)
    Scheduler(db, registry, clock=clock).run_due()
    Deliverer(db, delivery_client(settings), settings, clock=clock).deliver_due()
    return reminders(fake_slack)


def reminders(fake_slack) -> list[str]:
    return [c.args["text"] for c in fake_slack.calls("chat.postMessage") if "Review whether" in c.args["text"]]


def reminded(fake_slack) -> list[str]:
    return sorted(c.args["channel"] for c in fake_slack.calls("chat.postMessage") if "Review whether" in c.args["text"])


def test_the_moderators_are_reminded_on_the_review_date_uk_time_and_not_before(
    db, removals, group_id, registry, fake_slack, settings
):
    decision = log_temporary(removals, group_id)
    assert tick(db, registry, fake_slack, settings, datetime(2026, 6, 9, 12, 0, tzinfo=UTC)) == []  # the day before
    assert tick(db, registry, fake_slack, settings, datetime(2026, 6, 10, 7, 59, tzinfo=UTC)) == []  # 08:59 in the UK

    [text, *_] = tick(db, registry, fake_slack, settings, datetime(2026, 6, 10, 8, 0, tzinfo=UTC))
    assert reminded(fake_slack) == sorted([STAFF, STAFF_2, VOLUNTEER])  # Sam is not on Slack
    assert "Review whether J.S. can rejoin" in text
    assert f"temporary removal #{decision.id}" in text and "Review due today" in text
    assert "Amaze Lewes &lt;Parents&gt;" in text  # shown as typed, never as Slack markup
    assert "Bullying; Use of language" in text and "Warned them" in text

    # Later ticks, that day and the next, remind nobody again.
    tick(db, registry, fake_slack, settings, datetime(2026, 6, 10, 15, 0, tzinfo=UTC))
    tick(db, registry, fake_slack, settings, datetime(2026, 6, 11, 9, 0, tzinfo=UTC))
    assert len(reminders(fake_slack)) == 3
    with db.transaction() as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "removal.review_reminded")).all()
        assert (entry.actor, entry.subject_id) == ("app", str(decision.id))


def test_two_clocks_at_once_send_one_reminder_each(db, removals, group_id, registry, fake_slack, settings):
    log_temporary(removals, group_id)
    clock = TestClock(datetime(2026, 6, 10, 8, 30, tzinfo=UTC))
    databases = [Database(db.url) for _ in range(2)]  # as two clock processes would have
    start = threading.Barrier(2)
    errors = []

    def run(database):
        try:
            start.wait()
            Scheduler(database, registry, clock=clock).run_due()
            Deliverer(database, delivery_client(settings), settings, clock=clock).deliver_due()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(d,)) for d in databases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for d in databases:
        d.dispose()
    assert errors == []
    assert reminded(fake_slack) == sorted([STAFF, STAFF_2, VOLUNTEER])


def test_a_reminder_missed_while_no_clock_ran_goes_the_next_day_saying_when_it_was_due(
    db, removals, group_id, registry, fake_slack, settings
):
    log_temporary(removals, group_id)
    [text, *_] = tick(db, registry, fake_slack, settings, datetime(2026, 6, 12, 9, 30, tzinfo=UTC))
    assert "Review due on Wednesday 10 June 2026" in text


def test_only_moderators_still_moderating_and_the_logger_are_reminded(
    db, removals, group_id, registry, fake_slack, settings
):
    with db.transaction() as session:
        session.execute(update(Moderator).where(Moderator.person_id == STAFF_2).values(stepped_down_at=LOGGED))
    log_temporary(removals, group_id, user=MANAGER)  # a senior manager may log for any group
    tick(db, registry, fake_slack, settings, datetime(2026, 6, 10, 9, 0, tzinfo=UTC))
    assert reminded(fake_slack) == sorted([STAFF, VOLUNTEER, MANAGER])


def test_a_corrected_removal_is_reviewed_on_its_corrections_date(
    db, removals, group_id, registry, fake_slack, settings
):
    first = log_temporary(removals, group_id)
    log_temporary(removals, group_id, review_on=date(2026, 6, 20), key="key-2", corrects_id=str(first.id),
                  member_ref="CL-12345")
    tick(db, registry, fake_slack, settings, datetime(2026, 6, 10, 9, 0, tzinfo=UTC))
    assert reminders(fake_slack) == []
    [text, *_] = tick(db, registry, fake_slack, settings, datetime(2026, 6, 20, 9, 0, tzinfo=UTC))
    assert "Review whether CL-12345 can rejoin" in text


def test_permanent_removals_have_no_review(db, removals, group_id, registry, fake_slack, settings):
    result = removals.log(STAFF, "key-p", RemovalForm(group_id=str(group_id), member_ref="J.S.", kind="permanent",
                                                      breaches=("bullying",)))
    assert result.done
    tick(db, registry, fake_slack, settings, datetime(2026, 6, 10, 9, 0, tzinfo=UTC))
    assert reminders(fake_slack) == []


def test_the_clock_runs_the_review_job_from_the_one_list_of_jobs(db, settings):
    from bot.clock import build
    from flows.jobs import JOBS

    names = [job.name for job in build(settings, db).scheduler.registry]
    assert reviews.REVIEW_JOB in names
    assert names == [spec.name for spec in JOBS]


def test_the_domain_says_whose_review_is_due_and_to_whom_and_the_adapter_words_it(db, removals, group_id):
    from flows.scheduler import Run

    decision = log_temporary(removals, group_id)
    run = Run(reviews.REVIEW_JOB, "2026-06-11", datetime(2026, 6, 11, 9, 0, tzinfo=UTC))
    with db.transaction() as session:
        first = reviews.remind_due_reviews(session, run)
        again = reviews.remind_due_reviews(session, run)
        asked = [(n.kind, n.subject, n.person_id, n.data) for n in first]
    assert again == []  # once
    assert asked == [(NoticeKind.REMOVAL_REVIEW_DUE, ("removal", str(decision.id)), person, {"today": "2026-06-11"})
                     for person in (STAFF, VOLUNTEER, STAFF_2)]  # a day late: it says so when rendered
