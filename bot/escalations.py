"""The managers' list of what waits too long, as Slack shows it when it is delivered: flows/escalations finds and
claims the items and queues the notice."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.blocks import escape
from flows.escalations.service import Delivery, Escalation, Sent, Waiting, escalation_of
from bot import render
from flows.outbox import NoticeKind
from flows.outbox.worker import Claim
from flows.removals.models import RemovalStatus
from flows.removals.service import LOCAL
from flows.removals.service import SUBJECT as REMOVAL
from flows.reports.models import CaseState
from flows.reports.service import SUBJECT as REPORT


@render.renders(NoticeKind.ESCALATION)
def _render(session: Session, claim: Claim, adapter) -> dict | None:
    escalation = escalation_of(session, claim.destination, claim.data)
    return {"text": text(escalation)} if escalation.items else None


def text(escalation: Escalation) -> str:
    items = escalation.items
    limits = []
    if any(i.subject_type == REMOVAL for i in items):
        limits.append(f"removal decisions after {_span(escalation.decisions_after)}")
    if any(i.subject_type == REPORT for i in items):
        limits.append(f"reports of unofficial groups after {_span(escalation.reports_after)}")
    return "\n".join([
        f":hourglass: *Waiting too long* ({' and '.join(limits)}). Please pick these up, or nudge the people "
        "named:",
        *(f"• {line(item, escalation.now)}" for item in items),
        "_Each of these is listed here once._",
    ])


def line(item: Waiting, now: datetime) -> str:
    return _decision(item, now) if item.subject_type == REMOVAL else _report(item, now)


def _decision(item: Waiting, now: datetime) -> str:
    what = f"*Permanent removal #{item.subject_id}* from *{escape(item.name)}* ({escape(item.member_ref)})"
    if item.state == RemovalStatus.AWAITING_AGREEMENT.value:
        where = (
            f"I asked {', '.join(f'<@{u}>' for u in item.asked)} by direct message."
            if item.asked else "No staff moderator of the group could be asked on Slack: the person who logged it "
            "can ask another member of staff to agree in their place (R2), or please ask one to agree."
        )
        return (
            f"{what}: waiting for a staff moderator of the group to agree since {_when(item.since, now)}, logged by "
            f"<@{item.logged_by}>. {where}"
        )
    return (
        f"{what}: waiting for a senior manager to sign it off since {_when(item.since, now)}. "
        f"{_sign_off_where(item.subject_id, item.message)}"
    )


def _sign_off_where(decision_id: int, request: Delivery) -> str:
    if request.sent is Sent.SENT:
        return f"It is #{decision_id} in <#{_landed_in(request)}>, with the Approve and Reject buttons."
    if request.sent is Sent.NOT_SENT:
        return "The request to sign it off has not reached the approvals channel yet."
    return "No request to sign it off was posted: is an approvals channel set up?"


def _report(item: Waiting, now: datetime) -> str:
    reports = item.reports
    what = (f"*“{escape(item.name)}”* (unofficial group report #{item.subject_id}, {reports} "
            f"report{'s' * (reports != 1)})")
    if item.state == CaseState.REPORTED.value:
        said = f"{what}: nobody has taken it on since it was reported on {_when(item.since, now)}."
    else:
        said = (
            f"{what}: <@{item.owner_id}> has been approaching the group since {_when(item.since, now)}, with no "
            "outcome recorded yet."
        )
    return f"{said} {_managers_message_where(item.message)}".rstrip()


def _managers_message_where(message: Delivery) -> str:
    if message.sent is not Sent.SENT:
        return "Its message could not be delivered to the managers."
    landed_in = _landed_in(message)
    if landed_in.startswith("D"):
        return f"Its message is in <@{message.person_id}>'s direct messages." if message.person_id else ""
    return f"Its message is in <#{landed_in}>."


def _landed_in(delivery: Delivery) -> str:
    return str((delivery.ref or {}).get("channel") or "")


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
