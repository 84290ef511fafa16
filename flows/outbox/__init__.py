"""Messages the app sends on its own initiative: queued in the database with the change they report, then
delivered by whichever worker claims them first, retried when Slack is busy and flagged when they cannot go."""
from flows.outbox.models import OutboxMessage, OutboxStatus
from flows.outbox.service import enqueue, failed_messages, on_delivered
from flows.outbox.worker import (
    Delivered,
    DeliveryPolicy,
    DeliveryReport,
    Outbox,
    RetryLater,
    Undeliverable,
)

__all__ = [
    "Delivered",
    "DeliveryPolicy",
    "DeliveryReport",
    "Outbox",
    "OutboxMessage",
    "OutboxStatus",
    "RetryLater",
    "Undeliverable",
    "enqueue",
    "failed_messages",
    "on_delivered",
]
