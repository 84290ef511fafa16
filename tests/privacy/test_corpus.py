"""The guard against its labelled corpus (tests/privacy/corpus/): every text holding personal details is refused,
and ordinary moderators' notes are refused at most 1% of the time. `python -m bench.personal_data` prints the
measured rates."""
from __future__ import annotations

from flows.privacy import FieldKind, Guard
from flows.settings import Settings
from tests.privacy.corpus import FALSE_REFUSALS_ALLOWED, passed, refused

GUARD = Guard.from_settings(Settings(_env_file=None))


def test_the_corpus_is_large_enough_to_measure():
    assert len(refused()) >= 100 and len(passed()) >= 100
    assert not set(refused()) & set(passed())


def test_every_text_holding_personal_details_is_refused():
    missed = [text for text in refused() if GUARD.check(text, FieldKind.NOTE).ok]
    assert missed == []


def test_ordinary_notes_are_almost_never_refused():
    wrongly = [text for text in passed() if not GUARD.check(text, FieldKind.NOTE).ok]
    assert len(wrongly) <= FALSE_REFUSALS_ALLOWED * len(passed()), wrongly


def test_a_refusal_names_what_was_found_and_never_repeats_the_text():
    for text in refused():
        verdict = GUARD.check(text, FieldKind.NOTE)
        assert verdict.found and all(f.words in verdict.message for f in verdict.found)
        assert text not in verdict.message and "Write initials like J.S." in verdict.message
