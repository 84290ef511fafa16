"""N2 and N6 on a labelled corpus of group names: every look-alike blocked, almost no innocent name blocked.

The corpus is data (tests/policy/corpus/): `python -m bench.names` prints the same figures and lists each name
on the wrong side. Only N2 and N6 are asserted on: an unofficial group's name also needs N3's marker, which is
another rule."""
from __future__ import annotations

import pytest

from bench.names import ALLOWED, BLOCKED, naming_blocks, read_corpus, score
from flows.policy.types import GroupKind

MAX_INNOCENT_BLOCKED = 0.01


def test_the_corpus_is_large_enough_to_mean_something():
    blocked, allowed = read_corpus(BLOCKED), read_corpus(ALLOWED)
    assert len(set(blocked)) >= 150 and len(set(allowed)) >= 150
    assert not set(blocked) & set(allowed)


@pytest.mark.parametrize("kind", [GroupKind.INFORMAL_SOCIAL, GroupKind.PCF_INFORMAL])
def test_every_look_alike_in_the_corpus_is_blocked_by_n2_or_n6(kind, settings):
    missed = [name for name in read_corpus(BLOCKED) if not naming_blocks(name, settings, kind)]
    assert missed == []


def test_at_most_one_innocent_name_in_a_hundred_is_blocked(settings):
    result = score(settings)
    assert result.false_positive_rate <= MAX_INNOCENT_BLOCKED, result.wrongly_blocked


def test_escapes_in_the_corpus_stand_for_the_characters_they_name():
    blocked = read_corpus(BLOCKED)
    assert "\u202eezamA\u202c social" in blocked  # a right-to-left override
    assert "a\u200bmaze social" in blocked  # a zero-width space
    assert not any(name.startswith("#") for name in blocked)
