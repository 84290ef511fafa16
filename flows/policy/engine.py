"""Running every rule that applies to a proposed group, whole or one wizard step at a time."""
from __future__ import annotations

import re
from typing import Sequence

from flows.policy import descriptions as d
from flows.policy import moderators as m
from flows.policy.agreement import a1_agreement_exists
from flows.policy.names import NAME_RULES, own_names
from flows.policy.types import CheckResult, Finding, GroupKind, GroupProposal, ModeratorEntry
from flows.policy.work import w1_no_users_named, w2_not_the_only_channel
from flows.settings import Settings

_RULE_ORDER = "NDAMWS"
_RULE_ID = re.compile(r"([A-Z])(\d+)")


def check_name(kind: GroupKind, name: str, settings: Settings) -> list[Finding]:
    return [f for rule in NAME_RULES for f in rule(kind, name or "", settings)]


def check_description(
    kind: GroupKind, description: str | None, settings: Settings, *,
    agreement_url: str | None = None, moderator_names: Sequence[str] = (),
) -> list[Finding]:
    text = description or ""
    found: list[Finding] = []
    if kind.user_group:
        found += d.d1_official_group(text, own_names(kind, settings))
        found += d.d2_phone_consent(text)
        found += d.d3_agreement_link(text, settings.organisation_domains, agreement_url)
        found += d.d4_admins_named(text, moderator_names, settings.protected_names)
        found += d.d5_what_to_do(text, settings.contact_email)
    if text:
        found += d.d6_length(text, settings.whatsapp_description_limit)
    # The policy holds steering groups to the same expectations as staff-and-volunteer groups, D7 included.
    if kind in (GroupKind.WORK_VOLUNTEERS, GroupKind.PCF_STEERING):
        found += d.d7_volunteer_group(text)
    if kind is GroupKind.PCF_STEERING:
        found += d.d8_steering_standard(text)
    if kind is GroupKind.YOUNG_PEOPLE:
        found += d.d9_young_people(text)
    found += w1_no_users_named(kind, text)
    found += w2_not_the_only_channel(kind, text)
    return found


def check_moderators(
    kind: GroupKind, moderators: Sequence[ModeratorEntry], settings: Settings, *,
    expected_members: int | None = None, moderation_plan: str | None = None,
    out_of_hours: str | None = None, emergency_contact: str | None = None,
) -> list[Finding]:
    return [
        *m.m1_staff_moderator(kind, moderators),
        *m.m2_not_only_volunteers(kind, moderators),
        *m.m4_group_size(kind, moderators, expected_members, moderation_plan, settings),
        *m.m5_out_of_hours(kind, out_of_hours, emergency_contact),
        *m.m7_no_moderators(kind, moderators),
        *m.m11_work_phone(kind),
    ]


def _rule_key(finding: Finding) -> tuple[int, int]:
    match = _RULE_ID.fullmatch(finding.rule)
    if not match or match.group(1) not in _RULE_ORDER:
        return len(_RULE_ORDER), 0
    return _RULE_ORDER.index(match.group(1)), int(match.group(2))


def check(proposal: GroupProposal, settings: Settings) -> CheckResult:
    """Every rule that applies to the proposal, in rule order (N, D, A, M, W)."""
    kind = proposal.kind
    findings = [
        *check_name(kind, proposal.name, settings),
        *check_description(
            kind, proposal.description, settings,
            agreement_url=proposal.agreement_url, moderator_names=[mod.name for mod in proposal.moderators],
        ),
        *a1_agreement_exists(kind, proposal.agreement_url),
        *check_moderators(
            kind, proposal.moderators, settings,
            expected_members=proposal.expected_members, moderation_plan=proposal.moderation_plan,
            out_of_hours=proposal.out_of_hours, emergency_contact=proposal.emergency_contact,
        ),
    ]
    return CheckResult(tuple(sorted(findings, key=_rule_key)))
