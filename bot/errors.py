"""When a listener fails: the person is told in plain words, Slack never gets a 5xx or a stack trace, and nothing
is half-written (every unit of work is one transaction, so a failure saves nothing of it).

Bolt calls `on_error` for an exception a listener (or middleware) did not handle. Before the listener acknowledged,
its answer becomes the HTTP response: a field error or a pushed note on a form, an ephemeral reply to a command.
After it acknowledged, or once Slack's three seconds are nearly gone, only a message can reach the person.
"""
from __future__ import annotations

import logging
import time

from slack_bolt import App, BoltResponse
from slack_bolt.listener.listener_completion_handler import ListenerCompletionHandler
from slack_sdk.models.views import View
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from bot import refusals
from bot.blocks import escape, section
from flows.directory.service import RolesUnconfirmed

log = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = (
    "The app can't reach its records right now; nothing was saved. Please try again in a few minutes."
)
SOMETHING_WENT_WRONG = (
    "Something went wrong in the app, so this wasn't done. Please try again in a few minutes; if it keeps "
    "happening, tell whoever looks after the app."
)
TITLE = "Group Policy Assistant"
# Slack gives up on an answer after three seconds; past this, the HTTP response may arrive too late to be shown.
ANSWER_WITHIN_SECONDS = 2.5
ARRIVED_AT = "gpa_arrived_at"
ACKNOWLEDGED = "gpa_acknowledged"
# Actions sent while someone types or picks inside a form (dispatch_action): nobody asked for an answer to these.
INPUT_ELEMENTS = frozenset({
    "plain_text_input", "users_select", "multi_users_select", "static_select", "multi_static_select",
    "radio_buttons", "checkboxes", "datepicker", "conversations_select", "channels_select",
})


def register(app: App) -> None:
    app.middleware(_note_arrival)
    app.error(on_error)
    runner = app.listener_runner
    runner.listener_completion_handler = _KeepAcknowledgement(runner.listener_completion_handler)


class _KeepAcknowledgement(ListenerCompletionHandler):
    """Bolt's thread runner replaces the acknowledgement of a listener that fails after acknowledging with nothing.
    When that happens before the request's thread has read it, Slack gets a 404 three seconds later instead of
    the answer the listener gave (a closed form, an empty 200). Put back what was acknowledged."""

    def __init__(self, inner: ListenerCompletionHandler) -> None:
        self.inner = inner

    def handle(self, request, response) -> None:
        ack = request.context.ack
        kept = request.context.get(ACKNOWLEDGED)
        if kept is not None and ack is not None and ack.response is None:
            ack.response = kept
        self.inner.handle(request=request, response=response)


def _note_arrival(context, next):
    context[ARRIVED_AT] = time.monotonic()
    return next()


def database_unavailable(error: BaseException | None) -> bool:
    """The database could not be reached (down, locked, out of connections), here or in what caused this error."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, (OperationalError, InterfaceError, PoolTimeoutError)):
            return True
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        error = error.__cause__ or error.__context__
    return False


def on_error(error, body, response, context, client, respond, logger):
    unconfirmed = isinstance(error, RolesUnconfirmed)
    # Both are outages elsewhere, told to the person as such; neither is the app's own fault.
    unavailable = unconfirmed or database_unavailable(error)
    if unconfirmed:
        logger.warning("refused %s: %s", _kind(body), error)
        text = refusals.word(error.reason)
    elif unavailable:
        logger.warning("database unavailable while handling %s: %s", _kind(body), _reason(error))
        text = DATABASE_UNAVAILABLE
    else:
        logger.error("unhandled error for %s", _kind(body), exc_info=error)
        text = SOMETHING_WENT_WRONG
    body = body if isinstance(body, dict) else {}
    if response is None and context.ack is not None and context.ack.response is not None:
        context[ACKNOWLEDGED] = context.ack.response
    try:
        arrived = context.get(ARRIVED_AT)
        in_time = arrived is None or time.monotonic() - arrived < ANSWER_WITHIN_SECONDS
        answer = _answer(body, text) if response is not None else None
        if unavailable and (answer is None or not in_time or not _answer_says_it(body)):
            # Acknowledged already, too late for the answer to be shown, or an answer Slack shows nothing of.
            _tell(body, text, client, respond)
        return answer
    except Exception:  # the error handler must never fail in its turn: that would be the 5xx it exists to avoid
        logger.exception("could not answer after an error")
        return BoltResponse(status=200, body="") if response is not None else None


def _reason(error: BaseException) -> str:
    # The driver's own words ("database is locked", "connection refused"), never the statement's parameters:
    # those are what people typed, which may be personal.
    original = getattr(error, "orig", None)
    return " ".join(f"{type(error).__name__}: {original if original is not None else ''}".split())[:200]


def _kind(body) -> str:
    if not isinstance(body, dict):
        return "a request"
    if body.get("command"):
        return f"the command {body['command']}"
    return str(body.get("type") or "a request")


def _answer_says_it(body: dict) -> bool:
    """Whether the HTTP answer itself shows the person something (a form's answer, a command's reply)."""
    return body.get("type") == "view_submission" or "command" in body


def _answer(body: dict, text: str) -> BoltResponse:
    if body.get("type") == "view_submission":
        view = body.get("view") if isinstance(body.get("view"), dict) else {}
        fields = [
            b.get("block_id") for b in view.get("blocks") or []
            if isinstance(b, dict) and b.get("type") == "input" and b.get("block_id")
        ]
        if fields:
            # On the form itself, which stays as it was filled in: pressing the button again retries.
            return BoltResponse(status=200, body={"response_action": "errors", "errors": {fields[0]: text}})
        # A form without fields (a summary to confirm): the note goes on top, and closing it returns to the form.
        return BoltResponse(status=200, body={"response_action": "push", "view": message_view(text)})
    if "command" in body:
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
    if body.get("type") or body.get("event"):
        return BoltResponse(status=200, body="")
    return BoltResponse(status=400, body="This request could not be handled.")


def message_view(text: str) -> dict:
    return View(type="modal", title=TITLE, close="Close", blocks=[section(escape(text))]).to_dict()


def _tell(body: dict, text: str, client, respond) -> None:
    """A note only the person sees, where they are: the command's or message's reply, else a direct message."""
    user = body.get("user")
    user_id = (user.get("id") if isinstance(user, dict) else None) or body.get("user_id")
    kind = body.get("type")
    try:
        if kind == "block_actions":
            actions = body.get("actions") or [{}]
            if isinstance(actions[0], dict) and actions[0].get("type") in INPUT_ELEMENTS:
                return  # a keystroke's live check: the form's own submission will say it
        if respond is not None and body.get("response_url") and kind != "view_submission":
            respond(text=text, response_type="ephemeral", replace_original=False)
            return
        if not user_id:
            return
        channel = (body.get("channel") or {}).get("id") if isinstance(body.get("channel"), dict) else None
        if kind == "block_actions" and channel:
            client.chat_postEphemeral(channel=channel, user=user_id, text=text)
        else:
            client.chat_postMessage(channel=user_id, text=text)
    except Exception as error:  # Slack may be out of reach too; the person then sees Slack's own error
        log.warning("could not tell %s that their request failed: %s", user_id, error)
