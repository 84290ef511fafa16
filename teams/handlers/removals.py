"""Removal handlers: "log removal" opens the form; a decision's buttons agree, approve or reject (flows/removals
decides who may, and records every refusal)."""
from __future__ import annotations

from flows.directory.service import Role
from flows.removals.disputes import RemovalDisputes
from flows.removals.service import DecisionView, RemovalOutcome, RemovalForm, RemovalStep
from teams import refusals
from teams.cards import removals as cards
from teams.cards.wizard import message_card
from teams.handlers.wizard import role_members
from teams.services import TeamsServices

TITLE = "Removal"
NOT_FOUND = "That removal is not in the records (the card may be out of date)."


def log_form(services: TeamsServices, person_id: str, argument: str = ""):
    groups = services.removals.groups_for(person_id)
    return cards.log_form(groups, services.removals.new_submission_key(),
                          max_days=services.settings.removal_review_max_days)


def log(services: TeamsServices, person_id: str, data: dict):
    form = RemovalForm(
        group_id=_str(data.get("group")), member_ref=_str(data.get("member_ref")) or "", kind=_str(data.get("kind")),
        breaches=tuple(_list(data.get("breaches"))), tried_first=tuple(_list(data.get("tried_first"))),
        review_on=_str(data.get("review_on")), notes=_str(data.get("notes")) or "",
    )
    key = _str(data.get("key")) or ""
    result = services.removals.log(person_id, key, form)
    if result.outcome is RemovalOutcome.INVALID:
        typed = {k: v for k, v in data.items() if k in ("group", "member_ref", "kind", "breaches", "tried_first",
                                                       "review_on")}
        # The notes are shown again only when they were not refused for holding personal details.
        if "notes" not in result.errors:
            typed["notes"] = data.get("notes")
        groups = services.removals.groups_for(person_id)
        return cards.log_form(groups, key, result.errors, typed, services.settings.removal_review_max_days)
    if result.outcome is RemovalOutcome.OUT_OF_DATE:
        return message_card("This form is out of date. Type “log removal” to start again.", title=cards.TITLE)
    return _shown(services, result, person_id)


def open_decision(services: TeamsServices, person_id: str, data: dict):
    decision = services.removals.decision(_str(data.get("decision")) or "")
    if decision is None or decision.group_id not in {g.id for g in services.removals.groups_for(person_id)}:
        return message_card(NOT_FOUND, title=TITLE)
    return _card(services, decision, viewer=person_id)


def agree(services: TeamsServices, person_id: str, data: dict):
    return _shown(services, services.removals.agree(_str(data.get("decision")) or "", person_id), person_id)


def approve(services: TeamsServices, person_id: str, data: dict):
    return _shown(services, services.removals.approve(_str(data.get("decision")) or "", person_id), person_id)


def reject(services: TeamsServices, person_id: str, data: dict):
    decision_id = _str(data.get("decision")) or ""
    result = services.removals.reject(decision_id, person_id, _str(data.get("reason")) or "")
    if result.outcome is RemovalOutcome.INVALID:
        # Whether they may reject is told before whether their reason will do.
        checked = services.removals.may_sign_off(decision_id, person_id, "reject")
        if checked.outcome is not RemovalOutcome.ALLOWED:
            return _shown(services, checked, person_id)
        return _card(services, checked.decision, errors=result.errors, viewer=person_id)
    return _shown(services, result, person_id)


def _shown(services: TeamsServices, result: RemovalStep, viewer: str | None = None):
    if result.outcome is RemovalOutcome.NOT_FOUND or result.decision is None:
        return message_card(NOT_FOUND, title=TITLE)
    banner = ""
    if result.outcome is RemovalOutcome.REFUSED:
        banner = refusals.removal(result.refusal, result.decision)
    elif result.outcome is RemovalOutcome.ALREADY_DONE:
        banner = "Someone got there first: nothing more was changed. This is where it stands."
    return _card(services, result.decision, banner=banner, viewer=viewer)


def _card(services: TeamsServices, decision: DecisionView, banner: str = "", errors: dict | None = None,
          viewer: str | None = None):
    for_logger = viewer is not None and viewer == decision.logged_by
    staff = staff_to_ask(services, decision) if for_logger else None
    return cards.decision_card(decision, names_in(services, decision), banner=banner, errors=errors,
                               for_logger=for_logger, staff=staff)


def names_in(services: TeamsServices, d: DecisionView) -> dict[str, str]:
    people = (d.logged_by, d.agreed_by, d.decided_by, d.disagreed_by, d.agreement_asked_of)
    return {p: services.name(p) for p in people if p}


def staff_to_ask(services: TeamsServices, decision: DecisionView) -> list | None:
    """When no staff moderator of the group could be asked: the staff the directory knows, but the logger."""
    if not RemovalDisputes(services.removals).can_ask_staff(decision):
        return None
    found = {m.person_id: m for role in (Role.STAFF, Role.PCF_STAFF) for m in role_members(services, role)}
    return sorted((m for p, m in found.items() if p != decision.logged_by), key=lambda m: m.name.lower())[:100]


def _str(value) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return value if isinstance(value, str) else None


def _list(value) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else []
