"""The forms for a registered group: the "Change this group" menu, its moderators, its details, closing it, and
welcoming a new member; and what each hands back (the texts to paste again, the welcome message)."""
from __future__ import annotations

import json

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    DividerBlock,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import bullet_list, context, escape, pasteable, section
from bot.groups.ids import VALUE, ActionId, BlockId, CallbackId
from flows.groups.access import Actor, ChangeRefusal
from flows.groups.changes import Change, ChangeResult
from flows.groups.lifecycle import REASON_LIMIT, ClosedAs
from flows.groups.models import Group
from flows.groups.snapshot import details_form, moderator_form
from flows.groups.summary import what_was_done
from flows.policy.types import GroupKind
from flows.wizard.service import TEXT_LIMITS

TITLE = "Change this group"
LIMITS = {**TEXT_LIMITS, "name": 200, "description": 4000, "agreement_url": 500}
BUTTON_LIMIT = 75

REFUSALS = {
    ChangeRefusal.NOT_FOUND: "I can't find that group any more; nothing has changed.",
    ChangeRefusal.NOT_STAFF_MODERATOR: (
        "Only the group's staff moderators and senior managers can change its moderators or details, or close it. "
        "Nothing has changed. Ask the lead staff moderator if something needs changing."),
    ChangeRefusal.NOT_A_MODERATOR: "Only the group's own moderators record new members. Nothing has been recorded.",
    ChangeRefusal.CLOSED: "This group is closed, so nothing about it changes unless it is reopened first.",
    ChangeRefusal.NOT_CLOSED: "This group is not closed, so there is nothing to reopen.",
    ChangeRefusal.WOULD_BREAK_RULES: "That change would break the policy, so nothing has changed.",
}


def word(reason: ChangeRefusal) -> str:
    return REFUSALS[reason]


def change_button(group_id: int) -> ButtonElement:
    return ButtonElement(text="Change this group", action_id=ActionId.CHANGE.value, value=str(group_id))


def welcome_button(group_id: int) -> ButtonElement:
    return ButtonElement(text="Welcome a new member", action_id=ActionId.WELCOME.value, value=str(group_id))


def metadata(group_id: int) -> str:
    return json.dumps({"group_id": group_id})


def read_group_id(view: dict) -> str:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return ""
    return str(data.get("group_id") or "") if isinstance(data, dict) else ""


def message_view(text: str, title: str = TITLE) -> dict:
    return View(type="modal", title=title, close="Close", blocks=[section(escape(text))]).to_dict()


def _modal(callback: CallbackId, group: Group, blocks: list, submit: str = "Save") -> dict:
    return View(type="modal", callback_id=callback.value, title=TITLE, submit=submit, close="Cancel",
                private_metadata=metadata(group.id), blocks=blocks).to_dict()


# --- the menu ---------------------------------------------------------------------------------------------------
def menu_view(group: Group, actor: Actor) -> dict:
    kind = GroupKind(group.kind)
    blocks = [section(f"*{escape(group.name)}* · {kind.label}")]
    if group.closed_at is not None:
        blocks.append(section(f"This group was {group.closed_as} on {group.closed_at:%-d %B %Y}."))
    buttons = []
    if actor.may_change and group.closed_at is None:
        if kind.needs_moderators:
            buttons.append(_button("Moderators, lead and emergency contact", ActionId.MODERATORS, group.id))
        buttons.append(_button("Name, description and other details", ActionId.DETAILS, group.id))
        buttons.append(_button("Close or archive the group", ActionId.CLOSE, group.id, style="danger"))
    elif actor.may_change:
        buttons.append(_button("Reopen the group", ActionId.REOPEN, group.id, style="primary", confirm=ConfirmObject(
            title="Reopen this group?", confirm="Reopen", deny="Not yet",
            text="Its reminders start again and it is back on the register. The moderators are told.")))
    if actor.moderator and group.closed_at is None and kind.official:
        buttons.append(_button("Welcome a new member", ActionId.WELCOME, group.id))
    if not buttons:
        return message_view(word(ChangeRefusal.NOT_STAFF_MODERATOR))
    if not actor.may_change:
        blocks.append(context(word(ChangeRefusal.NOT_STAFF_MODERATOR)))
    blocks.append(ActionsBlock(block_id=BlockId.MENU.value, elements=buttons))
    return View(type="modal", callback_id=CallbackId.MENU.value, title=TITLE, close="Close",
                private_metadata=metadata(group.id), blocks=blocks).to_dict()


# --- the forms ------------------------------------------------------------------------------------------------------
def moderators_view(group: Group) -> dict:
    form = moderator_form(group)
    blocks = [
        section("Change who moderates the group: take people out, add others, or both (to replace someone). The "
                "policy's rules are checked again before anything is saved (M1–M5), and new moderators are asked "
                "to confirm they have read the policy and the agreement (M8)."),
        InputBlock(block_id=BlockId.STAFF_MODERATORS.value, label="Staff moderators", element=UserMultiSelectElement(
            action_id=VALUE, initial_users=form["staff_moderators"] or None)),
        InputBlock(block_id=BlockId.LEAD_MODERATOR.value, label="Lead staff moderator", optional=True,
                   hint="One of the staff moderators. The first of them if you leave it empty.",
                   element=UserSelectElement(action_id=VALUE, initial_user=form["lead_moderator"])),
        InputBlock(block_id=BlockId.OTHER_MODERATORS.value, label="Volunteers on Slack", optional=True,
                   element=UserMultiSelectElement(action_id=VALUE, initial_users=form["other_moderators"] or None)),
        InputBlock(block_id=BlockId.PARTNER_MODERATORS.value, label="Partner staff on Slack", optional=True,
                   hint="Staff of a partner organisation: they share moderating (M3) but do not count as staff.",
                   element=UserMultiSelectElement(action_id=VALUE, initial_users=form["partner_moderators"] or None)),
        _text(BlockId.OFFLINE_MODERATORS, "Moderators not on Slack", form["offline_moderators"],
              "One a line: name, role (volunteer, partner staff or steering group), and for partner staff their "
              "organisation. E.g. “Sam Patel, volunteer”.", multiline=True),
        InputBlock(block_id=BlockId.EMERGENCY_CONTACT.value, label="Senior manager to call in an emergency",
                   optional=True, hint="Given to the moderators who are not staff (M10).",
                   element=UserSelectElement(action_id=VALUE, initial_user=form["emergency_contact"])),
    ]
    return _modal(CallbackId.MODERATORS, group, blocks)


def details_view(group: Group) -> dict:
    form, kind = details_form(group), GroupKind(group.kind)
    blocks = [
        section("Change what the group is called and what it says. The same rules as when it was set up are "
                "checked; if the description or agreement changes you get the texts to paste again."),
        _text(BlockId.NAME, "Group name", form["name"], "As it appears in WhatsApp.", optional=False),
    ]
    if kind.official:
        blocks += [
            _text(BlockId.DESCRIPTION, "Group description", form["description"], "The Group Info text.",
                  multiline=True),
            _text(BlockId.AGREEMENT_URL, "Link to the group agreement", form["agreement_url"],
                  "A page on the organisation's own site (D3)."),
        ]
    blocks.append(_text(BlockId.EXPECTED_MEMBERS, "Expected number of members", form["expected_members"],
                        "Roughly; a whole number."))
    if kind.needs_moderators:
        blocks += [
            _text(BlockId.OUT_OF_HOURS, "Out-of-hours cover", form["out_of_hours"],
                  "Who covers outside working hours, and how they reach a manager (M5).", multiline=True),
            _text(BlockId.MODERATION_PLAN, "Moderation plan", form["moderation_plan"],
                  "For a large group (M4).", multiline=True),
        ]
    if kind is GroupKind.YOUNG_PEOPLE:
        blocks.append(_text(BlockId.QUIET_HOURS, "Quiet hours", form["quiet_hours"], "E.g. no messages after 8pm."))
    return _modal(CallbackId.DETAILS, group, blocks)


def close_view(group: Group) -> dict:
    blocks = [
        section(f"Closing *{escape(group.name)}* stops its reminders and takes it off the active register; what the "
                "app keeps about it is kept for the set period from today, then deleted. It can be reopened."),
        InputBlock(block_id=BlockId.CLOSED_AS.value, label="What happened to it", element=RadioButtonsElement(
            action_id=VALUE, options=[
                Option(value=ClosedAs.CLOSED.value, text="Closed: the WhatsApp group no longer exists"),
                Option(value=ClosedAs.ARCHIVED.value, text="Archived: kept, read-only, nobody moderates it"),
            ])),
        InputBlock(block_id=BlockId.REASON.value, label="Why", hint="The moderators are told. No names, please.",
                   element=PlainTextInputElement(action_id=VALUE, multiline=True, max_length=REASON_LIMIT)),
    ]
    return _modal(CallbackId.CLOSE, group, blocks, submit="Close the group")


def welcome_view(group: Group) -> dict:
    blocks = [
        section(f"Someone joined *{escape(group.name)}*. Record them here and you get the welcome message and the "
                "agreement link to send them (the policy asks for both when a new member joins)."),
        InputBlock(block_id=BlockId.MEMBER.value, label="The new member", hint=(
            "Initials like J.S. or a Charity Log reference like CL-12345: nothing more."),
            element=PlainTextInputElement(action_id=VALUE, max_length=40)),
    ]
    return _modal(CallbackId.WELCOME, group, blocks, submit="Record and get the texts")


# --- what a change hands back ------------------------------------------------------------------------------------------
def done_view(result: ChangeResult) -> dict:
    blocks = [section(escape(done_text(result)))]
    if result.follow_ups:
        blocks.append(section("*Still to do*\n" + bullet_list([escape(f.in_words()) for f in result.follow_ups])))
    if result.change is Change.WELCOMED:
        blocks += [DividerBlock(), *pasteable("Welcome message (S3)", result.data["welcome"])]
        if result.data.get("agreement_url"):
            blocks.append(section(f"*Group agreement*\n{escape(result.data['agreement_url'])}"))
    elif result.kit is not None:
        blocks.append(context("Paste these into WhatsApp again: they changed."))
        for title, text in result.kit.texts(agreement_title="Group agreement (A2)", welcome_title="Welcome message (S3)"):
            blocks += pasteable(title, text)
    return View(type="modal", title=TITLE, close="Done", blocks=blocks[:100]).to_dict()


def done_text(result: ChangeResult) -> str:
    name = result.group_name
    if result.change is Change.WELCOMED:
        return (f"Recorded: {result.data['member']} joined {name} and was sent the welcome message. Send them the "
                "texts below.")
    if result.change is Change.CLOSED:
        return f"{name} is now {result.data['closed_as']}. Its reminders have stopped; the moderators are told."
    if result.change is Change.REOPENED:
        return f"{name} is open again: it is back on the register and its reminders start again."
    if not result.changed:
        return "Nothing was different, so nothing has changed."
    lines = what_was_done(result)
    return f"Saved the changes to {name}. " + " ".join(lines) + " The moderators are told."


# --- helpers --------------------------------------------------------------------------------------------------------
def _text(block: BlockId, label: str, initial: str, hint: str, multiline: bool = False, optional: bool = True):
    limit = LIMITS.get(block.value, 2000)
    return InputBlock(block_id=block.value, label=label, hint=hint, optional=optional, element=PlainTextInputElement(
        action_id=VALUE, multiline=multiline, max_length=limit, initial_value=(initial or "")[:limit] or None))


def _button(text: str, action: ActionId, group_id: int, style: str | None = None,
            confirm: ConfirmObject | None = None) -> ButtonElement:
    return ButtonElement(text=text[:BUTTON_LIMIT], action_id=action.value, value=str(group_id), style=style,
                         confirm=confirm)
