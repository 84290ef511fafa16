"""Short constructors so each rule reads as its id, its message and its fix."""
from __future__ import annotations

from flows.policy.types import Finding, Severity


def block(rule: str, message: str, fix: str = "", field: str = "name") -> Finding:
    return Finding(rule=rule, severity=Severity.BLOCK, message=message, fix=fix, field=field)


def advice(rule: str, message: str, fix: str = "", field: str = "name") -> Finding:
    return Finding(rule=rule, severity=Severity.ADVICE, message=message, fix=fix, field=field)


def quoted_list(items: list[str], conjunction: str = "or") -> str:
    """'Amaze', 'Amazing Futures' or 'PaCC': names as a person would list them."""
    quoted = [f"'{item}'" for item in items]
    if len(quoted) <= 1:
        return "".join(quoted)
    return f"{', '.join(quoted[:-1])} {conjunction} {quoted[-1]}"


def with_article(name: str) -> str:
    """'an Amaze', 'an ESPCF' (said letter by letter), 'a PaCC'."""
    first = name[:1]
    if name.isupper() and len(name) > 1:
        vowel_sound = first in "AEFHILMNORSX"
    else:
        vowel_sound = first.lower() in "aeiou"
    return f"{'an' if vowel_sound else 'a'} {name}"
