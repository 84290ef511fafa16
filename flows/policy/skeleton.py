"""What a name looks like, not how it was typed: its confusables skeleton (Unicode UTS #39), for N2 and U3.

A Cyrillic 'а', a full-width 'Ａ', a maths-bold '𝐀' and 'rn' for 'm' all read as the letters they imitate, so
the matcher compares skeletons. The skeleton comes from ICU's SpoofChecker, which ships Unicode's own
confusables table; this module only decides what to do with case, accents, emoji and invisible characters.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import icu
from anyascii import anyascii

# Characters that change how text is laid out, not what it says: a right-to-left override makes "ezamA" display as
# "Amaze". A WhatsApp name has no use for them (N6), and matching reads the name in the order it is displayed.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# UTS #39 compares glyph shapes, and digits and signs standing for letters ("4m4z3", "@maze") are a way of
# reading, not a look-alike glyph, so its table has only 0/O and 1/l. These few are added on top.
_READ_AS_LETTERS = {"3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g", "@": "a", "$": "s"}

# Invisible or meaningless for reading: format characters (zero-width joiners, direction marks, soft hyphens),
# surrogates, private use, unassigned, combining marks (stacked "Zalgo" marks hide letters).
_DROPPED = frozenset({"Cf", "Cs", "Co", "Cn", "Mn", "Me"})
_REGIONAL_INDICATORS = range(0x1F1E6, 0x1F200)
# Word break (space) and a break inside one word ("A.M.A.Z.E", "am-aze"): punctuation does not end a word.
SPACE, JOIN = " ", "-"
# A possessive ends the word: "Amaze's mums" uses the name, it is not "amazes".
_APOSTROPHES = frozenset("'\u2019\u02bc")

_checker = icu.SpoofChecker()


@dataclass(frozen=True)
class Skeleton:
    """Lower-case ASCII letters and digits, SPACE between words and JOIN for punctuation inside a word."""

    text: str
    upper: tuple[bool, ...]  # whether each character came from a capital (for camelCase: "AmazeParents")
    index: tuple[int, ...]  # the index of the character in the source text that each one came from


def _plain(text: str) -> str:
    """Accents off (the skeleton is decomposed), and whatever is still not ASCII gone."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _look_alike(ch: str) -> str | None:
    """The ASCII letters one character looks like in Unicode's confusables table, or None."""
    # Lower case first, so that a capital I is an i; a letter whose small form has no Latin twin (Greek 'ε')
    # may still have one as a capital ('Ε' -> 'E').
    for variant in (ch.lower(), ch, ch.upper()):
        shape = _plain(_checker.getSkeleton(0, variant)).lower()
        if shape and shape.isascii() and shape.isalnum():
            return shape
    return None


def _letters(ch: str) -> str | None:
    """The ASCII letters one character looks like, or how it is read; None when it is no letter."""
    shape = _look_alike(ch)
    if shape is not None:
        return shape
    spelt = anyascii(ch).lower()  # a letter from another script with no look-alike: how it is read ('ß', 'ж')
    return spelt if spelt.isalnum() else None


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> tuple[str, bool]:
    """What one source character becomes in the skeleton, and whether it was a capital."""
    cat = unicodedata.category(ch)
    if cat in _DROPPED:
        return "", False
    if cat[0] in "ZC":  # spaces, line breaks, control characters
        return SPACE, False
    if ch in _APOSTROPHES:
        return SPACE, False
    if ch in _READ_AS_LETTERS:
        return _READ_AS_LETTERS[ch], False
    # Before NFKC, which would turn a lunate sigma 'ϲ' (a look-alike of c) into a final sigma 'ς'.
    shape = _look_alike(ch) if unicodedata.category(ch)[0] == "L" else None
    if shape is not None:
        return shape, ch.isupper()
    out = []
    for c in unicodedata.normalize("NFKC", ch):  # full-width, circled and maths letters: plain letters
        c_cat = unicodedata.category(c)
        if c.isascii() and not c.isalnum():
            out.append(SPACE if c.isspace() else JOIN)
        elif c_cat in ("So", "Sk"):
            # Emoji go, but letter-shaped symbols (🅰, 🄰) are letters to a reader.
            spelt = "" if ord(c) in _REGIONAL_INDICATORS else anyascii(c)
            out.append(spelt.lower() if len(spelt) == 1 and spelt.isalnum() else "")
        elif c_cat in _DROPPED:
            continue
        else:
            letters = _letters(c)
            out.append(letters if letters is not None else (JOIN if c_cat[0] in "PS" else ""))
    return "".join(out), ch.isupper()


@lru_cache(maxsize=1024)
def skeleton(text: str) -> Skeleton:
    chars: list[str] = []
    upper: list[bool] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        folded, capital = _fold_char(ch)
        for c in folded:
            # ICU's skeleton of 'm' is 'rn'; folding every 'rn' back to 'm' keeps it one letter, so that a letter
            # missing or swapped is one edit away ("Amze"), and "Arnaze" still reads as "Amaze".
            if c == "n" and chars and chars[-1] == "r":
                chars[-1] = "m"
                continue
            chars.append(c)
            upper.append(capital and c.isalpha())
            index.append(i)
    return Skeleton("".join(chars), tuple(upper), tuple(index))


def has_bidi_controls(text: str) -> bool:
    return not BIDI_CONTROLS.isdisjoint(text)


def displayed(text: str) -> str:
    """The text in the order it is shown: what a right-to-left override makes of it, the controls removed."""
    bidi = icu.Bidi()
    bidi.setPara(icu.UnicodeString(text))
    return str(bidi.writeReordered(icu.Bidi.REMOVE_BIDI_CONTROLS))


def _pictographic(ch: str) -> bool:
    return icu.Char.hasBinaryProperty(ch, icu.UProperty.EXTENDED_PICTOGRAPHIC) or ch == "\ufe0f"


def hidden_characters(text: str) -> list[str]:
    """Invisible formatting characters in text, each once: the joiner inside an emoji (👨‍👩‍👧) and a flag's tag
    letters are how emoji are written, and are not counted."""
    found: dict[str, None] = {}
    for i, ch in enumerate(text):
        if unicodedata.category(ch) != "Cf":
            continue
        if ch == "\u200d" and 0 < i < len(text) - 1 and _pictographic(text[i - 1]) and _pictographic(text[i + 1]):
            continue
        if 0xE0020 <= ord(ch) <= 0xE007F and _in_tag_sequence(text, i):
            continue
        found[ch] = None
    return list(found)


def _in_tag_sequence(text: str, i: int) -> bool:
    """Tag letters after a black flag (🏴 + tags + cancel tag) spell a region's flag, e.g. Scotland's."""
    j = i
    while j > 0 and 0xE0020 <= ord(text[j - 1]) <= 0xE007F:
        j -= 1
    return j > 0 and text[j - 1] == "\U0001f3f4"


def character_name(ch: str) -> str:
    return unicodedata.name(ch, f"U+{ord(ch):04X}").lower()
