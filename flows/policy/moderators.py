"""M1-M7, M11: who moderates a group, how many, and what happens out of hours.

M6 (a staff-only work group needs no moderator) is the absence of rules: GroupKind.needs_moderators is False
for work_staff, so none of M1-M5 apply to it.
"""
from __future__ import annotations

from typing import Sequence

from flows.policy.findings import advice, block
from flows.policy.types import Finding, GroupKind, ModeratorEntry, ModeratorRole
from flows.settings import Settings

_VOLUNTEERING = (ModeratorRole.VOLUNTEER, ModeratorRole.STEERING_GROUP)


def required_staff_role(kind: GroupKind) -> ModeratorRole:
    """M1: forum groups need an employed member of PCF staff; the rest an Amaze staff member."""
    return ModeratorRole.PCF_STAFF if kind.pcf else ModeratorRole.STAFF


def m1_staff_moderator(kind: GroupKind, moderators: Sequence[ModeratorEntry]) -> list[Finding]:
    if not kind.needs_moderators:
        return []
    role = required_staff_role(kind)
    if any(m.role is role for m in moderators):
        return []
    who = "an employed member of PCF staff" if role is ModeratorRole.PCF_STAFF else "an Amaze staff member"
    message = f"This group needs at least one moderator who is {who}."
    roles = {m.role for m in moderators}
    if ModeratorRole.PARTNER_STAFF in roles:
        message += " Staff of a partner organisation can share moderating (M3) but cannot replace this."
    if kind.pcf and ModeratorRole.STAFF in roles:
        message += " Amaze staff do not count here: a forum group needs the forum's own staff."
    elif not kind.pcf and ModeratorRole.PCF_STAFF in roles:
        message += " PCF staff do not count here: an Amaze group needs an Amaze staff member."
    return [block("M1", message, f"Add {who} as a moderator.", "moderators")]


def m2_not_only_volunteers(kind: GroupKind, moderators: Sequence[ModeratorEntry]) -> list[Finding]:
    if not kind.needs_moderators or not moderators or any(m.role not in _VOLUNTEERING for m in moderators):
        return []
    return [block(
        "M2", "Volunteers and steering group members can moderate, but never on their own.",
        f"Add {'a member of PCF staff' if kind.pcf else 'a member of staff'} as a moderator alongside them.",
        "moderators",
    )]


def m4_group_size(
    kind: GroupKind, moderators: Sequence[ModeratorEntry], expected_members: int | None,
    moderation_plan: str | None, settings: Settings,
) -> list[Finding]:
    if not kind.needs_moderators:
        return []
    if expected_members is None:
        if kind.user_group:
            return [advice("M4", "You have not said how many members you expect.",
                           "Give a rough number so the app can say whether there are enough moderators.",
                           "expected_members")]
        return []
    has_plan = bool(moderation_plan and moderation_plan.strip())
    if expected_members > settings.plan_required_above and not has_plan:
        return [block(
            "M4", f"A group of {expected_members} members is very large to moderate safely "
                  f"(over {settings.plan_required_above}).",
            "Write down a moderation plan: who watches the group when, and how you will manage its size.",
            "moderation_plan",
        )]
    count = max(len(moderators), 1)
    if expected_members > settings.members_per_moderator * count and not has_plan:
        per = settings.members_per_moderator
        needed = -(-expected_members // per)
        return [advice(
            "M4", f"{expected_members} members is more than {per} per moderator for "
                  f"{len(moderators)} moderator{'s' if len(moderators) != 1 else ''}.",
            f"Add moderators (about {needed} in all) or write a moderation plan.", "expected_members",
        )]
    return []


def m5_out_of_hours(kind: GroupKind, out_of_hours: str | None, emergency_contact: str | None) -> list[Finding]:
    if not kind.needs_moderators:
        return []
    found = []
    if not (out_of_hours and out_of_hours.strip()):
        found.append(block(
            "M5", "There is no arrangement for moderating outside working hours.",
            "Say who keeps an eye on the group outside staff working hours (for example named volunteers) and "
            "who they contact in an emergency.", "out_of_hours",
        ))
    if not (emergency_contact and emergency_contact.strip()):
        found.append(advice(
            "M5", "There is no emergency contact for moderators (the senior manager to call in an emergency).",
            "Add the name of the senior manager moderators should contact in an emergency, for example a "
            "safeguarding disclosure out of hours.", "emergency_contact",
        ))
    return found


def m7_no_moderators(kind: GroupKind, moderators: Sequence[ModeratorEntry]) -> list[Finding]:
    if kind.official or not moderators:
        return []
    return [block(
        "M7", "An unofficial group must have no moderator from Amaze or the forum, so no one takes it for an "
              "official group.",
        "Remove the moderators: this kind of group is run by its own members.", "moderators",
    )]


def m11_work_phone(kind: GroupKind) -> list[Finding]:
    # Every official group has staff in it (as moderators, or as its members in a staff-only group).
    if not kind.official:
        return []
    return [advice(
        "M11", "Staff should join the group with a work mobile number, not a personal one.",
        "If you can, join from your work phone.", "moderators",
    )]
