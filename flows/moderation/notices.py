"""Who is told what about moderators' duties, queued in the transaction of the change: the requests when a group
is registered (M8, M10), the reminders when they fall due (A3, M9), the replacements of those requests once they
are answered, and who hears that a moderator stepped down. The words are the adapters'."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.groups.models import Group, Moderator
from flows.moderation.confirmations import open_confirmations
from flows.moderation.models import AgreementCirculation, ModeratorCheckin, ModeratorConfirmation
from flows.moderation.queries import acting_lead, is_employed
from flows.moderation.service import Action, Answer
from flows.outbox import Notice, NoticeKind, Subject, queue

CONFIRMATION = "moderator_confirmation"
CIRCULATION = "agreement_circulation"
CHECKIN = "moderator_checkin"


# --- M8 / M10 ---------------------------------------------------------------------------------------------------------
def ask_to_confirm(session: Session, group: Group) -> list[Notice]:
    """Ask each moderator of a just-registered group (or a new moderator) to confirm they have read the policy
    and the agreement; call it in the registration's transaction. Returns what it queued."""

    def ask(session: Session, group: Group, recipient: Moderator, asked) -> Notice:
        contact_for = [c.id for m, c in asked if not is_employed(m)] if _has_emergency_contact(group) else []
        return queue(session, NoticeKind.CONFIRMATION_REQUESTED, Subject(CONFIRMATION, asked[0][1].id),
                     recipient.person_id, data={"emergency_contact_for": contact_for},
                     dedupe_key=f"moderation:confirm:{asked[0][1].id}")

    return open_confirmations(session, group, ask)


def _has_emergency_contact(group: Group) -> bool:
    return bool(group.emergency_contact or group.emergency_contact_person_id)


# --- A3 / M9 ----------------------------------------------------------------------------------------------------------
def remind_circulation(session: Session, group: Group, circulation: AgreementCirculation) -> Notice:
    """To the lead staff moderator (else the person who registered the group), with the agreement to paste."""
    lead = acting_lead(group)
    recipient = lead.person_id if lead else group.created_by
    return queue(session, NoticeKind.CIRCULATION_DUE, Subject(CIRCULATION, circulation.id), recipient,
                 dedupe_key=f"moderation:circulate:{circulation.id}")


def ask_checkins(session: Session, group: Group, checkins: list[ModeratorCheckin]) -> dict[int, Notice]:
    """Each moderator with an account is asked; those without one are asked through the lead, in the lead's
    request."""
    by_id = {m.id: m for m in group.moderators}
    checked = [(by_id[c.moderator_id], c) for c in checkins]
    offline = [(m, c) for m, c in checked if not m.reachable]
    lead = acting_lead(group)
    sent: dict[int, Notice] = {}
    for moderator, checkin in checked:
        if not moderator.reachable:
            continue
        about = [(moderator, checkin)] + (offline if lead is not None and moderator.id == lead.id else [])
        notice = queue(session, NoticeKind.CHECKIN_REQUESTED, Subject(CHECKIN, checkin.id), moderator.person_id,
                       dedupe_key=f"moderation:checkin:{checkin.id}")
        sent.update({c.id: notice for _, c in about})
    return sent


# --- after an answer --------------------------------------------------------------------------------------------------
def after_answer(session: Session, answer: Answer) -> list[Notice]:
    """The answered request is replaced in place (its buttons go); whoever must know that a moderator stepped
    down is told."""
    if answer.refusal is not None or not answer.done:
        return []
    queued: list[Notice | None] = []
    if answer.action in (Action.CONFIRM, Action.CONFIRM_FOR) and answer.message_id:
        queued.append(_replace(session, answer, NoticeKind.CONFIRMATION_CLOSED, CONFIRMATION))
    elif answer.action is Action.CIRCULATED and answer.message_id:
        queued.append(_replace(session, answer, NoticeKind.CIRCULATION_DONE, CIRCULATION,
                               next_due_on=answer.next_due_on.isoformat() if answer.next_due_on else None))
    elif answer.action in (Action.STILL_ABLE, Action.STEP_DOWN):
        if answer.message_id:
            queued.append(_replace(session, answer, NoticeKind.CHECKIN_CLOSED, CHECKIN))
        if answer.action is Action.STEP_DOWN:
            queued += _stepped_down(session, answer)
    return [n for n in queued if n is not None]


def _replace(session: Session, answer: Answer, kind: NoticeKind, subject_type: str, **data) -> Notice | None:
    request = session.get(Notice, answer.message_id)
    if request is None:
        return None
    return queue(session, kind, Subject(subject_type, answer.subject_id), request.person_id, data=data,
                 replaces=request)


def _stepped_down(session: Session, answer: Answer) -> list[Notice]:
    """The lead is told; if the lead is the one stepping down, the staff moderator standing in, or failing
    that the person who registered the group and its emergency contact (a senior manager)."""
    group = session.get(Group, answer.group_id)
    moderator = session.get(Moderator, answer.moderator_id)
    if answer.lead_user_id and answer.lead_user_id != moderator.person_id:
        recipients = [answer.lead_user_id]
    else:
        stand_in = acting_lead(group)
        recipients = [stand_in.person_id] if stand_in else [group.created_by, group.emergency_contact_person_id]
    recipients = [r for r in dict.fromkeys(recipients) if r and r != moderator.person_id]
    return [queue(session, NoticeKind.MODERATOR_STEPPED_DOWN, Subject("moderator", moderator.id), recipient,
                  data={"answered_by": answer.user_id}, dedupe_key=f"moderation:stepped-down:{moderator.id}:{recipient}")
            for recipient in recipients]


def asked_in(session: Session, model, notice_id: int) -> list:
    """The rows one request asked about (the lead's request carries those of moderators without an account)."""
    return list(session.scalars(select(model).where(model.request_notice_id == notice_id).order_by(model.id)))


__all__ = ["ModeratorConfirmation", "after_answer", "ask_checkins", "ask_to_confirm", "asked_in",
           "remind_circulation"]
