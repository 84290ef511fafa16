"""N1-N5: what a group's name must and must not say."""
from __future__ import annotations

import pytest

from flows.policy.names import (
    n1_official_name,
    n2_no_protected_name,
    n3_unofficial_marker,
    n4_work_marker,
    n5_length,
    n6_no_hidden_characters,
)
from flows.policy.engine import check_name
from flows.policy.types import GroupKind, Severity

K = GroupKind


def rules(findings):
    return [(f.rule, f.severity.value) for f in findings]


@pytest.mark.parametrize("kind,name", [
    (K.PARENT_CARERS, "Amaze Hove parent carers"), (K.YOUNG_PEOPLE, "Amazing Futures Seaford"),
    (K.PCF_MEMBERS, "PaCC members"), (K.PCF_STEERING, "ESPCF steering group"),
    (K.PCF_MEMBERS, "East Sussex Parent Carer Forum chat"), (K.WORK_STAFF, "AMAZE staff team"),
])
def test_n1_official_name_carries_the_organisation(kind, name, settings):
    assert n1_official_name(kind, name, settings) == []


def test_n1_blocks_an_official_group_without_the_name_and_says_what_to_add(settings):
    (finding,) = n1_official_name(K.PARENT_CARERS, "Hove parent carers", settings)
    assert finding.rule == "N1" and finding.blocks and finding.field == "name"
    assert "'Amaze'" in finding.fix


def test_n1_a_forum_group_needs_the_forum_name_not_amaze(settings):
    (finding,) = n1_official_name(K.PCF_MEMBERS, "Amaze members chat", settings)
    assert "'PaCC'" in finding.fix and "other organisation" in finding.fix


def test_n1_ordinary_word_does_not_make_a_group_official(settings):
    assert rules(n1_official_name(K.PARENT_CARERS, "Amazing parents", settings)) == [("N1", "block")]


def test_n1_does_not_apply_to_unofficial_groups(settings):
    assert n1_official_name(K.INFORMAL_SOCIAL, "Hove mums social", settings) == []


@pytest.mark.parametrize("name", ["A.M.A.Z.E mums social", "\uff21\uff2d\uff21\uff3a\uff25 social", "PaCC friends",
                                  "amazemums social", "Amazing Futures old friends"])
def test_n2_blocks_protected_names_in_unofficial_groups(name, settings):
    found = n2_no_protected_name(K.INFORMAL_SOCIAL, name, settings)
    assert rules(found) == [("N2", "block")]
    assert "Choose a name without" in found[0].fix


def test_n2_says_how_the_name_was_written(settings):
    (finding,) = n2_no_protected_name(K.PCF_INFORMAL, "P.a.C.C steering friends", settings)
    assert "'PaCC'" in finding.message and "P.a.C.C" in finding.message


def test_n2_ordinary_word_is_advice_naming_the_name(settings):
    (finding,) = n2_no_protected_name(K.INFORMAL_SOCIAL, "Amazing mums social", settings)
    assert finding.rule == "N2" and finding.severity is Severity.ADVICE
    assert "'Amaze'" in finding.message and "confuse" in finding.message


def test_n2_passes_a_plain_unofficial_name_and_ignores_official_groups(settings):
    assert n2_no_protected_name(K.INFORMAL_SOCIAL, "Hove mums social", settings) == []
    assert n2_no_protected_name(K.PARENT_CARERS, "Amaze Hove", settings) == []


@pytest.mark.parametrize("name", ["Hove mums social", "Friends from work", "Unofficial quiz team",
                                  "Coffee (not official)", "INFORMAL walkers", "Non-official runners"])
def test_n3_unofficial_marker_present(name, settings):
    assert n3_unofficial_marker(K.INFORMAL_SOCIAL, name, settings) == []


def test_n3_blocks_an_unofficial_name_that_could_pass_for_official(settings):
    (finding,) = n3_unofficial_marker(K.PCF_INFORMAL, "Steering group chat", settings)
    assert finding.rule == "N3" and finding.blocks and "'social'" in finding.fix


def test_n3_marker_must_be_a_whole_word(settings):
    assert rules(n3_unofficial_marker(K.INFORMAL_SOCIAL, "Socialist book club", settings)) == [("N3", "block")]


def test_n4_work_marker(settings):
    assert n4_work_marker(K.WORK_STAFF, "Amaze SENDIASS team", settings) == []
    (finding,) = n4_work_marker(K.WORK_VOLUNTEERS, "Amaze SENDIASS", settings)
    assert finding.rule == "N4" and finding.severity is Severity.ADVICE and "'team'" in finding.fix
    assert n4_work_marker(K.PARENT_CARERS, "Amaze Hove", settings) == []


def test_n5_name_must_exist_and_fit(settings):
    assert n5_length(K.PARENT_CARERS, "Amaze Hove", settings) == []
    assert n5_length(K.PARENT_CARERS, "a" * settings.whatsapp_subject_limit, settings) == []
    (empty,) = n5_length(K.PARENT_CARERS, "   ", settings)
    assert empty.rule == "N5" and empty.blocks and "Type a name" in empty.fix
    (long,) = n5_length(K.PARENT_CARERS, "a" * (settings.whatsapp_subject_limit + 3), settings)
    assert long.blocks and "by at least 3 characters" in long.fix


@pytest.mark.parametrize("name", [
    "\u202eezamA\u202c social",  # displays as "Amaze social"
    "Hove \u2067mums\u2069 social", "Lewes\u200f walkers social", "Hove\u200b mums social", "Hove mums\u2060 social",
    "Crawley \ufeffdads social", "Ho\u00adve mums social",
])
def test_n6_blocks_direction_controls_and_invisible_characters(name, settings):
    (finding,) = n6_no_hidden_characters(K.INFORMAL_SOCIAL, name, settings)
    assert (finding.rule, finding.field, finding.blocks) == ("N6", "name", True)
    assert "Type the name again" in finding.fix


def test_n6_names_the_character_and_why_it_matters(settings):
    (finding,) = n6_no_hidden_characters(K.PARENT_CARERS, "Amaze \u202eHove", settings)
    assert "right-to-left override" in finding.message and "display as something other" in finding.message


@pytest.mark.parametrize("name", [
    "Brighton dads \U0001f468\u200d\U0001f469\u200d\U0001f467 social",  # a family emoji is joined by ZWJs
    "Scottish mums \U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f social",  # a flag
    "Rainbow families \U0001f3f3\ufe0f\u200d\U0001f308 social", "Café crème Hove social", "Hove mums social",
])
def test_n6_lets_emoji_and_accents_through(name, settings):
    assert n6_no_hidden_characters(K.INFORMAL_SOCIAL, name, settings) == []


def test_n6_runs_with_the_other_name_rules_for_every_kind(settings):
    for kind in K:
        assert "N6" in [f.rule for f in check_name(kind, "Amaze Hove \u202eslaicos", settings)]


@pytest.mark.parametrize("name", ["\u202eezamA\u202c social", "Am\u200baze social"])
def test_a_hidden_name_gets_n2_as_well_as_n6(name, settings):
    found = [(f.rule, f.severity.value) for f in check_name(K.INFORMAL_SOCIAL, name, settings)]
    assert ("N2", "block") in found and ("N6", "block") in found


def test_n2_blocks_a_near_miss_and_says_it_is_close_enough(settings):
    (finding,) = n2_no_protected_name(K.INFORMAL_SOCIAL, "Amzae mums social", settings)
    assert finding.blocks and "'Amaze' (written 'Amzae', close enough to be taken for it)" in finding.message


def test_n2_quotes_a_reordered_name_without_its_controls(settings):
    (finding,) = n2_no_protected_name(K.INFORMAL_SOCIAL, "\u202eezamA\u202c social", settings)
    assert "\u202e" not in finding.message and "'Amaze'" in finding.message


def test_n2_leaves_ordinary_phrases_alone(settings):
    for name in ("Corn maze walk social", "A maze of paths walkers social", "Wolf pack walkers social"):
        assert not [f for f in n2_no_protected_name(K.INFORMAL_SOCIAL, name, settings) if f.blocks], name


def test_n2_protects_the_names_a_deployment_configures(settings):
    custom = settings.model_copy(update={"organisation_names": ["Sunflower Trust"], "forum_names": ["HPCF"]})
    assert rules(n2_no_protected_name(K.INFORMAL_SOCIAL, "Sunflwer Trust social", custom)) == [("N2", "block")]
    assert rules(n2_no_protected_name(K.INFORMAL_SOCIAL, "\u041dPCF social", custom)) == [("N2", "block")]
    assert n2_no_protected_name(K.INFORMAL_SOCIAL, "Amaze social", custom) == []
