"""What a change to a group did, in plain sentences both adapters show: to the person who made it, and to the other
moderators. The values are what people typed, so each adapter passes `quote` to make them safe in its own markup."""
from __future__ import annotations

from collections.abc import Callable

from flows.groups.changes import FIELD_WORDS, Change, ChangeResult

Quote = Callable[[str], str]


def what_was_done(result: ChangeResult, quote: Quote = str) -> list[str]:
    """To the person who made the change."""
    lines = []
    if result.added:
        lines.append(f"Added as moderators: {quote(', '.join(result.added))} (asked to confirm they have read the "
                     "policy).")
    if result.removed:
        lines.append(f"No longer moderators: {quote(', '.join(result.removed))}.")
    if "lead" in result.changed:
        lines.append(f"Lead staff moderator: {quote(result.data.get('lead') or 'none')}.")
    if "emergency_contact" in result.changed:
        lines.append(f"Emergency contact: {quote(result.data.get('emergency_contact') or 'none')}.")
    if result.change is Change.DETAILS:
        lines.append(f"Changed: {fields(result.changed)}.")
    return lines


def what_changed(data: dict, moderators: list[str], quote: Quote = str) -> list[str]:
    """To the group's other moderators, from what the notice recorded (flows/groups/notices.py)."""
    changed = data.get("changed") or []
    lines = []
    if data.get("added"):
        lines.append(f"New moderators: {quote(', '.join(data['added']))}.")
    if data.get("removed"):
        lines.append(f"No longer moderating: {quote(', '.join(data['removed']))}.")
    if "lead" in changed:
        lines.append(f"Lead staff moderator: {quote(data.get('lead') or 'nobody')}.")
    if "emergency_contact" in changed:
        lines.append(f"In an emergency, contact: {quote(data.get('emergency_contact') or 'nobody yet')} (M10).")
    if data.get("change") == Change.DETAILS.value:
        lines.append(f"Changed: {fields(changed)}.")
    lines.append(f"The moderators are now: {quote(', '.join(moderators))}.")
    return lines


def fields(changed) -> str:
    return ", ".join(FIELD_WORDS.get(f, f) for f in changed)
