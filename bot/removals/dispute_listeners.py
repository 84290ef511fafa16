"""Thin listeners for a removal's ways out of waiting: "I don't agree" (a reason asked in a modal), Withdraw, and
"Ask another member of staff" (a user picker in a modal). flows/removals/disputes.py decides who may and records
every refusal; the button's value only says which decision."""
from __future__ import annotations

from slack_bolt import App

from bot.modals import channel_of, loading_view, open_modal, says_so_if_it_cannot_go_on
from bot.newgroup.views import read_values
from bot.people import person_id, person_of
from bot.removals import dispute_views as views
from bot.removals.listeners import SERVICES, _answer, _settle, _value
from bot.removals.views import read_reason_metadata
from bot.services import Services
from flows.removals.disputes import RemovalDisputes
from flows.removals.service import RemovalOutcome, RemovalStep

DB = "removal_disputes_db"


def register(app: App, services: Services) -> None:
    def inject(context, next):
        context[SERVICES] = services.removals
        context[DB] = services.db
        next()

    for action_id, listener in {
        views.DISAGREE_ACTION: ask_why_not, views.WITHDRAW_ACTION: withdraw, views.ASK_STAFF_ACTION: choose_staff,
    }.items():
        app.action(action_id, middleware=[inject])(listener)
    app.view(views.DISAGREE_CALLBACK_ID, middleware=[inject])(submit_why_not)
    app.view(views.ASK_STAFF_CALLBACK_ID, middleware=[inject])(submit_staff)


def _disputes(context) -> RemovalDisputes:
    return RemovalDisputes(context[SERVICES])


# --- a staff moderator does not agree ------------------------------------------------------------------------------
def ask_why_not(ack, body, client, context):
    _open_checked(ack, body, client, context, views.DISAGREE_TITLE, _disputes(context).may_disagree,
                  views.disagree_form)


def submit_why_not(ack, body, view, client, context):
    meta = read_reason_metadata(view)
    reason = read_values(view).get(views.REASON_BLOCK) or ""
    result = _disputes(context).disagree(str(meta.get("decision") or ""), person_id(context), reason)
    _settle_form(ack, result, views.DISAGREE_TITLE, (
        "Sent. It goes no further: the person who logged it and the group's other moderators are told, with your "
        "reason (R2, R3)."
    ))


# --- the person who logged it withdraws it -------------------------------------------------------------------------
def withdraw(ack, body, client, context):
    # Acknowledged once the change is committed (as Agree and Approve are): Slack never resends a click it got a
    # 200 for. Done, the message it was pressed in is edited in place from the outbox.
    result = _disputes(context).withdraw(_value(body), person_id(context))
    ack()
    _settle(client, body, result)


# --- no staff moderator on Slack: the person who logged it asks a member of staff -----------------------------------
def choose_staff(ack, body, client, context):
    _open_checked(ack, body, client, context, views.ASK_STAFF_TITLE, _disputes(context).may_ask_staff,
                  views.ask_staff_form)


def submit_staff(ack, body, view, client, context):
    db = context[DB]
    staff = read_values(view, lambda user: person_of(db, user)).get(views.STAFF_BLOCK)
    result = _disputes(context).ask_staff(str(read_reason_metadata(view).get("decision") or ""), person_id(context), staff)
    asked = result.decision.agreement_asked_of if result.done else None
    _settle_form(ack, result, views.ASK_STAFF_TITLE, (
        f"I've asked <@{asked}> to agree in place of a staff moderator of the group (R2). I'll tell you when they "
        "answer."
    ))


# --- small helpers ---------------------------------------------------------------------------------------------------
def _open_checked(ack, body, client, context, title: str, check, form) -> None:
    """A modal opened from a button: the form if this step is theirs to take, else why not."""
    ack()
    # The trigger lives three seconds: the modal opens first, the role look-ups come after.
    view_id = open_modal(client, body["trigger_id"], loading_view(title), context.user_id, channel_of(body))
    if view_id is None:
        return
    with says_so_if_it_cannot_go_on(client, view_id):
        client.views_update(view_id=view_id, view=_form_or_answer(check(_value(body), person_id(context)), form,
                                                                 title))


def _form_or_answer(checked: RemovalStep, form, title: str) -> dict:
    if checked.outcome is RemovalOutcome.ALLOWED:
        return form(checked.decision)
    return views.message_view(_answer(checked), title)


def _settle_form(ack, result: RemovalStep, title: str, done: str) -> None:
    if result.outcome is RemovalOutcome.INVALID:
        ack(response_action="errors", errors=result.errors)
    elif not result.done:
        ack(response_action="update", view=views.message_view(_answer(result), title))
    else:
        # What the step queued is in the outbox: the clock's prompt loop sends it (bot/prompt.py).
        ack(response_action="update", view=views.message_view(done, title))
