"""The messages of a removal's life: the ask to agree, the sign-off with Approve / Reject, and the news of each
decision for the person who logged it and for the group's moderators."""
from __future__ import annotations

from datetime import date, datetime
from typing import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    HeaderBlock,
    PlainTextObject,
)

from bot.blocks import context, escape, section
from bot.removals.dispute_views import disagree_button, logger_buttons
from flows.removals.models import RemovalKind, RemovalStatus
from flows.removals.service import DecisionView

AGREE_ACTION = "removal_agree"
APPROVE_ACTION = "removal_approve"
REJECT_ACTION = "removal_reject"
CORRECT_ACTION = "removal_correct"

NOT_FOUND = "I can't find this removal any more."
OUT_OF_DATE = "This form is out of date. Open it again to log the removal."


def when(moment: datetime | None) -> str:
    """A time each reader sees in their own time zone (the fallback is for clients that cannot)."""
    if moment is None:
        return "an unknown time"
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{moment:%d %b %Y %H:%M} UTC>"


def day(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else "a date not given"


def who(user_id: str | None) -> str:
    return f"<@{user_id}>" if user_id else "someone"


def summary(d: DecisionView) -> str:
    kind = "Permanent" if d.kind is RemovalKind.PERMANENT else "Temporary"
    if d.review_on:
        kind += f", review on {day(d.review_on)} (R4)"
    lines = [
        f"*Group:* {escape(d.group_name)}",
        f"*Member:* {escape(d.member_ref)}",
        f"*Removal:* {kind}",
        f"*Agreement breached:* {escape('; '.join(d.breach_labels))}",
        f"*Tried first:* {escape('; '.join(d.tried_labels)) if d.tried_first else 'nothing recorded'}",
    ]
    if d.notes:
        lines.append(f"*Notes:* {escape(d.notes)}")
    if d.corrects_id:
        lines.append(f"*Corrects:* decision #{d.corrects_id} (R5)")
    lines.append(f"*Logged by:* {who(d.logged_by)}, {when(d.logged_at)}")
    return "\n".join(lines)


def _message(text: str, blocks: list) -> dict:
    return {"text": text, "blocks": [b.to_dict() for b in blocks]}


def _title(d: DecisionView) -> str:
    return f"{'Permanent' if d.kind is RemovalKind.PERMANENT else 'Temporary'} removal #{d.id}"


# --- R2: the staff moderators' agreement --------------------------------------------------------------------------
def agree_request(d: DecisionView, in_place: bool = False) -> dict:
    """`in_place`: to the member of staff the logger asked, no staff moderator of the group being on Slack."""
    text = f"{_title(d)} from {d.group_name} needs a staff moderator's agreement"
    where = (
        "No staff moderator of the group is on Slack, so they asked you, as a member of staff, to agree in their "
        "place." if in_place else "You are a staff moderator of the group."
    )
    return _message(text, [
        HeaderBlock(text=f"{_title(d)}: your agreement"[:150]),
        section(
            f"{who(d.logged_by)} logged a permanent removal from *{escape(d.group_name)}*. {where} The policy says a "
            "permanent removal is made in agreement with a staff moderator (R2). If you agree, press *Agree*: it then "
            "goes to a senior manager to sign off."
        ),
        section(summary(d)),
        ActionsBlock(block_id="removal_agree", elements=[
            ButtonElement(text="Agree", action_id=AGREE_ACTION, value=str(d.id), style="primary",
                          confirm=agree_confirm(d.group_name, d.member_ref, d.kind, d.breach_labels)),
            disagree_button(d),
        ]),
        context(
            "If you don't agree, press *I don't agree* and say why: the person who logged it is told, and it goes no "
            "further (R2)."
        ),
    ])


# Slack refuses a confirm dialog whose text is longer than this.
CONFIRM_TEXT_LIMIT = 300


def _clipped(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def agree_confirm(group_name: str, member_ref: str, kind: RemovalKind, breaches: Sequence[str]) -> ConfirmObject:
    """What pressing Agree agrees to, said before it counts: the group, the member, the kind and the breaches."""
    what = "permanent" if kind is RemovalKind.PERMANENT else "temporary"
    member, group = _clipped(member_ref, 40), group_name
    breached = "; ".join(breaches) or "not given"

    def said(group: str, breached: str) -> str:
        return (f"You agree to the {what} removal of {member} from {group}. Agreement breached: {breached}. "
                "It then goes to a senior manager to sign off (R2).")

    spare = CONFIRM_TEXT_LIMIT - len(said("", ""))
    group = _clipped(group, min(len(group), max(spare // 2, spare - len(breached))))
    breached = _clipped(breached, spare - len(group))
    # Plain text: a group's name is the creator's words and must not turn into formatting or mentions.
    return ConfirmObject(
        title="Agree to this removal?", confirm="Agree", deny="Not yet",
        text=PlainTextObject(text=said(group, breached)),
    )


def agree_done(d: DecisionView) -> dict:
    """The request to agree, once someone has answered it (or the person who logged it took it back)."""
    if d.status is RemovalStatus.NOT_AGREED:
        head, line = "not agreed", (
            f":x: Not agreed by {who(d.disagreed_by)}, {when(d.disagreed_at)}. It goes no further (R2).\n"
            f"*Reason:* {escape(d.disagreement_reason or '')}"
        )
    elif d.status is RemovalStatus.WITHDRAWN:
        head, line = "withdrawn", (
            f"Withdrawn by {who(d.logged_by)}, who logged it, {when(d.withdrawn_at)}. Nothing more is needed from you."
        )
    else:
        head, line = "agreed", (
            f":white_check_mark: Agreed by {who(d.agreed_by)}, {when(d.agreed_at)}. "
            "It has gone to a senior manager to sign off."
        )
    return _message(f"{_title(d)}: {head}", [
        HeaderBlock(text=f"{_title(d)}: {head}"[:150]), section(summary(d)), context(line),
    ])


# --- R2: the senior managers' sign-off ------------------------------------------------------------------------------
def _agreement_line(d: DecisionView) -> str:
    if d.staff_agreement_was_own_log:
        return f"Logged by {who(d.logged_by)}, a staff moderator of the group: that is the staff agreement (R2)."
    if d.staff_agreement_was_asked_for:
        return (f"Agreed by {who(d.agreed_by)}, a member of staff asked in place of a staff moderator of the group "
                f"(none is on Slack), {when(d.agreed_at)} (R2).")
    return f"Agreed by {who(d.agreed_by)}, a staff moderator of the group, {when(d.agreed_at)} (R2)."


def sign_off_request(d: DecisionView) -> dict:
    text = f"{_title(d)} from {d.group_name} to sign off"
    return _message(text, [
        HeaderBlock(text=f"{_title(d)} to sign off"[:150]),
        section(summary(d)),
        context(_agreement_line(d)),
        ActionsBlock(block_id="removal_sign_off", elements=[
            ButtonElement(
                text="Approve", action_id=APPROVE_ACTION, value=str(d.id), style="primary",
                confirm=ConfirmObject(
                    title="Approve this removal?", confirm="Approve", deny="Not yet",
                    text=f"The permanent removal of {d.member_ref[:40]} is signed off and shared with the moderators.",
                ),
            ),
            ButtonElement(text="Reject", action_id=REJECT_ACTION, value=str(d.id), style="danger"),
        ]),
        context("A senior manager signs off permanent removals. You'll be asked why if you reject it."),
    ])


def sign_off_done(d: DecisionView) -> dict:
    by = "" if d.status is RemovalStatus.WITHDRAWN else " by a senior manager"
    text = f"{_title(d)} {d.status.label}{by}"
    return _message(text, [
        HeaderBlock(text=f"{_title(d)}: {d.status.label}"[:150]),
        section(summary(d)),
        context(_agreement_line(d)),
        section(_decided_line(d)),
    ])


def _decided_line(d: DecisionView) -> str:
    if d.status is RemovalStatus.APPROVED:
        return f":white_check_mark: *Approved* by {who(d.decided_by)}, {when(d.decided_at)}."
    if d.status is RemovalStatus.WITHDRAWN:
        return (f"*Withdrawn* by {who(d.logged_by)}, who logged it, {when(d.withdrawn_at)}: there is nothing to "
                "sign off.")
    reason = escape(d.rejection_reason or "")
    return f":x: *Rejected* by {who(d.decided_by)}, {when(d.decided_at)}.\n*Reason:* {reason}"


# --- what the person who logged it hears ------------------------------------------------------------------------------
def _correct_button(d: DecisionView, *before: ButtonElement) -> ActionsBlock:
    return ActionsBlock(block_id="removal_correct", elements=[
        *before, ButtonElement(text="Log a correction", action_id=CORRECT_ACTION, value=str(d.id)),
    ])


def to_logger(d: DecisionView, asked: list[str] | None = None, sign_off_sent: bool = True) -> dict:
    """The logger's news at each step, and what they can do next: while it waits, withdraw it (or, with no staff
    moderator on Slack, ask a member of staff to agree); once it is turned down, what to do instead."""
    after = ""
    if d.status is RemovalStatus.RECORDED:
        news = (
            f"You logged a temporary removal from *{escape(d.group_name)}*. It is shared with the group's other "
            f"moderators (R3), and they'll look at it again on {day(d.review_on)} (R4)."
        )
    elif d.status is RemovalStatus.AWAITING_AGREEMENT:
        if d.agreement_asked_of and (asked or [d.agreement_asked_of]) == [d.agreement_asked_of]:
            news = asked_in_place(d)
        elif asked:
            news = (
                f"You logged a permanent removal from *{escape(d.group_name)}*. A staff moderator of the group needs "
                f"to agree (R2): I've asked {', '.join(who(u) for u in asked)}. Then a senior manager signs it off."
            )
        else:
            news = nobody_to_ask(d.group_name)
    elif d.status is RemovalStatus.AWAITING_SIGN_OFF:
        if d.staff_agreement_was_own_log:
            first = "As a staff moderator of the group, your log is the staff agreement (R2)."
        elif d.staff_agreement_was_asked_for:
            first = f"{who(d.agreed_by)} agreed to it as the member of staff you asked (R2)."
        else:
            first = f"{who(d.agreed_by)} agreed to it as a staff moderator (R2)."
        then = (
            "It has gone to the senior managers to sign off."
            if sign_off_sent
            else "I couldn't send it to the senior managers: please tell one of them that it is waiting."
        )
        news = f"Permanent removal from *{escape(d.group_name)}*: {first} {then}"
    elif d.status is RemovalStatus.APPROVED:
        news = (
            f"The permanent removal from *{escape(d.group_name)}* was approved by {who(d.decided_by)}, "
            f"{when(d.decided_at)}. The group's other moderators have been told (R3)."
        )
    elif d.status is RemovalStatus.NOT_AGREED:
        news, after = not_agreed(d, to_logger=True), next_steps(d)
    elif d.status is RemovalStatus.WITHDRAWN:
        news = withdrawn(d)
    else:
        news = (
            f"The permanent removal from *{escape(d.group_name)}* was rejected by {who(d.decided_by)}, "
            f"{when(d.decided_at)}.\n*Reason:* {escape(d.rejection_reason or '')}"
        )
        after = next_steps(d)
    buttons = logger_buttons(d, nobody_asked=not asked)
    return _message(f"{_title(d)}: {d.status.label}", [
        section(news), *([section(after)] if after else []), section(summary(d)), _correct_button(d, *buttons),
    ])


def nobody_to_ask(group_name: str) -> str:
    return (
        f"You logged a permanent removal from *{escape(group_name)}*. A staff moderator of the group needs to agree "
        "(R2), and none of them is on Slack, so I couldn't ask one. Press *Ask another member of staff* to choose "
        "someone who is staff to agree in their place (R2). If it was logged by mistake, withdraw it."
    )


def asked_in_place(d: DecisionView) -> str:
    return (
        f"You asked {who(d.agreement_asked_of)}, a member of staff, to agree to the permanent removal from "
        f"*{escape(d.group_name)}* in place of a staff moderator of the group (R2). If they agree, a senior manager "
        "signs it off. If they can't help, withdraw it and log it again."
    )


def not_agreed(d: DecisionView, to_logger: bool) -> str:
    asked = d.disagreed_by == d.agreement_asked_of
    by = "the member of staff asked in place of a staff moderator" if asked else "a staff moderator of the group"
    whose = "you logged" if to_logger else "logged by " + who(d.logged_by)
    return (
        f"{who(d.disagreed_by)}, {by}, did not agree to the permanent removal from *{escape(d.group_name)}* "
        f"({whose}), {when(d.disagreed_at)} (R2). It goes no further.\n"
        f"*Reason:* {escape(d.disagreement_reason or '')}"
    )


def withdrawn(d: DecisionView) -> str:
    reason = f"\n*Why:* {escape(d.withdrawal_reason)}" if d.withdrawal_reason else ""
    return (
        f"You withdrew the permanent removal from *{escape(d.group_name)}*, {when(d.withdrawn_at)}. The requests "
        f"to agree and to sign it off are closed, and nothing more happens to it.{reason}"
    )


def next_steps(d: DecisionView) -> str:
    """After a rejection or a disagreement: what the person who logged it can do, in plain words."""
    if d.status is RemovalStatus.NOT_AGREED:
        talk = f"Talk to {who(d.disagreed_by)}, who did not agree, about what would be right."
    else:
        talk = f"Talk to {who(d.decided_by)}, the senior manager who rejected it, about what would be right."
    return "\n".join([
        "*What you can do next:*",
        f"• {talk}",
        "• If you have already removed the member, add them back to the group. If they still need to be out for a "
        "while, press *Log a correction* and log a temporary removal with a review date instead (R4, R5).",
        "• If things change, log it again as a correction, saying in the notes what has changed.",
    ])


# --- R3: shared with the group's moderators ---------------------------------------------------------------------------
def shared(d: DecisionView) -> dict:
    if d.status is RemovalStatus.RECORDED:
        news = (
            f"{who(d.logged_by)} removed a member from *{escape(d.group_name)}* for a while. They'll be considered "
            f"for coming back on {day(d.review_on)} (R4)."
        )
    elif d.status is RemovalStatus.APPROVED:
        news = (
            f"A permanent removal from *{escape(d.group_name)}* was approved by {who(d.decided_by)}, "
            f"{when(d.decided_at)}. The member stays out of the group."
        )
    elif d.status is RemovalStatus.NOT_AGREED:
        news = not_agreed(d, to_logger=False)
    else:
        news = (
            f"A permanent removal from *{escape(d.group_name)}* was rejected by {who(d.decided_by)}, "
            f"{when(d.decided_at)}.\n*Reason:* {escape(d.rejection_reason or '')}"
        )
    intro = "As a moderator of this group, you're told of every removal decision (R3), so you know and understand it."
    return _message(f"{_title(d)} from {d.group_name}: {d.status.label}", [
        section(news), section(summary(d)), context(intro), _correct_button(d),
    ])


# --- short private answers to a click ---------------------------------------------------------------------------------
def already(d: DecisionView) -> str:
    if d.status in (RemovalStatus.APPROVED, RemovalStatus.REJECTED):
        return f"This removal was already {d.status.label} by {who(d.decided_by)}, {when(d.decided_at)}."
    if d.status is RemovalStatus.NOT_AGREED:
        return f"{who(d.disagreed_by)} already said they don't agree to this removal, {when(d.disagreed_at)}."
    if d.status is RemovalStatus.WITHDRAWN:
        return f"This removal was already withdrawn by {who(d.logged_by)}, who logged it, {when(d.withdrawn_at)}."
    if d.status is RemovalStatus.AWAITING_SIGN_OFF:
        return (
            f"This removal was already agreed by {who(d.agreed_by)}, {when(d.agreed_at)}; "
            "it is with the senior managers."
        )
    return f"This removal is {d.status.label}."
