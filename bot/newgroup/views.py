"""Block Kit views of the /newgroup wizard: one small builder per step."""
from __future__ import annotations

import json
import re
from enum import StrEnum
from collections.abc import Callable
from typing import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    DividerBlock,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from slack_sdk.models.blocks.basic_components import DispatchActionConfig

from bot.blocks import SECTION_LIMIT, bullet_list, chunks, context, escape, pasteable, section
from flows.drafting import quiet_hours_line
from flows.policy.types import Finding, GroupKind
from bot.settings import SlackSettings as Settings
from flows.wizard.drafts import PasteKit
from flows.wizard.service import TEXT_LIMITS, WizardState
from flows.wizard.steps import Step, step_number

CALLBACK_ID = "newgroup"
NAME_BLOCK = "name"
BACK_ACTION = "newgroup_back"
TITLE = "New WhatsApp group"
VALUE = "value"  # every input's action_id: the block_id says which field it is
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")



class DraftAction(StrEnum):
    """An unfinished set-up, offered again by /newgroup and listed in the App Home; the value is the draft's id."""

    CONTINUE = "newgroup_continue"


STEP_WORDS = {
    Step.KIND: "the first step (the kind of group)", Step.NAME: "the name", Step.DESCRIPTION: "the description",
    Step.MODERATORS: "the moderators", Step.REVIEW: "the last check before registering",
}


def step_label(step: object) -> str:
    return STEP_WORDS.get(Step(step), "a step") if step in Step._value2member_map_ else "a step"


def with_resume_offer(view: dict, unfinished: WizardState | None) -> dict:
    """The first step, with the offer to carry on a set-up left unfinished (the new one is then thrown away)."""
    if unfinished is None:
        return view
    name = unfinished.data.get("name")
    # A name may be as long as a form allowed (or longer, from a crafted request): it must not break the view.
    what = f"“{escape(str(name)[:150])}”" if name else "a group not yet named"
    offer = [
        section(f":hourglass: You have an unfinished set-up of {what}, stopped at {step_label(unfinished.step)}. "
                "Carry on where you left off, or start a new one below.").to_dict(),
        ActionsBlock(block_id="newgroup_unfinished", elements=[ButtonElement(
            text="Continue it", action_id=DraftAction.CONTINUE.value, value=unfinished.draft_id, style="primary",
        )]).to_dict(),
        DividerBlock().to_dict(),
    ]
    return {**view, "blocks": offer + list(view.get("blocks") or [])}


KIND_HELP = {
    GroupKind.PARENT_CARERS: "Parent carers who use Amaze, with staff and volunteers",
    GroupKind.YOUNG_PEOPLE: "Young people, with staff (e.g. Amazing Futures)",
    GroupKind.PCF_MEMBERS: "The wider membership of PaCC or ESPCF, with PCF staff",
    GroupKind.WORK_VOLUNTEERS: "Current staff and volunteers, for work",
    GroupKind.WORK_STAFF: "Current staff only, for work (no moderator needed)",
    GroupKind.PCF_STEERING: "PCF staff and steering group members, for forum business",
    GroupKind.INFORMAL_SOCIAL: "Staff and/or volunteers socialising; not run by Amaze",
    GroupKind.PCF_INFORMAL: "Steering group members without PCF staff, or not for PCF business",
}


def metadata(state: WizardState, step: Step) -> str:
    return json.dumps({"draft": state.draft_id, "step": step.value})


def read_metadata(private_metadata: str) -> tuple[str, Step]:
    """The draft and step a form belongs to; ValueError when the form is not one of the wizard's."""
    try:
        data = json.loads(private_metadata or "{}")
        return str(data["draft"]), Step(data["step"])
    except (TypeError, KeyError, IndexError) as error:
        raise ValueError("not a wizard form") from error


def step_view(
    state: WizardState,
    settings: Settings,
    advice: list[Finding],
    kit: PasteKit | None = None,
    banner: str = "",
    live: list[Finding] | None = None,
) -> dict:
    builders = {
        Step.KIND: _kind_blocks,
        Step.NAME: _name_blocks,
        Step.DESCRIPTION: _description_blocks,
        Step.MODERATORS: _moderators_blocks,
    }
    step = state.step
    number, total = step_number(state.kind, step)
    kind_label = f" · {state.kind.label}" if state.kind else ""
    where = f"Step {number} of {total}" if total else f"Step {number}"
    then = "" if total else " · the kind decides the steps that follow"
    blocks = [context(f"{where}: *{step.value.capitalize()}*{escape(kind_label)}{then}")]
    if banner:
        blocks.append(section(f":warning: {escape(banner)}"[:SECTION_LIMIT]))
    if step is Step.REVIEW:
        blocks += _review_blocks(state, kit, advice)
    else:
        blocks += builders[step](state, settings)
        if step is Step.NAME and live is not None:
            blocks.append(_live_name_check(live))
        if advice:
            blocks += [
                DividerBlock(), section("*Suggestions so far* (you can register without them)\n" + _advice_lines(advice)),
            ]
    if number > 1:
        blocks.append(ActionsBlock(elements=[ButtonElement(text="Back", action_id=BACK_ACTION, value=state.draft_id)]))
    submit = "Register group" if step is Step.REVIEW else "Next"
    return View(
        type="modal", callback_id=CALLBACK_ID, title=TITLE, submit=submit, close="Cancel",
        private_metadata=metadata(state, step), blocks=blocks,
    ).to_dict()


def registered_view(name: str, kind: GroupKind, conduct: Sequence[str] = ()) -> dict:
    follow_up = (
        "I've sent you a direct message with the description, welcome message, group agreement and the "
        "settings checklist, ready to paste."
        if kind.official
        else "It is recorded as an unofficial group: no moderator is involved (M7) and nothing more is needed."
    )
    return View(
        type="modal", callback_id=f"{CALLBACK_ID}_done", title=TITLE, close="Done",
        blocks=[section(f":white_check_mark: *{escape(name)}* is registered.\n{follow_up}")]
        + ([conduct_section(conduct)] if conduct and not kind.official else []),
    ).to_dict()


def conduct_section(conduct: Sequence[str]) -> SectionBlock:
    return section(("*Behaviour in the group*\n" + bullet_list([escape(note) for note in conduct]))[:SECTION_LIMIT])


def message_view(text: str) -> dict:
    return View(type="modal", title=TITLE, close="Close", blocks=[section(escape(text))]).to_dict()


# --- the steps -------------------------------------------------------------------------------------------------------
def _kind_blocks(state: WizardState, settings: Settings) -> list:
    options = [Option(value=k.value, text=k.label[:75], description=KIND_HELP[k][:75]) for k in GroupKind]
    initial = next((o for o in options if o.value == state.data.get("kind")), None)
    return [
        section("What kind of WhatsApp group are you setting up? The policy asks different things of each."),
        InputBlock(
            block_id="kind", label="Kind of group",
            element=RadioButtonsElement(action_id=VALUE, options=options, initial_option=initial),
        ),
    ]


def _name_blocks(state: WizardState, settings: Settings) -> list:
    kind = state.kind
    if kind.official:
        names = settings.forum_names if kind.pcf else settings.organisation_names
        rules = (
            f"An official group's name makes its status clear: it carries {' or '.join(names[:2])} (N1)."
            + (" A work group's name also says it is for work, e.g. “team” or “staff” (N4)." if kind.work else "")
        )
    else:
        rules = (
            f"An unofficial group must not use {', '.join(settings.protected_names)} in its name (N2), and its "
            "name must make clear that it is unofficial, e.g. “social” or “informal” (N3).\n"
            "No moderator is involved in an unofficial group (M7): the app records it, and that is all."
        )
    return [
        section(escape(rules)),
        InputBlock(
            block_id="name", label="Group name", dispatch_action=True,
            hint=f"As it will appear in WhatsApp (at most {settings.whatsapp_subject_limit} characters). "
            "I check it as you type.",
            element=PlainTextInputElement(
                action_id=VALUE, initial_value=(state.data.get("name") or "")[:300] or None, max_length=300,
                # Each pause in typing sends the name to the app, which shows what the naming rules say.
                dispatch_action_config=DispatchActionConfig(trigger_actions_on=["on_character_entered"]),
            ),
        ),
    ]


def _live_name_check(findings: list[Finding]) -> SectionBlock:
    if not findings:
        return section(":white_check_mark: This name meets the naming rules.")
    lines = [f"{':no_entry:' if f.blocks else ':bulb:'} {escape(f.in_words())}" for f in findings]
    return section("\n".join(lines)[:SECTION_LIMIT])


def _description_blocks(state: WizardState, settings: Settings) -> list:
    kind = state.kind
    required = kind.user_group
    intro = (
        "This is the text for WhatsApp's *Group Info*. I've drafted it from the policy's model: change it as you "
        "like. It must say that this is an official group, that joining shares your phone number with everyone "
        "and is consent to that, that members follow the group agreement (with its link), who the moderators are, "
        "and what to do if someone breaks the agreement or feels unsafe (D1–D5)."
        if required
        else "This is the text for WhatsApp's *Group Info*. I've drafted it from the policy; change it as you like."
    )
    domains = ", ".join(settings.organisation_domains)
    return [
        section(intro),
        InputBlock(
            block_id="description", label="Group description", optional=not required,
            hint=f"WhatsApp allows {settings.whatsapp_description_limit} characters. "
            "Your agreement link goes where it says [LINK].",
            element=PlainTextInputElement(
                action_id=VALUE, multiline=True, max_length=3000,
                initial_value=(state.data.get("description") or "")[:3000] or None,
            ),
        ),
        InputBlock(
            block_id="agreement_url", label="Link to the group agreement", optional=not required,
            hint=f"The page on your website where the agreement is published (https, on {domains}).",
            element=PlainTextInputElement(
                action_id=VALUE, initial_value=(state.data.get("agreement_url") or "")[:500] or None, max_length=500,
                placeholder="https://www.amazesussex.org.uk/…",
            ),
        ),
    ]


def _moderators_blocks(state: WizardState, settings: Settings) -> list:
    kind = state.kind
    form = state.data.get("form_moderators") or {}
    staff_label = "PCF staff moderators" if kind.pcf else "Staff moderators"
    needs_cover = kind.user_group or kind in (GroupKind.WORK_VOLUNTEERS, GroupKind.PCF_STEERING)

    def text_input(block_id, label, hint, multiline=False, optional=True):
        limit = TEXT_LIMITS[block_id]
        return InputBlock(
            block_id=block_id, label=label, hint=hint, optional=optional,
            element=PlainTextInputElement(
                action_id=VALUE, multiline=multiline, max_length=limit,
                initial_value=_initial_text(state, block_id, form, limit),
            ),
        )

    blocks = [
        section(
            "Every group like this needs at least one staff moderator (M1). Volunteers and steering group members "
            "may moderate too, but never alone (M2). Partner organisations' staff may share moderation (M3)."
        ),
        InputBlock(
            block_id="staff_moderators", label=staff_label,
            element=UserMultiSelectElement(action_id=VALUE, initial_users=form.get("staff") or None),
        ),
        InputBlock(
            block_id="lead_moderator", label="Lead staff moderator", optional=True,
            hint="Checks with the others now and then that they can carry on (M9). The first staff moderator "
            "if you leave it empty.",
            element=UserSelectElement(action_id=VALUE, initial_user=form.get("lead")),
        ),
        InputBlock(
            block_id="other_moderators", label="Other moderators on Slack", optional=True,
            hint="Trusted volunteers or steering group members.",
            element=UserMultiSelectElement(action_id=VALUE, initial_users=form.get("others") or None),
        ),
        text_input(
            "offline_moderators", "Moderators not on Slack",
            "One a line: name, role (volunteer, partner staff or steering group), and for partner staff their "
            "organisation. E.g. “Sam Patel, volunteer”.",
            multiline=True,
        ),
    ]
    if needs_cover:
        blocks += [
            text_input(
                "out_of_hours", "Out-of-hours cover",
                "How moderation works outside working hours: who covers, and how they reach a manager (M5).",
                multiline=True, optional=False,
            ),
            InputBlock(
                block_id="emergency_contact", label="Senior manager to call in an emergency",
                element=UserSelectElement(action_id=VALUE, initial_user=state.data.get("emergency_contact_person_id")),
            ),
            text_input("quiet_hours", "Quiet hours", _quiet_hours_hint(kind)),
        ]
    blocks += [
        text_input("expected_members", "Expected number of members", "Roughly; a whole number."),
        text_input(
            "moderation_plan", "Moderation plan",
            "For a large group: how the moderators will share the work and keep it safe (M4).", multiline=True,
        ),
    ]
    return blocks


def _quiet_hours_hint(kind: GroupKind) -> str:
    if kind is GroupKind.YOUNG_PEOPLE:
        return (f"Optional. Left empty, the description and the agreement say “{quiet_hours_line(kind, None)}” "
                "What you write here goes into both instead.")
    return "Optional, e.g. “No messages after 9pm”. It goes into the group agreement."


def _review_blocks(state: WizardState, kit: PasteKit | None, advice: list[Finding]) -> list:
    kind = state.kind
    data = state.data
    summary = [f"*Name:* {escape(data.get('name', ''))}", f"*Kind:* {escape(kind.label)}"]
    if kind.needs_moderators:
        lead = data.get("lead_user_id")
        mods = [
            f"{escape(m['name'])} ({m['role'].replace('_', ' ')}{', lead' if lead and m.get('person_id') == lead else ''})"
            for m in data.get("moderators", [])
        ]
        summary.append("*Moderators:* " + "; ".join(mods))
        if data.get("out_of_hours"):
            summary.append(f"*Out of hours:* {escape(data['out_of_hours'])}")
        if data.get("emergency_contact"):
            summary.append(f"*Emergency contact:* {escape(data['emergency_contact'])}")
    elif not kind.official:
        summary.append("No moderator is involved in an unofficial group (M7).")
    blocks = [section(part) for part in chunks("\n".join(summary))]
    if advice:
        blocks.append(section(
            "*Suggestions* (recorded with the group; you can register without them)\n" + _advice_lines(advice)
        ))
    if kit and kind.official:
        blocks.append(DividerBlock())
        for title, text in kit.texts(agreement_title="Group agreement (A2)", welcome_title="Welcome message (S3)"):
            blocks += pasteable(title, text)
    if kit and kit.conduct:
        blocks.append(conduct_section(kit.conduct))
    if kit and kit.checklist:
        checklist = "*Settings checklist*\n" + bullet_list([f"{escape(t)} ({r})" for r, t in kit.checklist])
        blocks.append(section(checklist[:SECTION_LIMIT]))
    blocks.append(context("Press *Register group* to record it. You'll get all these texts in a direct message."))
    return blocks


def _advice_lines(advice: list[Finding]) -> str:
    return bullet_list([escape(f.in_words()) for f in advice])[:SECTION_LIMIT - 100]


def _initial_text(state: WizardState, block_id: str, form: dict, limit: int) -> str | None:
    if block_id == "offline_moderators":
        value = form.get("offline")
    else:
        value = state.data.get(block_id)
    # Slack refuses a view whose initial text is longer than its field allows.
    return str(value)[:limit] if value not in (None, "") else None


def field_ids(view: dict) -> set[str]:
    """The input blocks of a view: the only places Slack accepts a field error."""
    return {b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"}


def read_values(view: dict, person: Callable[[str], str] = str) -> dict:
    """Each input's value by block_id, as plain Python values, the users picked as `person` of their Slack user id
    (bot.people.person_of). What Slack's own elements could not have sent (a number for a text, a user that is not
    a Slack user id) reads as left empty."""
    values = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        if not isinstance(actions, dict):
            continue
        element = actions.get(VALUE) or next(iter(actions.values()), {})
        if not isinstance(element, dict):
            continue
        kind = element.get("type")
        if kind == "radio_buttons":
            option = element.get("selected_option")
            values[block_id] = _text(option.get("value")) if isinstance(option, dict) else None
        elif kind == "multi_users_select":
            users = element.get("selected_users")
            values[block_id] = [person(u) for u in users if _user(u)] if isinstance(users, list) else []
        elif kind == "users_select":
            user = _user(element.get("selected_user"))
            values[block_id] = person(user) if user else None
        else:
            values[block_id] = _text(element.get("value"))
    return values


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _user(value: object) -> str | None:
    return value if isinstance(value, str) and SLACK_USER_ID.match(value) else None


