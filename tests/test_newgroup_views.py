"""The wizard's views are built from slack_sdk's model classes, so Slack's Block Kit limits are enforced when they
are rendered: a view Slack would refuse fails here, not in front of a member of staff."""
from __future__ import annotations

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.views import View

from bot.newgroup import views
from flows.policy.types import GroupKind
from flows.settings import Settings
from flows.wizard import drafts
from flows.wizard.service import WizardState
from flows.wizard.steps import Step, steps_for

SETTINGS = Settings(_env_file=None)
LONGEST_NAME = "Amaze " + "x" * 94


def state_for(kind: GroupKind, step: Step) -> WizardState:
    moderators = [{"name": f"Moderator {n} " + "y" * 80, "role": "volunteer"} for n in range(30)]
    data = {
        "kind": kind.value, "name": LONGEST_NAME, "description": "d" * 2048,
        "agreement_url": "https://www.amazesussex.org.uk/" + "a" * 400, "moderators": moderators,
        "out_of_hours": "o" * 2000, "emergency_contact": "Sam Senior", "quiet_hours": "q" * 200,
        "moderation_plan": "p" * 2000, "form_moderators": {"offline": "Sam Patel, volunteer\n" * 100},
    }
    return WizardState(draft_id="d0", user_id="U1", step=step, data=data)


@pytest.mark.parametrize("kind", list(GroupKind))
def test_every_step_of_every_kind_renders_within_slacks_limits_even_with_the_longest_answers(kind):
    for step in steps_for(kind):
        state = state_for(kind, step)
        kit = drafts.kit(state, SETTINGS) if step is Step.REVIEW else None
        view = views.step_view(state, SETTINGS, advice=[], kit=kit, banner="b" * 5000)
        assert len(view["blocks"]) <= 100
        View(**view).validate_json()  # the same check slack_sdk applies; raises on anything Slack would refuse


def test_a_view_over_slacks_limits_is_refused_when_it_is_built():
    with pytest.raises(SlackObjectFormationError):
        View(type="modal", title="A title longer than twenty-four characters", blocks=[]).to_dict()
    with pytest.raises(SlackObjectFormationError):
        View(type="modal", title="Too many", blocks=[views.section("x")] * 101).to_dict()
