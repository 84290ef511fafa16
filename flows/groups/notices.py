"""Every change to a group is shared with its moderators: one notice each, queued in the change's transaction and
worded by the adapter when it is delivered. Who is told: every moderator with an account but the one who made the
change, and those the change took off, who should know."""
from __future__ import annotations

from sqlalchemy.orm import Session

from flows.groups.changes import Change, ChangeResult
from flows.groups.models import Group
from flows.outbox import Notice, NoticeKind, Subject, queue

KINDS = {
    Change.MODERATORS: NoticeKind.GROUP_CHANGED,
    Change.DETAILS: NoticeKind.GROUP_CHANGED,
    Change.CLOSED: NoticeKind.GROUP_CLOSED,
    Change.REOPENED: NoticeKind.GROUP_REOPENED,
    Change.WELCOMED: NoticeKind.MEMBER_WELCOMED,
}


def share(session: Session, group: Group, result: ChangeResult) -> list[Notice]:
    data = {
        "change": result.change.value, "by": result.user_id, "changed": list(result.changed),
        "added": list(result.added), "removed": list(result.removed),
        # Only what the words need; never the member's reference (it stays in the record, not in messages).
        **{k: v for k, v in result.data.items() if k in ("lead", "emergency_contact", "closed_as", "reason")},
    }
    return [queue(session, KINDS[result.change], Subject("group", group.id), to, data=data)
            for to in recipients(group, result)]


def recipients(group: Group, result: ChangeResult) -> list[str]:
    taken_off = set(result.data.get("removed_ids") or [])
    people = [m.person_id for m in group.moderators if m.reachable
              and (m.stepped_down_at is None or m.id in taken_off)]
    return [p for p in dict.fromkeys(people) if p != result.user_id]
