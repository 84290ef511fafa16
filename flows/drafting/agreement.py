"""A2: group agreements from the policy's model agreements, ready to publish on the website."""
from __future__ import annotations

from typing import Sequence

from flows.drafting.templates import join_names, organisation_shown, quiet_hours_line, render
from flows.policy.types import GroupKind
from flows.settings import Settings


def draft_agreement(
    kind: GroupKind, name: str, settings: Settings, moderator_names: Sequence[str],
    contact_email: str | None = None, quiet_hours: str | None = None,
) -> str:
    """The group agreement for a user group; "" for kinds the policy does not ask an agreement of."""
    if not kind.user_group:
        return ""
    org = organisation_shown(kind, name, settings)
    common = dict(
        name=name.strip(), org=org, email=contact_email or settings.contact_email,
        safeguarding_url=settings.safeguarding_policy_url, equalities_url=settings.equalities_policy_url,
        privacy_url=settings.privacy_statement_url,
    )
    if kind is GroupKind.YOUNG_PEOPLE:
        return render("agreement_young.txt", **common,
                      admins=join_names(moderator_names, "or") or "a moderator",
                      quiet_line=quiet_hours_line(kind, quiet_hours))
    audience = (f"members of {org}, the parent carer forum" if kind is GroupKind.PCF_MEMBERS
                else f"parent carers who are supported by {org}")
    quiet = quiet_hours_line(kind, quiet_hours)
    return render(
        "agreement_adult.txt", **common, audience=audience, policy_url=settings.policy_url,
        admins=join_names(moderator_names) or "the people marked as admin in Group Info",
        quiet_section=f"Quiet hours\n\n{quiet} Please keep to them so everyone can switch off." if quiet else "",
    )
