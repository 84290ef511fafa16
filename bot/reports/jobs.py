"""The clock's part in reports: a managers' message that fails at the clock (after its retries, say) is followed
up there (posted in the next place, or the reporter told), as the request that queued it would have done.
Registered on the program's job registry when bot.app imports this workflow; tests register it on their own."""
from __future__ import annotations

from collections.abc import Callable

from bot.reports import notify
from flows.reports.service import follow_up_case, undelivered_cases
from flows.scheduler import JobRegistry, Run, jobs
from flows.settings import Settings, get_settings

UNDELIVERED_JOB = "reports-undelivered"
# A report whose first place failed at the clock reaches the next within minutes; each run is a row in job_runs,
# so not every tick. (Failures found while a request is handled are followed up by that request at once.)
EVERY_SECONDS = 300


def register_jobs(registry: JobRegistry, settings: Callable[[], Settings] = get_settings,
                  every_seconds: int = EVERY_SECONDS) -> None:
    def reports_undelivered(session, run: Run) -> None:
        current = settings()  # read when the job runs, not at import
        for case_id in undelivered_cases(session):
            follow_up_case(session, current, case_id, notify.follow_up)

    registry.every(every_seconds, name=UNDELIVERED_JOB)(reports_undelivered)


register_jobs(jobs)
