"""check() and the per-step helpers: every applicable rule, in rule order; never a crash on odd text."""
from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings as hyp_settings, strategies as st

from flows.policy import Finding, GroupKind, ModeratorEntry, ModeratorRole, check, check_moderators, check_name
from flows.policy.engine import check_description
from flows.settings import Settings
from tests.policy.conftest import good_proposal

K = GroupKind
SETTINGS = Settings(_env_file=None)


def blocking(result):
    return sorted({f.rule for f in result.findings if f.blocks})


@pytest.mark.parametrize("kind", list(GroupKind))
def test_a_well_set_up_group_of_every_kind_is_registrable(kind, settings):
    result = check(good_proposal(kind), settings)
    assert result.registrable, [f.as_dict() for f in result.findings if f.blocks]


@pytest.mark.parametrize("kind,change,rule", [
    (K.PARENT_CARERS, dict(name="Hove parent carers"), "N1"),
    (K.INFORMAL_SOCIAL, dict(name="Amaze mums social"), "N2"),
    (K.INFORMAL_SOCIAL, dict(name="Hove mums"), "N3"),
    (K.PARENT_CARERS, dict(name=""), "N5"),
    (K.PARENT_CARERS, dict(description="This is an Amaze group."), "D2"),
    (K.PARENT_CARERS, dict(agreement_url=None), "A1"),
    (K.PARENT_CARERS, dict(moderators=(ModeratorEntry("Dev", ModeratorRole.VOLUNTEER),)), "M2"),
    (K.PCF_MEMBERS, dict(moderators=(ModeratorEntry("Claire", ModeratorRole.STAFF),)), "M1"),
    (K.PARENT_CARERS, dict(expected_members=500), "M4"),
    (K.WORK_VOLUNTEERS, dict(out_of_hours=""), "M5"),
    (K.PCF_INFORMAL, dict(moderators=(ModeratorEntry("Claire", ModeratorRole.PCF_STAFF),)), "M7"),
    (K.WORK_VOLUNTEERS, dict(description="Rota chat."), "D7"),
    (K.PCF_STEERING, dict(description="ESPCF steering chat. Please keep it confidential. Joining shares your "
                                      "phone number with all members and you agree to this."), "D8"),
])
def test_one_thing_wrong_blocks_with_its_rule(kind, change, rule, settings):
    result = check(replace(good_proposal(kind), **change), settings)
    assert not result.registrable
    assert rule in blocking(result)


def test_findings_come_in_rule_order(settings):
    result = check(replace(good_proposal(K.PARENT_CARERS), name="", description="", moderators=()), settings)
    letters = [f.rule[0] for f in result.findings]
    assert letters == sorted(letters, key="NDAMWS".index)
    assert result.for_field("name")[0].rule == "N5"


def test_work_groups_get_w1_and_w2_advice_until_the_description_says_it(settings):
    result = check(replace(good_proposal(K.WORK_STAFF), description="Amaze staff team chat."), settings)
    assert result.registrable
    advice = {f.rule for f in result.findings if not f.blocks}
    assert {"W1", "W2"} <= advice
    assert not {"W1", "W2"} & {f.rule for f in check(good_proposal(K.WORK_STAFF), settings).findings}


def test_step_helpers_match_check(settings):
    p = replace(good_proposal(K.PARENT_CARERS), name="A.M.A.Z.E", moderators=())
    assert check_name(p.kind, p.name, settings) == check(p, settings).for_field("name")
    assert [f.rule for f in check_moderators(p.kind, p.moderators, settings, out_of_hours="x", emergency_contact="y",
                                             expected_members=10) if f.blocks] == ["M1"]


# --- never a crash on odd text -----------------------------------------------------------------------------------
odd_text = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(list("amzeAMZE .-@4$3\u200b\u200d\u202e\u0301\u05d0\u0627\U0001f600\U0001f170"
                                          "\uff21\u0410\ufeff\n\t"))),
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=5),  # lone surrogates
    # 10,000 characters: a short arbitrary text repeated.
    st.text(min_size=1, max_size=50).map(lambda s: (s * (10_000 // len(s) + 1))[:10_000]),
)


@hyp_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(kind=st.sampled_from(list(GroupKind)), name=odd_text, description=odd_text, url=st.one_of(st.none(), odd_text))
def test_arbitrary_text_never_raises_and_always_returns_findings(kind, name, description, url):
    proposal = replace(good_proposal(kind), name=name, description=description, agreement_url=url)
    result = check(proposal, SETTINGS)
    assert all(isinstance(f, Finding) and f.rule and f.message for f in result.findings)
    assert all(isinstance(f, Finding) for f in check_description(kind, description, SETTINGS, agreement_url=url))
