"""Finding the organisation's protected names in a piece of text (N1, N2, U3).

"exact" means a reader would take the text to use the name ("A.M.A.Z.E", "AmazeParents", "amazemums");
"contains" means an ordinary word that happens to contain it ("amazing", "amazed", "paccing").
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Literal

from flows.policy.text import fold_with_index

Strength = Literal["exact", "contains"]

_LEET = str.maketrans({"4": "a", "@": "a", "3": "e", "0": "o", "1": "i", "5": "s", "$": "s"})
_WORD = re.compile(r"[A-Za-z0-9]+")
# camelCase: a new part starts at each capital after a lower-case letter or digit ("AmazeParents", "PaCC").
_PART = re.compile(r"[A-Z]+[a-z0-9]*|[a-z0-9]+")
# Endings that turn a name into an ordinary English word ("amazed", "amazement", "paccing").
ORDINARY_SUFFIXES = frozenset(
    {"s", "es", "d", "ed", "r", "rs", "er", "ers", "ing", "ings", "ingly", "ment", "ments", "ly", "edly", "ness"}
)
# Shorter names only count as whole runs: inside words they would match by accident.
_MIN_INSIDE_WORD = 3


@dataclass(frozen=True)
class NameMatch:
    name: str
    strength: Strength
    # The text as the person wrote it ("A.M.A.Z.E", "amazing").
    matched_text: str
    # Where matched_text is in the original text, for highlighting; -1 when unknown.
    start: int = -1
    end: int = -1

    @property
    def exact(self) -> bool:
        return self.strength == "exact"


@dataclass(frozen=True)
class _Pattern:
    name: str
    folded: str
    stem: str | None


@dataclass(frozen=True)
class _Segments:
    """Words or camelCase parts of a text, joined by `sep` so one str.find scans them all."""

    blob: str
    offsets: tuple[int, ...]  # where each segment starts in blob
    spans: tuple[tuple[int, int], ...]  # each segment's span in the original text

    def segment_at(self, pos: int) -> int:
        return bisect_right(self.offsets, pos) - 1


@dataclass(frozen=True)
class _Prepared:
    text: str
    words: _Segments  # joined with spaces: a match never crosses words
    parts_spaced: _Segments  # camelCase parts joined with spaces
    parts_joined: _Segments  # camelCase parts joined with nothing: a match may span "A.M.A.Z.E"
    boundaries: frozenset[int]


def _normalise_name(name: str) -> str:
    folded, _ = fold_with_index(name)
    return "".join(m.group().lower() for m in _WORD.finditer(folded.translate(_LEET)))


# Public: how the matcher reads a name ("A.M.A.Z.E Chat" -> "amazechat"), for comparing names with each other.
normalise_name = _normalise_name


@lru_cache(maxsize=256)
def _pattern(name: str) -> _Pattern:
    folded = _normalise_name(name)
    # A silent 'e' drops before -ing/-ed: "amaze" -> "amazing". Short names would make stems like "pac".
    stem = folded[:-1] if len(folded) > 4 and folded.endswith("e") else None
    return _Pattern(name, folded, stem)


def _segments(items: list[tuple[str, int, int]], sep: str) -> _Segments:
    offsets, pos = [], 0
    for text, _, _ in items:
        offsets.append(pos)
        pos += len(text) + len(sep)
    return _Segments(sep.join(t for t, _, _ in items), tuple(offsets), tuple((s, e) for _, s, e in items))


# Small: one check() reads the same name and description several times in a row, an audit never twice.
@lru_cache(maxsize=64)
def _prepare(text: str) -> _Prepared:
    folded, index = fold_with_index(text)
    folded = folded.translate(_LEET)
    words, parts = [], []
    for w in _WORD.finditer(folded):
        words.append((w.group().lower(), index[w.start()], index[w.end() - 1] + 1))
        for p in _PART.finditer(w.group()):
            s, e = w.start() + p.start(), w.start() + p.end()
            parts.append((p.group().lower(), index[s], index[e - 1] + 1))
    joined = _segments(parts, "")
    boundaries = frozenset(joined.offsets) | {len(joined.blob)}
    return _Prepared(text, _segments(words, " "), _segments(parts, " "), joined, boundaries)


def _find_all(haystack: str, needle: str) -> Iterable[int]:
    pos = haystack.find(needle)
    while pos != -1:
        yield pos
        pos = haystack.find(needle, pos + 1)


def _found(prep: _Prepared, pat: _Pattern, strength: Strength, segs: _Segments, first: int, last: int) -> NameMatch:
    start, end = segs.spans[first][0], segs.spans[last][1]
    return NameMatch(pat.name, strength, prep.text[start:end], start, end)


def _runs(prep: _Prepared, needle: str) -> Iterable[tuple[int, int]]:
    """Runs of whole parts that spell the needle exactly: "A M A Z E", "P.a.C.C", "Amazing Futures"."""
    segs = prep.parts_joined
    for p in _find_all(segs.blob, needle):
        q = p + len(needle)
        if p in prep.boundaries and q in prep.boundaries:
            yield segs.segment_at(p), segs.segment_at(q - 1)


def _inside(segs: _Segments, needle: str) -> Iterable[tuple[int, str]]:
    """Occurrences inside one word: the word's index, and what follows the needle in that word."""
    for p in _find_all(segs.blob, needle):
        end = segs.blob.find(" ", p)
        yield segs.segment_at(p), segs.blob[p + len(needle):None if end == -1 else end]


def _match_one(prep: _Prepared, pat: _Pattern) -> NameMatch | None:
    if not pat.folded:
        return None
    for first, last in _runs(prep, pat.folded):
        return _found(prep, pat, "exact", prep.parts_joined, first, last)
    contains = None
    if len(pat.folded) >= _MIN_INSIDE_WORD:
        for segs in (prep.words, prep.parts_spaced):
            for i, rest in _inside(segs, pat.folded):
                # "amazemums", "paccgroup", "myamaze" use the name; "amazed", "amazement" are ordinary words.
                if rest not in ORDINARY_SUFFIXES:
                    return _found(prep, pat, "exact", segs, i, i)
                contains = contains or _found(prep, pat, "contains", segs, i, i)
    if contains is None and pat.stem:
        for segs in (prep.words, prep.parts_spaced):
            for i, rest in _inside(segs, pat.stem):
                if rest in ORDINARY_SUFFIXES:  # "amazing", not "amazon"
                    return _found(prep, pat, "contains", segs, i, i)
    return contains


def match_protected_names(text: str, names: Iterable[str]) -> list[NameMatch]:
    """Each protected name found in text, once, with its strongest match; in the order the names were given."""
    if not text:
        return []
    prep = _prepare(text)
    found = []
    for name in dict.fromkeys(names):
        match = _match_one(prep, _pattern(name))
        if match is not None:
            found.append(match)
    return found
