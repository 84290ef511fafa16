"""The new-group wizard as one card that changes in place: each step's inputs, what is wrong under the field at fault,
advice as text, Back, and the texts to paste once the group is registered."""
from __future__ import annotations

from collections.abc import Sequence

from microsoft_teams.cards import Choice, ChoiceSetInput, TextInput

from flows import drafting
from flows.groups.models import Group
from flows.policy.types import Finding, GroupKind
from flows.settings import Settings
from flows.wizard.drafts import PasteKit
from flows.wizard.service import TEXT_LIMITS, WizardState
from flows.wizard.steps import Step, step_number
from teams.cards.common import (
    bullets,
    buttons,
    card,
    execute,
    facts,
    good,
    heading,
    note,
    pasteable,
    plain,
    section,
    warning,
)
from teams.directory import Member

TITLE = "New WhatsApp group"
NEXT, BACK, CHECK_NAME, START = "wizard.next", "wizard.back", "wizard.check_name", "wizard.start"
CONTINUE = "wizard.continue"
STEP_WORDS = {
    Step.KIND: "the first step (the kind of group)", Step.NAME: "the name", Step.DESCRIPTION: "the description",
    Step.MODERATORS: "the moderators", Step.REVIEW: "the last check before registering",
}

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


def step_card(
    state: WizardState, settings: Settings, advice: list[Finding], *, errors: dict[str, str] | None = None,
    kit: PasteKit | None = None, live: list[Finding] | None = None, people: dict[str, list[Member]] | None = None,
    typed: dict | None = None, unfinished: WizardState | None = None,
):
    """``typed``: what the person had typed, shown again when the step was refused (nothing refused is stored).
    ``unfinished``: a set-up they left unfinished, offered on the first step of a new one."""
    errors = dict(errors or {})
    step = state.step
    number, total = step_number(state.kind, step)
    where = f"Step {number} of {total}" if total else f"Step {number} · the kind decides the steps that follow"
    body = [heading(TITLE), note(f"{where}: **{step.value.capitalize()}**" + (f" · {state.kind.label}" if state.kind
                                                                             else ""), subtle=True)]
    if unfinished is not None:
        body.append(_resume_offer(state, unfinished))
    own_fields = set(_FIELDS.get(step, ()))
    banner = [message for field, message in errors.items() if field not in own_fields]
    if banner:
        body.append(warning(" ".join(banner)))
    values = {**_stored(state), **{k: v for k, v in (typed or {}).items() if v not in (None, "")}}
    if step is Step.REVIEW:
        body += _review(state, kit, advice)
    else:
        body += _STEPS[step](state, settings, values, errors, people or {})
        if step is Step.NAME and live is not None:
            body.append(_live(live))
        if advice:
            body.append(section(note("**Suggestions so far** (you can register without them)"),
                                bullets(f.in_words() for f in advice)))
    data = {"draft": state.draft_id, "step": step.value}
    actions = []
    if number > 1:
        actions.append(execute("Back", BACK, data))
    if step is Step.NAME:
        actions.append(execute("Check the name", CHECK_NAME, data))
    actions.append(execute("Register group" if step is Step.REVIEW else "Next", NEXT, data, style="positive"))
    return card(body, actions, fallback=f"{TITLE}: {where}")


def registered_card(group: Group, kind: GroupKind, kit: PasteKit | None, settings: Settings):
    body = [heading(f"Registered: {group.name}")]
    if not kind.official:
        body.append(note("It is recorded as an unofficial group: no moderator is involved (M7) and nothing more is "
                         "needed."))
        conduct = drafting.conduct_notes(kind, group.name, settings)
        if conduct:
            body.append(section(note("**Behaviour in the group**"), bullets(conduct)))
        return card(body, fallback=f"Registered {group.name}")
    body.append(note("Here is everything to paste into WhatsApp. Set the group up in this order: settings, "
                     "description, then send the welcome message to everyone who joins, with the agreement's link."))
    if kit is not None:
        body.append(section(note("**Settings checklist**"), bullets(f"{text} ({rule})" for rule, text in kit.checklist)))
        if kit.conduct:
            body.append(section(note("**Behaviour in the group**"), bullets(kit.conduct)))
        for title, text in kit.texts(
            description_title="Group description (Group Info)",
            welcome_title="Welcome message (send when the group starts and to each new member)",
            agreement_title="Group agreement (publish it at the agreement link)",
        ):
            body.append(section(*pasteable(title, text)))
    return card(body, fallback=f"Registered {group.name}: the texts to paste into WhatsApp")


def _resume_offer(state: WizardState, unfinished: WizardState):
    name = unfinished.data.get("name")
    what = f"“{name}”" if name else "a group"
    return section(plain(f"You have an unfinished set-up of {what}, stopped at {STEP_WORDS[unfinished.step]}. Carry "
                         "on with it, or start this new one below."),
                   buttons(execute("Continue it", CONTINUE, {"draft": unfinished.draft_id, "new": state.draft_id},
                                   style="positive")))


def message_card(text: str, *, title: str = TITLE, start_again: bool = False):
    actions = [execute("Start again", START)] if start_again else []
    return card([heading(title), note(text)], actions, fallback=text)


# --- the steps -----------------------------------------------------------------------------------------------------
def _kind(state, settings, values, errors, people) -> list:
    return [
        note("What kind of WhatsApp group are you setting up? The policy asks different things of each."),
        ChoiceSetInput(id="kind", label="Kind of group", style="expanded", is_required=True,
                       error_message="Choose what kind of group this is.", value=values.get("kind"),
                       choices=[Choice(title=f"{k.label}: {KIND_HELP[k]}", value=k.value) for k in GroupKind]),
        *_error(errors, "kind"),
    ]


def _name(state, settings, values, errors, people) -> list:
    kind = state.kind
    if kind.official:
        names = settings.forum_names if kind.pcf else settings.organisation_names
        rules = (f"An official group's name makes its status clear: it carries {' or '.join(names[:2])} (N1)."
                 + (" A work group's name also says it is for work, e.g. “team” or “staff” (N4)." if kind.work else ""))
    else:
        rules = (f"An unofficial group must not use {', '.join(settings.protected_names)} in its name (N2), and its "
                 "name must make clear that it is unofficial, e.g. “social” or “informal” (N3). No moderator is "
                 "involved in an unofficial group (M7): the app records it, and that is all.")
    return [
        plain(rules),
        TextInput(id="name", label="Group name", max_length=300, value=_text(values.get("name"), 300),
                  placeholder=f"As it will appear in WhatsApp (at most {settings.whatsapp_subject_limit} characters)"),
        *_error(errors, "name"),
        note("Press **Check the name** to see what the naming rules say before you go on.", subtle=True),
    ]


def _description(state, settings, values, errors, people) -> list:
    required = state.kind.user_group
    intro = ("This is the text for WhatsApp's **Group Info**. I've drafted it from the policy's model: change it as "
             "you like. It must say that this is an official group, that joining shares your phone number with "
             "everyone and is consent to that, that members follow the group agreement (with its link), who the "
             "moderators are, and what to do if someone breaks the agreement or feels unsafe (D1–D5)."
             if required else
             "This is the text for WhatsApp's **Group Info**. I've drafted it from the policy; change it as you like.")
    domains = ", ".join(settings.organisation_domains)
    return [
        note(intro),
        TextInput(id="description", label="Group description", is_multiline=True, max_length=3000,
                  value=_text(values.get("description"), 3000),
                  placeholder=f"WhatsApp allows {settings.whatsapp_description_limit} characters. Your agreement "
                              "link goes where it says [LINK]."),
        *_error(errors, "description"),
        TextInput(id="agreement_url", label="Link to the group agreement", max_length=500,
                  value=_text(values.get("agreement_url"), 500), placeholder=f"https://… (on {domains})"),
        *_error(errors, "agreement_url"),
    ]


def _moderators(state, settings, values, errors, people) -> list:
    kind = state.kind
    staff_label = "PCF staff moderators" if kind.pcf else "Staff moderators"
    staff = people.get("staff") or []
    managers = people.get("managers") or []
    needs_cover = kind.user_group or kind in (GroupKind.WORK_VOLUNTEERS, GroupKind.PCF_STEERING)

    def text(field: str, label: str, placeholder: str, multiline: bool = False):
        limit = TEXT_LIMITS[field]
        return [TextInput(id=field, label=label, placeholder=placeholder, is_multiline=multiline or None,
                          max_length=limit, value=_text(values.get(field), limit)), *_error(errors, field)]

    body = [
        note("Every group like this needs at least one staff moderator (M1). Volunteers and steering group members "
             "may moderate too, but never alone (M2). Partner organisations' staff may share moderation (M3)."),
        _people("staff_moderators", staff_label, staff, values.get("staff_moderators"), multi=True),
        *_error(errors, "staff_moderators"),
        _people("lead_moderator", "Lead staff moderator (checks with the others now and then that they can carry on, "
                "M9; the first staff moderator if left empty)", staff, values.get("lead_moderator")),
        *_error(errors, "lead_moderator"),
        *text("offline_moderators", "Other moderators (not on Teams)",
              "One a line: name, role (volunteer, partner staff or steering group), and for partner staff their "
              "organisation. E.g. “Sam Patel, volunteer”.", multiline=True),
    ]
    if not staff:
        body.insert(1, warning("I can't list the staff from Microsoft Entra right now; try again in a minute."))
    if needs_cover:
        body += [
            *text("out_of_hours", "Out-of-hours cover",
                  "How moderation works outside working hours: who covers, and how they reach a manager (M5).",
                  multiline=True),
            _people("emergency_contact", "Senior manager to call in an emergency", managers,
                    values.get("emergency_contact")),
            *_error(errors, "emergency_contact"),
            *text("quiet_hours", "Quiet hours", "Optional, e.g. “No messages after 9pm”. It goes into the agreement."),
        ]
    body += [
        *text("expected_members", "Expected number of members", "Roughly; a whole number."),
        *text("moderation_plan", "Moderation plan",
              "For a large group: how the moderators will share the work and keep it safe (M4).", multiline=True),
    ]
    return body


def _review(state: WizardState, kit: PasteKit | None, advice: list[Finding]) -> list:
    kind = state.kind
    data = state.data
    pairs = [("Name", data.get("name", "")), ("Kind", kind.label)]
    if kind.needs_moderators:
        lead = data.get("lead_user_id")
        pairs.append(("Moderators", "; ".join(
            f"{m['name']} ({m['role'].replace('_', ' ')}{', lead' if lead and m.get('person_id') == lead else ''})"
            for m in data.get("moderators", []))))
        if data.get("out_of_hours"):
            pairs.append(("Out of hours", data["out_of_hours"]))
        if data.get("emergency_contact"):
            pairs.append(("Emergency contact", data["emergency_contact"]))
    body = [facts(pairs)]
    if not kind.official:
        body.append(note("No moderator is involved in an unofficial group (M7)."))
    if advice:
        body.append(section(note("**Suggestions** (recorded with the group; you can register without them)"),
                            bullets(f.in_words() for f in advice)))
    if kit and kind.official:
        body.append(section(*pasteable("Group description", kit.description)))
    body.append(note("Press **Register group** to record it. The texts to paste come in the next card.", subtle=True))
    return body


def _live(findings: list[Finding]):
    if not findings:
        return good("This name meets the naming rules.")
    return section(*[warning(f.in_words()) if f.blocks else plain(f.in_words()) for f in findings])


_STEPS = {Step.KIND: _kind, Step.NAME: _name, Step.DESCRIPTION: _description, Step.MODERATORS: _moderators}
_FIELDS = {
    Step.KIND: ("kind",),
    Step.NAME: ("name",),
    Step.DESCRIPTION: ("description", "agreement_url"),
    Step.MODERATORS: ("staff_moderators", "lead_moderator", "offline_moderators", "out_of_hours", "emergency_contact",
                      "quiet_hours", "expected_members", "moderation_plan", "other_moderators"),
}


def _people(field: str, label: str, members: Sequence[Member], chosen, multi: bool = False) -> ChoiceSetInput:
    value = ",".join(chosen) if isinstance(chosen, list) else chosen
    return ChoiceSetInput(id=field, label=label, is_multi_select=multi or None, style="compact" if not multi else None,
                          value=value or None,
                          choices=[Choice(title=m.name or "(no name)", value=m.person_id) for m in members])


def _error(errors: dict[str, str], field: str) -> list:
    return [warning(errors[field])] if errors.get(field) else []


def _stored(state: WizardState) -> dict:
    data = state.data
    form = data.get("form_moderators") or {}
    moderators_form = data.get("moderators_form") or {}
    return {
        **{k: v for k, v in data.items() if isinstance(v, (str, int)) and not isinstance(v, bool)},
        "staff_moderators": form.get("staff") or [],
        "lead_moderator": form.get("lead"),
        "offline_moderators": form.get("offline"),
        "emergency_contact": data.get("emergency_contact_person_id"),
        "expected_members": moderators_form.get("expected_members") or data.get("expected_members"),
    }


def _text(value, limit: int) -> str | None:
    return str(value)[:limit] if value not in (None, "") else None
