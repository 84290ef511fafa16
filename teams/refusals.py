"""How each refusal is worded in Teams, in one place: flows/ says why not (an enum), this module says it."""
from __future__ import annotations

from flows.directory.service import Refusal
from flows.groups.access import ChangeRefusal
from flows.moderation.service import Action, ModerationRefusal, Refused
from flows.removals.service import DecisionView, RemovalRefusal
from flows.wizard.service import WizardRefusal

WORDING = {
    Refusal.ROLE_UNCONFIRMED: (
        "I can't confirm your role right now (Microsoft Entra isn't answering). Nothing was changed; please try "
        "again in a minute."
    ),
}

REMOVAL_WORDING = {
    RemovalRefusal.LOGGED_IT_CANNOT_AGREE: "You logged this removal, so another staff moderator of the group agrees to it.",
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

WIZARD_WORDING = {
    WizardRefusal.NOT_STAFF: "Only staff can register a group.",
}

NOT_STAFF_TO_START = (
    "Only staff can set up an official WhatsApp group. If you need one, ask your manager or a member of staff to "
    "type “new group” to me."
)
NOT_STAFF_TO_ACT_ON_REPORTS = "Only staff can act on reports of unofficial groups. Nothing has changed."
NO_IDENTITY = (
    "I can't tell who you are from this message (Teams sent no Microsoft Entra account of this organisation), so I "
    "can't do anything for you here. Write to me in a 1:1 chat with your work account."
)


def word(reason: Refusal) -> str:
    return WORDING[reason]


def removal(reason: RemovalRefusal, decision: DecisionView) -> str:
    return REMOVAL_WORDING[reason].format(group=decision.group_name)


def wizard(reason: WizardRefusal) -> str:
    return WIZARD_WORDING[reason]


MODERATION_WORDING = {
    ModerationRefusal.STEPPED_DOWN: "{moderator} has stepped down as a moderator of {group}; nothing has changed.",
    ModerationRefusal.NOT_THEM: (
        "Only {moderator} can {what} as a moderator of {group}; nothing has changed. If you moderate a group, your "
        "own request is on your home card (type “home”)."
    ),
    ModerationRefusal.ANSWERS_FOR_THEMSELF: (
        "{moderator} uses the app themself, so they {verb} for themself; nothing has changed."
    ),
    ModerationRefusal.NOT_THE_LEAD: (
        "Only the lead staff moderator of {group}{lead} can {verb} for {moderator}, who does not use the app; nothing "
        "has changed."
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


GROUP_CHANGE_WORDING = {
    ChangeRefusal.NOT_FOUND: "I can't find that group any more; nothing has changed. Type “home” to see your groups.",
    ChangeRefusal.NOT_STAFF_MODERATOR: (
        "Only the group's staff moderators and senior managers can close or reopen it, or change its moderators or "
        "details. Nothing has changed: ask its lead staff moderator if something needs changing."
    ),
    ChangeRefusal.NOT_A_MODERATOR: "Only the group's own moderators record new members. Nothing has been recorded.",
    ChangeRefusal.CLOSED: "This group is closed, so nothing about it changes unless it is reopened first.",
    ChangeRefusal.NOT_CLOSED: "This group is not closed, so there is nothing to reopen.",
    ChangeRefusal.WOULD_BREAK_RULES: "That change would break the policy, so nothing has changed.",
}


def group_change(reason: ChangeRefusal) -> str:
    return GROUP_CHANGE_WORDING[reason]
