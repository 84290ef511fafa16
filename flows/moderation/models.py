"""What moderators are asked and what they answered: M8 confirmations, A3 circulations, M9 check-ins, and the
vacancies a moderator stepping down leaves. Each answer is written once, by a conditional UPDATE."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from flows.db.base import Base, UTCDateTime, utcnow


class ModeratorConfirmation(Base):
    """M8: a moderator's confirmation that they have read the policy and the group's agreement (one per
    moderator). M10: when the emergency contact reached them, and through whom."""

    __tablename__ = "moderator_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("moderators.id"), unique=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The outbox message that asked them (the lead's message, for moderators not on Slack): edited in place.
    request_notice_id: Mapped[int | None] = mapped_column(Integer)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[str | None] = mapped_column(String(32))
    # True when the lead staff moderator confirmed for a moderator who is not on Slack.
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)
    emergency_contact_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who the message carrying it went to: the moderator, or the lead who passes it on.
    emergency_contact_sent_to: Mapped[str | None] = mapped_column(String(32))


class AgreementCirculation(Base):
    """A3: one due date of a user group's yearly circulation of its agreement: reminded, then circulated."""

    __tablename__ = "agreement_circulations"
    __table_args__ = (UniqueConstraint("group_id", "due_on", name="uq_agreement_circulations_group_due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    reminded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reminder_notice_id: Mapped[int | None] = mapped_column(Integer)
    circulated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    circulated_by: Mapped[str | None] = mapped_column(String(32))


class CheckinAnswer(StrEnum):
    ABLE = "able"
    STEPPING_DOWN = "stepping_down"


class ModeratorCheckin(Base):
    """M9: one moderator's answer in one periodic check that moderators are still able and willing."""

    __tablename__ = "moderator_checkins"
    __table_args__ = (UniqueConstraint("moderator_id", "due_on", name="uq_moderator_checkins_moderator_due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("moderators.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    request_notice_id: Mapped[int | None] = mapped_column(Integer)
    answer: Mapped[str | None] = mapped_column(String(16))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by: Mapped[str | None] = mapped_column(String(32))
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)


class ModeratorVacancy(Base):
    """A moderator stepped down: the group needs someone in their place (M9's "a no starts finding a
    replacement"). Filled when a new moderator joins."""

    __tablename__ = "moderator_vacancies"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("moderators.id"), unique=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by: Mapped[str] = mapped_column(String(32))
    # The blocking findings (M1, M2) on the moderators left, as they stood when the vacancy opened.
    findings: Mapped[list] = mapped_column(JSON, default=list)
    filled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
