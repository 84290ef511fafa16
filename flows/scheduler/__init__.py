"""Jobs that run on a timetable, each run exactly once however many scheduler processes are running."""
from flows.scheduler.models import JobRun
from flows.scheduler.service import Job, JobRegistry, Run, Scheduler, daily, every, jobs, run_once

__all__ = ["Job", "JobRegistry", "JobRun", "Run", "Scheduler", "daily", "every", "jobs", "run_once"]
