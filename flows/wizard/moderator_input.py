"""Turn what someone typed or picked about moderators into `ModeratorEntry`s, or say what is wrong and where."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

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


class ModeratorProblem(StrEnum):
    """What is wrong with the moderators given where the words name the platform: the adapter words it."""

    # A member of staff typed among the moderators on no platform: they agree removals on the platform.
    STAFF_AMONG_OFFLINE = "staff_among_offline"
    # People picked as staff moderators who are not in the staff role's user group.
    NOT_IN_STAFF_GROUP = "not_in_staff_group"


@dataclass(frozen=True)
class FieldProblem:
    problem: ModeratorProblem
    names: tuple[str, ...] = ()
    line: int | None = None
    # The role asked for is PCF staff (a forum group) rather than Amaze staff.
    pcf: bool = False


# A form field's error: plain words, or a problem for the adapter to word.
FieldError = str | FieldProblem


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
    errors: dict[str, FieldError]


def employed_role_for(kind: GroupKind) -> tuple[Role, ModeratorRole]:
    # M1: forum groups need an employed member of PCF staff; Amaze groups an Amaze staff member.
    return (Role.PCF_STAFF, ModeratorRole.PCF_STAFF) if kind.pcf else (Role.STAFF, ModeratorRole.STAFF)


def parse_offline(text: str) -> tuple[list[ModeratorEntry], FieldError | None]:
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
            return [], FieldProblem(ModeratorProblem.STAFF_AMONG_OFFLINE, names=(name,), line=number)
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
    errors: dict[str, FieldError] = {}
    required_role, employed_role = employed_role_for(kind)
    moderators: list[ModeratorEntry] = []

    not_staff = []
    for user_id in dict.fromkeys(choice.staff):
        person = directory.person(user_id)
        if required_role not in directory.roles_of(user_id):
            not_staff.append(person.name)
        moderators.append(ModeratorEntry(name=person.name, role=employed_role, person_id=user_id))
    if not_staff:
        errors["staff_moderators"] = FieldProblem(ModeratorProblem.NOT_IN_STAFF_GROUP, names=tuple(not_staff),
                                                  pcf=kind.pcf)

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
