"""A group's life from the home card: welcome a new member, close or archive a group, reopen it. flows/groups decides
who may and records every refusal; these say what happened."""
from __future__ import annotations

from collections.abc import Callable

from flows.groups.access import ChangeRefusal
from flows.groups.changes import ChangeResult
from flows.groups.models import Group
from flows.groups.snapshot import moderator_form
from flows.moderation.queries import active_moderators
from flows.policy.types import GroupKind
from teams import refusals
from teams.cards import groups as cards
from teams.handlers import inputs
from teams.handlers.wizard import moderator_choices
from teams.services import TeamsServices

PICKED = ("staff_moderators", "other_moderators", "partner_moderators")


def welcome_form(services: TeamsServices, person_id: str, data: dict):
    return _form(services, person_id, data, lambda group: cards.welcome_form(group.id, group.name), moderators=True)


def welcome(services: TeamsServices, person_id: str, data: dict):
    result = services.welcomes.welcome(data.get("group"), person_id, _text(data.get("member")))
    if result.refusal is not None:
        return cards.message(refusals.group_change(result.refusal))
    if result.errors:
        return cards.welcome_form(result.group_id, result.group_name, result.errors)
    return cards.welcomed_card(result.group_name, result.data)


def close_form(services: TeamsServices, person_id: str, data: dict):
    return _form(services, person_id, data, lambda group: cards.close_form(group.id, group.name))


def close(services: TeamsServices, person_id: str, data: dict):
    values = {"closed_as": _text(data.get("closed_as")), "reason": _text(data.get("reason"))}
    result = services.groups.close(data.get("group"), person_id, values)
    if result.errors:
        return cards.close_form(result.group_id, result.group_name, result.errors, values)
    return _said(result, f"{result.group_name} is now {values['closed_as']}: its reminders have stopped and it is off "
                         "the active register. Its moderators have been told.")


def reopen(services: TeamsServices, person_id: str, data: dict):
    result = services.groups.reopen(data.get("group"), person_id)
    return _said(result, f"{result.group_name} is open again: it is back on the register and its reminders start "
                         "again. Its moderators have been told.")


def details_form(services: TeamsServices, person_id: str, data: dict):
    return _form(services, person_id, data, cards.details_form)


def details(services: TeamsServices, person_id: str, data: dict):
    typed = {k: _text(data.get(k)) for k in cards.LIMITS if k in data}
    result = services.groups.change_details(data.get("group"), person_id, typed)
    if result.refusal is not None and not result.errors:
        return cards.message(refusals.group_change(result.refusal))
    if result.errors:
        group, _ = services.groups.actor(result.group_id, person_id)
        # A field refused by the personal-data guard (no rule was checked yet) is not shown again; one that breaks a
        # rule is, to be put right.
        kept = typed if result.refusal else {k: v for k, v in typed.items() if k not in result.errors}
        return cards.details_form(group, result.errors, kept)
    return cards.details_saved(result)


def moderators_form(services: TeamsServices, person_id: str, data: dict):
    return _form(services, person_id, data,
                 lambda group: cards.moderators_form(group, _choices(services, group), moderator_form(group)))


def moderators(services: TeamsServices, person_id: str, data: dict):
    values = {field: inputs.people(data.get(field)) for field in PICKED}
    values.update({field: inputs.one_person(data.get(field)) for field in ("lead_moderator", "emergency_contact")})
    values["offline_moderators"] = _text(data.get("offline_moderators"))
    result = services.groups.change_moderators(data.get("group"), person_id, values)
    if result.refusal is not None and not result.errors:
        return cards.message(refusals.group_change(result.refusal))
    if result.errors:
        group, _ = services.groups.actor(result.group_id, person_id)
        shown = values if result.refusal else {**values, "offline_moderators": None}
        return cards.moderators_form(group, _choices(services, group), shown, result.errors)
    return cards.moderators_saved(result)


def _choices(services: TeamsServices, group: Group) -> dict[str, list[tuple[str, str]]]:
    """Staff from the directory (the group's own staff moderators too, if the directory no longer lists them);
    volunteers and partner staff who use the app only as they moderate now (Entra lists no volunteers)."""
    offered, now = moderator_choices(services, GroupKind(group.kind)), moderator_form(group)
    names = {m.person_id: m.name for m in active_moderators(group)}
    staff = {m.person_id: m.name for m in offered["staff"]}
    for person in now["staff_moderators"]:
        staff.setdefault(person, names[person])
    staff_list = sorted(staff.items(), key=lambda pair: pair[1].lower())
    return {"staff_moderators": staff_list, "lead_moderator": staff_list,
            "other_moderators": [(p, names[p]) for p in now["other_moderators"]],
            "partner_moderators": [(p, names[p]) for p in now["partner_moderators"]],
            "emergency_contact": [(m.person_id, m.name) for m in offered["managers"]]}


def _said(result: ChangeResult, done: str):
    if result.refusal is not None:
        return cards.message(refusals.group_change(result.refusal))
    return cards.message(done, done=True)


def _form(services: TeamsServices, person_id: str, data: dict, shown: Callable[[Group], object],
          moderators: bool = False):
    """The form for a group, or why it is not this person's to fill in. Opening a form changes nothing, so a refusal
    here is only said; submitting it is checked and recorded. ``moderators``: any moderator may (a welcome), not
    only its staff moderators and senior managers."""
    group, actor = services.groups.actor(data.get("group"), person_id)
    if group is None:
        refused = ChangeRefusal.NOT_FOUND
    elif group.closed_at is not None:
        refused = ChangeRefusal.CLOSED
    elif moderators:
        refused = None if actor.moderator else ChangeRefusal.NOT_A_MODERATOR
    else:
        refused = None if actor.may_change else ChangeRefusal.NOT_STAFF_MODERATOR
    return cards.message(refusals.group_change(refused)) if refused else shown(group)


def _text(value) -> str:
    return inputs.text(value) or ""
