"""Refusals are decided in flows/ as a reason (an enum) and worded for Slack in one place, bot/refusals.py."""
from __future__ import annotations

import pytest

from bot import refusals
from flows.directory.service import Refusal
from flows.moderation.service import Action, ModerationRefusal, Refused
from flows.removals.service import RemovalRefusal
from flows.wizard.service import WizardRefusal


@pytest.mark.parametrize("reasons, wording", [
    (Refusal, refusals.WORDING), (RemovalRefusal, refusals.REMOVAL_WORDING),
    (ModerationRefusal, refusals.MODERATION_WORDING), (WizardRefusal, refusals.WIZARD_WORDING),
])
def test_every_reason_flows_can_give_has_its_words(reasons, wording):
    assert set(wording) == set(reasons)


def test_a_refusal_names_the_people_and_the_group_it_is_about():
    refused = Refused(ModerationRefusal.NOT_THE_LEAD, "Amaze Lewes Parents", "Sam Patel", "Alex Kim")
    assert refusals.moderation(Action.CONFIRM_FOR, refused) == (
        "Only the lead staff moderator of Amaze Lewes Parents (Alex Kim) can confirm for Sam Patel, who is not on "
        "Slack; nothing has changed."
    )
    leaderless = Refused(ModerationRefusal.NOT_THE_LEAD, "Amaze Lewes Parents", "Sam Patel")
    assert "Amaze Lewes Parents can answer for Sam Patel" in refusals.moderation(Action.STILL_ABLE, leaderless)
