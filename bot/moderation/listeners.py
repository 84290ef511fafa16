"""Thin listeners for moderators' buttons: confirm (M8, also for someone not on Slack), Circulated (A3), still able
or stepping down (M9). The button's value only says which request; `flows.moderation` decides who may answer."""
from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App

from bot.moderation import messages, notify
from bot.services import Services
from flows.moderation.service import Answer, Outcome

Act = Callable[..., Answer]


def register(app: App, services: Services) -> None:
    moderation = services.moderation
    settings = services.settings

    def handle(body: dict, act: Act, ack) -> None:
        where = notify.Where(body["user"]["id"], _clicked_channel(body))
        value = body["actions"][0].get("value")
        answer = act(value, where.user_id, lambda session, answer: notify.after_answer(session, answer, settings, where))
        if answer.outcome is Outcome.NOT_FOUND:
            with services.db.transaction() as session:
                answer.queued = [notify.whisper(session, where, answer.explanation)]
        # Slack never resends a click it got a 200 for: the 200 leaves once the answer is committed.
        # What it queued is in the outbox: the clock's prompt loop sends it (bot/prompt.py).
        ack()

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
    def listener(ack, body):
        handle(body, act, ack)

    return listener


def _clicked_channel(body: dict) -> str | None:
    container = body.get("container") or {}
    if container.get("type") == "view":
        return None
    return (body.get("channel") or {}).get("id") or container.get("channel_id")
