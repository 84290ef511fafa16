"""Thin listeners for removals: /log-removal, the register's "Log a removal" button, Agree, Approve, Reject and
"Log a correction". Every click is authorised by `flows.removals` against the decision's own group; the value in
a button only says which decision, never who may act on it."""
from __future__ import annotations

import logging

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import refusals
from bot.modals import channel_of, loading_view, open_modal, says_so_if_it_cannot_go_on
from bot.people import person_id
from bot.removals import messages, views
from bot.services import Services
from flows.removals.models import RemovalStatus
from flows.removals.service import RemovalOutcome, RemovalService, RemovalStep

log = logging.getLogger(__name__)


SERVICES = "services"


def register(app: App, services: Services) -> None:
    def inject(context, next):
        context[SERVICES] = services.removals
        next()

    app.command("/log-removal", middleware=[inject])(log_command)
    for action_id, listener in {
        views.LOG_ACTION: log_from_register, messages.CORRECT_ACTION: log_correction, messages.AGREE_ACTION: agree,
        messages.APPROVE_ACTION: approve, messages.REJECT_ACTION: ask_reason,
    }.items():
        app.action(action_id, middleware=[inject])(listener)
    app.view(views.LOG_CALLBACK_ID, middleware=[inject])(submit_log)
    app.view(views.REASON_CALLBACK_ID, middleware=[inject])(submit_reason)


# --- opening the log form ----------------------------------------------------------------------------------------
def log_command(ack, command, client, context):
    ack()
    _open_form(client, command, context)


def log_from_register(ack, body, client, context):
    ack()
    _open_form(client, body, context, group_id=body["actions"][0].get("value"))


def log_correction(ack, body, client, context):
    ack()
    _open_form(client, body, context, correcting_id=body["actions"][0].get("value") or "")


def _open_form(client: WebClient, body: dict, context: BoltContext, group_id=None, correcting_id: str | None = None):
    removals: RemovalService = context[SERVICES]
    # The trigger lives three seconds and works once: open at once, then fill in the person's groups.
    view_id = open_modal(client, body["trigger_id"], views.loading_view(), context.user_id, channel_of(body))
    if view_id is None:
        return
    with says_so_if_it_cannot_go_on(client, view_id):
        user_id = person_id(context)
        correcting = removals.decision(correcting_id) if correcting_id is not None else None
        if correcting is not None:
            group_id = correcting.group_id
        _fill_form(removals, client, view_id, user_id, group_id, correcting)


def _fill_form(removals: RemovalService, client: WebClient, view_id: str, user_id: str, group_id, correcting) -> None:
    groups = removals.groups_for(user_id)
    if not groups:
        view = views.no_groups_view()
    else:
        chosen = int(group_id) if str(group_id or "").isdigit() else None
        if correcting and correcting.group_id not in {g.id for g in groups}:
            correcting = None  # not one of their groups: they see nothing of it
        view = views.log_form(
            groups, removals.earlier_decisions(user_id, [g.id for g in groups]),
            removals.new_submission_key(), group_id=chosen, correcting=correcting,
        )
    client.views_update(view_id=view_id, view=view)


def submit_log(ack, body, view, client, context):
    result = context[SERVICES].log(person_id(context), views.read_key(view), views.read_form(view))
    if result.outcome is RemovalOutcome.OUT_OF_DATE:
        ack(response_action="update", view=views.message_view(messages.OUT_OF_DATE))
        return
    if result.outcome is RemovalOutcome.INVALID:
        if result.errors and set(result.errors) <= views.field_ids(view):
            ack(response_action="errors", errors=result.errors)
        else:
            ack(response_action="update", view=views.message_view(" ".join(result.errors.values())))
        return
    # What the step queued is in the outbox: the clock's prompt loop sends it (bot/prompt.py).
    ack(response_action="update", view=views.logged_view(_logged_text(result)))


# --- R2: agreement and sign-off ----------------------------------------------------------------------------------
# A 200 tells Slack the click is handled and Slack never sends it again: it leaves only once the decision is
# committed (milliseconds), so a worker that dies in between leaves Slack to show the person an error.
def agree(ack, body, client, context):
    result = context[SERVICES].agree(_value(body), person_id(context))
    ack()
    _settle(client, body, result)


def approve(ack, body, client, context):
    result = context[SERVICES].approve(_value(body), person_id(context))
    ack()
    _settle(client, body, result)


def ask_reason(ack, body, client, context):
    ack()
    view_id = open_modal(client, body["trigger_id"], loading_view("Reject the removal"), context.user_id,
                         channel_of(body))
    if view_id is None:
        return
    with says_so_if_it_cannot_go_on(client, view_id):
        checked = context[SERVICES].may_sign_off(_value(body), person_id(context), "reject")
        if checked.outcome is RemovalOutcome.ALLOWED:
            view = views.reason_form(checked.decision)
        else:
            view = views.message_view(_answer(checked), title="Reject the removal")
        client.views_update(view_id=view_id, view=view)


def submit_reason(ack, body, view, client, context):
    meta = views.read_reason_metadata(view)
    reason = views.read_values(view).get("reason") or ""
    result = context[SERVICES].reject(meta.get("decision") or "", person_id(context), reason)
    if result.outcome is RemovalOutcome.INVALID:
        ack(response_action="errors", errors=result.errors)
        return
    if not result.done:
        ack(response_action="update", view=views.message_view(_answer(result), title="Reject the removal"))
        return
    ack(response_action="update", view=views.message_view(
        "Rejected. The person who logged it and the group's moderators are told, with your reason.",
        title="Reject the removal",
    ))


def _settle(client: WebClient, body: dict, result: RemovalStep) -> None:
    if not result.done:  # done: its notices are in the outbox, for the clock's prompt loop
        _whisper(client, body, _answer(result))


def _whisper(client: WebClient, body: dict, text: str) -> None:
    """A private answer to a click that changed nothing: only the person who clicked sees it."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    if not channel:
        return
    try:
        client.chat_postEphemeral(channel=channel, user=body["user"]["id"], text=text)
    except SlackApiError as error:
        log.warning("could not answer a click privately: %s", error.response.get("error"))


def _answer(result: RemovalStep) -> str:
    if result.outcome is RemovalOutcome.ALREADY_DONE and result.decision is not None:
        return messages.already(result.decision)
    if result.refusal is not None and result.decision is not None:
        return refusals.removal(result.refusal, result.decision)
    if result.outcome is RemovalOutcome.NOT_FOUND:
        return messages.NOT_FOUND
    return "Nothing has changed."


def _logged_text(result: RemovalStep) -> str:
    d = result.decision
    head = f":white_check_mark: Removal #{d.id} is logged."
    if result.outcome is RemovalOutcome.ALREADY_DONE:
        return f"{head} (You pressed the button twice: it is logged once.)"
    steps = {
        RemovalStatus.RECORDED: "It is shared with the group's other moderators now (R3).",
        RemovalStatus.AWAITING_AGREEMENT: (
            "A staff moderator of the group is asked to agree, then a senior manager signs it off (R2)."
        ),
        RemovalStatus.AWAITING_SIGN_OFF: "It has gone to the senior managers to sign off (R2).",
    }
    if d.status is RemovalStatus.AWAITING_AGREEMENT and not result.notices.ask_to_agree:
        # Nobody could be asked: the direct message carries the way on (bot/removals/dispute_views.py).
        return (f"{head} No staff moderator of the group is on Slack, so none could be asked to agree (R2). I've sent "
                "you a direct message with a button to ask another member of staff instead.")
    return f"{head} {steps.get(d.status, '')} I've sent you a copy in a direct message."


def _value(body: dict) -> str:
    return str(body["actions"][0].get("value") or "")

