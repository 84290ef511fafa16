from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from flows.db.base import Base, UTCDateTime, utcnow


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Base):
    """One Web API call waiting to be made (or made, or given up on). Written in the same transaction as the
    change it reports, so a message exists exactly when its reason does."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    method: Mapped[str] = mapped_column(String(64))
    args: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING, index=True)
    # A redelivered event or a double click enqueues the same key again; the constraint keeps one row.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # Sent only after this one is sent (an edit needs the channel and ts of the post it edits).
    depends_on_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id"), index=True)
    # What the message is about, e.g. {"type": "removal_approval", "id": 12}: passed to on_delivered hooks.
    reference: Mapped[dict | None] = mapped_column(JSON)

    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # None: due at once (the enqueuing process's clock does not matter).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Held by the worker sending it; another worker may take over only after the lease runs out.
    claim_token: Mapped[str | None] = mapped_column(String(36))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A Slack error code or a short description; never the message's content.
    last_error: Mapped[str | None] = mapped_column(String(200))

    result_channel: Mapped[str | None] = mapped_column(String(32))
    result_ts: Mapped[str | None] = mapped_column(String(32))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
