"""Moderators' notices in Slack's words (flows/moderation/notices.py decides who is told what), each rendered when
it is delivered from the rows as stored; and the private answer to a click, said where it was clicked."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot import render
from bot.moderation import messages
from flows.groups.models import Group, Moderator
from flows.moderation.models import AgreementCirculation, CheckinAnswer, ModeratorCheckin, ModeratorConfirmation
from flows.moderation.notices import asked_in
from flows.moderation.queries import Intervals, acting_lead, staffing_findings
from flows.moderation.reminders import text_to_circulate
from flows.outbox import NoticeKind
from flows.outbox.worker import Claim
from flows.settings import Settings, get_settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Where:
    """Where a click came from, to answer the person privately there."""

    user_id: str
    channel: str | None = None


def whisper(client: WebClient, where: Where, text: str) -> None:
    """A note only the clicker sees, where they clicked (a direct message when they clicked in the App Home)."""
    try:
        if where.channel:
            client.chat_postEphemeral(channel=where.channel, user=where.user_id, text=text)
        else:
            client.chat_postMessage(channel=where.user_id, text=text)
    except SlackApiError as error:
        log.warning("could not answer a moderator's click: %s", error.response.get("error"))


def _settings(adapter) -> Settings:
    return adapter.settings or get_settings()


def _asked(session: Session, model, claim: Claim):
    """The rows the request asked about, their group and the moderator it went to; None when no longer known."""
    rows = asked_in(session, model, claim.replaces_id or claim.id)
    if not rows:
        return None
    group = session.get(Group, rows[0].group_id)
    by_id = {m.id: m for m in group.moderators}
    asked = [(by_id[row.moderator_id], row) for row in rows]
    recipient = next((m for m, _ in asked if m.person_id == claim.person_id), None) or next(
        (m for m in group.moderators if m.person_id == claim.person_id), None)
    return (group, asked, recipient) if recipient is not None else None


@render.renders(NoticeKind.CONFIRMATION_REQUESTED, NoticeKind.CONFIRMATION_CLOSED)
def _confirmation(session: Session, claim: Claim, adapter):
    found = _asked(session, ModeratorConfirmation, claim)
    if found is None:
        return None
    group, asked, recipient = found
    message = messages.confirmation_message(group, recipient, asked, _settings(adapter), acting_lead(group))
    return _again(message, claim, min(c.requested_at for _, c in asked))


@render.renders(NoticeKind.CIRCULATION_DUE, NoticeKind.CIRCULATION_DONE)
def _circulation(session: Session, claim: Claim, adapter):
    circulation = session.get(AgreementCirculation, int(claim.subject.id))
    if circulation is None:
        return None
    group = session.get(Group, circulation.group_id)
    next_due = claim.data.get("next_due_on")
    next_due_on = date.fromisoformat(next_due) if next_due else None
    # A3: the group's own agreement, as it was published, not a template drafted again (while it has a link).
    return messages.circulation_message(group, circulation, text_to_circulate(group, _settings(adapter)), next_due_on)


@render.renders(NoticeKind.CHECKIN_REQUESTED, NoticeKind.CHECKIN_CLOSED)
def _checkin(session: Session, claim: Claim, adapter):
    found = _asked(session, ModeratorCheckin, claim)
    if found is None:
        return None
    group, checked, recipient = found
    stepped_down = any(row.answer == CheckinAnswer.STEPPING_DOWN for _, row in checked)
    findings = staffing_findings(group) if stepped_down else []
    months = max(1, round(Intervals.of(_settings(adapter)).check.days / 30.4))
    message = messages.checkin_message(group, recipient, checked, months, findings)
    return _again(message, claim, min(c.asked_at for _, c in checked))


def _again(message: dict, claim: Claim, first_asked) -> dict:
    """L5: a request asked again says so at the top (its answered replacement does not)."""
    if claim.kind not in (NoticeKind.CONFIRMATION_REQUESTED, NoticeKind.CHECKIN_REQUESTED) or not claim.data.get("again"):
        return message
    return messages.asked_again(message, first_asked)


@render.renders(NoticeKind.MODERATOR_STEPPED_DOWN)
def _stepped_down(session: Session, claim: Claim, adapter):
    moderator = session.get(Moderator, int(claim.subject.id))
    if moderator is None:
        return None
    group = session.get(Group, moderator.group_id)
    return messages.stepped_down_notice(group, moderator, claim.data.get("answered_by"), list(staffing_findings(group)))
