"""A1-A2: the group agreement exists and covers what the policy lists."""
from __future__ import annotations

import pytest

from flows.policy.agreement import A2_TOPICS, a1_agreement_exists, check_agreement
from flows.policy.types import GroupKind, Severity


@pytest.mark.parametrize("kind", [GroupKind.PARENT_CARERS, GroupKind.YOUNG_PEOPLE, GroupKind.PCF_MEMBERS])
def test_a1_user_groups_need_an_agreement_link(kind):
    assert a1_agreement_exists(kind, "https://www.amazesussex.org.uk/a") == []
    (f,) = a1_agreement_exists(kind, "  ")
    assert f.rule == "A1" and f.blocks and f.field == "agreement_url" and "https://" in f.fix


def test_a1_other_groups_need_none():
    assert a1_agreement_exists(GroupKind.WORK_STAFF, None) == []


def test_a2_empty_agreement_misses_every_topic_as_advice():
    found = check_agreement("")
    assert len(found) == len(A2_TOPICS)
    assert all(f.rule == "A2" and f.severity is Severity.ADVICE and f.field == "agreement" for f in found)


def test_a2_names_each_missing_topic():
    text = ("Keep things confidential. Our safeguarding policy: https://www.amazesussex.org.uk/safeguarding. "
            "Everyone is equal and included. No bullying.")
    missing = " ".join(f.message for f in check_agreement(text))
    assert "confidentiality" not in missing and "bullying" not in missing
    assert "services and professionals" in missing and "non-judgemental" in missing
    assert "raise a concern" in missing and "breaks the agreement" in missing
