"""Slack's side of a removal's ways out of waiting (flows/removals/disputes.py): the buttons (I don't agree,
Withdraw, Ask another member of staff) and their modals. The messages that carry them are in messages.py."""
from __future__ import annotations

import json

from slack_sdk.models.blocks import ButtonElement, ConfirmObject, InputBlock, PlainTextInputElement, UserSelectElement
from slack_sdk.models.views import View

from bot.blocks import context, escape, mention, section
from flows.removals.disputes import WAITING
from flows.removals.models import RemovalStatus
from flows.removals.service import REASON_MAX, DecisionView

DISAGREE_ACTION = "removal_disagree"
WITHDRAW_ACTION = "removal_withdraw"
ASK_STAFF_ACTION = "removal_ask_staff"
DISAGREE_CALLBACK_ID = "removal_disagree_reason"
ASK_STAFF_CALLBACK_ID = "removal_ask_staff_form"
DISAGREE_TITLE = "I don't agree"
ASK_STAFF_TITLE = "Ask a member of staff"
# The fields' block ids are the domain's field names, so its errors land where they are about.
REASON_BLOCK, STAFF_BLOCK = "reason", "staff"
VALUE = "value"


# --- buttons ------------------------------------------------------------------------------------------------------
def disagree_button(d: DecisionView) -> ButtonElement:
    return ButtonElement(text="I don't agree", action_id=DISAGREE_ACTION, value=str(d.id))


def withdraw_button(d: DecisionView) -> ButtonElement:
    return ButtonElement(
        text="Withdraw", action_id=WITHDRAW_ACTION, value=str(d.id), style="danger",
        confirm=ConfirmObject(
            title="Withdraw this removal?", confirm="Withdraw", deny="Keep it",
            text="The requests to agree and to sign it off are closed, and nothing more happens to it. If the member "
                 "still needs to be removed, log it again.",
        ),
    )


def ask_staff_button(d: DecisionView) -> ButtonElement:
    return ButtonElement(text="Ask another member of staff", action_id=ASK_STAFF_ACTION, value=str(d.id),
                         style="primary")


def logger_buttons(d: DecisionView, nobody_asked: bool) -> list[ButtonElement]:
    """What the person who logged it can do while it waits."""
    if d.status not in WAITING:
        return []
    ask = nobody_asked and d.status is RemovalStatus.AWAITING_AGREEMENT and d.agreement_asked_of is None
    return [*([ask_staff_button(d)] if ask else []), withdraw_button(d)]


# --- the modals ---------------------------------------------------------------------------------------------------
def disagree_form(d: DecisionView) -> dict:
    return View(
        type="modal", callback_id=DISAGREE_CALLBACK_ID, title=DISAGREE_TITLE, submit="Send", close="Cancel",
        private_metadata=json.dumps({"decision": d.id}),
        blocks=[
            section(
                f"You don't agree to the permanent removal of *{escape(d.member_ref)}* from *{escape(d.group_name)}* "
                f"(#{d.id}), logged by {mention(d.logged_by)}. It then goes no further (R2)."
            ),
            InputBlock(
                block_id=REASON_BLOCK, label="Why not?",
                hint="Shared with the person who logged it and the group's moderators. Initials only, no names.",
                element=PlainTextInputElement(action_id=VALUE, multiline=True, max_length=REASON_MAX),
            ),
            context("Nothing changes until you press Send."),
        ],
    ).to_dict()


def ask_staff_form(d: DecisionView) -> dict:
    return View(
        type="modal", callback_id=ASK_STAFF_CALLBACK_ID, title=ASK_STAFF_TITLE, submit="Ask", close="Cancel",
        private_metadata=json.dumps({"decision": d.id}),
        blocks=[
            section(
                f"No staff moderator of *{escape(d.group_name)}* is on Slack, so a member of staff can agree to the "
                f"permanent removal of *{escape(d.member_ref)}* (#{d.id}) in their place (R2). Choose who to ask: "
                "I'll send them the request, and tell you if they agree."
            ),
            InputBlock(
                block_id=STAFF_BLOCK, label="Member of staff",
                hint="Someone in the staff user group, other than you.",
                element=UserSelectElement(action_id=VALUE, placeholder="Choose a member of staff"),
            ),
        ],
    ).to_dict()


def message_view(text: str, title: str) -> dict:
    return View(type="modal", title=title, close="Close", blocks=[section(text)]).to_dict()

