"""Reports of unofficial groups whose names could be confused with the organisation's (U1–U3).

A case is one group as the organisation tracks it (reported → approached → renamed / closed / no action); each
report is one person telling us about it. Reports of a group that already has an open case are linked to it.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from flows.db.base import Base, UTCDateTime, utcnow


class CaseState(StrEnum):
    REPORTED = "reported"
    APPROACHED = "approached"
    RENAMED = "renamed"
    CLOSED = "closed"
    NO_ACTION = "no_action"

    @property
    def open(self) -> bool:
        return self in OPEN_STATES

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


OPEN_STATES = frozenset({CaseState.REPORTED, CaseState.APPROACHED})
STATE_LABELS = {
    CaseState.REPORTED: "Reported",
    CaseState.APPROACHED: "Being approached",
    CaseState.RENAMED: "Renamed",
    CaseState.CLOSED: "Closed down",
    CaseState.NO_ACTION: "No action needed",
}
# Written out for the partial index: the database, not the app, keeps one open case per name.
_OPEN_SQL = text("state IN ('reported', 'approached')")


class UnofficialGroupCase(Base):
    __tablename__ = "unofficial_group_cases"
    __table_args__ = (
        Index(
            "uq_unofficial_group_cases_open_name", "normalised_name", unique=True,
            sqlite_where=_OPEN_SQL, postgresql_where=_OPEN_SQL,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The name as first reported, and folded by the N2 matcher so that "A.M.A.Z.E Chat" and "amaze chat" are one.
    name: Mapped[str] = mapped_column(String(300))
    normalised_name: Mapped[str] = mapped_column(Text)
    # [{"name": "Amaze", "strength": "exact", "matched_text": "A.M.A.Z.E"}]; empty when reported anyway.
    matched_names: Mapped[list] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(16), default=CaseState.REPORTED.value, index=True)
    reported_by: Mapped[str] = mapped_column(String(32))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    owner_id: Mapped[str | None] = mapped_column(String(32))
    approached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(32))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why no action was needed, in the manager's words.
    resolution_reason: Mapped[str | None] = mapped_column(Text)
    # The latest outbox message of the managers' message (its post, or the last edit queued after it): each
    # change edits the message after that one, so edits reach Slack in the order the changes were made. Not a
    # foreign key: the outbox may one day be pruned of old sent messages.
    managers_notice_id: Mapped[int | None] = mapped_column(Integer)

    reports: Mapped[list[UnofficialGroupReport]] = relationship(
        back_populates="case", order_by="UnofficialGroupReport.id"
    )


class UnofficialGroupReport(Base):
    """One person's report. The first opens a case; later ones of the same group are linked to it."""

    __tablename__ = "unofficial_group_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("unofficial_group_cases.id"), index=True)
    # False for the report that opened the case, True for each one linked to it afterwards.
    linked: Mapped[bool] = mapped_column(Boolean, default=False)
    reporter_id: Mapped[str] = mapped_column(String(32), index=True)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    name: Mapped[str] = mapped_column(String(300))
    matched_names: Mapped[list] = mapped_column(JSON, default=list)
    where_seen: Mapped[str] = mapped_column(String(16))
    how_found: Mapped[str] = mapped_column(Text)
    knows_who_runs: Mapped[bool | None] = mapped_column(Boolean)
    # Personal data: kept only so that the organisation can approach the group; erased when the case ends.
    contact: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    # The form it came from: a submission delivered twice files one report.
    submission_id: Mapped[str | None] = mapped_column(String(64), unique=True)

    case: Mapped[UnofficialGroupCase] = relationship(back_populates="reports")


class WhereSeen(StrEnum):
    WHATSAPP = "whatsapp"
    FACEBOOK = "facebook"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"whatsapp": "WhatsApp", "facebook": "Facebook", "other": "Somewhere else"}[self.value]
