"""What each typed command and each card button does: thin functions (services, person id, argument) -> card."""
from __future__ import annotations

from teams.cards import groups as group_cards
from teams.cards import home as home_cards
from teams.cards import removal_disputes as dispute_cards
from teams.cards import removals as removal_cards
from teams.cards import reports as report_cards
from teams.cards import wizard as wizard_cards
from teams.cards.common import HOME, card, heading, note
from teams.handlers import groups, home, removal_disputes, removals, reports, wizard

# Longest first: "new group Amaze Parents" is the wizard with a name. The manifest's command menu says the same.
COMMANDS = (
    ("new group", wizard.start),
    ("report group", reports.report_form),
    ("log removal", removals.log_form),
    ("home", home.show),
)

VERBS = {
    wizard_cards.START: wizard.start_again,
    wizard_cards.NEXT: wizard.next_step,
    wizard_cards.BACK: wizard.back,
    wizard_cards.CHECK_NAME: wizard.check_name,
    wizard_cards.CONTINUE: wizard.continue_draft,
    removal_cards.LOG: removals.log,
    removal_cards.OPEN: removals.open_decision,
    removal_cards.AGREE: removals.agree,
    removal_cards.APPROVE: removals.approve,
    removal_cards.REJECT: removals.reject,
    dispute_cards.DISAGREE: removal_disputes.disagree,
    dispute_cards.WITHDRAW: removal_disputes.withdraw,
    dispute_cards.ASK_STAFF: removal_disputes.ask_staff,
    report_cards.FILE: reports.file,
    report_cards.OPEN: reports.open_case,
    report_cards.ACT: reports.act,
    HOME: home.refresh,
    home_cards.PAGE: home.page,
    home_cards.CONFIRM: home.answer,
    home_cards.STILL_ABLE: home.answer,
    home_cards.STEP_DOWN: home.answer,
    home_cards.CIRCULATED: home.answer,
    group_cards.WELCOME_FORM: groups.welcome_form,
    group_cards.WELCOME: groups.welcome,
    group_cards.CLOSE_FORM: groups.close_form,
    group_cards.CLOSE: groups.close,
    group_cards.REOPEN: groups.reopen,
    group_cards.DETAILS_FORM: groups.details_form,
    group_cards.DETAILS: groups.details,
    group_cards.MODERATORS_FORM: groups.moderators_form,
    group_cards.MODERATORS: groups.moderators,
}


def help_card():
    lines = "\n".join(f"- **{name}**" for name, _ in COMMANDS)
    return card([heading("Group Policy Assistant"), note(
        "I help run WhatsApp groups the way the WhatsApp Group Policy requires. Type one of these:\n\n" + lines)],
        fallback="Type new group, report group, log removal or home.")
