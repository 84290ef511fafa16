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
from flows.destinations import Destination
from flows.groups.models import Group
from flows.outbox import Notice, NoticeKind, OutboxStatus, Subject, notices_about, queue
from flows.removals.models import RemovalDecision, RemovalStatus
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

    destination: Destination
    items: list[Waiting]
    now: datetime
    decisions_after: timedelta
    reports_after: timedelta

    @property
    def dedupe_key(self) -> str:
        # The first item is claimed by this run alone: the key is this run's.
        return f"escalation:{self.destination.value}:{self.items[0].due_key}"

    def data(self) -> dict:
        """What the notice keeps to be rendered from: which items, when, and what "too long" was."""
        return {"items": [[i.subject_type, i.subject_id] for i in self.items], "now": self.now.isoformat(),
                "decisions_after": self.decisions_after.total_seconds(),
                "reports_after": self.reports_after.total_seconds()}


def tell(session: Session, escalation: Escalation) -> Notice:
    """Queue the list for its destination, in the job's transaction."""
    return queue(session, NoticeKind.ESCALATION, Subject("escalation", escalation.items[0].due_key),
                 escalation.destination, data=escalation.data(), dedupe_key=escalation.dedupe_key)


def escalation_of(session: Session, destination: Destination, data: dict) -> Escalation:
    """The list a notice was queued for, with each item's facts as they are now (for its adapter to word)."""
    items = [Escalations.item(session, subject_type, subject_id) for subject_type, subject_id in data["items"]]
    return Escalation(destination, [i for i in items if i is not None], datetime.fromisoformat(data["now"]),
                      timedelta(seconds=data["decisions_after"]), timedelta(seconds=data["reports_after"]))


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
    def decisions_destination(self) -> Destination | None:
        if self.settings.destination(Destination.MANAGERS):
            return Destination.MANAGERS
        return Destination.SIGN_OFF if self.settings.destination(Destination.SIGN_OFF) else None

    @property
    def reports_destination(self) -> Destination | None:
        return Destination.MANAGERS if self.settings.destination(Destination.MANAGERS) else None

    def escalate(self, session: Session, now: datetime, tell: Tell = tell) -> list[Notice]:
        """Queue the managers' list of what has newly waited too long; returns what it queued."""
        lists: dict[Destination, list[Waiting]] = {}
        for destination, waiting in ((self.decisions_destination, self.waiting_decisions(session, now)),
                                     (self.reports_destination, self.waiting_reports(session, now))):
            if not destination:
                # Not claimed: escalated once a destination is set up.
                continue
            for item in waiting:
                listed = lists.setdefault(destination, [])
                if len(listed) < MAX_PER_MESSAGE and run_once(session, ESCALATION_JOB, item.due_key):
                    listed.append(item)
                    audit.record(
                        session, actor="app", action=_action(item), subject_type=item.subject_type,
                        subject_id=item.subject_id, from_state=item.state, to_state=item.state,
                        waiting_since=item.since.isoformat(), to=destination.value,
                    )
        return [
            tell(session, Escalation(destination, items, now, self.decisions_after, self.reports_after))
            for destination, items in lists.items() if items
        ]

    @staticmethod
    def item(session: Session, subject_type: str, subject_id: int) -> Waiting | None:
        if subject_type == REMOVAL:
            row = session.get(RemovalDecision, subject_id)
            group = session.get(Group, row.group_id) if row else None
            return Escalations._decision(session, row, group.name if group else "") if row else None
        case = session.get(UnofficialGroupCase, subject_id)
        if case is None:
            return None
        reports = session.scalar(select(func.count()).select_from(UnofficialGroupReport)
                                 .where(UnofficialGroupReport.case_id == case.id))
        return Escalations._report(session, case, reports)

    # --- what waits -----------------------------------------------------------------------------------------------
    def waiting_decisions(self, session: Session, now: datetime) -> list[Waiting]:
        cutoff = now - self.decisions_after
        since = func.coalesce(RemovalDecision.agreed_at, RemovalDecision.logged_at)
        rows = session.execute(
            select(RemovalDecision, Group.name)
            .join(Group, Group.id == RemovalDecision.group_id)
            .where(
                (
                    (RemovalDecision.status == RemovalStatus.AWAITING_AGREEMENT.value)
                    & (RemovalDecision.logged_at < cutoff)
                )
                | ((RemovalDecision.status == RemovalStatus.AWAITING_SIGN_OFF.value) & (since < cutoff))
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
        if row.status == RemovalStatus.AWAITING_AGREEMENT.value:
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
    """Who was asked to agree: the requests queued for the group's moderators, in the order they were asked."""
    asked = notices_about(session, NoticeKind.REMOVAL_AGREE_REQUESTED, (REMOVAL, row.id))
    return list(dict.fromkeys(n.person_id for n in asked if n.person_id))


def _managers_message(session: Session, case: UnofficialGroupCase) -> Notice | None:
    """The case's managers' notice, or the one before it in its chain that was delivered."""
    notice = session.get(Notice, case.managers_notice_id) if case.managers_notice_id else None
    while notice is not None and notice.status != SENT and notice.replaces_id:
        notice = session.get(Notice, notice.replaces_id)
    return notice


def _sign_off_request(session: Session, decision_id: int) -> Notice | None:
    found = notices_about(session, NoticeKind.REMOVAL_SIGN_OFF_REQUESTED, (REMOVAL, decision_id))
    return found[0] if found else None


def _action(item: Waiting) -> str:
    return f"{'removal' if item.subject_type == REMOVAL else 'unofficial_group'}.escalated"
