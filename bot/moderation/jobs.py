"""The daily jobs that send A3 and M9 reminders when they fall due. Registered on the program's job registry
when bot.app imports this workflow; tests register them on their own registry with their own settings."""
from __future__ import annotations

from collections.abc import Callable
from datetime import time

from bot.moderation import notify
from flows.moderation.queries import Intervals, today
from flows.moderation.reminders import remind_circulations, start_checks
from flows.scheduler import JobRegistry, Run, jobs
from flows.settings import Settings, get_settings

# Mid-morning UK time: a reminder arrives in working hours, not overnight.
REMINDER_TIME = time(9, 0)
CIRCULATION_JOB = "moderation-agreement-circulation"
CHECK_JOB = "moderation-moderator-check"


def register_jobs(registry: JobRegistry, settings: Callable[[], Settings] = get_settings, at: time = REMINDER_TIME) -> None:
    # Settings are read when a job runs, not at import: importing does no I/O.
    def agreement_circulation(session, run: Run) -> None:
        current = settings()
        remind_circulations(session, run.now, today(run.now), Intervals.of(current),
                            lambda s, group, row: notify.remind_circulation(s, group, row, current))

    def moderator_check(session, run: Run) -> None:
        current = settings()
        start_checks(session, run.now, today(run.now), Intervals.of(current),
                     lambda s, group, rows: notify.ask_checkins(s, group, rows, current))

    registry.daily(at, name=CIRCULATION_JOB)(agreement_circulation)
    registry.daily(at, name=CHECK_JOB)(moderator_check)


register_jobs(jobs)
