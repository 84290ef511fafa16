"""Drafts from the policy's models pass their own rules."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from flows.drafting import (
    conduct_notes,
    draft_agreement,
    draft_description,
    draft_welcome_message,
    organisation_shown,
    settings_checklist,
)
from flows.drafting import templates
from flows.policy import GroupKind, check, check_agreement
from flows.policy.descriptions import says_phone_consent
from tests.policy.conftest import AGREEMENT_URL, EMAIL, good_proposal

K = GroupKind
OFFICIAL = [k for k in GroupKind if k.official]
USER_GROUPS = [k for k in GroupKind if k.user_group]
LEFTOVERS = re.compile(r"\$\w|\[LINK\]|xxx@|\bXX\b|\bx or y\b|\{|\}")


@pytest.mark.parametrize("kind", OFFICIAL)
def test_drafted_description_passes_its_own_rules(kind, settings):
    proposal = good_proposal(kind)  # description drafted with real moderators, link and email
    assert proposal.description and not LEFTOVERS.search(proposal.description)
    result = check(proposal, settings)
    assert [f.as_dict() for f in result.for_field("description") if f.blocks] == []
    assert len(proposal.description) <= settings.whatsapp_description_limit


@pytest.mark.parametrize("kind", OFFICIAL)
def test_drafted_description_with_long_names_and_quiet_hours_fits_whatsapp(kind, settings):
    text = draft_description(kind, "Amaze " + "x" * 90, settings, AGREEMENT_URL,
                             [f"Moderator Number{i} Longname" for i in range(8)], EMAIL, "no messages 9pm to 8am")
    assert len(text) <= settings.whatsapp_description_limit
    assert "no messages 9pm to 8am" in text


def test_drafts_show_the_name_the_group_carries(settings):
    assert organisation_shown(K.YOUNG_PEOPLE, "Amazing Futures Hove", settings) == "Amazing Futures"
    assert organisation_shown(K.PCF_MEMBERS, "ESPCF Hastings members", settings) == "ESPCF"
    assert organisation_shown(K.PCF_MEMBERS, "Members chat", settings) == "PaCC"
    young = draft_description(K.YOUNG_PEOPLE, "Amazing Futures Hove", settings, AGREEMENT_URL, ["Claire"])
    assert young.startswith("This is an Amazing Futures group.") and "let Claire know" in young
    pcf = draft_description(K.PCF_MEMBERS, "ESPCF Hastings members", settings, AGREEMENT_URL, ["Priya"])
    assert pcf.startswith("This is an ESPCF group.")
    assert draft_description(K.PCF_MEMBERS, "PaCC chat", settings, AGREEMENT_URL, []).startswith("This is a PaCC group.")


def test_without_a_link_the_draft_keeps_a_placeholder_that_d3_explains(settings):
    text = draft_description(K.PARENT_CARERS, "Amaze Hove", settings, None, ["Claire"])
    result = check(replace(good_proposal(K.PARENT_CARERS), description=text, agreement_url=None), settings)
    assert any(f.rule == "D3" and "Replace [LINK]" in f.fix for f in result.findings)


def test_unofficial_groups_get_no_drafts(settings):
    for kind in (K.INFORMAL_SOCIAL, K.PCF_INFORMAL):
        assert draft_description(kind, "Hove social", settings, None, []) == ""
        assert draft_welcome_message(kind, "Hove social", settings) == ""
        assert draft_agreement(kind, "Hove social", settings, [], None) == ""
        assert settings_checklist(kind) == []


@pytest.mark.parametrize("kind", OFFICIAL)
def test_welcome_message_says_the_phone_number_is_shared_and_joining_is_consent(kind, settings):
    text = draft_welcome_message(kind, "Amaze Hove", settings, AGREEMENT_URL, ["Claire", "Dev"])
    assert says_phone_consent(text)
    assert "phone number" in text
    assert "description" in text.lower() or "group info" in text.lower()
    assert AGREEMENT_URL in text


@pytest.mark.parametrize("kind", USER_GROUPS)
def test_drafted_agreement_covers_every_a2_topic_and_links_the_policies(kind, settings):
    text = draft_agreement(kind, "Amaze Hove parents", settings, ["Claire", "Dev"], EMAIL)
    assert check_agreement(text) == []
    for url in (settings.safeguarding_policy_url, settings.equalities_policy_url, settings.privacy_statement_url):
        assert url in text
    assert "Claire" in text and EMAIL in text and not LEFTOVERS.search(text)


def test_young_people_get_the_young_agreement(settings):
    text = draft_agreement(K.YOUNG_PEOPLE, "Amazing Futures Hove", settings, ["Claire"], EMAIL)
    assert "Fair competition" in text and "beauty sleep" in text and "let Claire know" in text


def test_agreement_quiet_hours(settings):
    text = draft_agreement(K.PARENT_CARERS, "Amaze Hove", settings, ["Claire"], EMAIL, quiet_hours="after 9pm")
    assert "Quiet hours: after 9pm." in text


def test_checklist_for_a_user_group(settings):
    rules = [item.rule for item in settings_checklist(K.PARENT_CARERS)]
    assert rules == ["S1", "S2", "D4", "S3", "A3", "M11", "S4"]
    s4 = next(i for i in settings_checklist(K.PARENT_CARERS) if i.rule == "S4")
    assert "Charity Log" in s4.text and "phone numbers" in s4.text


def test_checklist_for_work_groups_has_w1_w2_and_no_user_group_steps(settings):
    rules = [item.rule for item in settings_checklist(K.WORK_STAFF)]
    assert {"S1", "S3", "M11", "W1", "W2"} <= set(rules)
    assert not {"S2", "A3", "S4", "D4"} & set(rules)  # staff-only: no moderators to make admins


# --- what the policy says about behaviour, in the texts people get --------------------------------------------------
@pytest.mark.parametrize("kind", [K.INFORMAL_SOCIAL, K.PCF_INFORMAL])
def test_informal_groups_are_told_a_colleagues_bullying_can_be_raised_with_a_manager(kind, settings):
    [note] = conduct_notes(kind, "Hove office friends social", settings)
    assert "if a colleague bullies or harasses you" in note
    assert "your manager or volunteer coordinator, or a senior manager" in note
    assert "any other setting outside work" in note


@pytest.mark.parametrize("kind", [K.WORK_VOLUNTEERS, K.WORK_STAFF, K.PCF_STEERING])
def test_work_groups_keep_work_standards_and_are_no_way_to_call_in_sick(kind, settings):
    standards, not_for = conduct_notes(kind, "Amaze Hove team", settings)
    assert "same standards of behaviour" in standards and "as in the office or when volunteering" in standards
    assert "misconduct in person or on the phone" in standards and "is misconduct here too" in standards
    assert "no way to call in sick or raise a safeguarding concern" in not_for and "by email" in not_for
    assert "No one is expected to read the group outside their working or volunteering hours." in not_for
    # The members hear it too, in the texts the moderators paste.
    welcome = draft_welcome_message(kind, "Amaze Hove team", settings)
    description = draft_description(kind, "Amaze Hove team", settings, None, ["Sam"], EMAIL)
    assert "not the way to call in sick or raise a safeguarding concern" in welcome
    assert "no one is expected to read it outside their working or volunteering hours" in welcome
    assert "not the way to report sickness or a safeguarding concern" in description
    assert "outside their working or volunteering hours" in description


@pytest.mark.parametrize("kind", [K.WORK_VOLUNTEERS, K.WORK_STAFF])
def test_work_groups_members_are_told_misconduct_in_person_is_misconduct_here(kind, settings):
    for text in (draft_welcome_message(kind, "Amaze Hove team", settings),
                 draft_description(kind, "Amaze Hove team", settings, None, ["Sam"], EMAIL)):
        assert "The same standards of behaviour apply here as in the office or when volunteering" in text
        assert "misconduct here too" in text


@pytest.mark.parametrize("kind, name, org", [
    (K.PARENT_CARERS, "Amaze Hove parents", "Amaze"),
    (K.YOUNG_PEOPLE, "Amazing Futures Hove", "Amazing Futures"),
    (K.PCF_MEMBERS, "PaCC members chat", "PaCC"),
])
def test_staff_in_a_user_group_are_seen_as_representing_the_organisation(kind, name, org, settings):
    [note] = conduct_notes(kind, name, settings)
    assert f"seen as representing {org}, even when they are there in a personal capacity" in note
    assert "say clearly that you are speaking personally" in note
    assert "Join with a work phone number, not a personal one (M11)." in note


# --- quiet hours in a young people's group: one setting, the same words in every text -------------------------------
def _young_texts(settings, quiet_hours=None) -> tuple[str, str]:
    name = "Amazing Futures Hove"
    return (draft_description(K.YOUNG_PEOPLE, name, settings, AGREEMENT_URL, ["Claire"], EMAIL, quiet_hours),
            draft_agreement(K.YOUNG_PEOPLE, name, settings, ["Claire"], EMAIL, quiet_hours))


def test_young_peoples_description_and_agreement_say_the_same_quiet_hour(settings, monkeypatch):
    for text in _young_texts(settings):
        assert "No messages after 8pm (people need their beauty sleep)." in text
    # One value says it in both: changed in one place, both texts follow.
    monkeypatch.setattr(templates, "YOUNG_PEOPLE_QUIET_HOUR", "9pm")
    for text in _young_texts(settings):
        assert "No messages after 9pm (people need their beauty sleep)." in text and "8pm" not in text


def test_a_young_peoples_group_own_quiet_hours_win_in_every_text(settings):
    for text in _young_texts(settings, quiet_hours="No messages after 7.30pm on school nights"):
        assert "Quiet hours: No messages after 7.30pm on school nights." in text
        assert "8pm" not in text


# --- one word for one role ----------------------------------------------------------------------------------------
# "admin" only where the text points at what WhatsApp itself shows or has people tap.
WHATSAPP_ADMIN = re.compile(r"marked as admins?|'Only admins'|only admins \(the moderators\)|Make group admin|"
                            r"a group admin|marked as admin in Group Info", re.I)


@pytest.mark.parametrize("kind", OFFICIAL)
@pytest.mark.parametrize("names", [[], ["Claire", "Dev"]])
def test_the_texts_call_the_people_who_run_a_group_moderators(kind, names, settings):
    name = "Amazing Futures Hove" if kind is K.YOUNG_PEOPLE else "Amaze Hove team"
    texts = [
        draft_description(kind, name, settings, AGREEMENT_URL, names, EMAIL),
        draft_welcome_message(kind, name, settings, AGREEMENT_URL, names),
        draft_agreement(kind, name, settings, names, EMAIL),
        *[item.text for item in settings_checklist(kind)],
    ]
    for text in texts:
        left = WHATSAPP_ADMIN.sub("", text)
        assert not re.search(r"\badmin|\bleader", left, re.I), text
