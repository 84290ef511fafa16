from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from flows.destinations import Destination  # noqa: F401  (notices are for people or these)
from flows.db.base import Base, UTCDateTime, utcnow


class NoticeStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


# The worker's word for the same three states, kept for the readers that count them.
OutboxStatus = NoticeStatus


class NoticeKind(StrEnum):
    """What happened, one kind per thing a person or a destination is told. Each adapter renders every kind in
    its own words; the names are stable (adapters and stored rows depend on them), new kinds may be added."""

    # Removals (R1-R5)
    REMOVAL_AGREE_REQUESTED = "removal.agree_requested"
    REMOVAL_AGREE_CLOSED = "removal.agree_closed"
    REMOVAL_SIGN_OFF_REQUESTED = "removal.sign_off_requested"
    REMOVAL_SIGN_OFF_CLOSED = "removal.sign_off_closed"
    REMOVAL_DECISION_SHARED = "removal.decision_shared"
    REMOVAL_LOGGER_TOLD = "removal.logger_told"
    REMOVAL_REVIEW_DUE = "removal.review_due"
    # Moderators' duties (M8-M10, A3)
    CONFIRMATION_REQUESTED = "moderation.confirmation_requested"
    CONFIRMATION_CLOSED = "moderation.confirmation_closed"
    CHECKIN_REQUESTED = "moderation.checkin_requested"
    CHECKIN_CLOSED = "moderation.checkin_closed"
    CIRCULATION_DUE = "moderation.circulation_due"
    CIRCULATION_DONE = "moderation.circulation_done"
    MODERATOR_STEPPED_DOWN = "moderation.stepped_down"
    # L5: an earlier request, asked again in a newer message; who has not answered, for the lead, then the managers
    REQUEST_ASKED_AGAIN = "moderation.asked_again"
    UNANSWERED_TO_LEAD = "moderation.unanswered_to_lead"
    UNANSWERED_TO_MANAGERS = "moderation.unanswered_to_managers"
    # Unofficial groups (U1-U3)
    REPORT_MANAGERS_CARD = "report.managers_card"
    REPORT_CHANGED = "report.changed"
    REPORT_OWNER_TOLD = "report.owner_told"
    REPORT_CONTACTS = "report.contacts"
    REPORT_FOLLOW_UP = "report.follow_up"
    # A group's life (flows/groups): shared with its moderators
    GROUP_CHANGED = "group.changed"
    GROUP_CLOSED = "group.closed"
    GROUP_REOPENED = "group.reopened"
    MEMBER_WELCOMED = "group.member_welcomed"
    # Everything else
    ESCALATION = "escalation"
    GROUP_KIT = "group.kit"
    DELIVERY_FAILED = "delivery_failed"
    # A message queued before notices (migration 0009) that no kind explains: it carries its platform and, if it
    # was still to be sent, its call (data["carried"]); nothing new is queued as one.
    PLATFORM_CALL = "platform_call"


class Subject(NamedTuple):
    """What a notice is about, e.g. Subject("removal", 12)."""

    type: str
    id: int | str


class Notice(Base):
    """One thing to tell one recipient, queued in the same transaction as the change it reports, so a notice
    exists exactly when its reason does. It holds no words: the recipient's adapter renders it when it is
    delivered, from its kind, its subject and its data."""

    __tablename__ = "notices"
    # Finding a notice by what it is about (the sign-off request of removal 12), and a person's notices (erasure).
    __table_args__ = (Index("ix_notices_subject", "subject_type", "subject_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(48))
    subject_type: Mapped[str] = mapped_column(String(48))
    subject_id: Mapped[str] = mapped_column(String(64))
    # The recipient: a person (the app's person id) or a named destination, never both.
    person_id: Mapped[str | None] = mapped_column(String(32), index=True)
    destination: Mapped[str | None] = mapped_column(String(16))
    # Small, non-personal parameters: ids, flags, the state it reports.
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=NoticeStatus.PENDING, index=True)
    # A redelivered event or a double click queues the same key again; the constraint keeps one row.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # The notice this one replaces (an edit in place): delivered only after it, by the adapter that delivered it.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"), index=True)

    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # None: due at once (the queuing process's clock does not matter).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Held by the worker sending it; another worker may take over only after the lease runs out.
    claim_token: Mapped[str | None] = mapped_column(String(36))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A platform's error code or a short description; never the notice's content.
    last_error: Mapped[str | None] = mapped_column(String(200))

    # Which adapter delivered it (its platform name) and where it landed, in that adapter's own terms.
    delivered_via: Mapped[str | None] = mapped_column(String(16))
    delivered_ref: Mapped[dict | None] = mapped_column(JSON)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def subject(self) -> Subject:
        return Subject(self.subject_type, self.subject_id)

    @property
    def recipient(self) -> str | Destination | None:
        return Destination(self.destination) if self.destination else self.person_id
