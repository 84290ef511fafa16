"""S1-S4 and the other things to do in WhatsApp when setting up a group."""
from __future__ import annotations

from dataclasses import dataclass

from flows.policy.types import GroupKind


@dataclass(frozen=True)
class ChecklistItem:
    rule: str
    text: str


_S1 = ChecklistItem("S1", "In WhatsApp, open Group info > Group settings > Edit group settings and choose "
                          "'Only admins', so only admins (the moderators) can change the name, description and "
                          "picture.")
_S2 = ChecklistItem("S2", "In Group settings, set 'Add other members' to 'Only admins'. Members can still suggest "
                          "people to the moderators.")
_ADMINS = ChecklistItem("D4", "Make every moderator a group admin (Group info > tap their name > Make group admin), "
                              "so they are marked as admins on the participants list.")
_S3 = ChecklistItem("S3", "Send the welcome message when the group starts and every time someone joins.")
_A3 = ChecklistItem("A3", "Send the group agreement to every new member, and to everyone in the group at least "
                          "once a year.")
_M11 = ChecklistItem("M11", "Staff: join the group with a work mobile number, not a personal one.")
_S4 = ChecklistItem("S4", "Record each member on Charity Log. Never keep members' phone numbers anywhere else "
                          "(not in this app, spreadsheets or other lists).")
_W1 = ChecklistItem("W1", "Remind members: never name the people we support (initials or Charity Log references "
                          "only), keep messages brief and practical, no discussion of individual cases.")
_W2 = ChecklistItem("W2", "Remind members: WhatsApp is not the way to report sickness or a safeguarding concern; "
                          "follow up important information by email; no one has to read the group outside their "
                          "hours.")


def settings_checklist(kind: GroupKind) -> list[ChecklistItem]:
    """What to do in WhatsApp for this kind of group; nothing for unofficial groups, which the app does not run."""
    if not kind.official:
        return []
    items = [_S1]
    if kind.user_group:
        items.append(_S2)
    if kind.needs_moderators:
        items.append(_ADMINS)
    items.append(_S3)
    if kind.user_group:
        items.append(_A3)
    items.append(_M11)
    if kind.user_group:
        items.append(_S4)
    if kind.work:
        items += [_W1, _W2]
    return items
