"""Who hears what at each step of a removal, queued in the outbox inside the step's own transaction: a step
taken is never left untold, and a step taken once is told once (each message has a dedupe key)."""
from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.removals import messages
from bot.calls import enqueue
from flows.outbox import Notice
from flows.removals.service import DecisionView, Notices, outbox_key

log = logging.getLogger(__name__)


def queue_messages(session: Session, d: DecisionView, notices: Notices) -> list[Notice]:
    """The `on_change` of every step: returns what it queued, for delivering at once after the reply."""
    key = outbox_key(d.id)
    reference = {"type": "removal", "id": d.id}
    queued: list[Notice] = []

    def post(channel: str, suffix: str, message: dict) -> Notice:
        queued.append(enqueue(session, "chat.postMessage", {"channel": channel, **message},
                              dedupe_key=f"{key}:{suffix}", reference=reference))
        return queued[-1]

    def close(asked: Notice, suffix: str, message: dict) -> None:
        # The ask may still be on its way: the update waits for it and takes the channel and ts it landed at.
        queued.append(enqueue(
            session, "chat.update", {"channel": {"$from": "channel"}, "ts": {"$from": "ts"}, **message},
            dedupe_key=f"{key}:{suffix}", depends_on=asked, reference=reference,
        ))

    if notices.close_agree_requests:
        for asked in _queued(session, f"{key}:ask:"):
            close(asked, f"ask-done:{asked.dedupe_key.rsplit(':', 1)[-1]}", messages.agree_done(d))
    if notices.close_sign_off:
        for asked in _queued(session, f"{key}:sign-off", exact=True):
            close(asked, f"sign-off-done:{d.status.value}", messages.sign_off_done(d))
    for user_id in notices.ask_to_agree:
        post(user_id, f"ask:{user_id}", messages.agree_request(d))
    sign_off_sent = True
    if notices.ask_to_sign_off:
        sign_off_sent = bool(notices.sign_off_channel)
        if sign_off_sent:
            post(notices.sign_off_channel, "sign-off", messages.sign_off_request(d))
        else:
            log.error("removal %s waits for sign-off but APPROVALS_CHANNEL is not set", d.id)
    for user_id in notices.share_with:
        post(user_id, f"shared:{d.status.value}:{user_id}", messages.shared(d))
    if notices.tell_logger:
        post(d.logged_by, f"logger:{d.status.value}",
             messages.to_logger(d, asked=notices.ask_to_agree, sign_off_sent=sign_off_sent))
    return queued


def _queued(session: Session, key: str, exact: bool = False) -> list[Notice]:
    """Messages queued earlier for this removal, by their dedupe key (or its beginning)."""
    match = Notice.dedupe_key == key if exact else Notice.dedupe_key.startswith(key, autoescape=True)
    return list(session.scalars(select(Notice).where(match).order_by(Notice.id)))
