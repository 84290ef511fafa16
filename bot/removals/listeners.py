"""Thin listeners for removals: /log-removal, the register's "Log a removal" button, Agree, Approve, Reject and
"Log a correction". Every click is authorised by `flows.removals` against the decision's own group; the value in
a button only says which decision, never who may act on it."""
from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.removals import messages, views
from bot.services import Services
from flows.removals.models import MessagePurpose, Status
from flows.removals.service import MessageRef, Outcome, RemovalService, StepResult

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    removals: RemovalService = services.removals

    # --- opening the log form ----------------------------------------------------------------------------------
    def open_form(client: WebClient, trigger_id: str, user_id: str, group_id=None, corrects_id=None) -> None:
        # The trigger lives three seconds and works once: open at once, then fill in the person's groups.
        opened = client.views_open(trigger_id=trigger_id, view=views.loading_view())
        groups = removals.groups_for(user_id)
        if not groups:
            view = views.no_groups_view()
        else:
            chosen = int(group_id) if str(group_id or "").isdigit() else None
            view = views.log_form(
                groups, removals.earlier_decisions(user_id, [g.id for g in groups]),
                removals.new_submission_key(), group_id=chosen, corrects_id=corrects_id,
            )
        client.views_update(view_id=opened["view"]["id"], view=view)

    @app.command("/log-removal")
    def log_command(ack, command, client):
        ack()
        open_form(client, command["trigger_id"], command["user_id"])

    @app.action(views.LOG_ACTION)
    def log_from_register(ack, body, client):
        ack()
        open_form(client, body["trigger_id"], body["user"]["id"], group_id=body["actions"][0].get("value"))

    @app.action(messages.CORRECT_ACTION)
    def log_correction(ack, body, client):
        ack()
        earlier = removals.decision(body["actions"][0].get("value") or "")
        open_form(
            client, body["trigger_id"], body["user"]["id"],
            group_id=earlier.group_id if earlier else None, corrects_id=earlier.id if earlier else None,
        )

    @app.view(views.LOG_CALLBACK_ID)
    def submit_log(ack, body, view, client):
        user_id = body["user"]["id"]
        result = removals.log(user_id, views.read_key(view), views.read_form(view))
        if result.outcome is Outcome.INVALID:
            if result.errors and set(result.errors) <= views.field_ids(view):
                ack(response_action="errors", errors=result.errors)
            else:
                ack(response_action="update", view=views.message_view(result.explanation or " ".join(result.errors.values())))
            return
        ack(response_action="update", view=views.logged_view(_logged_text(result)))
        if result.done:
            deliver(client, result)

    # --- R2: agreement and sign-off ----------------------------------------------------------------------------
    @app.action(messages.AGREE_ACTION)
    def agree(ack, body, client):
        ack()
        result = removals.agree(_value(body), body["user"]["id"])
        settle(client, body, result)

    @app.action(messages.APPROVE_ACTION)
    def approve(ack, body, client):
        ack()
        result = removals.approve(_value(body), body["user"]["id"])
        settle(client, body, result)

    @app.action(messages.REJECT_ACTION)
    def ask_reason(ack, body, client):
        ack()
        channel, ts = _clicked_message(body)
        opened = client.views_open(trigger_id=body["trigger_id"], view=views.message_view("Just a moment…"))
        checked = removals.may_sign_off(_value(body), body["user"]["id"], "reject")
        if checked.outcome is Outcome.ALLOWED:
            view = views.reason_form(checked.decision, channel, ts)
        else:
            view = views.message_view(_answer(checked), title="Reject the removal")
        client.views_update(view_id=opened["view"]["id"], view=view)

    @app.view(views.REASON_CALLBACK_ID)
    def submit_reason(ack, body, view, client):
        meta = views.read_reason_metadata(view)
        reason = views.read_values(view).get("reason") or ""
        result = removals.reject(meta.get("decision") or "", body["user"]["id"], reason)
        if result.outcome is Outcome.INVALID:
            ack(response_action="errors", errors=result.errors)
            return
        if not result.done:
            ack(response_action="update", view=views.message_view(_answer(result), title="Reject the removal"))
            return
        ack(response_action="update", view=views.message_view(
            "Rejected. The person who logged it and the group's moderators are told, with your reason.",
            title="Reject the removal",
        ))
        clicked = MessageRef(meta["channel"], meta["ts"]) if meta.get("channel") and meta.get("ts") else None
        deliver(client, result, clicked)

    def settle(client: WebClient, body: dict, result: StepResult) -> None:
        if result.done:
            channel, ts = _clicked_message(body)
            deliver(client, result, MessageRef(channel, ts) if channel and ts else None)
            return
        _whisper(client, body, _answer(result))

    # --- telling people, once the step is committed ------------------------------------------------------------
    def deliver(client: WebClient, result: StepResult, clicked: MessageRef | None = None) -> None:
        d, notices = result.decision, result.notices
        if notices.update_in_place or clicked:
            done = messages.agree_done(d) if d.status is Status.AWAITING_SIGN_OFF else messages.sign_off_done(d)
            refs = {(r.channel, r.ts): r for r in [*notices.update_in_place, *([clicked] if clicked else [])]}
            for ref in refs.values():
                _send(client.chat_update, channel=ref.channel, ts=ref.ts, **done)
        for user_id in notices.ask_to_agree:
            sent = _send(client.chat_postMessage, channel=user_id, **messages.agree_request(d))
            if sent:
                now = removals.remember_message(d.id, MessagePurpose.AGREE_REQUEST, sent["channel"], sent["ts"], user_id)
                if now.status is not Status.AWAITING_AGREEMENT:
                    # Another staff moderator agreed while this was on its way: no button to leave behind.
                    _send(client.chat_update, channel=sent["channel"], ts=sent["ts"], **messages.agree_done(now))
        sign_off_sent = True
        if notices.ask_to_sign_off:
            sign_off_sent = False
            if notices.sign_off_channel:
                sent = _send(client.chat_postMessage, channel=notices.sign_off_channel, **messages.sign_off_request(d))
                if sent:
                    sign_off_sent = True
                    now = removals.remember_message(d.id, MessagePurpose.SIGN_OFF, sent["channel"], sent["ts"])
                    if now.status in (Status.APPROVED, Status.REJECTED):
                        _send(client.chat_update, channel=sent["channel"], ts=sent["ts"], **messages.sign_off_done(now))
            else:
                log.error("removal %s waits for sign-off but APPROVALS_CHANNEL is not set", d.id)
        for user_id in notices.share_with:
            _send(client.chat_postMessage, channel=user_id, **messages.shared(d))
        if notices.tell_logger:
            _send(
                client.chat_postMessage, channel=d.logged_by,
                **messages.to_logger(d, asked=notices.ask_to_agree, sign_off_sent=sign_off_sent),
            )


def _send(method, **kwargs) -> dict | None:
    try:
        return method(**kwargs).data
    except SlackApiError as error:
        # One person we cannot reach must not stop the others being told; the decision itself is committed.
        log.error("removal message not delivered (%s): %s", kwargs.get("channel"), error.response.get("error"))
        return None


def _whisper(client: WebClient, body: dict, text: str) -> None:
    channel, _ = _clicked_message(body)
    if channel:
        _send(client.chat_postEphemeral, channel=channel, user=body["user"]["id"], text=text)


def _answer(result: StepResult) -> str:
    if result.outcome is Outcome.ALREADY_DONE and result.decision is not None:
        return messages.already(result.decision)
    return result.explanation or "Nothing has changed."


def _logged_text(result: StepResult) -> str:
    d = result.decision
    head = f":white_check_mark: Removal #{d.id} is logged."
    if result.outcome is Outcome.ALREADY_DONE:
        return f"{head} (You pressed the button twice: it is logged once.)"
    steps = {
        Status.RECORDED: "It is shared with the group's other moderators now (R3).",
        Status.AWAITING_AGREEMENT: "A staff moderator of the group is asked to agree, then a senior manager signs it off (R2).",
        Status.AWAITING_SIGN_OFF: "It has gone to the senior managers to sign off (R2).",
    }
    return f"{head} {steps.get(d.status, '')} I've sent you a copy in a direct message."


def _value(body: dict) -> str:
    return str(body["actions"][0].get("value") or "")


def _clicked_message(body: dict) -> tuple[str | None, str | None]:
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    return channel, ts
