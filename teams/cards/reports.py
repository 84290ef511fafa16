"""Report cards: the form anyone files (U1), the thanks, and a case as staff follow it up (U2)."""
from __future__ import annotations

import uuid

from microsoft_teams.cards import Choice, ChoiceSetInput, TextInput

from flows.reports.models import CaseState, WhereSeen
from flows.reports.service import TEXT_LIMIT, Action, CaseView, actions_in
from teams.cards.common import bullets, card, execute, facts, heading, note, plain, section, warning

FILE, OPEN, ACT = "report.file", "report.open", "report.act"
TITLE = "Report an unofficial group"
ACTION_TITLES = {
    Action.APPROACH: "I'll approach them",
    Action.RENAMED: "They renamed it",
    Action.CLOSED: "They closed it down",
    Action.NO_ACTION: "No action needed",
}
STATE_WORDS = {
    CaseState.REPORTED: "Reported: nobody has taken it on yet",
    CaseState.APPROACHED: "Being approached",
    CaseState.RENAMED: "Renamed: done",
    CaseState.CLOSED: "Closed down: done",
    CaseState.NO_ACTION: "No action needed: done",
}


def report_form(errors: dict[str, str] | None = None, typed: dict | None = None, key: str | None = None):
    errors, typed = errors or {}, typed or {}
    body = [
        heading(TITLE),
        note("Seen a WhatsApp group (or another) that uses Amaze's or a forum's name without being one of its "
             "groups? Tell me about it and staff will follow it up (U1, U2)."),
        TextInput(id="name", label="The group's name, as you saw it", max_length=300, value=_s(typed.get("name"))),
        *_error(errors, "name"),
        ChoiceSetInput(id="where_seen", label="Where you saw it", style="expanded", value=_s(typed.get("where_seen")),
                       choices=[Choice(title=w.label, value=w.value) for w in WhereSeen]),
        *_error(errors, "where_seen"),
        TextInput(id="how_found", label="How you came across it", is_multiline=True, max_length=TEXT_LIMIT,
                  placeholder="e.g. “a parent told me about it”", value=_s(typed.get("how_found"))),
        *_error(errors, "how_found"),
        ChoiceSetInput(id="knows_who_runs", label="Do you know who runs it?", style="expanded",
                       value=_s(typed.get("knows_who_runs")),
                       choices=[Choice(title="Yes", value="yes"), Choice(title="No", value="no")]),
        TextInput(id="contact", label="Who runs it, if you know (kept only to approach them)", max_length=TEXT_LIMIT,
                  value=_s(typed.get("contact"))),
        *_error(errors, "contact"),
        TextInput(id="notes", label="Anything else (no personal details)", is_multiline=True, max_length=TEXT_LIMIT,
                  value=_s(typed.get("notes"))),
        *_error(errors, "notes"),
    ]
    return card(body, [execute("Send the report", FILE, {"key": key or uuid.uuid4().hex}, style="positive")],
                fallback=TITLE)


def thanks_card(case: CaseView, linked: bool):
    told = ("Staff already know about this group and are following it up; your report is added to theirs."
            if linked else "Staff are told and will follow it up (U2). Thank you.")
    return card([heading(f"Reported: {case.name}"), note(told)], fallback=f"Reported {case.name}")


def case_card(case: CaseView, names: dict[str, str], *, banner: str = "", errors: dict | None = None,
              contacts: tuple[str, ...] = (), actions: bool = True):
    errors = errors or {}
    pairs = [("Group", case.name), ("Where it stands", STATE_WORDS[case.state]),
             ("First reported", f"by {names.get(case.reported_by, 'someone')}, {case.reported_at:%d %b %Y}"),
             ("Reports", str(len(case.reports)))]
    if case.matched_names:
        pairs.append(("Uses the name", ", ".join(m.get("name", "") for m in case.matched_names)))
    if case.owner_id:
        pairs.append(("Taken on by", names.get(case.owner_id, "someone")))
    if case.resolved_by:
        pairs.append(("Finished by", names.get(case.resolved_by, "someone")))
    if case.resolution_reason:
        pairs.append(("Reason", case.resolution_reason))
    body = [heading(f"Unofficial group: {case.name}")]
    if banner:
        body.append(warning(banner))
    body.append(facts(pairs))
    seen = [f"{r.where_seen.label if isinstance(r.where_seen, WhereSeen) else r.where_seen}: {r.how_found}"
            for r in case.reports]
    if seen:
        body.append(section(note("**What reporters said**"), bullets(seen)))
    if contacts:
        body.append(section(note("**Who runs it** (for you, to approach them)"), *[plain(c) for c in contacts]))
    available = actions_in(case.state) if actions else []
    if Action.NO_ACTION in available:
        body += [TextInput(id="reason", label="Why no action is needed (if you choose that)", max_length=1000),
                 *_error(errors, "reason")]
    buttons = [execute(ACTION_TITLES[a], ACT, {"case": case.id, "action": a.value}) for a in available]
    return card(body, buttons, fallback=f"Unofficial group {case.name}: {STATE_WORDS[case.state]}")


def _error(errors: dict[str, str], field: str) -> list:
    return [warning(errors[field])] if errors.get(field) else []


def _s(value) -> str | None:
    return value if isinstance(value, str) and value else None
