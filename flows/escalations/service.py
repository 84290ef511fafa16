"""Finding what waits too long, and telling the managers once per item per wait.

An item is one removal decision or one report case, in one waiting state: a decision escalated while it waits for
agreement is escalated again only if it then waits too long for sign-off. Each is claimed once in the database
(job runs keyed by item and state) in the transaction that queues the managers' message, so however many clocks
run it is escalated once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.audit import service as audit
from flows.groups.models import Group, Moderator
from flows.outbox import OutboxMessage, OutboxStatus, enqueue
from flows.removals.models import RemovalDecision, Status
from flows.removals.service import LOCAL, outbox_key
from flows.removals.service import SUBJECT as REMOVAL
from flows.reports.models import CaseState, UnofficialGroupCase, UnofficialGroupReport
from flows.reports.service import SUBJECT as REPORT
from flows.scheduler import run_once
from flows.settings import Settings

ESCALATION_JOB = "escalations"
# One message lists at most this many; the rest are claimed, and listed, on the next run.
MAX_PER_MESSAGE = 30
SENT = OutboxStatus.SENT.value


@dataclass(frozen=True)
class Waiting:
    """One item waiting too long."""

    subject_type: str
    subject_id: int
    state: str
    since: datetime
    # One line of the managers' list, in Slack's mrkdwn.
    line: str

    @property
    def due_key(self) -> str:
        return f"{self.subject_type}:{self.subject_id}:{self.state}"


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

    def escalate(self, session: Session, now: datetime) -> list[OutboxMessage]:
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
            enqueue(
                session, "chat.postMessage", {"channel": channel, "text": self.text(items, now)},
                # The first item is claimed by this run alone: the key is this run's.
                dedupe_key=f"escalation:{channel}:{items[0].due_key}",
                reference={"type": "escalation", "id": items[0].due_key},
            )
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
        return [self._decision(session, row, group_name, now) for row, group_name in rows]

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
        return [self._report(session, case, reports, now) for case, reports in rows]

    def _decision(self, session: Session, row: RemovalDecision, group_name: str, now: datetime) -> Waiting:
        what = f"*Permanent removal #{row.id}* from *{_plain(group_name)}* ({_plain(row.member_ref)})"
        if row.status == Status.AWAITING_AGREEMENT.value:
            since = row.logged_at
            asked = _asked_to_agree(session, row)
            where = (
                f"I asked {', '.join(f'<@{u}>' for u in asked)} by direct message."
                if asked else "No staff moderator of the group could be asked on Slack: please ask one to agree."
            )
            line = (
                f"{what}: waiting for a staff moderator of the group to agree since {_when(since, now)}, logged by "
                f"<@{row.logged_by}>. {where}"
            )
        else:
            since = row.agreed_at or row.logged_at
            line = (
                f"{what}: waiting for a senior manager to sign it off since {_when(since, now)}. "
                f"{self._sign_off_where(session, row)}"
            )
        return Waiting(REMOVAL, row.id, row.status, since, line)

    def _sign_off_where(self, session: Session, row: RemovalDecision) -> str:
        request = _by_key(session, outbox_key(row.id, "sign-off"))
        if request is not None and request.status == SENT and request.result_channel:
            return f"It is #{row.id} in <#{request.result_channel}>, with the Approve and Reject buttons."
        if request is not None and request.status != SENT:
            return "The request to sign it off has not reached the approvals channel yet."
        return "No request to sign it off was posted: is an approvals channel set up?"

    def _report(self, session: Session, case: UnofficialGroupCase, reports: int, now: datetime) -> Waiting:
        what = f"*“{_plain(case.name)}”* (unofficial group report #{case.id}, {reports} report{'s' * (reports != 1)})"
        if case.state == CaseState.REPORTED.value:
            since = case.reported_at
            line = f"{what}: nobody has taken it on since it was reported on {_when(since, now)}."
        else:
            since = case.approached_at
            line = (
                f"{what}: <@{case.owner_id}> has been approaching the group since {_when(since, now)}, with no "
                "outcome recorded yet."
            )
        where = _managers_message_where(session, case)
        return Waiting(REPORT, case.id, case.state, since, f"{line} {where}".rstrip())

    def text(self, items: list[Waiting], now: datetime) -> str:
        limits = []
        if any(i.subject_type == REMOVAL for i in items):
            limits.append(f"removal decisions after {_span(self.decisions_after)}")
        if any(i.subject_type == REPORT for i in items):
            limits.append(f"reports of unofficial groups after {_span(self.reports_after)}")
        return "\n".join([
            f":hourglass: *Waiting too long* ({' and '.join(limits)}). Please pick these up, or nudge the people "
            "named:",
            *(f"• {item.line}" for item in items),
            "_Each of these is listed here once._",
        ])


def _asked_to_agree(session: Session, row: RemovalDecision) -> list[str]:
    """Who was asked to agree: the requests queued for the group's moderators."""
    people = session.scalars(
        select(Moderator.slack_user_id)
        .where(Moderator.group_id == row.group_id, Moderator.slack_user_id.is_not(None))
        .order_by(Moderator.id)
    )
    keys = {outbox_key(row.id, "ask", user): user for user in people}
    asked = session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(list(keys))))
    found = set(asked)
    return [user for key, user in keys.items() if key in found]


def _managers_message_where(session: Session, case: UnofficialGroupCase) -> str:
    message = session.get(OutboxMessage, case.managers_message_id) if case.managers_message_id else None
    while message is not None and message.status != SENT and message.depends_on_id:
        message = session.get(OutboxMessage, message.depends_on_id)
    if message is None or message.status != SENT or not message.result_channel:
        return "Its message could not be delivered to the managers."
    channel = message.result_channel
    if channel.startswith("D"):
        target = (message.args or {}).get("channel")
        return f"Its message is in <@{target}>'s direct messages." if target else ""
    return f"Its message is in <#{channel}>."


def _by_key(session: Session, key: str) -> OutboxMessage | None:
    return session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == key)).one_or_none()


def _span(period: timedelta) -> str:
    days = period.total_seconds() / 86400
    if days >= 1 and days == int(days):
        return f"{int(days)} day{'s' * (int(days) != 1)}"
    hours = period.total_seconds() / 3600
    return f"{hours:g} hours"


def _when(moment: datetime, now: datetime) -> str:
    local: date = moment.astimezone(LOCAL).date()
    days = (now - moment).days
    return f"{local:%A} {local.day} {local:%B %Y} ({days} day{'s' * (days != 1)} ago)"


def _action(item: Waiting) -> str:
    return f"{'removal' if item.subject_type == REMOVAL else 'unofficial_group'}.escalated"


def _plain(text: str) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
