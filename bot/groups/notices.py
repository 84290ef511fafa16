"""A group's notices in Slack's words (flows/groups/notices.py queues them): rendered when delivered, from the
group as it is then and what the notice recorded about the change."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot import render
from bot.blocks import escape, section
from flows.groups.summary import what_changed
from flows.groups.models import Group
from flows.moderation.queries import active_moderators
from flows.outbox import NoticeKind
from flows.outbox.worker import Claim


@render.renders(NoticeKind.GROUP_CHANGED, NoticeKind.GROUP_CLOSED, NoticeKind.GROUP_REOPENED,
                NoticeKind.MEMBER_WELCOMED)
def _render(session: Session, claim: Claim, adapter) -> dict[str, Any] | None:
    try:
        group = session.get(Group, int(claim.subject.id))
    except (TypeError, ValueError):
        return None
    if group is None:
        return None
    text = notice_text(session, group, claim.kind, claim.data or {})
    return {"text": text, "blocks": [section(text).to_dict()]}


def notice_text(session: Session, group: Group, kind: NoticeKind, data: dict) -> str:
    who, name = render.mention(session, data.get("by")), f"*{escape(group.name)}*"
    if kind is NoticeKind.GROUP_CLOSED:
        return (f"{who} marked {name} as {escape(str(data.get('closed_as')))}: “{escape(str(data.get('reason')))}”. "
                "Its reminders have stopped and it is off the active register.")
    if kind is NoticeKind.GROUP_REOPENED:
        return f"{who} reopened {name}: it is back on the register and its reminders start again."
    if kind is NoticeKind.MEMBER_WELCOMED:
        return f"{who} welcomed a new member to {name} and sent them the welcome message and the agreement."
    lines = [f"{who} changed {name}.", *what_changed(data, [m.name for m in active_moderators(group)], escape)]
    return " ".join(lines)
