"""Folding text to plain ASCII so rules see what a reader sees, not how it was typed.

People (and people trying to get round a rule) write names and descriptions with full-width letters,
Cyrillic or Greek look-alikes, maths alphabets, zero-width characters and emoji. A reader sees "Amaze" in all of
them, so the rules must too.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

# What nobody means to type into a form: control characters (NUL among them, which PostgreSQL cannot store).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# Invisible or meaningless for reading: format characters (zero-width joiners, direction marks), surrogates,
# private use, unassigned, combining marks (accents already folded; stacked "Zalgo" marks hide letters).
_DROPPED = frozenset({"Cf", "Cs", "Co", "Cn", "Mn", "Me"})
_SYMBOLS = frozenset({"So", "Sk"})
# Flags are pairs of regional-indicator letters; as letters they would glue "GB" onto the next word.
_REGIONAL_INDICATORS = range(0x1F1E6, 0x1F200)


def _fold_char(ch: str) -> str:
    cat = unicodedata.category(ch)
    if cat in _DROPPED:
        return ""
    if cat[0] in "ZC":  # spaces, line breaks, control characters: keep as word breaks
        return " "
    if cat in _SYMBOLS:
        # Emoji go, but letter-shaped symbols (🅰, 🄰) are letters to a reader.
        if ord(ch) in _REGIONAL_INDICATORS:
            return ""
        folded = anyascii(ch)
        return folded if len(folded) == 1 and folded.isalnum() else ""
    return anyascii(ch)


@lru_cache(maxsize=8192)
def _fold_one(ch: str) -> str:
    return "".join(_fold_char(c) for c in unicodedata.normalize("NFKC", ch))


def fold_with_index(text: str) -> tuple[str, tuple[int, ...]]:
    """ASCII text in the original case, and for each of its characters the index of the source character."""
    if text.isascii():
        return text, tuple(range(len(text)))
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        folded = ch if ch.isascii() else _fold_one(ch)
        out.append(folded)
        index.extend([i] * len(folded))
    return "".join(out), tuple(index)


@lru_cache(maxsize=256)
def fold(text: str) -> str:
    """ASCII text in the original case: look-alikes, accents and full-width letters as plain letters."""
    return fold_with_index(text)[0]


def without_control_characters(text: str) -> str:
    """Typed text as it can be stored and shown: control characters gone, line breaks as "\\n", tabs kept."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
