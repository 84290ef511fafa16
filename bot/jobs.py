"""The program's jobs (flows/jobs.py) as the Slack clock runs them: what a job tells people is queued as notices in
flows and rendered by bot/render.py when it is delivered."""
from __future__ import annotations

from collections.abc import Callable

from flows.jobs import program_jobs
from flows.scheduler import JobRegistry
from bot.settings import SlackSettings as Settings, get_settings


def slack_jobs(settings: Callable[[], Settings] = get_settings, only: list[str] | None = None) -> JobRegistry:
    """The program's jobs as the Slack clock runs them."""
    return program_jobs(settings, only)
