"""Messages about reported unofficial groups: the managers' message with its buttons (updated in place as the
case moves on), and the short notes the reporter, the owner and the clicker get."""
from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, ConfirmObject, HeaderBlock

from bot.blocks import bullet_list, context, escape, section
from flows.reports.models import CaseState
from flows.reports.service import Action, ActOutcome, CaseView, Result, actions_in

ACTION_IDS = {
    Action.APPROACH: "report_approach",
    Action.RENAMED: "report_renamed",
    Action.CLOSED: "report_closed",
    Action.NO_ACTION: "report_no_action",
}
BUTTON_LABELS = {
    Action.APPROACH: "I'll approach them",
    Action.RENAMED: "Renamed",
    Action.CLOSED: "Closed down",
    Action.NO_ACTION: "No action needed",
}
# The managers' message lists at most this many later reports; the rest are counted.
SHOWN_REPORTS = 8
# People's own words are shown up to this length in a message; the full text is kept in the database.
EXCERPT = 600


def when(at: datetime | None) -> str:
    """A time each reader sees in their own time zone."""
    if at is None:
        return ""
    fallback = at.strftime("%d %b %Y %H:%M UTC")
    return f"<!date^{int(at.timestamp())}^{{date_short}} at {{time}}|{fallback}>"


def match_sentence(matched: list[dict] | tuple[dict, ...]) -> str:
    if not matched:
        return "It matches none of our names: it was reported anyway."
    parts = []
    for m in matched:
        if m["strength"] == "exact":
            parts.append(f"uses our name *{escape(m['name'])}* (written “{escape(m['matched_text'])}”)")
        else:
            parts.append(f"has “{escape(m['matched_text'])}”, which looks like our name *{escape(m['name'])}*")
    return "It " + " and ".join(parts) + "."


def status_sentence(case: CaseView) -> str:
    state = case.state
    if state is CaseState.REPORTED:
        return "It is waiting for a manager to take it on."
    if state is CaseState.APPROACHED:
        return f"<@{case.owner_id}> is approaching the group (since {when(case.approached_at)})."
    done = {
        CaseState.RENAMED: "The group has been renamed",
        CaseState.CLOSED: "The group has closed down",
        CaseState.NO_ACTION: "No action was needed",
    }[state]
    reason = f": {escape(case.resolution_reason)}" if case.resolution_reason else ""
    return f"{done}{reason} (<@{case.resolved_by}>, {when(case.resolved_at)})."


def case_message(case: CaseView) -> dict:
    first = case.reports[0] if case.reports else None
    blocks = [
        HeaderBlock(text=f"Unofficial group reported: {case.name}"[:150]),
        section(f"*“{escape(case.name)}”*\n{match_sentence(case.matched_names)}"),
    ]
    if first is not None:
        blocks.append(section(_details(first)))
        blocks.append(context(f"Reported by <@{first.reporter_id}> on {when(first.reported_at)}"))
    later = [r for r in case.reports if r.linked]
    if later:
        lines = [
            f"<@{r.reporter_id}> on {when(r.reported_at)}: “{escape(r.name)}”, {r.where_seen.label}; "
            f"{escape(_excerpt(r.how_found, 200))}" + (" _(knows who runs it)_" if r.has_contact else "")
            for r in later[-SHOWN_REPORTS:]
        ]
        more = f"\n…and {len(later) - SHOWN_REPORTS} earlier" if len(later) > SHOWN_REPORTS else ""
        blocks.append(section(f"*Reported again* ({len(case.reports)} reports in all)\n{bullet_list(lines)}{more}"))
    blocks.append(section(f"*Status: {case.state.label}.* {status_sentence(case)}"))
    buttons = [_button(case, action) for action in actions_in(case.state)]
    if buttons:
        blocks.append(ActionsBlock(block_id=f"report_case_{case.id}", elements=buttons))
        blocks.append(context(
            "A manager approaches the group and asks it to change its name so that it can't be mistaken for ours "
            "(U2). Only staff can use these buttons; every click is recorded."
        ))
    return {
        "text": f"Unofficial group reported: “{escape(case.name)}” ({case.state.label})",
        "blocks": [block.to_dict() for block in blocks],
    }


def reporter_update(case: CaseView) -> str:
    """What a reporter is told when the case moves on."""
    return f"Update on your report of *“{escape(case.name)}”*: {status_sentence(case)}" + (
        "" if case.state.open else " Thank you for telling us."
    )


def owner_contacts(case: CaseView, contacts: tuple[str, ...], again: bool = False) -> str:
    intro = (
        f"*“{escape(case.name)}”* was reported again, and this reporter knows who runs it:"
        if again
        else f"You're approaching *“{escape(case.name)}”*. The reporters told us who runs it:"
    )
    return (
        f"{intro}\n{bullet_list([escape(c) for c in contacts])}\n"
        "_This is personal data: use it only to approach the group. The app deletes it when the report is closed._"
    )


def contacts_erased(case: CaseView) -> str:
    return (
        f"The report of *“{escape(case.name)}”* is finished ({case.state.label.lower()}), so the details of who "
        "runs the group have been deleted, as the policy asks."
    )


def reported_again_to_owner(case: CaseView, reporter_id: str) -> str:
    return f"*“{escape(case.name)}”*, which you're approaching, was reported again by <@{reporter_id}>."


def outcome_note(outcome: ActOutcome, user_id: str) -> str:
    """What the person who clicked is told privately when their click changed nothing."""
    case = outcome.case
    if outcome.result is Result.REFUSED:
        return (
            "Only staff can update reports of unofficial groups, so nothing was changed. Your click has been "
            "recorded. If you know something about this group, tell your manager."
        )
    if outcome.result is Result.NOT_FOUND or case is None:
        return "I can't find that report any more, so nothing was changed."
    if outcome.result is Result.NEEDS_REASON:
        return "Please give a reason: nothing was changed."
    if outcome.result is Result.TOO_LATE:
        if case.state is CaseState.REPORTED:
            return (
                f"*“{escape(case.name)}”* has to be approached before it can be marked "
                f"{BUTTON_LABELS[outcome.action].lower()}. Nothing was changed."
            )
        who = "You" if case.last_actor == user_id else f"<@{case.last_actor}>"
        if case.state is CaseState.APPROACHED:
            did = f"{who} already took *“{escape(case.name)}”* on ({when(case.approached_at)})"
        else:
            did = (
                f"{who} already marked *“{escape(case.name)}”* as {case.state.label.lower()} "
                f"({when(case.resolved_at)})"
            )
        return f"{did}. Nothing was changed."
    return ""


def delivery_failed(name: str) -> str:
    return (
        f"I couldn't pass your report of *“{escape(name)}”* on to a manager just now. It is recorded and listed for "
        "managers, but please tell your manager about it too."
    )


def _details(report) -> str:
    who_runs = (
        "The reporter knows; their details go privately to whoever approaches the group."
        if report.has_contact
        else {True: "The reporter knows, but didn't say.", False: "Not known."}.get(report.knows_who_runs, "Not said.")
    )
    lines = [
        f"*Where seen:* {report.where_seen.label}",
        f"*How they came across it:* {escape(_excerpt(report.how_found))}",
        f"*Who runs it:* {who_runs}",
    ]
    if report.notes:
        lines.append(f"*Anything else:* {escape(_excerpt(report.notes))}")
    return "\n".join(lines)


def _button(case: CaseView, action: Action) -> ButtonElement:
    confirm = None
    if action in (Action.RENAMED, Action.CLOSED):
        confirm = ConfirmObject(
            title="Close this report?",
            text=f"Mark “{case.name[:200]}” as {BUTTON_LABELS[action].lower()}? The reporter will be told.",
            confirm="Yes", deny="Not yet",
        )
    return ButtonElement(
        text=BUTTON_LABELS[action], action_id=ACTION_IDS[action], value=str(case.id),
        style="primary" if action is Action.APPROACH else None, confirm=confirm,
    )


def _excerpt(text: str, limit: int = EXCERPT) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
