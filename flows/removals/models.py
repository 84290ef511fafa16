"""Removal decisions (R1-R5)."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from flows.db.base import Base, UTCDateTime, utcnow


class RemovalStatus(StrEnum):
    # A temporary removal: recorded and shared at once (R3), reviewed on its date (R4).
    RECORDED = "recorded"
    # A permanent removal waits for a staff moderator of the group to agree (R2)...
    AWAITING_AGREEMENT = "awaiting_agreement"
    # ...then for a senior manager to sign it off.
    AWAITING_SIGN_OFF = "awaiting_sign_off"
    APPROVED = "approved"
    REJECTED = "rejected"
    # A staff moderator (or the member of staff asked in their place) did not agree: final for this log (R2).
    NOT_AGREED = "not_agreed"
    # The person who logged it took it back while it waited.
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    RemovalStatus.RECORDED: "recorded",
    RemovalStatus.AWAITING_AGREEMENT: "waiting for a staff moderator to agree",
    RemovalStatus.AWAITING_SIGN_OFF: "waiting for a senior manager to sign it off",
    RemovalStatus.APPROVED: "approved",
    RemovalStatus.REJECTED: "rejected",
    RemovalStatus.NOT_AGREED: "not agreed by a staff moderator",
    RemovalStatus.WITHDRAWN: "withdrawn by the person who logged it",
}


class RemovalKind(StrEnum):
    TEMPORARY = "temporary"
    PERMANENT = "permanent"


class RemovalDecision(Base):
    """One removal, as logged. What was logged is never changed (R5): a correction is a new row pointing here.
    Only the columns of its life (status, who agreed, who decided) move, each move by a conditional UPDATE."""

    __tablename__ = "removal_decisions"
    # What the App Home reads (flows/home/waiting.py); migration 0013_home_indexes.
    __table_args__ = (
        Index("ix_removal_decisions_group_id_status", "group_id", "status"),
        Index("ix_removal_decisions_status_logged_at", "status", "logged_at", "id"),
        Index("ix_removal_decisions_status_deciders", "status", "logged_by", "agreed_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    # Initials or a Charity Log reference: never a name, phone number or email (checked before storing).
    member_ref: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    # Which parts of the group agreement were breached (codes of flows.removals.service.BREACHES).
    breaches: Mapped[list] = mapped_column(JSON, default=list)
    # What the moderators tried first (codes of flows.removals.service.TRIED_FIRST).
    tried_first: Mapped[list] = mapped_column(JSON, default=list)
    review_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("removal_decisions.id"), index=True)

    status: Mapped[str] = mapped_column(String(32), index=True)
    logged_by: Mapped[str] = mapped_column(String(32), index=True)
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    agreed_by: Mapped[str | None] = mapped_column(String(32))
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    # R2's staff agreement refused: by whom, when and why (shared with the person who logged it).
    disagreed_by: Mapped[str | None] = mapped_column(String(32))
    disagreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disagreement_reason: Mapped[str | None] = mapped_column(Text)
    # Taken back by the person who logged it while it waited (only they withdraw, so no "by whom").
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    # No staff moderator of the group could be asked on a chat platform: the member of staff the person who logged
    # it asked to agree in their place, and when (migration 0015_removal_disputes).
    agreement_asked_of: Mapped[str | None] = mapped_column(String(32), index=True)
    agreement_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The form that logged it: unique, so a form submitted twice logs one removal.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)



class DecisionsAreFinal(Exception):
    """R5: a decision is never edited or deleted; log a correction that points to it instead."""


@event.listens_for(RemovalDecision, "before_update")
@event.listens_for(RemovalDecision, "before_delete")
def _never_edited(mapper, connection, target) -> None:
    # The service moves a decision's status only by conditional UPDATE statements; nothing edits or deletes a
    # decision through the ORM.
    raise DecisionsAreFinal(f"removal decision {target.id} is final (R5): log a correction instead")
