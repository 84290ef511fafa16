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


@pytest.mark.parametrize("text,name", [
    ("\u0420\u0430\u0421\u0421", "PaCC"),                       # Cyrillic Р, а, С, С
    ("\u03a1\u03b1\u03f9\u03f9", "PaCC"),                       # Greek Ρ, α and lunate sigmas Ϲ
    ("\u0415\u0405\u0420\u0421F", "ESPCF"),                     # Cyrillic Е, Ѕ, Р, С
    ("\u0395SP\u03f9\u03dc", "ESPCF"),                          # Greek Ε, Ϲ, Ϝ
    ("\u13aa\u13b7\u13aa\u13c3\u13ac", "Amaze"),                # Cherokee ᎪᎷᎪᏃᎬ
    ("\u1d00\u1d0d\u1d00\u1d22\u1d07", "Amaze"),                # small capitals ᴀᴍᴀᴢᴇ
    ("Arnaze", "Amaze"), ("ARNAZING FUTURES", "Amazing Futures"),  # "rn" for "m"
    ("Am4zing Futur3s", "Amazing Futures"), ("E5PCF", "ESPCF"), ("P@CC", "PaCC"),
    ("Parent Car\u0435rs Council", "Parent Carers Council"),
])
def test_letters_from_other_scripts_and_digits_compare_as_the_letters_they_imitate(text, name):
    assert strength(f"{text} social", name) == "exact"


@pytest.mark.parametrize("text,name", [
    ("Amzae", "Amaze"), ("Amaaze", "Amaze"), ("Amze", "Amaze"), ("Amase", "Amaze"), ("PaaCC", "PaCC"),
    ("PCaC", "PaCC"), ("ESPFC", "ESPCF"), ("ESCF", "ESPCF"), ("Ama ze", "Amaze"), ("Pa CC", "PaCC"),
    ("Amazing Future", "Amazing Futures"), ("Amazin Futures", "Amazing Futures"),
    ("AmazingFuturs", "Amazing Futures"), ("Parent Carer Council", "Parent Carers Council"),
    ("Parnet Carers Council", "Parent Carers Council"),
    ("East Sussex Parent Carers Forum", "East Sussex Parent Carer Forum"),
    ("East Sussex Parent Forum", "East Sussex Parent Carer Forum"),  # a word left out
    ("Sussex Parent Carer Forum", "East Sussex Parent Carer Forum"),
])
def test_near_misses_of_names_and_long_forms_are_near(text, name):
    found = {m.name: m for m in match_protected_names(f"{text} social", NAMES)}
    assert found[name].strength == "near" and found[name].uses_name


@pytest.mark.parametrize("text", [
    "Corn maze walk", "A maze of paths", "Maze runners", "Pace setters", "Wolf pack walkers", "Parent council",
    "East Sussex parent carer coffee", "West Sussex Parent Carer Forum", "Amazing features", "Hove parent carers",
])
def test_ordinary_phrases_near_a_name_do_not_use_it(text):
    assert not any(m.uses_name for m in match_protected_names(text, NAMES))


def test_a_maze_spelt_as_two_ordinary_words_is_only_contains():
    (match,) = match_protected_names("A maze of paths", ["Amaze"])
    assert (match.strength, match.matched_text) == ("contains", "A maze")


def test_a_right_to_left_override_is_read_as_it_is_displayed():
    (match,) = match_protected_names("\u202eezamA\u202c social", ["Amaze"])
    assert match.exact and match.matched_text == "Amaze"
    assert match_protected_names("\u202eezamA\u202c social", ["Amaze"], near_misses=False)[0].exact


def test_zero_width_characters_are_ignored_when_matching():
    (match,) = match_protected_names("Hove a\u200bma\u200dze\u2060 mums", ["Amaze"])
    assert match.exact


def test_near_misses_are_left_out_when_only_the_name_itself_counts():
    assert match_protected_names("Amzae Hove", ["Amaze"], near_misses=False) == []


def test_protected_names_come_from_the_caller_not_from_the_code():
    names = ["Sunflower Trust", "Brightside"]
    assert match_protected_names("Amaze Hove social", names) == []
    found = {m.name: m.strength for m in match_protected_names("Sunflwer Trust and Br\u0456ghtside", names)}
    assert found == {"Sunflower Trust": "near", "Brightside": "exact"}
