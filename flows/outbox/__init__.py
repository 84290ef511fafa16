"""What the app tells people on its own initiative: notices queued in the database with the change they report,
then delivered by whichever worker claims them first, through the adapter of the recipient's platform, retried
when the platform is busy and flagged when they cannot go."""
from flows.outbox.models import Destination, Notice, NoticeKind, NoticeStatus, OutboxStatus, Subject
from flows.outbox.service import failed_notices, notices_about, queue
from flows.outbox.worker import (
    Claim,
    Delivered,
    DeliveryPolicy,
    DeliveryReport,
    Outbox,
    RetryLater,
    Undeliverable,
)

__all__ = [
    "Claim",
    "Delivered",
    "DeliveryPolicy",
    "DeliveryReport",
    "Destination",
    "Notice",
    "NoticeKind",
    "NoticeStatus",
    "Outbox",
    "OutboxStatus",
    "RetryLater",
    "Subject",
    "Undeliverable",
    "failed_notices",
    "notices_about",
    "queue",
]
