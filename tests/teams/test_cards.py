"""Cards the tests over HTTP do not all reach: every kind's registered card (the longest the app sends: the texts to
paste) within the Adaptive Card 1.5 schema and Teams' size limit."""
from __future__ import annotations

import pytest

from flows.groups.models import Group
from flows.policy.types import GroupKind
from flows.settings import Settings
from flows.wizard import drafts
from flows.wizard.service import WizardState
from flows.wizard.steps import Step
from teams.cards.common import as_dict
from teams.cards.wizard import registered_card, step_card
from tests.teams import cards

MODERATORS = [{"name": n, "role": r} for n, r in (("Alex Morgan", "staff"), ("Sam Patel", "volunteer"),
                                                  ("Ali Khan", "partner_staff"), ("Bea Hughes", "staff"))]


def state(kind: GroupKind, step: Step = Step.REVIEW) -> WizardState:
    data = {"kind": kind.value, "name": "Amaze Brighton Parent Carers Chat", "moderators": MODERATORS,
            "agreement_url": "https://www.amazesussex.org.uk/groups/agreement", "quiet_hours": "No messages after 9pm",
            "out_of_hours": "Sam watches the group in the evenings. " * 20, "emergency_contact": "Sam Senior"}
    made = WizardState("d", "p0000000000000001", step, data)
    made.data["description"] = drafts.description(made, Settings(_env_file=None))
    return made


@pytest.mark.parametrize("kind", list(GroupKind))
def test_every_kinds_registered_card_and_review_fit_teams(kind):
    settings = Settings(_env_file=None)
    s = state(kind)
    kit = drafts.kit(s, settings) if kind.official else None
    group = Group(kind=kind.value, name=s.data["name"], official=kind.official)
    for made in (registered_card(group, kind, kit, settings), step_card(s, settings, [], kit=kit)):
        assert cards.problems(as_dict(made)) == []
