"""Removal cards: the log form (R1), and a decision as it stands with the buttons its state allows (R2)."""
from __future__ import annotations

from datetime import datetime

from microsoft_teams.cards import Choice, ChoiceSetInput, DateInput, TextInput

from flows.removals.models import RemovalKind, RemovalStatus
from flows.removals.service import BREACHES, LOCAL, NOTES_MAX, TRIED_FIRST, DecisionView, GroupChoice, day_text
from teams.cards import removal_disputes as disputes
from teams.cards.common import card, execute, facts, heading, note, warning

LOG, OPEN, AGREE, APPROVE, REJECT = "removal.log", "removal.open", "removal.agree", "removal.approve", "removal.reject"
TITLE = "Log a member's removal"
STATUS_WORDS = {
    RemovalStatus.RECORDED: "Recorded (temporary removal)",
    RemovalStatus.AWAITING_AGREEMENT: "Waiting for a staff moderator of the group to agree (R2)",
    RemovalStatus.AWAITING_SIGN_OFF: "Waiting for a senior manager's sign-off (R2)",
    RemovalStatus.APPROVED: "Approved",
    RemovalStatus.REJECTED: "Rejected",
    RemovalStatus.NOT_AGREED: "Not agreed by a staff moderator: it goes no further (R2)",
    RemovalStatus.WITHDRAWN: "Withdrawn by the person who logged it",
}


def log_form(groups: list[GroupChoice], submission_key: str, errors: dict[str, str] | None = None,
             typed: dict | None = None, max_days: int = 90):
    errors, typed = errors or {}, typed or {}
    if not groups:
        return card([heading(TITLE), note(
            "You moderate no official group with moderators, so there is no removal for you to log here. A senior "
            "manager can log one for any group.")], fallback=TITLE)
    body = [
        heading(TITLE),
        note("Write the member as their initials or Charity Log reference, nothing more (R1). Details belong on "
             "Charity Log."),
        ChoiceSetInput(id="group", label="Group", style="compact", value=_str(typed.get("group")),
                       choices=[Choice(title=g.name, value=str(g.id)) for g in groups]),
        *_error(errors, "group"),
        TextInput(id="member_ref", label="Member (initials or Charity Log reference)", max_length=40,
                  value=_str(typed.get("member_ref"))),
        *_error(errors, "member_ref"),
        ChoiceSetInput(id="kind", label="Removal", style="expanded", value=_str(typed.get("kind")), choices=[
            Choice(title="Temporary (reviewed on a date, R4)", value=RemovalKind.TEMPORARY.value),
            Choice(title="Permanent (needs a staff moderator's agreement and a senior manager's sign-off, R2)",
                   value=RemovalKind.PERMANENT.value)]),
        *_error(errors, "kind"),
        ChoiceSetInput(id="breaches", label="Which part of the group agreement was breached", is_multi_select=True,
                       style="expanded", value=_str(typed.get("breaches")),
                       choices=[Choice(title=label, value=code) for code, label in BREACHES.items()]),
        *_error(errors, "breaches"),
        ChoiceSetInput(id="tried_first", label="What the moderators tried first", is_multi_select=True,
                       style="expanded", value=_str(typed.get("tried_first")),
                       choices=[Choice(title=label, value=code) for code, label in TRIED_FIRST.items()]),
        DateInput(id="review_on", label=f"Review date (temporary removals; within {max_days} days)",
                  value=_str(typed.get("review_on"))),
        *_error(errors, "review_on"),
        TextInput(id="notes", label="Notes (no names or details: those belong on Charity Log)", is_multiline=True,
                  max_length=NOTES_MAX, value=_str(typed.get("notes"))),
        *_error(errors, "notes"),
    ]
    return card(body, [execute("Log the removal", LOG, {"key": submission_key}, style="positive")], fallback=TITLE)


def decision_card(decision: DecisionView, names: dict[str, str], *, banner: str = "", errors: dict | None = None,
                  lead: str = "", actions: bool = True, for_logger: bool = False, staff: list | None = None):
    """What a decision shows to whoever looks at it: its details, where it stands, and the buttons its state allows
    (whether the viewer may press them is checked when they do). ``lead``: why the card was sent. ``for_logger``:
    the person who logged it looks, who may withdraw it (and, given ``staff``, ask one of them to agree)."""
    errors = errors or {}
    d = decision
    pairs = [("Group", d.group_name), ("Member", d.member_ref), ("Removal", d.kind.value.capitalize()),
             ("Breached", ", ".join(d.breach_labels) or "—")]
    if d.tried_labels:
        pairs.append(("Tried first", ", ".join(d.tried_labels)))
    if d.review_on:
        pairs.append(("Review on", day_text(d.review_on)))
    if d.notes:
        pairs.append(("Notes", d.notes))
    pairs.append(("Logged", f"by {names.get(d.logged_by, 'someone')}, {_when(d.logged_at)}"))
    if d.agreed_by:
        agreed = ("their own log as a staff moderator" if d.staff_agreement_was_own_log
                  else f"by {names.get(d.agreed_by, 'someone')}, {_when(d.agreed_at)}")
        pairs.append(("Staff agreement", agreed))
    if d.decided_by:
        pairs.append(("Approved" if d.status is RemovalStatus.APPROVED else "Rejected",
                      f"by {names.get(d.decided_by, 'someone')}, {_when(d.decided_at)}"))
    if d.rejection_reason:
        pairs.append(("Reason", d.rejection_reason))
    pairs += disputes.facts(d, names, _when)
    body = [heading(f"Removal from {d.group_name}")]
    if lead:
        body.append(note(lead))
    body.append(note(f"**{STATUS_WORDS[d.status]}**"))
    if banner:
        body.append(warning(banner))
    body.append(facts(pairs))
    data = {"decision": d.id}
    buttons = []
    if actions and d.status is RemovalStatus.AWAITING_AGREEMENT:
        more, disagree = disputes.disagree_part(d, errors)
        body += more
        buttons += [execute("Agree (staff moderator)", AGREE, data, style="positive"), *disagree]
    elif actions and d.status is RemovalStatus.AWAITING_SIGN_OFF:
        body += [TextInput(id="reason", label="Reason, if you reject it (shared with the person who logged it)",
                           is_multiline=True, max_length=1000), *_error(errors, "reason")]
        buttons += [execute("Approve", APPROVE, data, style="positive"),
                    execute("Reject", REJECT, data, style="destructive")]
    if for_logger:
        more, theirs = disputes.logger_part(d, names, errors, staff, actions)
        body, buttons = body + more, buttons + theirs
    return card(body, buttons, fallback=f"Removal from {d.group_name}: {STATUS_WORDS[d.status]}")


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(LOCAL)
    return f"{day_text(local.date())} at {local:%H:%M}"


def _error(errors: dict[str, str], field: str) -> list:
    return [warning(errors[field])] if errors.get(field) else []


def _str(value) -> str | None:
    return value if isinstance(value, str) and value else None
