"""N2's matcher: names survive disguise; ordinary words that contain a name are only 'contains'."""
from __future__ import annotations

import time

import pytest

from flows.policy.matcher import match_protected_names

NAMES = ["Amaze", "Amazing Futures", "PaCC", "ESPCF", "Parent Carers Council", "East Sussex Parent Carer Forum"]


def strength(text: str, name: str) -> str | None:
    found = {m.name: m.strength for m in match_protected_names(text, NAMES)}
    return found.get(name)


@pytest.mark.parametrize("text", [
    "Amaze", "AMAZE", "amaze", "A.M.A.Z.E", "A M A Z E", "a-m-a-z-e", "a\u200bmaze", "am\u00adaze",
    "\uff21\uff2d\uff21\uff3a\uff25",          # full-width ＡＭＡＺＥ
    "\u0410m\u0430z\u0435",                    # Cyrillic А, а, е
    "\u0391m\u03b1z\u03b5",                    # Greek Α, α, ε
    "\U0001d400\U0001d426\U0001d41a\U0001d433\U0001d41e",  # maths bold 𝐀𝐦𝐚𝐳𝐞
    "\u24d0\u24dc\u24d0\u24e9\u24d4",          # circled ⓐⓜⓐⓩⓔ
    "\U0001f170\U0001f17c\U0001f170\U0001f189\U0001f174",  # 🅰🅼🅰🆉🅴
    "\u2728Amaze\u2728", "A\U0001f31fm\U0001f31fa\U0001f31fz\U0001f31fe", "Amaz\u00e9", "\u00c1m\u00e1z\u00e9",
    "4m4z3", "@maze", "amaze-parents", "AmazeParents", "amazemums", "Team Amaze", "myamaze", "Amaze's mums",
    "A\u0336m\u0336a\u0336z\u0336e\u0336",        # struck through with combining marks
])
def test_disguised_spellings_of_amaze_are_exact(text):
    assert strength(f"Hove {text} chat", "Amaze") == "exact"


@pytest.mark.parametrize("text,name", [
    ("Amazing Futures", "Amazing Futures"), ("amazingfutures", "Amazing Futures"),
    ("AmazingFutures crew", "Amazing Futures"), ("P.a.C.C", "PaCC"), ("PaCC", "PaCC"), ("paccgroup", "PaCC"),
    ("PaCCgroup", "PaCC"), ("p 4 c c", "PaCC"), ("E.S.P.C.F.", "ESPCF"), ("espcf mums", "ESPCF"),
    ("parent carers council", "Parent Carers Council"),
    ("East Sussex parent carer forum friends", "East Sussex Parent Carer Forum"),
])
def test_projects_and_forums_are_exact(text, name):
    assert strength(text, name) == "exact"


@pytest.mark.parametrize("text,name", [
    ("amazing mums", "Amaze"), ("Amazed", "Amaze"), ("amazement", "Amaze"), ("amazes", "Amaze"),
    ("AMAZINGLY good", "Amaze"), ("MyAmazingGroup", "Amaze"), ("paccing", "PaCC"),
])
def test_ordinary_words_only_contain_the_name(text, name):
    assert strength(text, name) == "contains"


def test_amazing_futures_is_exact_for_the_project_and_only_contains_amaze():
    found = {m.name: m.strength for m in match_protected_names("Amazing Futures", NAMES)}
    assert found == {"Amaze": "contains", "Amazing Futures": "exact"}


@pytest.mark.parametrize("text", [
    "Hove mums social", "I am a zebra", "Amazon deals", "Pacific friends", "ESP club", "", "   ", "\u200b\u200b",
    "\U0001f600\U0001f600",
])
def test_unrelated_text_matches_nothing(text):
    assert match_protected_names(text, NAMES) == []


def test_each_name_is_reported_once_with_its_strongest_match():
    found = match_protected_names("amazing Amaze amazed A.M.A.Z.E", NAMES)
    assert [(m.name, m.strength) for m in found] == [("Amaze", "exact")]


def test_matched_text_is_the_spelling_the_person_used():
    (match,) = match_protected_names("Hove A.M.A.Z.E mums", ["Amaze"])
    assert match.matched_text == "A.M.A.Z.E"
    assert "Hove A.M.A.Z.E mums"[match.start:match.end] == "A.M.A.Z.E"


def test_fast_enough_for_an_audit_of_ten_thousand_groups():
    started = time.perf_counter()
    for i in range(10_000):
        match_protected_names(f"Hove parents social group number {i}", NAMES)
    assert time.perf_counter() - started < 5
