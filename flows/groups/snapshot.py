"""A registered group as the wizard's answers would describe it: what a change starts from, is checked as, and
what its forms are filled in with."""
from __future__ import annotations

from flows.groups.models import Group
from flows.moderation.queries import acting_lead, active_moderators, is_employed
from flows.policy.types import ModeratorRole
from flows.wizard.service import WizardState
from flows.wizard.steps import Step

# How a moderator not on the platform is written in the form, as the wizard's parser reads it back.
ROLE_WORDS = {
    ModeratorRole.VOLUNTEER.value: "volunteer",
    ModeratorRole.PARTNER_STAFF.value: "partner staff",
    ModeratorRole.STEERING_GROUP.value: "steering group",
}


def key_of(user_id: str | None, name: str, role: str) -> tuple:
    """The same moderator before and after a change: their account if they have one, else their name and role."""
    return ("account", user_id) if user_id else ("named", " ".join(name.casefold().split()), role)


def state_of(group: Group) -> WizardState:
    lead = acting_lead(group)
    moderators = [
        {k: v for k, v in {"name": m.name, "role": m.role, "person_id": m.person_id,
                           "organisation": m.organisation}.items() if v is not None}
        for m in active_moderators(group)
    ]
    data = {
        "kind": group.kind, "name": group.name, "description": group.description or None,
        "agreement_url": group.agreement_url, "moderators": moderators, "expected_members": group.expected_members,
        "out_of_hours": group.out_of_hours, "emergency_contact": group.emergency_contact,
        "emergency_contact_person_id": group.emergency_contact_person_id, "quiet_hours": group.quiet_hours,
        "moderation_plan": group.moderation_plan, "lead_user_id": lead.person_id if lead else None,
    }
    return WizardState(draft_id="", user_id=group.created_by, step=Step.REVIEW, data=data, group_id=group.id)


def moderator_form(group: Group) -> dict:
    """The moderators form as the group stands: change what differs, leave the rest."""
    active = active_moderators(group)
    lead = acting_lead(group)
    on_platform = [m for m in active if m.reachable]
    return {
        "staff_moderators": [m.person_id for m in on_platform if is_employed(m)],
        "other_moderators": [m.person_id for m in on_platform
                             if not is_employed(m) and m.role != ModeratorRole.PARTNER_STAFF.value],
        "partner_moderators": [m.person_id for m in on_platform if m.role == ModeratorRole.PARTNER_STAFF.value],
        "offline_moderators": "\n".join(
            ", ".join(part for part in (m.name, ROLE_WORDS[m.role], m.organisation) if part)
            for m in active if not m.reachable and m.role in ROLE_WORDS
        ),
        "lead_moderator": lead.person_id if lead else None,
        "emergency_contact": group.emergency_contact_person_id,
    }


def details_form(group: Group) -> dict:
    return {
        "name": group.name, "description": group.description or "", "agreement_url": group.agreement_url or "",
        "expected_members": str(group.expected_members) if group.expected_members else "",
        "out_of_hours": group.out_of_hours or "", "moderation_plan": group.moderation_plan or "",
        "quiet_hours": group.quiet_hours or "",
    }
