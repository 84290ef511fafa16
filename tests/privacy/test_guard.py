"""The personal-data guard field by field (P1–P3, R1, S4): what each kind of field refuses, and what it lets
through."""
from __future__ import annotations

import pytest

from flows.privacy import FieldKind, Found, Guard
from flows.privacy.guard import WHAT_TO_WRITE
from flows.settings import Settings

SETTINGS = Settings(_env_file=None)
GUARD = Guard.from_settings(SETTINGS)


def found(text, kind=FieldKind.NOTE) -> set[Found]:
    return set(GUARD.check(text, kind).found)


# --- member references ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "reference",
    ["J.S.", "JS", "j.s.", "J S", "JSB", "J.S.B.", "CL-12345", "CL12345", "12345", "JS (CL-12345)",
     "J.S. / CL-12345", "J.S. and A.B.", "A.N."],
)
def test_initials_and_charity_log_references_are_accepted(reference):
    assert GUARD.check(reference, FieldKind.MEMBER_REFERENCE).ok


@pytest.mark.parametrize(
    "reference, what",
    [
        ("ANN LEE", Found.PERSON_NAME),
        ("Joanne Smith", Found.PERSON_NAME),
        ("joanne smith", Found.PERSON_NAME),
        ("Joanne", Found.PERSON_NAME),
        ("JO", Found.PERSON_NAME),
        ("O'Brien", Found.PERSON_NAME),
        ("Mrs Smith", Found.PERSON_NAME),
        ("ABCD", Found.NOT_A_REFERENCE),
        ("the mum", Found.NOT_A_REFERENCE),
        ("07700 900123", Found.PHONE),
        ("07700/900/123", Found.PHONE),
        ("+44 (0)1273 234-567", Found.PHONE),
        ("jo.smith@example.com", Found.EMAIL),
        ("943 476 5919", Found.NHS_NUMBER),
        ("", Found.NOT_A_REFERENCE),
    ],
)
def test_a_member_reference_that_is_not_initials_or_a_reference_is_refused_saying_what_to_write(reference, what):
    verdict = GUARD.check(reference, FieldKind.MEMBER_REFERENCE)
    assert what in verdict.found and WHAT_TO_WRITE in verdict.message
    assert not reference or reference not in verdict.message


def test_the_charity_log_reference_format_is_a_setting():
    ours = Guard.from_settings(Settings(_env_file=None, charity_log_reference_pattern=r"CLOG/\d{4}"))
    assert ours.check("CLOG/1234", FieldKind.MEMBER_REFERENCE).ok
    assert not ours.check("CL-12345", FieldKind.MEMBER_REFERENCE).ok
    assert ours.check("J.S.", FieldKind.MEMBER_REFERENCE).ok


# --- what a note refuses ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, what",
    [
        ("rang her on 07700/900/123", Found.PHONE),
        ("call O77OO 9OO l23", Found.PHONE),
        ("call ０７７００ ９００１２３", Found.PHONE),
        ("(01273) 234.567", Found.PHONE),
        ("jo＠example.com", Found.EMAIL),
        ("jo at gmail dot com", Found.EMAIL),
        ("jo [at] gmail [dot] com", Found.EMAIL),
        ("asked sarah to stop", Found.PERSON_NAME),
        ("ASKED SARAH TO STOP", Found.PERSON_NAME),
        ("Sarah\u00a0Jones posted", Found.PERSON_NAME),
        ("Mrs. Jones was upset", Found.PERSON_NAME),
        ("dr okafor was named", Found.PERSON_NAME),
        ("asked Will to stop", Found.PERSON_NAME),
        ("lives at 12 Acacia Road", Found.ADDRESS),
        ("postcode bn1 1aa", Found.ADDRESS),
        ("NHS 943 476 5919", Found.NHS_NUMBER),
        ("NHS 9434765919", Found.NHS_NUMBER),
    ],
)
def test_a_note_with_personal_details_is_refused_saying_what_was_found(text, what):
    verdict = GUARD.check(text, FieldKind.NOTE)
    assert what in verdict.found
    assert what.words in verdict.message and WHAT_TO_WRITE in verdict.message and text not in verdict.message


def test_ten_digits_failing_the_nhs_check_digit_are_not_an_nhs_number():
    assert Found.NHS_NUMBER not in found("reference 943 476 5918")


@pytest.mark.parametrize(
    "text",
    [
        "St Mary's School", "Hove Park", "Amaze", "Amazing Futures", "Brighton General", "Lewes Road Surgery",
        "shared a link to Hove Park School's open day", "Will check again tomorrow", "posted in May",
        "warned on 12-03-2026 at 10:30", "see CL-123456789", "posted 3 times on the road safety thread",
        "no messages after 8pm", "Y6 3pm pick-up", "the 1st and 2nd of June",
    ],
)
def test_schools_services_places_dates_and_references_are_not_personal_details(text):
    assert found(text) == set()


# --- the other kinds of field -------------------------------------------------------------------------------------
def test_moderators_may_be_named_where_moderators_are_described_but_not_their_contact_details():
    assert found("Sam Patel, volunteer\nJo Bloggs, partner staff, Mind", FieldKind.STAFF_TEXT) == set()
    assert found("Sam covers evenings on 07700 900123", FieldKind.STAFF_TEXT) == {Found.PHONE}
    assert found("Sam covers, sam.patel@gmail.com", FieldKind.STAFF_TEXT) == {Found.EMAIL}


def test_a_published_description_may_give_the_organisations_email_but_no_personal_one():
    assert found(f"Admins: Sam and Ali. Email {SETTINGS.contact_email}.", FieldKind.PUBLISHED) == set()
    assert found("Email sam.patel@gmail.com if worried.", FieldKind.PUBLISHED) == {Found.EMAIL}


def test_who_runs_a_reported_group_may_be_a_contact_but_never_an_nhs_number():
    assert found("Jo Bloggs, 07700 900123, jo@example.org", FieldKind.CONTACT) == set()
    assert found("Jo Bloggs, NHS 943 476 5919", FieldKind.CONTACT) == {Found.NHS_NUMBER}


def test_errors_map_each_refused_field_to_its_message():
    errors = GUARD.errors({
        "notes": ("asked sarah to stop", FieldKind.NOTE), "name": ("Amaze Hove parents", FieldKind.GROUP_NAME),
    })
    assert list(errors) == ["notes"] and "person's name" in errors["notes"]
