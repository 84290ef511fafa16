"""The admins' notice of a message that could not be delivered is itself a message: it is never reported again
when it fails (that would never end). Its words are the adapter's (bot/failure_notice.py for Slack)."""
from __future__ import annotations

from typing import Any

from flows.outbox.models import OutboxMessage

FAILURE_NOTICE = "outbox_failure"


def failure_reference(message: OutboxMessage) -> dict[str, Any]:
    return {"type": FAILURE_NOTICE, "id": message.id}


def failure_key(message: OutboxMessage) -> str:
    return f"outbox-failed:{message.id}"


def is_failure_notice(message: OutboxMessage) -> bool:
    return (message.reference or {}).get("type") == FAILURE_NOTICE
