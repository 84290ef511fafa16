"""The new-group wizard's handlers: "new group" starts it, each card button moves it on (flows/wizard decides)."""
from __future__ import annotations

from flows.directory.service import DirectoryUnavailable, Role
from flows.policy.types import GroupKind
from flows.wizard import drafts
from flows.wizard.service import MODERATOR_FIELDS, WizardError, WizardState
from flows.wizard.steps import Step
from teams import refusals
from teams.cards import wizard as cards
from teams.directory import Member
from teams.handlers.inputs import one_person, people
from teams.handlers.inputs import text as _text
from teams.services import TeamsServices

OUT_OF_DATE = "This card is out of date. Type “new group” to start again."


def start(services: TeamsServices, person_id: str, name: str = ""):
    if not services.wizard.may_register(person_id):
        return cards.message_card(refusals.NOT_STAFF_TO_START)
    # The draft's team_id is a Slack workspace's; a Teams tenant is configuration, not kept per draft.
    state = services.wizard.start(person_id, None, name=name or None)
    return render(services, state, unfinished=services.wizard.unfinished(person_id, other_than=state.draft_id))


def continue_draft(services: TeamsServices, person_id: str, data: dict):
    """Carry on a set-up left unfinished (offered by "new group" and listed on the home card); the new one offered
    beside it is thrown away. flows/wizard says whether the draft is theirs and still open."""
    try:
        state = services.wizard.state(_text(data.get("draft")) or "", person_id)
    except WizardError as error:
        return cards.message_card(str(error), start_again=True)
    new = _text(data.get("new"))
    if new and new != state.draft_id:
        try:
            services.wizard.discard(new, person_id)
        except WizardError:
            pass  # already gone, or not theirs: nothing to throw away
    return render(services, state)


def start_again(services: TeamsServices, person_id: str, data: dict):
    return start(services, person_id)


def next_step(services: TeamsServices, person_id: str, data: dict):
    try:
        draft_id, step = _where(data)
    except ValueError:
        return cards.message_card(OUT_OF_DATE, start_again=True)
    values = read_values(step, data)
    result = services.wizard.submit(draft_id, person_id, step, values)
    if result.group is not None:
        kind = result.state.kind
        kit = drafts.kit(result.state, services.settings) if kind.official else None
        return cards.registered_card(result.group, kind, kit, services.settings)
    errors = {**result.errors, **({"review": refusals.wizard(result.refusal)} if result.refusal else {})}
    typed = values if errors and result.state.step is step else None
    return render(services, result.state, errors=errors, typed=typed)


def back(services: TeamsServices, person_id: str, data: dict):
    try:
        draft_id, _ = _where(data)
    except ValueError:
        return cards.message_card(OUT_OF_DATE, start_again=True)
    return render(services, services.wizard.back(draft_id, person_id))


def check_name(services: TeamsServices, person_id: str, data: dict):
    """What the naming rules say about the name as typed: the live check Slack runs on each keystroke. Nothing is
    saved until Next."""
    try:
        draft_id, step = _where(data)
    except ValueError:
        return cards.message_card(OUT_OF_DATE, start_again=True)
    name = _text(data.get("name")) or ""
    state, findings = services.wizard.preview_name(draft_id, person_id, name)
    if state.step is not Step.NAME:
        return render(services, services.wizard.state(draft_id, person_id))
    return render(services, state, live=findings, typed={"name": name})


def render(services: TeamsServices, state: WizardState, errors=None, typed=None, live=None, unfinished=None):
    settings = services.settings
    kit = drafts.kit(state, settings) if state.step is Step.REVIEW else None
    people = moderator_choices(services, state.kind) if state.step is Step.MODERATORS else None
    return cards.step_card(state, settings, services.wizard.advice(state), errors=errors, kit=kit, live=live,
                           people=people, typed=typed, unfinished=unfinished)


def moderator_choices(services: TeamsServices, kind: GroupKind) -> dict[str, list[Member]]:
    """Who the moderators step offers: the staff (or PCF staff) group for moderators, senior managers for the
    emergency contact. The wizard checks each choice's role again when the step is submitted."""
    staff = Role.PCF_STAFF if kind.pcf else Role.STAFF
    return {"staff": role_members(services, staff), "managers": role_members(services, Role.SENIOR_MANAGER)}


def role_members(services: TeamsServices, role: Role) -> list[Member]:
    group_id, listed = services.backend.source_of(role)
    found: dict[str, Member] = {}
    if group_id:
        try:
            found = {m.person_id: m for m in services.backend.members(group_id)}
        except DirectoryUnavailable:
            found = {}
    for person_id in services.backend.people(listed):
        found.setdefault(person_id, Member(person_id, services.name(person_id)))
    return sorted(found.values(), key=lambda m: m.name.lower())[:100]


def read_values(step: Step, data: dict) -> dict:
    """The step's inputs as the wizard takes them. Anything a Teams card could not have sent (a number for a text,
    a person that is not a person id) reads as left empty."""
    if step is Step.KIND:
        return {"kind": _text(data.get("kind"))}
    if step is Step.NAME:
        return {"name": _text(data.get("name"))}
    if step is Step.DESCRIPTION:
        return {"description": _text(data.get("description")), "agreement_url": _text(data.get("agreement_url"))}
    if step is Step.MODERATORS:
        values = {field: _text(data.get(field)) for field in MODERATOR_FIELDS}
        values["staff_moderators"] = people(data.get("staff_moderators"))
        values["other_moderators"] = []
        for single in ("lead_moderator", "emergency_contact"):
            values[single] = one_person(data.get(single))
        return values
    return {}


def _where(data: dict) -> tuple[str, Step]:
    draft_id, step = data.get("draft"), data.get("step")
    if not isinstance(draft_id, str) or not isinstance(step, str):
        raise ValueError("not a wizard card")
    return draft_id, Step(step)

