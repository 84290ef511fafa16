"""Finding the organisation's protected names in a piece of text (N1, N2, U3).

Text and names are compared as confusables skeletons (flows/policy/skeleton.py), so look-alike letters from
other scripts, full-width and maths letters, "rn" for "m", digits for letters and zero-width characters all read
as the letters they imitate; a right-to-left override is read in the order it is displayed.

"exact" means a reader would take the text to use the name ("A.M.A.Z.E", "AmazeParents", "amazemums");
"near" means a near miss of it: a letter missing, doubled, swapped or changed ("Amzae", "PaaCC"), a word of a
long form changed or left out ("East Sussex Parent Forum"); "contains" means ordinary words that happen to
contain or spell it ("amazing", "amazed", "paccing", "a maze").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator, Literal

from rapidfuzz.distance import OSA, Levenshtein
from wordfreq import zipf_frequency

from flows.policy.skeleton import JOIN, SPACE, displayed, has_bidi_controls, skeleton
from flows.policy.text import fold_with_index

Strength = Literal["exact", "near", "contains"]
_RANK = {"exact": 0, "near": 1, "contains": 2}

_LEET = str.maketrans({"4": "a", "@": "a", "3": "e", "0": "o", "1": "i", "5": "s", "$": "s"})
_WORD = re.compile(r"[A-Za-z0-9]+")
# Endings that turn a name into an ordinary English word ("amazed", "amazement", "paccing").
ORDINARY_SUFFIXES = frozenset(
    {"s", "es", "d", "ed", "r", "rs", "er", "ers", "ing", "ings", "ingly", "ment", "ments", "ly", "edly", "ness"}
)
_SUFFIXES = frozenset(skeleton(s).text for s in ORDINARY_SUFFIXES)
# Shorter names only count as whole words: inside words they would match by accident.
_MIN_INSIDE_WORD = 3
# A name word this long may differ by any one letter ("Amase", "Forun"); a shorter one only by a letter doubled
# or two swapped ("PaaCC", "PCaC"): one changed letter of four makes ordinary words ("pace", "pack").
_ANY_EDIT_FROM = 5
# Words this common in English (wordfreq's Zipf scale: 3 is about once per million words) are ordinary words,
# never a near miss of a name on their own ("maze" is one letter from "amaze").
_ORDINARY_ZIPF = 3.0
# A name split in two by a space is ordinary words only if each piece is a common word ("a maze"), not "ama ze".
_ORDINARY_PIECE_ZIPF = 3.5
# A long form written as one word ("EastSussexParentCarersForum") may be one edit from the name.
_JOINED_NEAR_FROM = 10
# Near misses of a long form: at most this many of its words changed or left out.
_MAX_WORDS_OFF = 2


@dataclass(frozen=True)
class NameMatch:
    name: str
    strength: Strength
    # The text as the person wrote it ("A.M.A.Z.E", "amazing").
    matched_text: str
    # Where matched_text is in the original text, for highlighting; -1 when unknown (a reordered display).
    start: int = -1
    end: int = -1

    @property
    def exact(self) -> bool:
        return self.strength == "exact"

    @property
    def uses_name(self) -> bool:
        """A reader would take the text for the name: written as it is, disguised, or as a near miss."""
        return self.strength != "contains"


@dataclass(frozen=True)
class _Pattern:
    name: str
    words: tuple[str, ...]  # the name's words as skeletons
    plain_words: tuple[str, ...]  # and as typed, accents off, when they line up with the skeletons
    joined: str
    stem: str | None


@dataclass(frozen=True)
class _Unit:
    """A word (between spaces) or a camelCase part of one, as a skeleton, with its span in the source text."""

    text: str
    start: int
    end: int
    plain: str  # the letters as typed, accents off: for telling an ordinary English word


@dataclass(frozen=True)
class _Prepared:
    text: str
    words: tuple[_Unit, ...]
    parts: tuple[_Unit, ...]  # camelCase parts in order, across words: "AmazingFutures" -> amazing, futures
    # For each word, its parts' end offsets within the word: a match inside a word ends at one of them or not.
    part_ends: tuple[frozenset[int], ...]
    # Where the words and parts of each length are (as skeleton or as typed), so that a long description is
    # compared only with the few words long enough to be a slip from a name's word.
    words_by_length: dict[int, tuple[int, ...]]
    parts_by_length: dict[int, tuple[int, ...]]
    letters: str  # every word run together: a name not in it is in no word and spelt over no words


def _normalise_name(name: str) -> str:
    folded, _ = fold_with_index(name)
    return "".join(m.group().lower() for m in _WORD.finditer(folded.translate(_LEET)))


# Public: how reports read a name ("A.M.A.Z.E Chat" -> "amazechat") to link reports of one group. Kept as it was
# when cases were first stored, so that a new report still finds the open case of the same group.
normalise_name = _normalise_name


@lru_cache(maxsize=256)
def _pattern(name: str) -> _Pattern:
    words = tuple(w.replace(JOIN, "") for w in skeleton(name).text.split(SPACE))
    words = tuple(w for w in words if w)
    joined = "".join(words)
    plain = tuple(_plain_letters(w) for w in name.split())
    # A silent 'e' drops before -ing/-ed: "amaze" -> "amazing". Short names would make stems like "pac".
    stem = joined[:-1] if len(joined) > 4 and joined.endswith("e") else None
    return _Pattern(name, words, plain if len(plain) == len(words) else words, joined, stem)


@lru_cache(maxsize=4096)
def _plain_letters(text: str) -> str:
    return "".join(c for c in fold_with_index(text)[0].lower() if c.isalnum())


def _units(text: str) -> tuple[list[_Unit], list[_Unit], list[frozenset[int]]]:
    sk = skeleton(text)
    words: list[_Unit] = []
    parts: list[_Unit] = []
    part_ends: list[frozenset[int]] = []
    pos, n = 0, len(sk.text)
    while pos < n:
        if sk.text[pos] == SPACE:
            pos += 1
            continue
        end = sk.text.find(SPACE, pos)
        end = n if end == -1 else end
        if JOIN not in sk.text[pos:end] and not any(sk.upper[pos + 1:end]):
            # Most words: no punctuation, no capital after the first letter, so one part, the word itself.
            start, stop = sk.index[pos], sk.index[end - 1] + 1
            word = _Unit(sk.text[pos:end], start, stop, _plain_letters(text[start:stop]))
            words.append(word)
            parts.append(word)
            part_ends.append(frozenset())
            pos = end
            continue
        letters = [i for i in range(pos, end) if sk.text[i] != JOIN]
        if letters:
            word_parts = _split_parts(sk, pos, end, letters)
            words.append(_unit(text, sk, letters))
            parts.extend(_unit(text, sk, p) for p in word_parts)
            # Only camelCase ends: after punctuation a word goes on ("Amaze-ing" is "amazeing").
            ends, count = set(), 0
            for p in word_parts:
                if count and sk.upper[p[0]]:
                    ends.add(count)
                count += len(p)
            part_ends.append(frozenset(ends))
        pos = end
    return words, parts, part_ends


def _split_parts(sk, start: int, end: int, letters: list[int]) -> list[list[int]]:
    """camelCase parts: a new part at each capital after a small letter or digit, and at punctuation."""
    parts: list[list[int]] = [[]]
    previous = None
    for i in letters:
        after_join = previous is not None and any(sk.text[j] == JOIN for j in range(previous + 1, i))
        camel = previous is not None and sk.upper[i] and not sk.upper[previous]
        if parts[-1] and (after_join or camel):
            parts.append([])
        parts[-1].append(i)
        previous = i
    return parts


def _unit(text: str, sk, chars: list[int]) -> _Unit:
    start, end = sk.index[chars[0]], sk.index[chars[-1]] + 1
    return _Unit("".join(sk.text[i] for i in chars), start, end, _plain_letters(text[start:end]))


# Small: one check() reads the same name and description several times in a row, an audit never twice.
@lru_cache(maxsize=64)
def _prepare(text: str) -> _Prepared:
    words, parts, part_ends = _units(text)
    return _Prepared(text, tuple(words), tuple(parts), tuple(part_ends), _by_length(words), _by_length(parts),
                     "".join(w.text for w in words))


def _by_length(units: list[_Unit]) -> dict[int, tuple[int, ...]]:
    found: dict[int, list[int]] = {}
    for i, unit in enumerate(units):
        for length in {len(unit.text), len(unit.plain)}:
            found.setdefault(length, []).append(i)
    return {length: tuple(at) for length, at in found.items()}


@lru_cache(maxsize=8192)
def _ordinary(plain: str, zipf: float = _ORDINARY_ZIPF) -> bool:
    # The small list holds every word at Zipf 3 or more, all that the thresholds ask about, in 4 MiB instead of 35.
    return bool(plain) and zipf_frequency(plain, "en", wordlist="small") >= zipf


def _ordinary_piece(plain: str) -> bool:
    # Letters and two-letter pieces ("PaC C", "Pa CC", "ESP CF") are the name cut up; "a" and "I" are words.
    return (len(plain) > 2 or plain in ("a", "i")) and _ordinary(plain, _ORDINARY_PIECE_ZIPF)


def _find_all(haystack: str, needle: str) -> Iterator[int]:
    pos = haystack.find(needle)
    while pos != -1:
        yield pos
        pos = haystack.find(needle, pos + 1)


def _found(prep: _Prepared, pat: _Pattern, strength: Strength, first: _Unit, last: _Unit) -> NameMatch:
    return NameMatch(pat.name, strength, prep.text[first.start:last.end], first.start, last.end)


def _inside_words(prep: _Prepared, pat: _Pattern) -> NameMatch | None:
    """The name inside one word: "amazemums", "A.M.A.Z.E" use it; "amazed", "amazement" are ordinary words."""
    needles = [pat.joined] if len(pat.joined) >= _MIN_INSIDE_WORD else []
    contains = None
    for word, ends in zip(prep.words, prep.part_ends):
        if len(pat.joined) < _MIN_INSIDE_WORD and word.text == pat.joined:
            return _found(prep, pat, "exact", word, word)
        for needle in needles:
            for p in _find_all(word.text, needle):
                q = p + len(needle)
                # What follows the name up to the end of its camelCase part: "AmazedMums" -> "d".
                rest = word.text[q:min((e for e in ends if e >= q), default=len(word.text))]
                if rest not in _SUFFIXES:
                    return _found(prep, pat, "exact", word, word)
                contains = contains or _found(prep, pat, "contains", word, word)
        if contains is None and pat.stem and len(pat.stem) >= _MIN_INSIDE_WORD:
            for p in _find_all(word.text, pat.stem):
                q = p + len(pat.stem)
                rest = word.text[q:min((e for e in ends if e >= q), default=len(word.text))]
                if rest in _SUFFIXES:  # "amazing", not "amazon"
                    contains = _found(prep, pat, "contains", word, word)
    return contains


def _across_words(prep: _Prepared, pat: _Pattern) -> NameMatch | None:
    """The name spelt over several words: "A M A Z E" and "Amazing Futures" use it, "ama ze" is a near miss,
    "a maze" is ordinary words."""
    words = prep.words
    weakest = None
    for i in range(len(words)):
        if not pat.joined.startswith(words[i].text) or len(words[i].text) == len(pat.joined):
            continue
        spelt, j = "", i
        while j < len(words) and len(spelt) < len(pat.joined):
            spelt += words[j].text
            j += 1
        if j - i < 2 or spelt != pat.joined:
            continue
        pieces = words[i:j]
        if all(len(w.text) == 1 for w in pieces) or tuple(w.text for w in pieces) == pat.words:
            return _found(prep, pat, "exact", pieces[0], pieces[-1])
        if all(_ordinary_piece(w.plain) for w in pieces):
            weakest = weakest or _found(prep, pat, "contains", pieces[0], pieces[-1])
        else:
            return _found(prep, pat, "near", pieces[0], pieces[-1])
    return weakest


def near_word(candidate: str, word: str) -> bool:
    """One slip away from a name's word: a letter doubled or two swapped; for longer words any one letter."""
    if candidate == word:
        return False
    if len(word) >= _ANY_EDIT_FROM:
        return OSA.distance(candidate, word, score_cutoff=1) <= 1
    if len(candidate) == len(word):
        return OSA.distance(candidate, word, score_cutoff=1) == 1 and sorted(candidate) == sorted(word)
    if len(candidate) == len(word) + 1 and Levenshtein.distance(candidate, word, score_cutoff=1) == 1:
        return any(candidate[:k] + candidate[k + 1:] == word and candidate[k] in candidate[max(k - 1, 0):k] +
                   candidate[k + 1:k + 2] for k in range(len(candidate)))
    return False


def _near_one_word(prep: _Prepared, pat: _Pattern) -> NameMatch | None:
    for units, by_length in ((prep.words, prep.words_by_length), (prep.parts, prep.parts_by_length)):
        for i in sorted(_candidates(by_length, pat.joined, pat.plain_words[0])):
            if _near_unit(units[i], pat):
                return _found(prep, pat, "near", units[i], units[i])
    return None


def _near_unit(unit: _Unit, pat: _Pattern) -> bool:
    return _one_slip(unit, pat.joined, pat.plain_words[0]) and not _ordinary(unit.plain)


def _candidates(by_length: dict[int, tuple[int, ...]], *words: str) -> set[int]:
    return {i for word in words for length in range(len(word) - 1, len(word) + 2) for i in by_length.get(length, ())}


def _slips(units: tuple[_Unit, ...], by_length: dict[int, tuple[int, ...]], pat: _Pattern,
           may_miss: int) -> list[dict[int, int]] | None:
    """For each of the name's words, the units that spell it (0) or are one slip from it (1), by position;
    None as soon as more than may_miss of its words are nowhere."""
    found: list[dict[int, int]] = []
    for word, plain in zip(pat.words, pat.plain_words):
        at = {}
        for i in _candidates(by_length, word, plain):
            unit = units[i]
            if unit.text == word:
                at[i] = 0
            elif _one_slip(unit, word, plain):
                at[i] = 1
        if not at:
            may_miss -= 1
            if may_miss < 0:
                return None
        found.append(at)
    return found


def _one_slip(unit: _Unit, word: str, plain: str) -> bool:
    return _slip(unit.text, unit.plain, word, plain)


# The same few words come back in every name and description ("parents", "social"): pure, so cached.
@lru_cache(maxsize=65536)
def _slip(text: str, text_plain: str, word: str, plain: str) -> bool:
    # As typed too: the skeleton reads "rn" as "m", which makes "Parnet" two slips from "parent".
    return (abs(len(text) - len(word)) <= 1 and near_word(text, word)) or \
        (abs(len(text_plain) - len(plain)) <= 1 and near_word(text_plain, plain))


def _window_off(slips: list[dict[int, int]], start: int, words: list[int]) -> int | None:
    """How many words differ when units from `start` on are the given name words in order; None if one isn't."""
    off = 0
    for step, w in enumerate(words):
        slip = slips[w].get(start + step)
        if slip is None:
            return None
        off += slip
    return off


def _near_long_form(prep: _Prepared, pat: _Pattern) -> NameMatch | None:
    k = len(pat.words)
    for units, by_length in ((prep.parts, prep.parts_by_length), (prep.words, prep.words_by_length)):
        slips = _slips(units, by_length, pat, may_miss=1 if k >= 4 else 0)
        if slips is None:
            continue
        every = list(range(k))
        for i in range(len(units) - k + 1):
            off = _window_off(slips, i, every)
            if off is not None and 0 < off <= min(_MAX_WORDS_OFF, k - 1):
                return _found(prep, pat, "near", units[i], units[i + k - 1])
        # One word left out of a long form of four or more ("East Sussex Parent Forum"); never the last, which
        # says what it is: "East Sussex parent carer coffee" is not the forum. A first word not left out but
        # replaced names something else: "West Sussex Parent Carer Forum" is another forum.
        if k >= 4:
            for left_out in range(k - 1):
                kept = every[:left_out] + every[left_out + 1:]
                starts = range(min(1, len(units) - k + 2)) if left_out == 0 else range(len(units) - k + 2)
                for i in starts:
                    off = _window_off(slips, i, kept)
                    if off is not None and off + 1 <= _MAX_WORDS_OFF:
                        return _found(prep, pat, "near", units[i], units[i + k - 2])
    if len(pat.joined) >= _JOINED_NEAR_FROM:
        for word in prep.words:
            if abs(len(word.text) - len(pat.joined)) <= 1 and \
                    Levenshtein.distance(word.text, pat.joined, score_cutoff=1) == 1:
                return _found(prep, pat, "near", word, word)
    return None


def _stronger(a: NameMatch | None, b: NameMatch | None) -> NameMatch | None:
    if a is None or (b is not None and _RANK[b.strength] < _RANK[a.strength]):
        return b
    return a


def _match_one(prep: _Prepared, pat: _Pattern, near_misses: bool) -> NameMatch | None:
    if not pat.joined:
        return None
    found = None
    if pat.joined in prep.letters or (pat.stem and pat.stem in prep.letters):
        found = _stronger(_inside_words(prep, pat), _across_words(prep, pat))
    if not near_misses and found is not None and found.strength == "near":
        found = None
    if not near_misses or (found is not None and found.strength != "contains"):
        return found
    near = _near_one_word(prep, pat) if len(pat.words) == 1 else _near_long_form(prep, pat)
    return _stronger(found, near)


def _matches(text: str, names: Iterable[str], near_misses: bool) -> dict[str, NameMatch]:
    prep = _prepare(text)
    found = {}
    for name in dict.fromkeys(names):
        match = _match_one(prep, _pattern(name), near_misses)
        if match is not None:
            found[name] = match
    return found


def match_protected_names(text: str, names: Iterable[str], *, near_misses: bool = True) -> list[NameMatch]:
    """Each protected name found in text, once, with its strongest match; in the order the names were given.

    Without near_misses only "exact" and "contains" are looked for: enough for a rule that needs the name
    itself (N1, D1), and much faster on a long description."""
    if not text:
        return []
    names = list(dict.fromkeys(names))
    found = _matches(text, names, near_misses)
    if has_bidi_controls(text):
        # Read as displayed too: a right-to-left override shows "\u202eezamA" as "Amaze".
        shown = {name: NameMatch(m.name, m.strength, m.matched_text) for name, m in
                 _matches(displayed(text), names, near_misses).items()}
        found = {name: _stronger(found.get(name), shown.get(name)) for name in names if name in found or name in shown}
    return [found[name] for name in names if name in found]
