"""Jobs that run on a timetable, each run exactly once however many scheduler processes are running."""
from flows.scheduler.models import JobRun
from flows.scheduler.service import Daily, Every, Job, JobRegistry, Run, Scheduler, run_once

__all__ = ["Daily", "Every", "Job", "JobRegistry", "JobRun", "Run", "Scheduler", "run_once"]
