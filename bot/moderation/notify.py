"""Queues moderators' messages in the outbox, in the transaction of the change they report: the requests when a
group is registered, the reminders when they fall due, the edits and notices after each answer."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import refusals
from bot.moderation import messages
from flows import drafting
from flows.groups.models import Group, Moderator
from flows.moderation.confirmations import open_confirmations, request_reference
from flows.moderation.models import AgreementCirculation, CheckinAnswer, ModeratorCheckin, ModeratorConfirmation
from flows.moderation.queries import Intervals, acting_lead, active_moderators, is_employed, staffing_findings
from flows.moderation.service import Action, Answer
from bot import calls
from bot.calls import enqueue
from flows.outbox import Notice
from flows.policy.types import GroupKind
from flows.settings import Settings

FROM_REQUEST = {"channel": {"$from": "channel"}, "ts": {"$from": "ts"}}


@dataclass(frozen=True)
class Where:
    """Where a click came from, to answer the person privately there."""

    user_id: str
    channel: str | None = None


# --- M8 / M10 ---------------------------------------------------------------------------------------------------------
def queue_confirmation_requests(session: Session, group: Group, settings: Settings) -> list[Notice]:
    """Ask each moderator of a just-registered group (or a new moderator) to confirm they have read the policy
    and the agreement; call it in the registration's transaction. Returns what it queued."""
    lead = acting_lead(group)

    def ask(session: Session, group: Group, recipient: Moderator, asked: messages.Asked) -> Notice:
        contact_for = [c.id for m, c in asked if not is_employed(m)] if _has_emergency_contact(group) else []
        return enqueue(
            session, "chat.postMessage",
            {"channel": recipient.slack_user_id, **messages.confirmation_message(group, recipient, asked, settings, lead)},
            dedupe_key=f"moderation:confirm:{asked[0][1].id}",
            reference=request_reference(recipient, asked, contact_for),
        )

    return open_confirmations(session, group, ask)


def _has_emergency_contact(group: Group) -> bool:
    return bool(group.emergency_contact or group.emergency_contact_user_id)


def _asked_in(session: Session, model, message_id: int):
    """The rows one request message asked about, with their moderators, its group and who received it; None when
    the message or its recipient is no longer known."""
    rows = list(session.scalars(select(model).where(model.request_notice_id == message_id).order_by(model.id)))
    recipient_id = _recipient(session, message_id)
    if not rows or recipient_id is None:
        return None
    group = session.get(Group, rows[0].group_id)
    by_id = {m.id: m for m in group.moderators}
    asked = [(by_id[row.moderator_id], row) for row in rows]
    recipient = next((m for m, _ in asked if m.slack_user_id == recipient_id), None) or _moderator_on_slack(
        group, recipient_id
    )
    return (group, asked, recipient) if recipient is not None else None


def _confirmation_edit(session: Session, message_id: int, settings: Settings) -> Notice | None:
    found = _asked_in(session, ModeratorConfirmation, message_id)
    if found is None:
        return None
    group, asked, recipient = found
    content = messages.confirmation_message(group, recipient, asked, settings, acting_lead(group))
    return enqueue(session, "chat.update", {**FROM_REQUEST, **content}, depends_on=message_id)


# --- A3 -----------------------------------------------------------------------------------------------------------
def remind_circulation(session: Session, group: Group, circulation: AgreementCirculation, settings: Settings) -> Notice:
    """To the lead staff moderator (else the person who registered the group), with the agreement to paste."""
    lead = acting_lead(group)
    recipient = lead.slack_user_id if lead else group.created_by
    return enqueue(
        session, "chat.postMessage", {"channel": recipient, **_circulation_content(group, circulation, settings)},
        dedupe_key=f"moderation:circulate:{circulation.id}",
        reference={"type": "agreement_circulation", "id": circulation.id},
    )


def _circulation_content(group: Group, circulation: AgreementCirculation, settings: Settings, next_due_on=None) -> dict:
    names = [m.name for m in active_moderators(group)]
    agreement = drafting.draft_agreement(
        GroupKind(group.kind), group.name, settings, names, settings.contact_email, group.quiet_hours
    )
    return messages.circulation_message(group, circulation, agreement, next_due_on)


# --- M9 -----------------------------------------------------------------------------------------------------------
def ask_checkins(session: Session, group: Group, checkins: list[ModeratorCheckin], settings: Settings) -> dict[int, Notice]:
    """Each moderator on Slack is asked; those not on Slack are asked through the lead, in the lead's message."""
    by_id = {m.id: m for m in group.moderators}
    checked = [(by_id[c.moderator_id], c) for c in checkins]
    offline = [(m, c) for m, c in checked if m.slack_user_id is None]
    lead = acting_lead(group)
    sent: dict[int, Notice] = {}
    for moderator, checkin in checked:
        if moderator.slack_user_id is None:
            continue
        about = [(moderator, checkin)] + (offline if lead is not None and moderator.id == lead.id else [])
        message = enqueue(
            session, "chat.postMessage",
            {"channel": moderator.slack_user_id, **messages.checkin_message(group, moderator, about, _months(settings), [])},
            dedupe_key=f"moderation:checkin:{checkin.id}", reference={"type": "moderator_checkin", "id": checkin.id},
        )
        sent.update({c.id: message for _, c in about})
    return sent


def _months(settings: Settings) -> int:
    return max(1, round(Intervals.of(settings).check.days / 30.4))


def _checkin_edit(session: Session, message_id: int, settings: Settings) -> Notice | None:
    found = _asked_in(session, ModeratorCheckin, message_id)
    if found is None:
        return None
    group, checked, recipient = found
    stepped_down = any(row.answer == CheckinAnswer.STEPPING_DOWN for _, row in checked)
    findings = staffing_findings(group) if stepped_down else []
    content = messages.checkin_message(group, recipient, checked, _months(settings), findings)
    return enqueue(session, "chat.update", {**FROM_REQUEST, **content}, depends_on=message_id)


def _stepped_down_notices(session: Session, answer: Answer) -> list[Notice]:
    """The lead is told; if the lead is the one stepping down, the staff moderator standing in, or failing
    that the person who registered the group and its emergency contact (a senior manager)."""
    group = session.get(Group, answer.group_id)
    moderator = session.get(Moderator, answer.moderator_id)
    if answer.lead_user_id and answer.lead_user_id != moderator.slack_user_id:
        recipients = [answer.lead_user_id]
    else:
        stand_in = acting_lead(group)
        recipients = [stand_in.slack_user_id] if stand_in else [group.created_by, group.emergency_contact_user_id]
    recipients = [r for r in dict.fromkeys(recipients) if r and r != moderator.slack_user_id]
    content = messages.stepped_down_notice(group, moderator, answer.user_id, list(answer.findings))
    return [
        enqueue(session, "chat.postMessage", {"channel": recipient, **content},
                dedupe_key=f"moderation:stepped-down:{moderator.id}:{recipient}",
                reference={"type": "moderator_stepped_down", "id": moderator.id})
        for recipient in recipients
    ]


# --- after any answer ---------------------------------------------------------------------------------------------
def after_answer(session: Session, answer: Answer, settings: Settings, where: Where) -> list[Notice]:
    """Edit the message that was answered, tell whoever must know, or explain privately why nothing changed."""
    if answer.refusal is not None:
        return [whisper(session, where, refusals.moderation(answer.action, answer.refusal))]
    if not answer.done:
        return [whisper(session, where, answer.explanation)]
    queued: list[Notice | None] = []
    if answer.action in (Action.CONFIRM, Action.CONFIRM_FOR) and answer.message_id:
        queued.append(_confirmation_edit(session, answer.message_id, settings))
    elif answer.action is Action.CIRCULATED and answer.message_id:
        circulation = session.get(AgreementCirculation, answer.subject_id)
        group = session.get(Group, circulation.group_id)
        content = _circulation_content(group, circulation, settings, answer.next_due_on)
        queued.append(enqueue(session, "chat.update", {**FROM_REQUEST, **content}, depends_on=answer.message_id))
    elif answer.action in (Action.STILL_ABLE, Action.STEP_DOWN):
        if answer.message_id:
            queued.append(_checkin_edit(session, answer.message_id, settings))
        if answer.action is Action.STEP_DOWN:
            queued += _stepped_down_notices(session, answer)
    if not answer.message_id:
        # Answered somewhere other than the message (the App Home): say it worked.
        queued.append(whisper(session, where, answer.explanation))
    return [m for m in queued if m is not None]


def whisper(session: Session, where: Where, text: str) -> Notice:
    if where.channel:
        return enqueue(session, "chat.postEphemeral", {"channel": where.channel, "user": where.user_id, "text": text})
    return enqueue(session, "chat.postMessage", {"channel": where.user_id, "text": text})


def _recipient(session: Session, message_id: int) -> str | None:
    message = session.get(Notice, message_id)
    channel = calls.call_of(message)[1].get("channel") if message else None
    return channel if isinstance(channel, str) else None


def _moderator_on_slack(group: Group, user_id: str) -> Moderator | None:
    return next((m for m in group.moderators if m.slack_user_id == user_id), None)


