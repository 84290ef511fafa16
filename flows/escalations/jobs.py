"""The escalations' job, registered when this module is imported (bot/removals imports it; the clock imports the
app). Daily, mid-morning UK time: the managers get one list a day, in working hours."""
from __future__ import annotations

from collections.abc import Callable
from datetime import time

from flows.escalations.service import ESCALATION_JOB, Escalations
from flows.scheduler import JobRegistry, Run, jobs
from flows.settings import Settings, get_settings

ESCALATION_TIME = time(9, 0)


def register_jobs(registry: JobRegistry, settings: Callable[[], Settings] = get_settings,
                  at: time = ESCALATION_TIME) -> None:
    def escalations(session, run: Run) -> None:
        # Settings are read when the job runs, not at import.
        Escalations(settings()).escalate(session, run.now)

    registry.daily(at, name=ESCALATION_JOB)(escalations)


register_jobs(jobs)
