"""The words the policy uses, as types: group kinds, moderator roles, a proposed group, and a finding."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class GroupKind(StrEnum):
    PARENT_CARERS = "parent_carers"
    YOUNG_PEOPLE = "young_people"
    PCF_MEMBERS = "pcf_members"
    WORK_VOLUNTEERS = "work_volunteers"
    WORK_STAFF = "work_staff"
    PCF_STEERING = "pcf_steering"
    INFORMAL_SOCIAL = "informal_social"
    PCF_INFORMAL = "pcf_informal"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]

    @property
    def official(self) -> bool:
        return self not in UNOFFICIAL_KINDS

    @property
    def user_group(self) -> bool:
        """Groups that involve the organisation's users (parent carers, young people, forum members)."""
        return self in USER_GROUP_KINDS

    @property
    def pcf(self) -> bool:
        """Groups named and run under a Parent Carer Forum rather than Amaze."""
        return self in PCF_KINDS

    @property
    def work(self) -> bool:
        return self in (GroupKind.WORK_VOLUNTEERS, GroupKind.WORK_STAFF)

    @property
    def needs_moderators(self) -> bool:
        """M1 (user groups, work_volunteers, pcf_steering); not M6 (work_staff) nor M7 (unofficial)."""
        return self.official and self is not GroupKind.WORK_STAFF


KIND_LABELS = {
    GroupKind.PARENT_CARERS: "Amaze group for parent carers",
    GroupKind.YOUNG_PEOPLE: "Amaze young people's group (e.g. Amazing Futures)",
    GroupKind.PCF_MEMBERS: "Parent Carer Forum group for members",
    GroupKind.WORK_VOLUNTEERS: "Work group: staff and volunteers",
    GroupKind.WORK_STAFF: "Work group: staff only",
    GroupKind.PCF_STEERING: "Forum group: PCF staff and steering group",
    GroupKind.INFORMAL_SOCIAL: "Informal social group (not official)",
    GroupKind.PCF_INFORMAL: "Steering group members' informal group (not official)",
}
UNOFFICIAL_KINDS = frozenset({GroupKind.INFORMAL_SOCIAL, GroupKind.PCF_INFORMAL})
USER_GROUP_KINDS = frozenset({GroupKind.PARENT_CARERS, GroupKind.YOUNG_PEOPLE, GroupKind.PCF_MEMBERS})
PCF_KINDS = frozenset({GroupKind.PCF_MEMBERS, GroupKind.PCF_STEERING, GroupKind.PCF_INFORMAL})


class ModeratorRole(StrEnum):
    STAFF = "staff"
    PCF_STAFF = "pcf_staff"
    VOLUNTEER = "volunteer"
    PARTNER_STAFF = "partner_staff"
    STEERING_GROUP = "steering_group"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").replace("pcf", "PCF")

    @property
    def employed(self) -> bool:
        """Employed by the organisation (Amaze or a forum): the roles M1 asks for."""
        return self in (ModeratorRole.STAFF, ModeratorRole.PCF_STAFF)


class Severity(StrEnum):
    BLOCK = "block"
    ADVICE = "advice"

    @property
    def label(self) -> str:
        """How a person is told how serious a finding is: in words, never only by an emoji."""
        return "Must fix" if self is Severity.BLOCK else "Suggestion"


@dataclass(frozen=True)
class ModeratorEntry:
    name: str
    role: ModeratorRole
    person_id: str | None = None
    # Partner organisation, for partner_staff (M3).
    organisation: str | None = None


@dataclass(frozen=True)
class GroupProposal:
    """A group as someone proposes to set it up: what the rules are checked against."""

    kind: GroupKind
    name: str
    description: str | None = None
    agreement_url: str | None = None
    moderators: tuple[ModeratorEntry, ...] = ()
    expected_members: int | None = None
    # M5: who covers outside working hours, and the senior manager to call in an emergency.
    out_of_hours: str | None = None
    emergency_contact: str | None = None
    quiet_hours: str | None = None
    moderation_plan: str | None = None


@dataclass(frozen=True)
class Finding:
    """One thing a rule found: its id from RULES.md, how serious, what is wrong and how to put it right."""

    rule: str
    severity: Severity
    message: str
    fix: str = ""
    # The field of the proposal at fault, so a form can show the finding where it belongs.
    field: str = "name"

    @property
    def blocks(self) -> bool:
        return self.severity is Severity.BLOCK

    def as_dict(self) -> dict[str, str]:
        text = f"{self.message} {self.fix}".strip() if self.fix else self.message
        return {"rule": self.rule, "severity": self.severity.value, "message": text, "field": self.field}

    def in_words(self) -> str:
        """'Must fix: <what is wrong and how to put it right> (N2)': the plain sentence first, the rule id after."""
        return f"{self.severity.label}: {self.as_dict()['message']} ({self.rule})"


@dataclass(frozen=True)
class CheckResult:
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def registrable(self) -> bool:
        return not any(f.blocks for f in self.findings)

    def for_field(self, name: str) -> list[Finding]:
        return [f for f in self.findings if f.field == name]
