"""Drafts from the policy's models pass their own rules."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from flows.drafting import (
    draft_agreement,
    draft_description,
    draft_welcome_message,
    organisation_shown,
    settings_checklist,
)
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
