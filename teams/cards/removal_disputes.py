"""The parts of a removal card for its ways out of waiting (flows/removals/disputes.py): "I don't agree" with its
reason inline (Teams' dialogs do not open in every client, so the card holds the input), Withdraw and "Ask this
member of staff" for the person who logged it, and what they can do next once it is turned down."""
from __future__ import annotations

from microsoft_teams.cards import Choice, ChoiceSetInput, TextInput

from flows.removals.disputes import WAITING
from flows.removals.models import RemovalStatus
from flows.removals.service import REASON_MAX, DecisionView
from teams.cards.common import execute, note, warning

DISAGREE, WITHDRAW, ASK_STAFF = "removal.disagree", "removal.withdraw", "removal.ask_staff"


def facts(d: DecisionView, names: dict[str, str], when) -> list[tuple[str, str]]:
    pairs = []
    if d.agreement_asked_of:
        pairs.append(("Asked to agree", f"{names.get(d.agreement_asked_of, 'someone')}, a member of staff, in place "
                                        f"of a staff moderator, {when(d.agreement_asked_at)}"))
    if d.disagreed_by:
        pairs += [("Not agreed", f"by {names.get(d.disagreed_by, 'someone')}, {when(d.disagreed_at)}"),
                  ("Why not", d.disagreement_reason or "")]
    if d.withdrawn_at:
        pairs.append(("Withdrawn", f"by the person who logged it, {when(d.withdrawn_at)}"))
        if d.withdrawal_reason:
            pairs.append(("Why", d.withdrawal_reason))
    return pairs


def disagree_part(d: DecisionView, errors: dict) -> tuple[list, list]:
    """Beside Agree: the reason, and the button that sends it."""
    body = [TextInput(id="reason", label="Reason, if you don't agree (shared with the person who logged it)",
                      is_multiline=True, max_length=REASON_MAX), *_error(errors, "reason")]
    return body, [execute("I don't agree", DISAGREE, {"decision": d.id}, style="destructive")]


def logger_part(d: DecisionView, names: dict[str, str], errors: dict, staff: list | None,
                actions: bool) -> tuple[list, list]:
    """What the person who logged it sees and can do: while it waits, withdraw it, or (nobody could be asked:
    `staff` lists whom to ask instead) choose a member of staff to agree; once turned down, what to do next."""
    data = {"decision": d.id}
    body, buttons = [], []
    if d.status in (RemovalStatus.REJECTED, RemovalStatus.NOT_AGREED):
        body.append(note(next_steps(d, names)))
    if d.status not in WAITING or not actions:
        return body, buttons
    if staff is not None:
        body += [note("No staff moderator of the group is on Teams, so I couldn't ask one to agree. Choose a member "
                      "of staff to agree in their place (R2)."),
                 ChoiceSetInput(id="staff", label="Member of staff to ask", style="compact",
                                choices=[Choice(title=m.name, value=m.person_id) for m in staff]),
                 *_error(errors, "staff")]
        buttons.append(execute("Ask this member of staff", ASK_STAFF, data, style="positive"))
    buttons.append(execute("Withdraw", WITHDRAW, data, style="destructive"))
    return body, buttons


def next_steps(d: DecisionView, names: dict[str, str]) -> str:
    if d.status is RemovalStatus.NOT_AGREED:
        talk = f"talk to {names.get(d.disagreed_by, 'the staff moderator')}, who did not agree"
    else:
        talk = f"talk to {names.get(d.decided_by, 'the senior manager')}, the senior manager who rejected it"
    return (f"**What you can do next:** {talk}, about what would be right. If you have already removed the member, "
            "add them back to the group; if they still need to be out for a while, log a temporary removal with a "
            "review date instead, saying in the notes that it corrects this one (R4, R5).")


def _error(errors: dict[str, str], field: str) -> list:
    return [warning(errors[field])] if errors.get(field) else []
