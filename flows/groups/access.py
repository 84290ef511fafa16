"""Who may change a registered group: its staff moderators (still staff) and senior managers. Who may record a
member's welcome: any of its moderators. Each "no" is a typed reason the adapter words, recorded in the audit trail.

The Directory is asked before any write (never inside one); when it cannot answer, that is a refusal (raised)."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from flows.audit import service as audit
from flows.directory.service import Directory, Role, RolesUnconfirmed
from flows.groups.models import Group
from flows.moderation.queries import active_moderators, directory_role, is_employed


class ChangeRefusal(StrEnum):
    """Why this person may not make this change; the adapter words it."""

    NOT_FOUND = "not_found"
    # Volunteers, partner staff and staff who do not moderate the group.
    NOT_STAFF_MODERATOR = "not_staff_moderator"
    # Welcoming a member is for the group's own moderators.
    NOT_A_MODERATOR = "not_a_moderator"
    # A closed group changes only by being reopened.
    CLOSED = "closed"
    NOT_CLOSED = "not_closed"
    # The change would break a rule that blocks (M1, M2, N2 …): nothing is saved; the fields say why.
    WOULD_BREAK_RULES = "would_break_rules"


@dataclass(frozen=True)
class Actor:
    """Who is acting on a group, as far as a change needs to know."""

    user_id: str
    staff_moderator: bool
    senior_manager: bool
    moderator: bool

    @property
    def may_change(self) -> bool:
        return self.staff_moderator or self.senior_manager


def actor_on(group: Group, user_id: str, directory: Directory) -> Actor:
    """Read in a session that has `group` loaded. Raises RolesUnconfirmed (recorded) when roles cannot be told."""
    mine = [m for m in active_moderators(group) if m.person_id == user_id]
    try:
        staff = any(
            is_employed(m) and directory_role(m) is not None and directory.has_role(user_id, directory_role(m))
            for m in mine
        )
        manager = directory.role_configured(Role.SENIOR_MANAGER) and directory.has_role(user_id, Role.SENIOR_MANAGER)
    except RolesUnconfirmed as error:
        directory.record_refusal(user_id, error, "group.change_refused", "group", group.id)
        raise
    return Actor(user_id, staff, manager, bool(mine))


def record_refusal(session: Session, user_id: str, group_id: object, attempted: str, reason: ChangeRefusal,
                   **details: object) -> None:
    """Nothing changed; that someone tried, and why not, is kept (ids and codes only, never what was typed)."""
    audit.record(session, actor=user_id, action="group.change_refused", subject_type="group", subject_id=group_id,
                 attempted=attempted, reason=reason.value, **details)
