"""Finding what waits too long, and telling the managers once per item per wait.

An item is one removal decision or one report case, in one waiting state: a decision escalated while it waits for
agreement is escalated again only if it then waits too long for sign-off. Each is claimed once in the database
(job runs keyed by item and state) in the transaction that queues the managers' message, so however many clocks
run it is escalated once.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.audit import service as audit
from flows.groups.models import Group, Moderator
from flows.outbox import Notice, NoticeKind, OutboxStatus, notices_about
from flows.removals.models import RemovalDecision, Status
from flows.removals.service import outbox_key
from flows.removals.service import SUBJECT as REMOVAL
from flows.reports.models import CaseState, UnofficialGroupCase, UnofficialGroupReport
from flows.reports.service import SUBJECT as REPORT
from flows.scheduler import run_once
from flows.settings import Settings

ESCALATION_JOB = "escalations"
# One message lists at most this many; the rest are claimed, and listed, on the next run.
MAX_PER_MESSAGE = 30
SENT = OutboxStatus.SENT.value


class Sent(StrEnum):
    SENT = "sent"
    # Queued, but not delivered (yet, or at all).
    NOT_SENT = "not_sent"
    # Never queued, or delivered nowhere.
    NONE = "none"


@dataclass(frozen=True)
class Delivery:
    """Where the app's earlier notice about an item stands, as the outbox knows it."""

    sent: Sent
    # Which adapter delivered it and where it landed (opaque: only that adapter reads it); the person it was for.
    via: str | None = None
    ref: dict | None = None
    person_id: str | None = None

    @classmethod
    def of(cls, notice: Notice | None) -> Delivery:
        if notice is None:
            return cls(Sent.NONE)
        if notice.status != SENT:
            return cls(Sent.NOT_SENT)
        if not notice.delivered_ref:
            return cls(Sent.NONE)
        return cls(Sent.SENT, notice.delivered_via, dict(notice.delivered_ref), notice.person_id)


@dataclass(frozen=True)
class Waiting:
    """One item waiting too long, with the facts the managers are shown."""

    subject_type: str
    subject_id: int
    state: str
    since: datetime
    # A decision's group, or the name a report is about.
    name: str
    # A decision: whose removal, who logged it, and (waiting for agreement) who was asked to agree.
    member_ref: str = ""
    logged_by: str | None = None
    asked: tuple[str, ...] = ()
    # A report: how many reports, and who is approaching the group.
    reports: int = 0
    owner_id: str | None = None
    # The sign-off request (a decision), or the managers' message (a report).
    message: Delivery = Delivery(Sent.NONE)

    @property
    def due_key(self) -> str:
        return f"{self.subject_type}:{self.subject_id}:{self.state}"


@dataclass(frozen=True)
class Escalation:
    """One list for one destination: what newly waits too long there, and what "too long" is."""

    destination: str
    items: list[Waiting]
    now: datetime
    decisions_after: timedelta
    reports_after: timedelta

    @property
    def dedupe_key(self) -> str:
        # The first item is claimed by this run alone: the key is this run's.
        return f"escalation:{self.destination}:{self.items[0].due_key}"


# The adapter's part: queue the list for its destination, in the job's transaction.
Tell = Callable[[Session, Escalation], Notice]


class Escalations:
    def __init__(
        self, settings: Settings, decisions_after: timedelta | None = None, reports_after: timedelta | None = None
    ) -> None:
        self.settings = settings
        # How long is too long comes from the settings unless a caller (a test) says otherwise.
        self.decisions_after = decisions_after or timedelta(days=settings.escalate_decisions_after_days)
        self.reports_after = reports_after or timedelta(days=settings.escalate_reports_after_days)

    @property
    def decisions_channel(self) -> str | None:
        return self.settings.managers_channel or self.settings.approvals_channel

    @property
    def reports_channel(self) -> str | None:
        return self.settings.managers_channel

    def escalate(self, session: Session, now: datetime, tell: Tell) -> list[Notice]:
        """Queue the managers' list of what has newly waited too long; returns what it queued."""
        lists: dict[str, list[Waiting]] = {}
        for channel, waiting in ((self.decisions_channel, self.waiting_decisions(session, now)),
                                 (self.reports_channel, self.waiting_reports(session, now))):
            if not channel:
                # Not claimed: escalated once a channel is set up.
                continue
            for item in waiting:
                listed = lists.setdefault(channel, [])
                if len(listed) < MAX_PER_MESSAGE and run_once(session, ESCALATION_JOB, item.due_key):
                    listed.append(item)
                    audit.record(
                        session, actor="app", action=_action(item), subject_type=item.subject_type,
                        subject_id=item.subject_id, from_state=item.state, to_state=item.state,
                        waiting_since=item.since.isoformat(), channel=channel,
                    )
        return [
            tell(session, Escalation(channel, items, now, self.decisions_after, self.reports_after))
            for channel, items in lists.items() if items
        ]

    # --- what waits -----------------------------------------------------------------------------------------------
    def waiting_decisions(self, session: Session, now: datetime) -> list[Waiting]:
        cutoff = now - self.decisions_after
        since = func.coalesce(RemovalDecision.agreed_at, RemovalDecision.logged_at)
        rows = session.execute(
            select(RemovalDecision, Group.name)
            .join(Group, Group.id == RemovalDecision.group_id)
            .where(
                (
                    (RemovalDecision.status == Status.AWAITING_AGREEMENT.value)
                    & (RemovalDecision.logged_at < cutoff)
                )
                | ((RemovalDecision.status == Status.AWAITING_SIGN_OFF.value) & (since < cutoff))
            )
            .order_by(RemovalDecision.logged_at, RemovalDecision.id)
        )
        return [self._decision(session, row, group_name) for row, group_name in rows]

    def waiting_reports(self, session: Session, now: datetime) -> list[Waiting]:
        cutoff = now - self.reports_after
        counts = (
            select(UnofficialGroupReport.case_id, func.count().label("reports"))
            .group_by(UnofficialGroupReport.case_id)
            .subquery()
        )
        rows = session.execute(
            select(UnofficialGroupCase, counts.c.reports)
            .join(counts, counts.c.case_id == UnofficialGroupCase.id)
            .where(
                (
                    (UnofficialGroupCase.state == CaseState.REPORTED.value)
                    & (UnofficialGroupCase.reported_at < cutoff)
                )
                | (
                    (UnofficialGroupCase.state == CaseState.APPROACHED.value)
                    & (UnofficialGroupCase.approached_at < cutoff)
                )
            )
            .order_by(UnofficialGroupCase.reported_at, UnofficialGroupCase.id)
        )
        return [self._report(session, case, reports) for case, reports in rows]

    @staticmethod
    def _decision(session: Session, row: RemovalDecision, group_name: str) -> Waiting:
        facts = dict(name=group_name, member_ref=row.member_ref, logged_by=row.logged_by)
        if row.status == Status.AWAITING_AGREEMENT.value:
            return Waiting(REMOVAL, row.id, row.status, row.logged_at, asked=tuple(_asked_to_agree(session, row)),
                           **facts)
        return Waiting(REMOVAL, row.id, row.status, row.agreed_at or row.logged_at,
                       message=Delivery.of(_sign_off_request(session, row.id)), **facts)

    @staticmethod
    def _report(session: Session, case: UnofficialGroupCase, reports: int) -> Waiting:
        since = case.reported_at if case.state == CaseState.REPORTED.value else case.approached_at
        return Waiting(REPORT, case.id, case.state, since, name=case.name, reports=reports, owner_id=case.owner_id,
                       message=Delivery.of(_managers_message(session, case)))


def _asked_to_agree(session: Session, row: RemovalDecision) -> list[str]:
    """Who was asked to agree: the requests queued for the group's moderators."""
    people = session.scalars(
        select(Moderator.slack_user_id)
        .where(Moderator.group_id == row.group_id, Moderator.slack_user_id.is_not(None))
        .order_by(Moderator.id)
    )
    keys = {outbox_key(row.id, "ask", user): user for user in people}
    asked = session.scalars(select(Notice.dedupe_key).where(Notice.dedupe_key.in_(list(keys))))
    found = set(asked)
    return [user for key, user in keys.items() if key in found]


def _managers_message(session: Session, case: UnofficialGroupCase) -> Notice | None:
    """The case's managers' notice, or the one before it in its chain that was delivered."""
    notice = session.get(Notice, case.managers_notice_id) if case.managers_notice_id else None
    while notice is not None and notice.status != SENT and notice.replaces_id:
        notice = session.get(Notice, notice.replaces_id)
    return notice


def _sign_off_request(session: Session, decision_id: int) -> Notice | None:
    found = notices_about(session, NoticeKind.REMOVAL_SIGN_OFF_REQUESTED, (REMOVAL, decision_id))
    if found:
        return found[0]
    # Transitional: a request still carried as the adapter's own call, found by its key.
    key = outbox_key(decision_id, "sign-off")
    return session.scalars(select(Notice).where(Notice.dedupe_key == key)).one_or_none()


def _action(item: Waiting) -> str:
    return f"{'removal' if item.subject_type == REMOVAL else 'unofficial_group'}.escalated"
