"""M8/M10: the confirmations a group's moderators are asked for, and the record that the emergency contact
reached those who are not staff."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from flows.audit import service as audit
from flows.db import utcnow
from flows.groups.models import Group, Moderator
from flows.moderation.models import ModeratorConfirmation
from flows.moderation.queries import acting_lead, active_moderators
from flows.outbox import Notice
from flows.outbox.once import insert_once
from flows.policy.types import GroupKind

REQUEST = "moderation_confirmation_request"

# (group, recipient moderator, [(moderator, confirmation)] they are asked about) -> the message queued.
Ask = Callable[[Session, Group, Moderator, list[tuple[Moderator, ModeratorConfirmation]]], Notice]


def open_confirmations(session: Session, group: Group, ask: Ask, now: datetime | None = None) -> list[Notice]:
    """Ask every active moderator not yet asked: those with an account directly; those without one through the
    acting lead, in the lead's own message. Safe to call again (a moderator is asked once)."""
    if not GroupKind(group.kind).needs_moderators:
        return []
    now = now or utcnow()
    rows = {}
    for moderator in active_moderators(group):
        insert_once(session, ModeratorConfirmation, {
            "moderator_id": moderator.id, "group_id": group.id, "requested_at": now, "on_behalf": False,
        }, unique=["moderator_id"])
        rows[moderator.id] = session.scalars(
            select(ModeratorConfirmation).where(ModeratorConfirmation.moderator_id == moderator.id)
        ).one()
    unasked = [(m, rows[m.id]) for m in active_moderators(group) if rows[m.id].request_notice_id is None]
    offline = [(m, row) for m, row in unasked if m.slack_user_id is None]
    lead = acting_lead(group)
    queued = []
    for moderator, row in unasked:
        if moderator.slack_user_id is None:
            continue
        about = [(moderator, row)] + (offline if lead is not None and moderator.id == lead.id else [])
        message = ask(session, group, moderator, about)
        for _, asked in about:
            asked.request_notice_id = message.id
        queued.append(message)
    if offline and lead is not None and all(row.request_notice_id is None for _, row in offline):
        # The lead was asked before (their own row is not new): the new moderators come in a message of their own.
        message = ask(session, group, lead, offline)
        for _, row in offline:
            row.request_notice_id = message.id
        queued.append(message)
    if queued:
        audit.record(session, actor="app", action="moderators.asked_to_confirm", subject_type="group",
                     subject_id=group.id, moderators=[m.id for m, row in unasked if row.request_notice_id])
    return queued


def request_reference(recipient: Moderator, about: list[tuple[Moderator, ModeratorConfirmation]],
                      emergency_contact_for: list[int]) -> dict:
    """What the outbox remembers about the request: on delivery, the emergency contact is recorded as sent."""
    return {"type": REQUEST, "id": about[0][1].id, "to": recipient.slack_user_id,
            "emergency_contact_for": emergency_contact_for}


def emergency_contact_delivered(session: Session, notice: Notice) -> None:
    """Once a request that carried the emergency contact is delivered, the contact has reached those it was for."""
    reference = _request_of(notice)
    if reference is None:
        return
    for confirmation_id in reference.get("emergency_contact_for") or []:
        done = session.execute(
            update(ModeratorConfirmation)
            .where(ModeratorConfirmation.id == confirmation_id, ModeratorConfirmation.emergency_contact_sent_at.is_(None))
            .values(emergency_contact_sent_at=utcnow(), emergency_contact_sent_to=reference.get("to"))
            .execution_options(synchronize_session=False)
        )
        if done.rowcount == 1:
            audit.record(session, actor="app", action="moderator.emergency_contact_sent",
                         subject_type="moderator_confirmation", subject_id=confirmation_id, to=reference.get("to"))


def _request_of(notice: Notice) -> dict | None:
    if notice.subject_type != REQUEST:
        return None
    return (notice.data or {}).get("reference") or None
