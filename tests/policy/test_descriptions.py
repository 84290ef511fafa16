"""D1-D9, and the policy's own model descriptions."""
from __future__ import annotations

import pytest

from flows.policy import descriptions as d
from flows.policy.engine import check_description
from flows.policy.types import GroupKind, Severity
from tests.policy.conftest import AGREEMENT_URL, MODEL_ADULT, MODEL_YOUNG, filled_adult, filled_young

K = GroupKind
DOMAINS = ["amazesussex.org.uk", "pacc.org.uk", "espcf.org.uk"]
D1_TO_D5 = ["D1", "D2", "D3", "D4", "D5"]


def rule_ids(findings, severity=Severity.BLOCK):
    return sorted({f.rule for f in findings if f.severity is severity})


# --- the policy's models -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", [K.PARENT_CARERS, K.PCF_MEMBERS])
def test_model_adult_description_passes_once_filled_in(kind, settings):
    assert check_description(kind, filled_adult(), settings) == []
    assert check_description(kind, filled_adult(), settings, agreement_url=AGREEMENT_URL) == []


def test_model_young_description_passes_once_filled_in(settings):
    assert check_description(K.YOUNG_PEOPLE, filled_young(), settings) == []
    assert check_description(K.YOUNG_PEOPLE, filled_young(), settings, agreement_url=AGREEMENT_URL,
                             moderator_names=["Claire Smith", "Dev Patel"]) == []


def test_model_adult_as_printed_blocks_on_its_placeholders_with_what_to_put_there(settings):
    found = check_description(K.PARENT_CARERS, MODEL_ADULT, settings)
    assert rule_ids(found) == ["D3", "D5"]
    d3 = next(f for f in found if f.rule == "D3")
    assert "Replace [LINK]" in d3.fix and "https://" in d3.fix
    d5 = next(f for f in found if f.rule == "D5")
    assert "Replace xxx@xxx.org.uk" in d5.fix


def test_model_young_as_printed_blocks_on_missing_link_and_x_or_y(settings):
    found = check_description(K.YOUNG_PEOPLE, MODEL_YOUNG, settings)
    assert rule_ids(found) == ["D3", "D4"]
    assert "Replace x and y" in next(f for f in found if f.rule == "D4").fix


@pytest.mark.parametrize("description", ["", None, "   \n"])
def test_empty_description_of_a_user_group_blocks_every_rule_d1_to_d5(description, settings):
    found = check_description(K.PARENT_CARERS, description, settings)
    assert rule_ids(found) == D1_TO_D5
    assert all(f.field == "description" and f.fix for f in found if f.rule != "A1")


def test_groups_that_need_no_description_get_no_description_blocks(settings):
    assert check_description(K.INFORMAL_SOCIAL, None, settings) == []
    assert rule_ids(check_description(K.WORK_STAFF, None, settings)) == []


@pytest.mark.parametrize("text", [
    "Welcome to the Amaze Seaford parent carers group!\nJoining this group means your name and mobile number will be "
    "visible to all other members - by joining you consent to this.\nPlease follow our group rules: "
    "https://amazesussex.org.uk/groups/seaford-rules\nAdmins: Claire & Dev.\nWorried about something or someone "
    "broke the rules? Message an admin or email seaford@amazesussex.org.uk",
    "This is an official Amaze group.\n\U0001f4f1 Your phone number will be seen by everyone in the group. By joining "
    "you're agreeing to this.\nBy joining you agree to our code of conduct https://www.amazesussex.org.uk/code\n"
    "Group admins are marked in the participant list.\nIf you feel unsafe or upset by a message, contact an admin.",
])
def test_descriptions_in_peoples_own_words_pass(text, settings):
    assert check_description(K.PARENT_CARERS, text, settings) == []


# --- D1 ----------------------------------------------------------------------------------------------------------
def test_d1_names_the_organisation():
    assert d.d1_official_group("Welcome to the Amaze Hove group for parent carers.", ["Amaze"]) == []
    (f,) = d.d1_official_group("Welcome to our group for parent carers.", ["Amaze", "Amazing Futures"])
    assert f.rule == "D1" and f.blocks and "This is an Amaze group." in f.fix


def test_d1_a_link_or_email_on_the_organisation_site_is_not_saying_it():
    text = "Read https://www.amazesussex.org.uk/agreement or email info@amazesussex.org.uk"
    assert [f.rule for f in d.d1_official_group(text, ["Amaze"])] == ["D1"]


def test_d1_xx_placeholder():
    (f,) = d.d1_official_group("This is the XX Amaze group.", ["Amaze"])
    assert "Replace XX" in f.fix


def test_d1_forum_groups_use_the_forum_name():
    assert d.d1_official_group("This is a PaCC group.", ["PaCC", "ESPCF"]) == []
    (f,) = d.d1_official_group("This is an Amaze group.", ["PaCC", "ESPCF"])
    assert "This is a PaCC group." in f.fix


# --- D2 ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "When you join the group, you are agreeing to share your phone number with all other group members.",
    "All the group can see each other\u2019s phone numbers. If you join you agree to this.",
    "By joining this group you consent to your mobile number being visible to every member.",
    "Everyone here can see your number. Joining means you are OK with that.",
    "By being in this group you agree that all members can view your phone number.",
])
def test_d2_paraphrases_of_the_consent_sentence_pass(text):
    assert d.d2_phone_consent(text) == []


@pytest.mark.parametrize("text", [
    "This is an Amaze group. Please be kind.",
    "We will never share your phone number.",
    "Everyone in the group can see your phone number.",  # visible, but nothing about consent
    "You agree to follow the group agreement when you join.",  # consent, but not to sharing a number
    "\U0001f4f1 \u2705 join = agree",  # emoji are not words
    "Please don't share other members' phone numbers. By joining you agree to our rules.",
])
def test_d2_without_a_phone_number_consent_sentence_blocks(text):
    (f,) = d.d2_phone_consent(text)
    assert f.rule == "D2" and f.blocks and f.field == "description"
    assert "joining shares your phone number with everyone in the group" in f.fix


# --- D3 ----------------------------------------------------------------------------------------------------------
AGREE = "When you join you agree to stick to our group agreement: "


def test_d3_https_link_on_an_organisation_domain_passes():
    assert d.d3_agreement_link(AGREE + "https://www.pacc.org.uk/agreement", DOMAINS) == []


@pytest.mark.parametrize("link,says", [
    ("http://www.amazesussex.org.uk/agreement", "http://"),
    ("https://docs.google.com/document/d/1", "docs.google.com"),
    ("https://amazesussex.org.uk.evil.example/agreement", "evil.example"),
    ("www.amazesussex.org.uk/agreement", "https://"),
])
def test_d3_says_plainly_what_is_wrong_with_the_link(link, says):
    (f,) = d.d3_agreement_link(AGREE + link, DOMAINS)
    assert f.rule == "D3" and f.blocks and says in f.message
    assert "https://" in f.fix


def test_d3_missing_link():
    (f,) = d.d3_agreement_link(AGREE.rstrip(": ") + ".", DOMAINS)
    assert "no link" in f.message and "amazesussex.org.uk" in f.fix


def test_d3_must_say_members_agree_to_follow_the_agreement():
    (f,) = d.d3_agreement_link("Our website: https://www.amazesussex.org.uk/about", DOMAINS)
    assert "agree to follow the group agreement" in f.message


def test_d3_agreement_url_given_separately_is_checked_on_its_own_field():
    found = d.d3_agreement_link(AGREE + "http://www.amazesussex.org.uk/a", DOMAINS, "http://www.amazesussex.org.uk/a")
    assert [(f.rule, f.field) for f in found] == [("D3", "agreement_url")]
    assert "https://" in found[0].message


def test_d3_description_must_contain_the_given_agreement_url():
    (f,) = d.d3_agreement_link(AGREE + "https://www.amazesussex.org.uk/other", DOMAINS, AGREEMENT_URL)
    assert f.field == "description" and AGREEMENT_URL in f.fix
    same = AGREE + AGREEMENT_URL.replace("https://www.", "https://").upper().lower() + "/"
    assert d.d3_agreement_link(same, DOMAINS, AGREEMENT_URL) == []


# --- D4 ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,moderators", [
    ("Message the group admins. They are marked on the participants list below.", []),
    ("The moderators are shown as admin in the members list.", []),
    ("Our admins are Claire and Dev.", []),
    ("If you are worried please let Claire or Dev know.", []),
    ("Questions? Claire runs this group with Dev.", ["Claire Smith", "Dev Patel"]),
])
def test_d4_admins_named_or_where_they_are_marked(text, moderators):
    assert d.d4_admins_named(text, moderators) == []


def test_d4_blocks_when_nobody_is_named():
    (f,) = d.d4_admins_named("Contact Amaze if you are worried.", ["May Jones"], not_names=["Amaze"])
    assert f.rule == "D4" and "marked as admins on the participants list" in f.fix


def test_d4_a_name_that_is_an_ordinary_word_needs_its_capital():
    assert [f.rule for f in d.d4_admins_named("You may leave at any time.", ["May Jones"])] == ["D4"]


@pytest.mark.parametrize("text", ["If you are worried let x or y know.", "The admins are X Y and Z."])
def test_d4_x_or_y_placeholder(text):
    (f,) = d.d4_admins_named(text)
    assert "Replace x and y" in f.fix


# --- D5 ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Let us know if a member breaks the agreement by messaging the group admins.",
    "If you ever feel unsafe, email help@amazesussex.org.uk",
    "If you are worried about anyone then please let Claire know.",
])
def test_d5_what_to_do(text):
    assert d.d5_what_to_do(text) == []


def test_d5_trouble_and_what_to_do_in_consecutive_sentences():
    assert d.d5_what_to_do("Worried about someone? Message an admin.") == []
    assert [f.rule for f in d.d5_what_to_do("Message us any time. We do not tolerate bullying.")] == ["D5"]


def test_d5_blocks_without_what_to_do():
    (f,) = d.d5_what_to_do("This is an Amaze group. Be kind.", "info@amazesussex.org.uk")
    assert f.rule == "D5" and "info@amazesussex.org.uk" in f.fix


# --- D6 ----------------------------------------------------------------------------------------------------------
def test_d6_length():
    assert d.d6_length("x" * 2048, 2048) == []
    (f,) = d.d6_length("x" * 2050, 2048)
    assert f.rule == "D6" and "2050" in f.message and "2 characters" in f.fix


# --- D7 ----------------------------------------------------------------------------------------------------------
def test_d7_volunteer_groups_need_phone_consent_and_confidentiality():
    ok = ("When you join, your phone number is shared with everyone here and by joining you agree to this. "
          "Keep everything said here confidential.")
    assert d.d7_volunteer_group(ok) == []
    found = d.d7_volunteer_group("Rota for Saturday sessions.")
    assert [f.rule for f in found] == ["D7", "D7"]
    assert any("phone number" in f.fix for f in found) and any("confidential" in f.fix for f in found)


# --- D8 ----------------------------------------------------------------------------------------------------------
def test_d8_steering_standard():
    model = "In our chat here we should stick to the way we have agreed to work together as a Steering Group."
    assert d.d8_steering_standard(model) == []
    (f,) = d.d8_steering_standard("Steering group chat for forum business.")
    assert f.rule == "D8" and "Steering Group" in f.fix


# --- D9 ----------------------------------------------------------------------------------------------------------
def test_d9_young_people_advice_names_what_is_missing():
    assert d.d9_young_people(filled_young()) == []
    (f,) = d.d9_young_people("This is an Amazing Futures group. If you are worried tell Claire.")
    assert f.rule == "D9" and f.severity is Severity.ADVICE
    assert "8pm" in f.message and "private message" in f.message and "worried" not in f.message
