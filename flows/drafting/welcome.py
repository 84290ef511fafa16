"""S3: the message moderators send when the group starts and whenever someone joins."""
from __future__ import annotations

from typing import Sequence

from flows.drafting.descriptions import LINK_PLACEHOLDER
from flows.drafting.templates import join_names, render
from flows.policy.types import GroupKind
from flows.settings import Settings

_STANDARDS = ("The same standards of behaviour apply here as in the office or when volunteering: what would be "
              "misconduct in person is misconduct here too.")
_NOT_FOR = ("This group is not the way to call in sick or raise a safeguarding concern, and no one is expected to "
            "read it outside their working or volunteering hours.")
_WORK_LINES = {
    GroupKind.WORK_VOLUNTEERS: "Work messages only: never name the people we support (use initials or a Charity Log "
                               f"reference). {_STANDARDS} {_NOT_FOR}",
    GroupKind.PCF_STEERING: "In this chat we keep to the same standards as at our steering group meetings, and keep "
                            f"what is said here confidential. {_NOT_FOR}",
}
_WORK_LINES[GroupKind.WORK_STAFF] = _WORK_LINES[GroupKind.WORK_VOLUNTEERS]


def draft_welcome_message(
    kind: GroupKind, name: str, settings: Settings, agreement_url: str | None = None,
    moderator_names: Sequence[str] = (), contact_email: str | None = None,
) -> str:
    """Points to the description and the agreement, and says the phone number is shared and joining is consent."""
    if not kind.official:
        return ""
    link = agreement_url.strip() if agreement_url and agreement_url.strip() else LINK_PLACEHOLDER
    if kind is GroupKind.YOUNG_PEOPLE:
        return render("welcome_young.txt", name=name.strip(), agreement_url=link,
                      admins=join_names(moderator_names, "or") or "a moderator")
    if kind.user_group:
        names = join_names(moderator_names)
        return render("welcome_adult.txt", name=name.strip(), agreement_url=link,
                      admins=f" ({names})" if names else "", email=contact_email or settings.contact_email)
    agreement_line = f" Our group agreement is here: {link}" if link != LINK_PLACEHOLDER else ""
    return render("welcome_work.txt", name=name.strip(), agreement_line=agreement_line, work_line=_WORK_LINES[kind])
