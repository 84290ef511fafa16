"""Every job the program runs: what, when, and the handler, in the one list the clock reads.

A job that tells people something finds in flows what is due, claims it and queues its notices in the job's
transaction, so a notice is queued with the claim or not at all; how it is said is each adapter's, when the notice
is delivered.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import time

from sqlalchemy.orm import Session

from flows.escalations.service import ESCALATION_JOB, Escalations
from flows.moderation.chasing import CHASE_JOB, chase
from flows.moderation.notices import ask_checkins, remind_circulation
from flows.moderation.queries import Intervals, today
from flows.moderation.reminders import remind_circulations, start_checks
from flows.privacy.retention import RETENTION_JOB, purge
from flows.removals.reviews import REVIEW_JOB, remind_due_reviews
from flows.reports.service import follow_up_case, undelivered_cases
from flows.scheduler import Daily, Every, JobRegistry, Run
from flows.settings import Settings, get_settings

CIRCULATION_JOB = "moderation-agreement-circulation"
CHECK_JOB = "moderation-moderator-check"
UNDELIVERED_JOB = "reports-undelivered"

# Mid-morning UK time: reminders and the managers' list arrive in working hours, not overnight.
MORNING = Daily(time(9, 0))
# The purge runs when nobody is waiting on the tables it touches.
NIGHT = Daily(time(3, 0))
# A report whose first place failed at the clock reaches the next within minutes; each run is a row in job_runs,
# so not every tick. (Failures found while a request is handled are followed up by that request at once.)
FIVE_MINUTES = Every(300)


@dataclass(frozen=True)
class Context:
    """What a handler is given besides its run: the settings as they are now."""

    settings: Settings


Handler = Callable[[Session, Run, Context], object]


@dataclass(frozen=True)
class JobSpec:
    name: str
    timing: Daily | Every
    handler: Handler


def _agreement_circulation(session: Session, run: Run, c: Context) -> None:
    remind_circulations(session, run.now, today(run.now), Intervals.of(c.settings), remind_circulation)


def _moderator_check(session: Session, run: Run, c: Context) -> None:
    start_checks(session, run.now, today(run.now), Intervals.of(c.settings), ask_checkins)


def _moderation_chase(session: Session, run: Run, c: Context) -> None:
    chase(session, run.now, c.settings)


def _reports_undelivered(session: Session, run: Run, c: Context) -> None:
    for case_id in undelivered_cases(session):
        follow_up_case(session, c.settings, case_id)


def _removal_reviews(session: Session, run: Run, c: Context) -> None:
    remind_due_reviews(session, run)


def _escalations(session: Session, run: Run, c: Context) -> None:
    Escalations(c.settings).escalate(session, run.now)


def _retention(session: Session, run: Run, c: Context) -> None:
    purge(session, c.settings, run.now)


JOBS: tuple[JobSpec, ...] = (
    JobSpec(CIRCULATION_JOB, MORNING, _agreement_circulation),  # A3
    JobSpec(CHECK_JOB, MORNING, _moderator_check),  # M9
    JobSpec(CHASE_JOB, MORNING, _moderation_chase),  # L5
    JobSpec(REVIEW_JOB, MORNING, _removal_reviews),  # R4
    JobSpec(ESCALATION_JOB, MORNING, _escalations),
    JobSpec(UNDELIVERED_JOB, FIVE_MINUTES, _reports_undelivered),
    JobSpec(RETENTION_JOB, NIGHT, _retention),  # P5
)


def program_jobs(settings: Callable[[], Settings] = get_settings, only: Iterable[str] | None = None) -> JobRegistry:
    """The jobs for the scheduler; `only` names a subset (a test's). Settings are read when a job runs, not when
    the list is built: building it does no I/O."""
    wanted = set(only) if only is not None else None
    if wanted is not None and (unknown := wanted - {spec.name for spec in JOBS}):
        raise ValueError(f"no such job: {', '.join(sorted(unknown))}")
    registry = JobRegistry()
    for spec in JOBS:
        if wanted is None or spec.name in wanted:
            registry.add(spec.name, _bound(spec.handler, settings), spec.timing)
    return registry


def _bound(handler: Handler, settings: Callable[[], Settings]):
    def run(session: Session, run: Run) -> None:
        handler(session, run, Context(settings()))

    run.__name__ = handler.__name__
    return run
