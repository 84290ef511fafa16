"""Periodic jobs and the once-only primitive under them.

A job's run is claimed by inserting (job, due_key) into job_runs in the same transaction as the job's work (for
instance the outbox messages it queues): the instance whose insert lands does the work; the others' inserts
change nothing and they move on. If the work fails, the claim rolls back with it and the next tick tries again.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from flows.db import Database, utcnow
from flows.outbox.once import insert_once
from flows.scheduler.models import JobRun

log = logging.getLogger(__name__)

LOCAL_TIME = "Europe/London"


def run_once(session: Session, job: str, due_key: str) -> bool:
    """Claim the run of `job` for `due_key` (e.g. "a3-circulate", "group:12:2026-11-24") in the caller's
    transaction. True: this caller does the work. False: it was already done, or another instance is doing it."""
    return insert_once(session, JobRun, {"job": job, "due_key": due_key, "ran_at": utcnow()}, unique=["job", "due_key"])


@dataclass(frozen=True)
class Run:
    """What a job function is told: which run it is doing, and the time the scheduler saw."""

    job: str
    due_key: str
    now: datetime


JobFunction = Callable[[Session, Run], None]


@dataclass(frozen=True)
class Every:
    seconds: int

    def due_key(self, now: datetime) -> str | None:
        # Slots are aligned to the epoch so every instance computes the same key for the same moment.
        start = int(now.timestamp()) // self.seconds * self.seconds
        return datetime.fromtimestamp(start, timezone.utc).isoformat()


@dataclass(frozen=True)
class Daily:
    at: time
    zone: str = LOCAL_TIME

    def due_key(self, now: datetime) -> str | None:
        local = now.astimezone(ZoneInfo(self.zone))
        return local.date().isoformat() if local.time() >= self.at else None


@dataclass(frozen=True)
class Job:
    name: str
    function: JobFunction
    timing: Every | Daily

    def due_key(self, now: datetime) -> str | None:
        """The run due at `now`, or None if none is due yet. A slot missed while nothing was running is not
        caught up: only the latest one runs."""
        return self.timing.due_key(now)


class JobRegistry:
    """A set of jobs for a Scheduler: the program's are built by flows.jobs.program_jobs, from its one list."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}

    def add(self, name: str, function: JobFunction, timing: Every | Daily) -> Job:
        existing = self._jobs.get(name)
        if existing is not None and existing.function is not function:
            raise ValueError(f"two different jobs are both called {name!r}")
        self._jobs[name] = Job(name, function, timing)
        return self._jobs[name]

    def every(self, seconds: int | timedelta, name: str | None = None) -> Callable[[JobFunction], JobFunction]:
        period = int(seconds.total_seconds() if isinstance(seconds, timedelta) else seconds)
        if period < 1:
            raise ValueError("a job cannot run more often than once a second")
        return self._decorator(name, Every(period))

    def daily(self, at: time, name: str | None = None, zone: str = LOCAL_TIME) -> Callable[[JobFunction], JobFunction]:
        """Once a day, from `at` local time (UK time by default, so the clock change does not move it)."""
        ZoneInfo(zone)  # an unknown zone fails here, at import, not at the first run
        return self._decorator(name, Daily(at, zone))

    def _decorator(self, name: str | None, timing: Every | Daily) -> Callable[[JobFunction], JobFunction]:
        def register(function: JobFunction) -> JobFunction:
            self.add(name or function.__name__.replace("_", "-"), function, timing)
            return function

        return register

    def __iter__(self) -> Iterator[Job]:
        return iter(list(self._jobs.values()))

    def __len__(self) -> int:
        return len(self._jobs)


class Scheduler:
    def __init__(self, db: Database, registry: JobRegistry, clock: Callable[[], datetime] = utcnow):
        self.db = db
        self.registry = registry
        self.clock = clock

    def run_due(self) -> list[str]:
        """Run every job whose current run has not happened yet; return the names of those this instance ran.
        One job failing does not stop the others."""
        now = self.clock()
        ran = []
        for job in self.registry:
            due_key = job.due_key(now)
            if due_key is None:
                continue
            try:
                with self.db.transaction() as session:
                    if not run_once(session, job.name, due_key):
                        continue
                    job.function(session, Run(job.name, due_key, now))
            except Exception:
                log.exception("job %s (%s) failed; it will be tried again on the next tick", job.name, due_key)
                continue
            log.info("job %s ran for %s", job.name, due_key)
            ran.append(job.name)
        return ran
