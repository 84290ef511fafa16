"""The policy's model texts live in texts/*.txt; this fills them in."""
from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from string import Template
from typing import Sequence

from flows.policy.matcher import match_protected_names
from flows.policy.names import own_names
from flows.policy.types import GroupKind
from flows.settings import Settings

_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")


@lru_cache(maxsize=None)
def _template(name: str) -> Template:
    return Template(files("flows.drafting").joinpath("texts", name).read_text(encoding="utf-8"))


def render(template: str, **values: str) -> str:
    # Optional lines that render empty would leave gaps; one blank line between paragraphs is enough.
    text = _template(template).substitute(**values)
    return _BLANK_LINES.sub("\n\n", text).strip()


def join_names(names: Sequence[str], conjunction: str = "and") -> str:
    names = [n.strip() for n in names if n and n.strip()]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {conjunction} {names[-1]}"


def organisation_shown(kind: GroupKind, name: str, settings: Settings) -> str:
    """The name to show in drafts ("Amazing Futures", "PaCC"): the one the group's name carries, else the first."""
    candidates = own_names(kind, settings)
    carried = [m.name for m in match_protected_names(name or "", candidates) if m.exact]
    if carried:
        return max(carried, key=len)
    return candidates[0] if candidates else "Amaze"


def quiet_line(quiet_hours: str | None, default: str = "") -> str:
    if not quiet_hours or not quiet_hours.strip():
        return default
    text = quiet_hours.strip()
    return f"Quiet hours: {text}{'' if text[-1] in '.!?' else '.'}"



# The policy's model for young people's groups: every text drafted for one says this hour unless the group gave its
# own quiet hours.
YOUNG_PEOPLE_QUIET_HOUR = "8pm"


def quiet_hours_line(kind: GroupKind, quiet_hours: str | None) -> str:
    """The one quiet-hours line every text of a group says: the group's own answer when it gave one; else, for a
    young people's group, the policy's model line; else nothing."""
    default = (f"No messages after {YOUNG_PEOPLE_QUIET_HOUR} (people need their beauty sleep)."
               if kind is GroupKind.YOUNG_PEOPLE else "")
    return quiet_line(quiet_hours, default)
