"""M1-M7, M11: who moderates, how many, out of hours."""
from __future__ import annotations

import pytest

from flows.policy.moderators import (
    m1_staff_moderator,
    m2_not_only_volunteers,
    m4_group_size,
    m5_out_of_hours,
    m7_no_moderators,
    m11_work_phone,
)
from flows.policy.types import GroupKind, ModeratorEntry, ModeratorRole, Severity

K, R = GroupKind, ModeratorRole


def mods(*roles):
    return tuple(ModeratorEntry(f"Person {i}", r) for i, r in enumerate(roles))


@pytest.mark.parametrize("kind,role", [
    (K.PARENT_CARERS, R.STAFF), (K.YOUNG_PEOPLE, R.STAFF), (K.WORK_VOLUNTEERS, R.STAFF),
    (K.PCF_MEMBERS, R.PCF_STAFF), (K.PCF_STEERING, R.PCF_STAFF),
])
def test_m1_the_right_staff_moderator_passes(kind, role):
    assert m1_staff_moderator(kind, mods(role, R.VOLUNTEER)) == []


def test_m1_no_staff_blocks_and_says_whom_to_add():
    (f,) = m1_staff_moderator(K.PARENT_CARERS, ())
    assert f.rule == "M1" and f.blocks and f.field == "moderators" and "Amaze staff member" in f.fix


def test_m1_forum_groups_need_pcf_staff_not_amaze_staff():
    (f,) = m1_staff_moderator(K.PCF_MEMBERS, mods(R.STAFF))
    assert "PCF staff" in f.fix and "Amaze staff do not count" in f.message


def test_m3_partner_staff_never_replaces_m1_and_m1_says_so():
    (f,) = m1_staff_moderator(K.PARENT_CARERS, mods(R.PARTNER_STAFF))
    assert "partner organisation" in f.message and "M3" in f.message
    assert m1_staff_moderator(K.PARENT_CARERS, mods(R.STAFF, R.PARTNER_STAFF)) == []


def test_m6_staff_only_work_group_needs_no_moderator():
    assert m1_staff_moderator(K.WORK_STAFF, ()) == []
    assert m5_out_of_hours(K.WORK_STAFF, None, None) == []


def test_m2_volunteers_never_the_only_moderators():
    (f,) = m2_not_only_volunteers(K.PARENT_CARERS, mods(R.VOLUNTEER, R.VOLUNTEER))
    assert f.rule == "M2" and f.blocks and "member of staff" in f.fix
    (g,) = m2_not_only_volunteers(K.PCF_STEERING, mods(R.STEERING_GROUP))
    assert "PCF staff" in g.fix
    assert m2_not_only_volunteers(K.PARENT_CARERS, mods(R.STAFF, R.VOLUNTEER)) == []
    assert m2_not_only_volunteers(K.PARENT_CARERS, ()) == []  # M1 says it


def test_m4_many_members_per_moderator_is_advice(settings):
    (f,) = m4_group_size(K.PARENT_CARERS, mods(R.STAFF), 90, None, settings)
    assert f.rule == "M4" and f.severity is Severity.ADVICE and f.field == "expected_members"
    assert "moderation plan" in f.fix
    assert m4_group_size(K.PARENT_CARERS, mods(R.STAFF, R.VOLUNTEER, R.VOLUNTEER), 90, None, settings) == []
    assert m4_group_size(K.PARENT_CARERS, mods(R.STAFF), 90, "Rota of four volunteers", settings) == []


def test_m4_very_large_group_requires_a_plan(settings):
    big = settings.plan_required_above + 1
    (f,) = m4_group_size(K.PARENT_CARERS, mods(*[R.STAFF] * 10), big, None, settings)
    assert f.blocks and f.field == "moderation_plan" and "moderation plan" in f.fix
    assert m4_group_size(K.PARENT_CARERS, mods(*[R.STAFF] * 10), big, "Weekly rota, 10 moderators", settings) == []


def test_m4_asks_for_the_size_of_user_groups(settings):
    (f,) = m4_group_size(K.YOUNG_PEOPLE, mods(R.STAFF), None, None, settings)
    assert f.severity is Severity.ADVICE and "how many members" in f.message


def test_m5_out_of_hours_is_required_and_emergency_contact_advised():
    found = m5_out_of_hours(K.PARENT_CARERS, None, None)
    assert [(f.rule, f.severity.value, f.field) for f in found] == [
        ("M5", "block", "out_of_hours"), ("M5", "advice", "emergency_contact")]
    assert "who keeps an eye on the group" in found[0].fix
    assert m5_out_of_hours(K.WORK_VOLUNTEERS, "Volunteers cover evenings", "Jo Senior") == []


def test_m7_unofficial_groups_have_no_moderators():
    (f,) = m7_no_moderators(K.INFORMAL_SOCIAL, mods(R.STAFF))
    assert f.rule == "M7" and f.blocks and "Remove the moderators" in f.fix
    assert m7_no_moderators(K.PCF_INFORMAL, ()) == []
    assert m7_no_moderators(K.PARENT_CARERS, mods(R.STAFF)) == []


def test_m11_work_phone_is_advice_for_official_groups_only():
    (f,) = m11_work_phone(K.PARENT_CARERS)
    assert f.rule == "M11" and f.severity is Severity.ADVICE and "work" in f.message
    assert m11_work_phone(K.INFORMAL_SOCIAL) == []
