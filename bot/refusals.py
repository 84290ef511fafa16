"""How a refusal for want of an answer about the person is worded, in one place for every listener."""
from __future__ import annotations

from flows.directory.service import Refusal

WORDING = {
    Refusal.ROLE_UNCONFIRMED: (
        "I can't confirm your role right now (Slack isn't answering). Nothing was changed; please try again in a "
        "minute."
    ),
}


def word(reason: Refusal) -> str:
    return WORDING[reason]
