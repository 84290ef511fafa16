"""What a group's moderators are told when it changes, queued in the change's own transaction; and the M8 requests
to moderators just added, through the same path as a registration's."""
from __future__ import annotations

from sqlalchemy.orm import Session

from bot.blocks import escape, mention
from bot.groups.views import FIELD_WORDS
from bot.moderation.notify import queue_confirmation_requests
from flows.groups.changes import Change, ChangeResult
from flows.groups.models import Group
from flows.moderation.queries import active_moderators
from flows.outbox import OutboxMessage, enqueue
from flows.settings import Settings


def after_change(session: Session, group: Group, result: ChangeResult, settings: Settings) -> list[OutboxMessage]:
    queued = [
        enqueue(session, "chat.postMessage", {"channel": to, "text": text})
        for to, text in told(group, result).items()
    ]
    if result.change is Change.MODERATORS and result.added:
        queued += queue_confirmation_requests(session, group, settings)
    return queued


def told(group: Group, result: ChangeResult) -> dict[str, str]:
    """Recipient -> what they read: every moderator on Slack but the one who made the change, and those just
    taken off, who should know."""
    recipients = [m.slack_user_id for m in group.moderators if m.slack_user_id
                  and (m.stepped_down_at is None or m.name in result.removed)]
    text = notice_text(group, result)
    return {to: text for to in dict.fromkeys(recipients) if to != result.user_id}


def notice_text(group: Group, result: ChangeResult) -> str:
    who, name = mention(result.user_id), f"*{escape(group.name)}*"
    if result.change is Change.CLOSED:
        return (f"{who} marked {name} as {result.data['closed_as']}: “{escape(result.data['reason'])}”. Its "
                "reminders have stopped and it is off the active register.")
    if result.change is Change.REOPENED:
        return f"{who} reopened {name}: it is back on the register and its reminders start again."
    if result.change is Change.WELCOMED:
        # Not who: the member's reference stays in the record, not in messages that outlive it.
        return f"{who} welcomed a new member to {name} and sent them the welcome message and the agreement."
    lines = [f"{who} changed {name}."]
    if result.added:
        lines.append(f"New moderators: {escape(', '.join(result.added))}.")
    if result.removed:
        lines.append(f"No longer moderating: {escape(', '.join(result.removed))}.")
    if result.data.get("lead"):
        lines.append(f"Lead staff moderator: {escape(result.data['lead'])}.")
    if "emergency_contact" in result.changed:
        lines.append(f"In an emergency, contact: {escape(result.data.get('emergency_contact') or 'nobody yet')} (M10).")
    if result.change is Change.DETAILS:
        lines.append("Changed: " + ", ".join(FIELD_WORDS.get(f, f) for f in result.changed) + ".")
    active = ", ".join(m.name for m in active_moderators(group))
    lines.append(f"The moderators are now: {escape(active)}.")
    return " ".join(lines)
