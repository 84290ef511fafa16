"""N1-N6: what a group's name must (and must not) say."""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable

from flows.policy.findings import advice, block, quoted_list
from flows.policy.matcher import match_protected_names
from flows.policy.skeleton import BIDI_CONTROLS, character_name, hidden_characters
from flows.policy.text import fold
from flows.policy.types import Finding, GroupKind
from flows.settings import Settings

_WORDS = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    return _WORDS.findall(fold(text).lower())


def has_marker(text: str, markers: Iterable[str]) -> str | None:
    """The first marker ("social", "not official") found in text as whole words; a plural 's' is fine."""
    words = _words(text)
    for marker in markers:
        wanted = _words(marker)
        n = len(wanted)
        if not n:
            continue
        for i in range(len(words) - n + 1):
            window = words[i:i + n]
            if window[:-1] == wanted[:-1] and window[-1] in (wanted[-1], wanted[-1] + "s"):
                return marker
    return None


def own_names(kind: GroupKind, settings: Settings) -> list[str]:
    """The names that mark a group of this kind as official: the forum's for PCF kinds, Amaze's for the rest."""
    return list(settings.forum_names if kind.pcf else settings.organisation_names)


def n1_official_name(kind: GroupKind, name: str, settings: Settings) -> list[Finding]:
    if not kind.official or not name.strip():
        return []
    names = own_names(kind, settings)
    if any(m.exact for m in match_protected_names(name, names, near_misses=False)):
        return []
    if kind.pcf:
        fix = f"Put {quoted_list(names[:2])} in the name, for example '{names[0]} members chat'."
        who = "a Parent Carer Forum"
    else:
        fix = (f"Put {quoted_list(names)} in the name, for example '{names[0]} Brighton parent carers'."
               if names else "Put the organisation's name in the group name.")
        who = "an Amaze"
    other = settings.organisation_names if kind.pcf else settings.forum_names
    if any(m.exact for m in match_protected_names(name, other, near_misses=False)):
        fix += " If this is really a group of the other organisation, choose that kind of group instead."
    return [block("N1", f"The name does not show that this is {who} group.", fix)]


def n2_no_protected_name(kind: GroupKind, name: str, settings: Settings) -> list[Finding]:
    if kind.official:
        return []
    matches = match_protected_names(name, settings.protected_names)
    exact = [m for m in matches if m.uses_name]
    if exact:
        used = "; ".join(_how_used(m) for m in exact)
        return [block(
            "N2",
            f"The name uses {used}. Groups that Amaze or the forums do not run must not use their names, "
            "so that no one mistakes the group for an official one.",
            f"Choose a name without {quoted_list([m.name for m in exact])}, for example 'Hove parents social'.",
        )]
    return [
        advice(
            "N2",
            f"The word '{_shown(m.matched_text)}' looks like '{m.name}'. It is allowed, but people may still confuse "
            "the group with an official one.",
            "Consider a different word.",
        )
        for m in matches
    ]


def n6_no_hidden_characters(kind: GroupKind, name: str, settings: Settings) -> list[Finding]:
    hidden = hidden_characters(name)
    if not hidden:
        return []
    if any(ch in BIDI_CONTROLS for ch in hidden):
        why = "They can make a name display as something other than what it says."
    else:
        why = "Nobody can see them, and they can hide a name inside another."
    listed = ", ".join(character_name(ch) for ch in hidden[:3]) + (" …" if len(hidden) > 3 else "")
    return [block(
        "N6",
        f"The name has characters that change how text is shown or are invisible ({listed}). {why}",
        "Type the name again by hand rather than pasting it, using only letters, numbers, spaces and emoji.",
    )]


def n3_unofficial_marker(kind: GroupKind, name: str, settings: Settings) -> list[Finding]:
    if kind.official or not name.strip() or has_marker(name, settings.unofficial_markers):
        return []
    return [block(
        "N3",
        "The name does not make clear that this is an unofficial group.",
        f"Add a word such as {quoted_list(settings.unofficial_markers[:3])} to the name, "
        "for example 'Hove parents social'.",
    )]


def n4_work_marker(kind: GroupKind, name: str, settings: Settings) -> list[Finding]:
    if not kind.work or not name.strip() or has_marker(name, settings.work_markers):
        return []
    return [advice(
        "N4",
        "The name does not make clear that this is a work group.",
        f"Consider adding a word such as {quoted_list(settings.work_markers[:3])}, for example 'Amaze SENDIASS team'.",
    )]


def n5_length(kind: GroupKind, name: str, settings: Settings) -> list[Finding]:
    limit = settings.whatsapp_subject_limit
    if not name.strip():
        return [block("N5", "The group has no name.", "Type a name for the group.")]
    if len(name.strip()) > limit:
        over = len(name.strip()) - limit
        return [block(
            "N5",
            f"The name is {len(name.strip())} characters long; WhatsApp allows {limit}.",
            f"Shorten it by at least {over} character{'s' if over != 1 else ''}.",
        )]
    return []


NAME_RULES = (
    n5_length, n6_no_hidden_characters, n1_official_name, n2_no_protected_name, n3_unofficial_marker, n4_work_marker,
)


def _how_used(match) -> str:
    shown = _shown(match.matched_text)
    if not match.exact:
        return f"'{match.name}' (written '{shown}', close enough to be taken for it)"
    return f"'{match.name}'" + (f" (written '{shown}')" if shown != match.name else "")


def _shown(text: str, limit: int = 40) -> str:
    """What was typed, quoted back: enough to recognise (a name padded with thousands of dots is not repeated).
    Invisible characters stay out: a right-to-left override would turn the message around too."""
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
