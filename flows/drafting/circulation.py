"""A3: the yearly message that circulates a group's own published agreement to its members (pasted into WhatsApp)."""
from __future__ import annotations


def draft_circulation(group_name: str, agreement_url: str) -> str:
    return (f"Once a year we share the group agreement of {group_name} again, so that everyone knows how the group "
            f"works and what we all agreed to when we joined. Please take a moment to read it: {agreement_url}")
