"""W1-W2: advice for official work groups, shown until the description says it."""
from __future__ import annotations

import re

from flows.policy.descriptions import prose_of
from flows.policy.findings import advice
from flows.policy.types import Finding, GroupKind

_I = re.IGNORECASE
_ANONYMOUS = re.compile(r"\binitials\b|\bcharity ?log\b", _I)
_FOLLOW_UP = re.compile(r"\be-?mail\w*\b", _I)
_SERIOUS = re.compile(r"\b(?:sick\w*|ill|illness|safeguarding|serious|formal)\b", _I)


def w1_no_users_named(kind: GroupKind, description: str | None) -> list[Finding]:
    if not kind.work or prose_of(description or "").has(_ANONYMOUS):
        return []
    return [advice(
        "W1", "In work groups no one we support is named: use initials or a Charity Log reference, keep messages "
              "brief and practical, and do not discuss individual cases.",
        "Say this in the description so every member sees it.", "description",
    )]


def w2_not_the_only_channel(kind: GroupKind, description: str | None) -> list[Finding]:
    prose = prose_of(description or "")
    if not kind.work or prose.has(_FOLLOW_UP) and prose.has(_SERIOUS):
        return []
    return [advice(
        "W2", "WhatsApp must not be the only way to report serious or formal matters such as sickness or a "
              "safeguarding concern; important information is followed up by email, and no one has to read the "
              "group outside their hours.",
        "Say this in the description so every member sees it.", "description",
    )]
