"""Moderators' reminders as Teams cards, for those that carry more than a line: A3's message to paste (the group's
own agreement link, or the drafted agreement when it has none), and L5's lists of who has not answered. The
answers themselves are given in the App Home ("home")."""
from __future__ import annotations

from datetime import datetime

from flows.moderation.chase_notices import Listed
from flows.moderation.chasing import Asked
from flows.moderation.queries import local_date, long_date
from teams.cards.common import bullets, card, heading, note, pasteable

WHAT = {
    Asked.CONFIRMATION: "has not confirmed they have read the policy and the group agreement (M8)",
    Asked.CHECKIN: "has not said whether they can go on moderating (M9)",
}


def circulation_card(group_name: str, due_on, pasted: str, has_link: bool):
    lines = [f"The agreement of {group_name} is due to be circulated to all its members by {long_date(due_on)} (A3)."]
    if has_link:
        lines.append("Paste this into the group: it points to the group's own agreement. Then type “home” and "
                     "press Circulated.")
    else:
        lines.append("The group has no published agreement link yet, so here is the agreement drafted from the "
                     "policy's template: check it, paste it into the group, then type “home” and press Circulated. To "
                     "add its link: type “home”, press Change details on the group, and fill in Link to the group "
                     "agreement.")
    title = "Message to paste into the WhatsApp group" if has_link else "Group agreement (paste into WhatsApp)"
    return card([heading(f"Time to circulate the group agreement: {group_name}"), *map(note, lines),
                 *pasteable(title, pasted)], fallback=f"Time to circulate the agreement of {group_name} (A3)")


def unanswered_card(items: list[Listed], now: datetime, lead_names: dict[str, str], for_managers: bool):
    waiting = [i for i in items if not i.answered or for_managers]
    if for_managers:
        lead = ("Moderators who have not answered (L5). They were asked, then asked again, and their lead staff "
                "moderator was told where the group has one. Please follow these up:")
    else:
        lead = (f"Not answered yet in {items[0].group_name} (L5). As its lead staff moderator, please have a word "
                "with them; if nobody answers, the managers are told.")
    lines = [_line(i, now, lead_names, for_managers) for i in waiting] or ["Everyone has answered since."]
    return card([heading("Not answered yet"), note(lead), bullets(lines)], fallback="Moderators have not answered (L5)")


def _line(item: Listed, now: datetime, lead_names: dict[str, str], for_managers: bool) -> str:
    said = f"{item.moderator_name} {WHAT[item.asked]}, asked on {long_date(local_date(item.asked_at))}"
    if not for_managers:
        return f"{said}, and asked again since."
    days = (now - item.asked_at).days
    said = f"{item.group_name}: {said} ({days} day{'s' * (days != 1)} ago)."
    if item.answered:
        return f"{said} They have answered since."
    lead = lead_names.get(item.lead_person_id or "")
    return f"{said} Lead staff moderator: {lead}." if lead else f"{said} The group has no lead staff moderator."
