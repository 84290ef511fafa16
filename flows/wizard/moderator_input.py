"""Turn what someone typed or picked about moderators into `ModeratorEntry`s, or say what is wrong and where."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flows.directory.service import Directory, Role
from flows.policy.types import GroupKind, ModeratorEntry, ModeratorRole

# What people write for a role, in their own words.
OFFLINE_ROLES = {
    "volunteer": ModeratorRole.VOLUNTEER,
    "volunteers": ModeratorRole.VOLUNTEER,
    "peer supporter": ModeratorRole.VOLUNTEER,
    "befriender": ModeratorRole.VOLUNTEER,
    "partner": ModeratorRole.PARTNER_STAFF,
    "partner staff": ModeratorRole.PARTNER_STAFF,
    "partner organisation": ModeratorRole.PARTNER_STAFF,
    "steering group": ModeratorRole.STEERING_GROUP,
    "steering group member": ModeratorRole.STEERING_GROUP,
    "steering": ModeratorRole.STEERING_GROUP,
}
EMPLOYED_WORDS = {"staff", "pcf staff", "amaze staff", "staff member", "employee"}
MAX_NAME = 100


@dataclass
class ModeratorChoice:
    """Everything the moderators step asks, already split by field."""

    staff: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    offline: str = ""
    lead: str | None = None


@dataclass
class ParsedModerators:
    moderators: list[ModeratorEntry]
    lead_user_id: str | None
    errors: dict[str, str]


def employed_role_for(kind: GroupKind) -> tuple[Role, ModeratorRole]:
    # M1: forum groups need an employed member of PCF staff; Amaze groups an Amaze staff member.
    return (Role.PCF_STAFF, ModeratorRole.PCF_STAFF) if kind.pcf else (Role.STAFF, ModeratorRole.STAFF)


def parse_offline(text: str) -> tuple[list[ModeratorEntry], str | None]:
    """Lines like "Sam Patel, volunteer" or "Ali Khan, partner staff, Barnardo's". Returns entries or an error."""
    entries = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip().strip("•-*").strip()
        if not line:
            continue
        parts = [p.strip() for p in re.split(r"[,;–—]| - ", line) if p.strip()]
        if len(parts) < 2:
            return [], (
                f"Line {number} (“{line[:40]}”) needs a name and a role, separated by a comma, "
                "e.g. “Sam Patel, volunteer” or “Ali Khan, partner staff, Barnardo's”."
            )
        name, role_text, *rest = parts
        role_key = role_text.lower()
        if role_key in EMPLOYED_WORDS:
            return [], (
                f"Line {number}: staff moderators agree removals in Slack, so pick {name} in the staff "
                "moderators field above instead of typing them here."
            )
        role = OFFLINE_ROLES.get(role_key)
        if role is None:
            return [], (
                f"Line {number}: “{role_text[:40]}” is not a role I know. "
                "Use volunteer, partner staff or steering group."
            )
        if len(name) > MAX_NAME:
            return [], f"Line {number}: that name is longer than {MAX_NAME} characters. Write just the person's name."
        organisation = rest[0] if rest and role is ModeratorRole.PARTNER_STAFF else None
        entries.append(ModeratorEntry(name=name, role=role, organisation=organisation))
    return entries, None


def resolve(kind: GroupKind, choice: ModeratorChoice, directory: Directory) -> ParsedModerators:
    errors: dict[str, str] = {}
    required_role, employed_role = employed_role_for(kind)
    moderators: list[ModeratorEntry] = []

    not_staff = []
    for user_id in dict.fromkeys(choice.staff):
        person = directory.person(user_id)
        if required_role not in directory.roles_of(user_id):
            not_staff.append(person.name)
        moderators.append(ModeratorEntry(name=person.name, role=employed_role, person_id=user_id))
    if not_staff:
        who = "PCF staff" if kind.pcf else "staff"
        errors["staff_moderators"] = (
            f"{', '.join(not_staff)} {'is' if len(not_staff) == 1 else 'are'} not in the {who} user group, "
            f"so can't be a {who} moderator here. Move them to “other moderators”, "
            "or ask a Slack admin to add them to the user group."
        )

    overlap = set(choice.staff) & set(choice.others)
    if overlap:
        names = ", ".join(directory.person(u).name for u in overlap)
        errors["other_moderators"] = f"{names} is already a staff moderator: pick each person once."
    volunteer_role = ModeratorRole.STEERING_GROUP if kind is GroupKind.PCF_STEERING else ModeratorRole.VOLUNTEER
    for user_id in dict.fromkeys(choice.others):
        if user_id in overlap:
            continue
        person = directory.person(user_id)
        # Someone employed who was put among the others is still staff: record what they are.
        role = employed_role if required_role in directory.roles_of(user_id) else volunteer_role
        moderators.append(ModeratorEntry(name=person.name, role=role, person_id=user_id))

    offline, error = parse_offline(choice.offline)
    if error:
        errors["offline_moderators"] = error
    moderators.extend(offline)

    lead = choice.lead or next((m.person_id for m in moderators if m.role is employed_role), None)
    if choice.lead and choice.lead not in choice.staff:
        errors["lead_moderator"] = "The lead moderator must be one of the staff moderators you picked above."
    return ParsedModerators(moderators=moderators, lead_user_id=lead, errors=errors)
