"""Report handlers: "report group" opens the form anyone may file; staff move a case on from its card."""
from __future__ import annotations

from flows.reports.service import Action, ReportForm, Result
from teams import refusals
from teams.cards import reports as cards
from teams.cards.wizard import message_card
from teams.services import TeamsServices

FIELDS = ("name", "where_seen", "how_found", "knows_who_runs", "contact", "notes")
NOT_FOUND = "That report is not in the records (the card may be out of date)."


def report_form(services: TeamsServices, person_id: str, argument: str = ""):
    return cards.report_form(typed={"name": argument} if argument else None)


def file(services: TeamsServices, person_id: str, data: dict):
    typed = {f: data.get(f) if isinstance(data.get(f), str) else None for f in FIELDS}
    knows = {"yes": True, "no": False}.get(typed["knows_who_runs"] or "")
    form = ReportForm(name=typed["name"] or "", where_seen=typed["where_seen"] or "",
                      how_found=typed["how_found"] or "", knows_who_runs=knows, contact=typed["contact"] or None,
                      notes=typed["notes"] or None)
    problems = services.reports.problems(form)
    if problems:
        # Refused text is shown nowhere again: the person types it afresh.
        shown = {k: v for k, v in typed.items() if k not in problems}
        return cards.report_form(problems, shown, key=data.get("key") if isinstance(data.get("key"), str) else None)
    key = data.get("key") if isinstance(data.get("key"), str) else None
    filed = services.reports.file(person_id, form, submission_id=key)
    return cards.thanks_card(filed.case, filed.linked)


def open_case(services: TeamsServices, person_id: str, data: dict):
    case_id = _int(data.get("case"))
    if not services.reports.may_act(person_id, case_id):
        return message_card(refusals.NOT_STAFF_TO_ACT_ON_REPORTS, title=cards.TITLE)
    case = services.reports.case(case_id) if case_id is not None else None
    if case is None:
        return message_card(NOT_FOUND, title=cards.TITLE)
    return _card(services, case)


def act(services: TeamsServices, person_id: str, data: dict):
    case_id = _int(data.get("case"))
    try:
        action = Action(data.get("action"))
    except ValueError:
        action = None
    if case_id is None or action is None:
        return message_card(NOT_FOUND, title=cards.TITLE)
    reason = data.get("reason") if isinstance(data.get("reason"), str) else None
    outcome = services.reports.act(case_id, person_id, action, reason if action is Action.NO_ACTION else None)
    if outcome.result is Result.REFUSED:
        return message_card(refusals.NOT_STAFF_TO_ACT_ON_REPORTS, title=cards.TITLE)
    case = outcome.case or services.reports.case(case_id)
    if case is None:
        return message_card(NOT_FOUND, title=cards.TITLE)
    if outcome.result is Result.NEEDS_REASON:
        error = outcome.reason_error or "Say in a few words why no action is needed: it is kept with the case."
        return _card(services, case, errors={"reason": error})
    banner = "Someone got there first: nothing more was changed." if outcome.result is Result.TOO_LATE else ""
    return _card(services, case, banner=banner, contacts=outcome.contacts)


def _card(services: TeamsServices, case, banner: str = "", errors: dict | None = None, contacts=()):
    people = {p for p in (case.reported_by, case.owner_id, case.resolved_by) if p}
    return cards.case_card(case, {p: services.name(p) for p in people}, banner=banner, errors=errors,
                           contacts=tuple(contacts))


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdecimal() and len(value) < 12 else None
