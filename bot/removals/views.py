"""Modals for removals: the log form (R1), a rejection's reason (R2), and the button that opens the form."""
from __future__ import annotations

import json

from slack_sdk.models.blocks import (
    ButtonElement,
    CheckboxesElement,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticMultiSelectElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import context, escape, section
from flows.removals.models import RemovalKind
from flows.removals.service import (
    BREACHES,
    TRIED_FIRST,
    DecisionView,
    GroupChoice,
    RemovalForm,
)

LOG_CALLBACK_ID = "log_removal_form"
REASON_CALLBACK_ID = "removal_reject_reason"
LOG_ACTION = "log_removal"
TITLE = "Log a removal"
VALUE = "value"  # every input's action_id: the block_id says which field it is
OPTIONS_LIMIT = 100  # Slack's most options in a select
OPTION_TEXT_LIMIT = 75

KIND_OPTIONS = [
    Option(value=RemovalKind.TEMPORARY.value, text="Temporary", description="They can come back after a review"),
    Option(value=RemovalKind.PERMANENT.value, text="Permanent",
           description="Needs a staff moderator's agreement and a senior manager's sign-off"),
]


def log_removal_button(group_id: int) -> ButtonElement:
    """The register's "Log a removal" button for one group: place it in an actions block or as an accessory."""
    return ButtonElement(text="Log a removal", action_id=LOG_ACTION, value=str(group_id))


def loading_view() -> dict:
    # Opened at once, while the trigger is fresh; the form replaces it when the person's groups are known.
    return View(type="modal", title=TITLE, close="Cancel", blocks=[section("Just a moment…")]).to_dict()


def message_view(text: str, title: str = TITLE) -> dict:
    return View(type="modal", title=title, close="Close", blocks=[section(escape(text))]).to_dict()


def no_groups_view() -> dict:
    return message_view(
        "There's no group you can log a removal for. Moderators log removals for the groups they moderate (staff "
        "for any official group with moderators), and you aren't a moderator of a registered group. If you "
        "removed someone from a group, ask its staff moderator to log it, or ask to be added as a moderator."
    )


def log_form(
    groups: list[GroupChoice],
    earlier: list[DecisionView],
    submission_key: str,
    group_id: int | None = None,
    correcting: DecisionView | None = None,
) -> dict:
    """The form; when correcting a decision (R5), it starts from what that decision said."""
    was = correcting
    breach_options = [Option(value=code, text=label) for code, label in BREACHES.items()]
    tried_options = [Option(value=code, text=label) for code, label in TRIED_FIRST.items()]
    group_options = [Option(value=str(g.id), text=_short(g.name)) for g in groups[:OPTIONS_LIMIT]]
    initial_group = next((o for o in group_options if o.value == str(group_id)), None)
    if initial_group is None and len(group_options) == 1:
        initial_group = group_options[0]
    blocks = [
        section(
            "Log each removal from a WhatsApp group (R1). Use initials or a Charity Log reference for the member, "
            "never a name or phone number. A permanent removal is agreed with a staff moderator of the group and "
            "signed off by a senior manager (R2); every decision is shared with the group's moderators (R3)."
        ),
        InputBlock(
            block_id="group", label="Group",
            element=StaticSelectElement(
                action_id=VALUE, placeholder="Choose the group", options=group_options, initial_option=initial_group
            ),
        ),
        InputBlock(
            block_id="member_ref", label="Member",
            hint="Initials like J.S. or a Charity Log reference like CL-12345.",
            element=PlainTextInputElement(
                action_id=VALUE, max_length=40, placeholder="e.g. J.S. or CL-12345",
                initial_value=was.member_ref if was else None,
            ),
        ),
        InputBlock(
            block_id="kind", label="Temporary or permanent?",
            element=RadioButtonsElement(
                action_id=VALUE, options=KIND_OPTIONS,
                initial_option=next((o for o in KIND_OPTIONS if was and o.value == was.kind.value), None),
            ),
        ),
        InputBlock(
            block_id="breaches", label="Which part of the group agreement was breached?",
            element=StaticMultiSelectElement(
                action_id=VALUE, placeholder="Choose one or more", options=breach_options,
                initial_options=[o for o in breach_options if was and o.value in was.breaches] or None,
            ),
        ),
        InputBlock(
            block_id="tried_first", label="What was tried first?", optional=True,
            element=CheckboxesElement(
                action_id=VALUE, options=tried_options,
                initial_options=[o for o in tried_options if was and o.value in was.tried_first] or None,
            ),
        ),
        InputBlock(
            block_id="review_on", label="Review date (temporary removals)", optional=True,
            hint="For a temporary removal: the day the moderators look at it again (R4). Leave it empty for a "
            "permanent one.",
            element=DatePickerElement(action_id=VALUE, placeholder="Choose a date"),
        ),
        InputBlock(
            block_id="notes", label="Notes", optional=True,
            hint="Brief and practical. Initials only: the details belong on Charity Log.",
            element=PlainTextInputElement(action_id=VALUE, multiline=True, max_length=2000),
        ),
    ]
    if earlier:
        options = [Option(value=str(d.id), text=_short(_decision_label(d))) for d in earlier[:OPTIONS_LIMIT]]
        initial = next((o for o in options if was and o.value == str(was.id)), None)
        blocks.append(
            InputBlock(
                block_id="corrects", label="Corrects decision #", optional=True,
                hint="Decisions are never changed (R5). To put one right, log a new entry here that points to it.",
                element=StaticSelectElement(
                    action_id=VALUE, placeholder="Not a correction", options=options, initial_option=initial
                ),
            )
        )
    return View(
        type="modal", callback_id=LOG_CALLBACK_ID, title=TITLE, submit="Log removal", close="Cancel",
        private_metadata=json.dumps({"key": submission_key}), blocks=blocks,
    ).to_dict()


def logged_view(text: str) -> dict:
    return View(
        type="modal", callback_id=f"{LOG_CALLBACK_ID}_done", title=TITLE, close="Done",
        blocks=[section(text)],
    ).to_dict()


def reason_form(decision: DecisionView) -> dict:
    return View(
        type="modal", callback_id=REASON_CALLBACK_ID, title="Reject the removal", submit="Reject", close="Cancel",
        private_metadata=json.dumps({"decision": decision.id}),
        blocks=[
            section(
                f"You are rejecting the permanent removal of *{escape(decision.member_ref)}* from "
                f"*{escape(decision.group_name)}* (#{decision.id})."
            ),
            InputBlock(
                block_id="reason", label="Why?",
                hint="Shared with the person who logged it. Initials only, no names.",
                element=PlainTextInputElement(action_id=VALUE, multiline=True, max_length=1000),
            ),
            context("The decision is made when you press Reject."),
        ],
    ).to_dict()


# --- reading what Slack sends back --------------------------------------------------------------------------------
def read_key(view: dict) -> str:
    try:
        return str(json.loads(view.get("private_metadata") or "{}").get("key") or "")
    except (ValueError, AttributeError):
        return ""


def read_reason_metadata(view: dict) -> dict:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def read_values(view: dict) -> dict:
    """Each input's value by block_id, as plain Python values."""
    values = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        element = actions.get(VALUE) or next(iter(actions.values()), {})
        kind = element.get("type")
        if kind in ("static_select", "radio_buttons"):
            values[block_id] = (element.get("selected_option") or {}).get("value")
        elif kind in ("multi_static_select", "checkboxes"):
            values[block_id] = [o.get("value") for o in element.get("selected_options") or []]
        elif kind == "datepicker":
            values[block_id] = element.get("selected_date")
        else:
            values[block_id] = element.get("value")
    return values


def read_form(view: dict) -> RemovalForm:
    v = read_values(view)
    return RemovalForm(
        group_id=v.get("group"), member_ref=v.get("member_ref") or "", kind=v.get("kind"),
        breaches=tuple(v.get("breaches") or ()), tried_first=tuple(v.get("tried_first") or ()),
        review_on=v.get("review_on"), notes=v.get("notes") or "", corrects_id=v.get("corrects"),
    )


def field_ids(view: dict) -> set[str]:
    """The input blocks of a view: the only places Slack accepts a field error."""
    return {b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"}


def _decision_label(d: DecisionView) -> str:
    return f"#{d.id} {d.member_ref}, {d.kind.value}, {d.status.label} · {d.group_name}"


def _short(text: str) -> str:
    return text if len(text) <= OPTION_TEXT_LIMIT else text[: OPTION_TEXT_LIMIT - 1] + "…"
