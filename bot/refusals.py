"""How each refusal is worded for Slack, in one place: flows/ says why not (an enum), this module says it."""
from __future__ import annotations

from flows.directory.service import Refusal
from flows.moderation.queries import Gap
from flows.moderation.service import Action, ModerationRefusal, Refused
from flows.removals.service import DecisionView, RemovalRefusal
from flows.wizard.moderator_input import FieldError, FieldProblem, ModeratorProblem
from flows.wizard.service import WizardRefusal

WORDING = {
    Refusal.ROLE_UNCONFIRMED: (
        "I can't confirm your role right now (Slack isn't answering). Nothing was changed; please try again in a "
        "minute."
    ),
}


def word(reason: Refusal) -> str:
    return WORDING[reason]


REMOVAL_WORDING = {
    RemovalRefusal.LOGGED_IT_CANNOT_AGREE: (
        "You logged this removal, so another staff moderator of the group agrees to it."
    ),
    RemovalRefusal.NOT_STAFF_MODERATOR: (
        "Only a staff moderator of {group} can agree to a permanent removal (R2). Nothing has changed."
    ),
    RemovalRefusal.LOGGED_IT_CANNOT_SIGN_OFF: "You logged this removal, so another senior manager signs it off.",
    RemovalRefusal.AGREED_IT_CANNOT_SIGN_OFF: (
        "You gave the staff agreement to this removal, so another senior manager signs it off."
    ),
    RemovalRefusal.NOT_SENIOR_MANAGER: (
        "Only a senior manager can approve or reject a permanent removal (R2). Nothing has changed."
    ),
    RemovalRefusal.ONLY_THE_LOGGER_WITHDRAWS: (
        "Only the person who logged this removal can withdraw it. Nothing has changed."
    ),
    RemovalRefusal.ONLY_THE_LOGGER_ASKS: (
        "Only the person who logged this removal can ask a member of staff to agree to it. Nothing has changed."
    ),
    RemovalRefusal.SOMEONE_ALREADY_ASKED: (
        "Someone has already been asked to agree to this removal (R2), so nobody else is asked. Nothing has changed."
    ),
}


def removal(reason: RemovalRefusal, decision: DecisionView) -> str:
    return REMOVAL_WORDING[reason].format(group=decision.group_name)


MODERATION_WORDING = {
    ModerationRefusal.STEPPED_DOWN: "{moderator} has stepped down as a moderator of {group}; nothing has changed.",
    ModerationRefusal.NOT_THEM: (
        "Only {moderator} can {what} as a moderator of {group}; nothing has changed. If you moderate a group, your "
        "own request is in your direct messages from me."
    ),
    ModerationRefusal.ANSWERS_FOR_THEMSELF: (
        "{moderator} is on Slack, so they {verb} for themself; nothing has changed."
    ),
    ModerationRefusal.NOT_THE_LEAD: (
        "Only the lead staff moderator of {group}{lead} can {verb} for {moderator}, who is not on Slack; nothing has "
        "changed."
    ),
    ModerationRefusal.NOT_STAFF_MODERATOR: (
        "Only the staff moderators of {group} can record that its agreement was circulated; nothing has changed."
    ),
}


def moderation(action: Action, refused: Refused) -> str:
    confirming = action in (Action.CONFIRM, Action.CONFIRM_FOR)
    return MODERATION_WORDING[refused.reason].format(
        moderator=refused.moderator_name, group=refused.group_name,
        lead=f" ({refused.lead_name})" if refused.lead_name is not None else "",
        verb="confirm" if confirming else "answer",
        what=("confirm that they have read the policy and the group agreement" if confirming
              else "answer whether they can go on moderating"),
    )


WIZARD_WORDING = {
    WizardRefusal.NOT_STAFF: "Only staff can register a group.",
}


def wizard(reason: WizardRefusal) -> str:
    return WIZARD_WORDING[reason]


def field_error(error: FieldError) -> str:
    """A wizard field's error as the form shows it: plain words as they are, a moderator problem worded here."""
    if not isinstance(error, FieldProblem):
        return error
    names = ", ".join(error.names)
    if error.problem is ModeratorProblem.STAFF_AMONG_OFFLINE:
        return (f"Line {error.line}: staff moderators agree removals in Slack, so pick {names} in the staff "
                "moderators field above instead of typing them here.")
    who = "PCF staff" if error.pcf else "staff"
    return (f"{names} {'is' if len(error.names) == 1 else 'are'} not in the {who} user group, "
            f"so can't be a {who} moderator here. Move them to “other moderators”, "
            "or ask a Slack admin to add them to the user group.")


def field_errors(errors: dict[str, FieldError]) -> dict[str, str]:
    return {field: field_error(error) for field, error in errors.items()}


GAP_WORDING = {Gap.NO_ACTING_LEAD: "No staff moderator on Slack can act as lead moderator"}
