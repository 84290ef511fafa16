"""What a card's inputs sent, read safely: anything a Teams card could not have sent (a number for a text, a person
that is not a person id) reads as left empty."""
from __future__ import annotations

import re

PERSON_ID = re.compile(r"^p[0-9a-f]{16}$")


def people(value: object) -> list[str]:
    """A multi-select of people: person ids, comma-separated, each once."""
    if not isinstance(value, str):
        return []
    return list(dict.fromkeys(p.strip() for p in value.split(",") if PERSON_ID.match(p.strip())))


def one_person(value: object) -> str | None:
    chosen = people(value)
    return chosen[0] if len(chosen) == 1 else None


def text(value: object) -> str | None:
    return value if isinstance(value, str) else None
