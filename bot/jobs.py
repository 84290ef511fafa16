"""Slack's part of the program's jobs (flows/jobs.py): the words and buttons of what a job tells people."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from bot import escalations
from bot.moderation import notify as moderation
from bot.removals import reviews
from bot.reports import notify as reports
from flows.escalations.service import Escalation
from flows.groups.models import Group
from flows.jobs import JobNotices, program_jobs
from flows.moderation.models import AgreementCirculation, ModeratorCheckin
from flows.outbox import Notice
from flows.removals.service import DecisionView
from flows.reports.service import CaseView
from flows.scheduler import JobRegistry
from flows.settings import Settings, get_settings


class SlackJobNotices:
    def circulation_reminder(self, session: Session, group: Group, row: AgreementCirculation,
                             settings: Settings) -> Notice:
        return moderation.remind_circulation(session, group, row, settings)

    def checkin_requests(self, session: Session, group: Group, rows: list[ModeratorCheckin],
                         settings: Settings) -> dict[int, Notice]:
        return moderation.ask_checkins(session, group, rows, settings)

    def report_undelivered(self, session: Session, case: CaseView, targets: tuple[str, ...],
                           failed: Notice) -> list[Notice]:
        return reports.follow_up(session, case, targets, failed)

    def review_reminder(self, session: Session, decision: DecisionView, today: date,
                        recipients: list[str]) -> list[Notice]:
        return reviews.remind(session, decision, today, recipients)

    def escalation(self, session: Session, escalation: Escalation) -> Notice:
        return escalations.tell(session, escalation)


SLACK: JobNotices = SlackJobNotices()


def slack_jobs(settings: Callable[[], Settings] = get_settings, only: list[str] | None = None) -> JobRegistry:
    """The program's jobs as the Slack clock runs them."""
    return program_jobs(SLACK, settings, only)
