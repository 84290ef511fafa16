"""Thin listeners for moderators' buttons: confirm (M8, also for someone not on Slack), Circulated (A3), still able
or stepping down (M9). The button's value only says which request; `flows.moderation` decides who may answer."""
from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App

from bot import refusals
from bot.moderation import messages, notify
from bot.people import person_id
from bot.services import Services
from flows.moderation.service import Answer

Act = Callable[..., Answer]


def register(app: App, services: Services) -> None:
    moderation = services.moderation

    def handle(body: dict, person_id: str, act: Act, ack, client) -> None:
        where = notify.Where(person_id, _clicked_channel(body))
        value = body["actions"][0].get("value")
        answer = act(value, where.user_id)
        # Slack never resends a click it got a 200 for: the 200 leaves once the answer is committed.
        # What it queued is in the outbox: the clock's prompt loop sends it (bot/prompt.py).
        ack()
        if answer.refusal is not None:
            notify.whisper(client, where, refusals.moderation(answer.action, answer.refusal))
        elif not answer.done or not answer.message_id:
            # Nothing changed, or it was answered somewhere other than the request (the App Home): say so there.
            notify.whisper(client, where, answer.explanation)

    actions = {
        messages.CONFIRM_ACTION: moderation.confirm,
        messages.CONFIRM_FOR_ACTION: moderation.confirm_for,
        messages.CIRCULATED_ACTION: moderation.circulated,
        messages.STILL_ABLE_ACTION: moderation.still_able,
        messages.STEP_DOWN_ACTION: moderation.step_down,
    }
    for action_id, act in actions.items():
        app.action(action_id)(_listener(handle, act))


def _listener(handle: Callable[..., None], act: Act):
    def listener(ack, body, context, client):
        handle(body, person_id(context), act, ack, client)

    return listener


def _clicked_channel(body: dict) -> str | None:
    container = body.get("container") or {}
    if container.get("type") == "view":
        return None
    return (body.get("channel") or {}).get("id") or container.get("channel_id")
