"""Closing (or archiving) a group and reopening it. A closed group gets no reminders (flows/moderation/reminders.py),
is off the active register (flows/home/register.py), and the retention clock for its records runs from the day it
closed (flows/groups/retention.py). Reopening puts it back as it was."""
from __future__ import annotations

from enum import StrEnum

from flows.audit import service as audit
from flows.groups.access import ChangeRefusal, record_refusal
from flows.groups.changes import Change, ChangeResult, GroupChanges, _lock, _shared
from flows.groups.models import Group
from flows.privacy import FieldKind, Guard
from flows.wizard.service import clean_text

REASON_LIMIT = 500


class ClosedAs(StrEnum):
    # The group no longer exists in WhatsApp.
    CLOSED = "closed"
    # Kept in WhatsApp, read-only, nobody moderating it any more.
    ARCHIVED = "archived"


class GroupLifecycle(GroupChanges):
    def close(self, group_id: object, user_id: str, values: dict) -> ChangeResult:
        group, refused = self.may_change(Change.CLOSED, group_id, user_id)
        if refused:
            return refused
        result = ChangeResult(Change.CLOSED, user_id, group.id, group.name)
        reason = (clean_text(values.get("reason")) or "").strip()
        closed_as = values.get("closed_as") if values.get("closed_as") in ClosedAs._value2member_map_ else None
        if closed_as is None:
            result.errors["closed_as"] = "Say whether the group was closed in WhatsApp or is kept as an archive."
        if not reason:
            result.errors["reason"] = "Say why, in a few words (the moderators are told)."
        elif len(reason) > REASON_LIMIT:
            result.errors["reason"] = f"Keep this to {REASON_LIMIT:,} characters."
        else:
            result.errors.update(Guard.from_settings(self.settings).errors({"reason": (reason, FieldKind.NOTE)}))
        if result.errors:
            return result
        with self.db.transaction() as session:
            _lock(session, group.id)
            live = session.get(Group, group.id)
            if live.closed_at is not None:
                record_refusal(session, user_id, group.id, Change.CLOSED.value, ChangeRefusal.CLOSED)
                result.refusal = ChangeRefusal.CLOSED
                return result
            live.closed_at, live.closed_as, live.closed_by, live.closed_reason = self.clock(), closed_as, user_id, reason
            result.changed, result.data = ("closed",), {"closed_as": closed_as, "reason": reason}
            # The reason is the moderators' to read, not the audit trail's (it keeps codes, not sentences).
            audit.record(session, actor=user_id, action="group.closed", subject_type="group", subject_id=group.id,
                         from_state="open", to_state=closed_as)
            result.queued = _shared(session, live, result)
        return result

    def reopen(self, group_id: object, user_id: str) -> ChangeResult:
        group, refused = self.may_change(Change.REOPENED, group_id, user_id)
        if refused:
            return refused
        result = ChangeResult(Change.REOPENED, user_id, group.id, group.name)
        with self.db.transaction() as session:
            _lock(session, group.id)
            live = session.get(Group, group.id)
            if live.closed_at is None:
                record_refusal(session, user_id, group.id, Change.REOPENED.value, ChangeRefusal.NOT_CLOSED)
                result.refusal = ChangeRefusal.NOT_CLOSED
                return result
            was = live.closed_as
            live.closed_at = live.closed_as = live.closed_by = live.closed_reason = None
            result.changed = ("reopened",)
            audit.record(session, actor=user_id, action="group.reopened", subject_type="group", subject_id=group.id,
                         from_state=was, to_state="open")
            result.queued = _shared(session, live, result)
        return result
