"""The workflows' side of the outbox: queue a message in your own transaction; learn where it landed."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.db.base import utcnow
from flows.outbox.models import OutboxMessage, OutboxStatus
from flows.outbox.once import insert_once

log = logging.getLogger(__name__)

# {"$from": "ts"} in a message's args is replaced, when it is sent, by the ts its dependency was posted at.
PLACEHOLDER = "$from"
RESULT_FIELDS = ("channel", "ts")

DeliveredHook = Callable[[Session, dict, str | None, str | None], None]
# Registered at import time by the workflows' modules: code, like the listeners, not state between requests.
_hooks: dict[str, list[DeliveredHook]] = {}


def enqueue(
    session: Session,
    method: str,
    args: dict[str, Any],
    *,
    dedupe_key: str | None = None,
    depends_on: OutboxMessage | int | None = None,
    reference: dict[str, Any] | None = None,
    not_before=None,
) -> OutboxMessage:
    """Queue one Web API call (e.g. "chat.postMessage", {"channel": ..., "text": ..., "blocks": [...]}) in the
    caller's transaction: it is sent only if that transaction commits. With a dedupe_key already queued, the
    existing message is returned and nothing new is queued."""
    depends_on_id = depends_on.id if isinstance(depends_on, OutboxMessage) else depends_on
    if depends_on_id is None and _placeholders(args):
        raise ValueError(f"{method} args use {PLACEHOLDER} placeholders but depend on no message")
    bad = _placeholders(args) - set(RESULT_FIELDS)
    if bad:
        raise ValueError(f"unknown {PLACEHOLDER} fields {sorted(bad)}; use one of {RESULT_FIELDS}")
    values = dict(
        method=method,
        args=args,
        status=OutboxStatus.PENDING.value,
        dedupe_key=dedupe_key,
        depends_on_id=depends_on_id,
        reference=reference,
        attempts=0,
        next_attempt_at=not_before,
        created_at=utcnow(),
    )
    if dedupe_key is None:
        message = OutboxMessage(**values)
        session.add(message)
        session.flush()  # the id is needed at once by dependants and by flush_after_request
        return message
    if not insert_once(session, OutboxMessage, values, unique=["dedupe_key"]):
        log.info("%s already queued as %r; not queued again", method, dedupe_key)
    return session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)).one()


def failed_messages(session: Session) -> list[OutboxMessage]:
    """Messages given up on, newest first (for the admins' App Home)."""
    query = select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED.value)
    return list(session.scalars(query.order_by(OutboxMessage.failed_at.desc(), OutboxMessage.id.desc())))


def on_delivered(reference_type: str) -> Callable[[DeliveredHook], DeliveredHook]:
    """Register `hook(session, reference, channel, ts)`, called in the transaction that marks a message with
    reference {"type": reference_type, ...} sent, e.g. to store where an approval request landed."""

    def register(hook: DeliveredHook) -> DeliveredHook:
        hooks = _hooks.setdefault(reference_type, [])
        if hook not in hooks:
            hooks.append(hook)
        return hook

    return register


def delivered_hooks(reference: dict | None) -> list[DeliveredHook]:
    return list(_hooks.get((reference or {}).get("type"), ()))


def _placeholders(value: Any) -> set[str]:
    if isinstance(value, dict):
        if set(value) == {PLACEHOLDER}:
            return {value[PLACEHOLDER]}
        return set().union(*(_placeholders(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_placeholders(v) for v in value))
    return set()
