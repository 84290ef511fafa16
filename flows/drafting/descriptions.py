"""Group Info descriptions from the policy's model descriptions (D1-D9, W1-W2)."""
from __future__ import annotations

from typing import Sequence

from flows.drafting.templates import join_names, organisation_shown, quiet_hours_line, render
from flows.policy.findings import with_article
from flows.policy.types import GroupKind
from flows.settings import Settings

# Left in a draft with no agreement link yet, so that D3 says plainly what to put there.
LINK_PLACEHOLDER = "[LINK]"
_MARKED = "They are marked as admins on the participants list below (scroll down to see it)."


def draft_description(
    kind: GroupKind, name: str, settings: Settings, agreement_url: str | None, moderator_names: Sequence[str],
    contact_email: str | None = None, quiet_hours: str | None = None,
) -> str:
    """The text to paste into WhatsApp's Group Info; "" for unofficial kinds, which the app does not draft for."""
    if not kind.official:
        return ""
    org = organisation_shown(kind, name, settings)
    email = contact_email or settings.contact_email
    link = agreement_url.strip() if agreement_url and agreement_url.strip() else LINK_PLACEHOLDER
    names = join_names(moderator_names)
    quiet = quiet_hours_line(kind, quiet_hours)
    if kind is GroupKind.YOUNG_PEOPLE:
        return render(
            "description_young.txt", org=org, a_org=with_article(org), agreement_url=link, email=email,
            quiet_line=quiet,
            admins=join_names(moderator_names, "or") or "the moderators",
            admins_marked="" if names else " " + _MARKED,
        )
    if kind.user_group:
        admins_line = (f"The moderators are {names}. {_MARKED}" if names
                       else "The moderators are marked as admins on the participants list below "
                            "(scroll down to see it).")
        return render("description_adult.txt", org=org, a_org=with_article(org), agreement_url=link, email=email,
                      quiet_line=quiet, admins_line=admins_line)
    admins_line = f"The moderators are {names}." if names else ""
    if kind is GroupKind.PCF_STEERING:
        agreement_line = f" Our agreement is here: {agreement_url.strip()}" if link != LINK_PLACEHOLDER else ""
        return render("description_steering.txt", org=org, email=email, agreement_line=agreement_line,
                      quiet_line=quiet, admins_line=admins_line)
    members = "staff and volunteers" if kind is GroupKind.WORK_VOLUNTEERS else "staff"
    return render("description_work.txt", org=org, members=members, quiet_line=quiet,
                  admins_line=admins_line)
