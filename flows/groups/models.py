"""The register of groups and their moderators."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, exists, select
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from flows.db.base import Base, UTCDateTime, utcnow
from flows.people.models import PlatformAccount


class Group(Base):
    __tablename__ = "groups"
    # The register's pages are ordered by name (migration 0007).
    __table_args__ = (Index("ix_groups_name_id", "name", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200))
    official: Mapped[bool] = mapped_column(Boolean)
    description: Mapped[str] = mapped_column(Text, default="")
    agreement_url: Mapped[str | None] = mapped_column(String(500))
    expected_members: Mapped[int | None] = mapped_column(Integer)
    out_of_hours: Mapped[str | None] = mapped_column(Text)
    emergency_contact: Mapped[str | None] = mapped_column(String(200))
    emergency_contact_person_id: Mapped[str | None] = mapped_column(String(32))
    quiet_hours: Mapped[str | None] = mapped_column(String(200))
    moderation_plan: Mapped[str | None] = mapped_column(Text)
    # Advice shown when it was registered: the policy asks for it to be recorded, not only shown.
    advice: Mapped[list] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The wizard run that registered it: unique, so a repeated submission cannot register a group twice.
    draft_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    # Closed or archived (flows/groups/lifecycle.py): no reminders, off the active register, and the retention
    # clock for its records runs from here (RETENTION_CLOSED_GROUPS_DAYS). Reopening clears all four.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_as: Mapped[str | None] = mapped_column(String(16))
    closed_by: Mapped[str | None] = mapped_column(String(32))
    closed_reason: Mapped[str | None] = mapped_column(Text)

    moderators: Mapped[list[Moderator]] = relationship(
        back_populates="group", order_by="Moderator.id", cascade="all, delete-orphan"
    )


class Moderator(Base):
    __tablename__ = "moderators"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    # Every moderator is a person, whether or not they have an account on a chat platform (many volunteers have
    # none: they are moderators all the same, named here). None only once their data has been erased.
    person_id: Mapped[str | None] = mapped_column(String(32), index=True)
    organisation: Mapped[str | None] = mapped_column(String(200))
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    added_by: Mapped[str] = mapped_column(String(32))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # M9: a moderator who steps down keeps their row (the record of who moderated); they are no longer active.
    stepped_down_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    group: Mapped[Group] = relationship(back_populates="moderators")
    accounts: Mapped[list[PlatformAccount]] = relationship(
        primaryjoin="foreign(PlatformAccount.person_id) == Moderator.person_id", viewonly=True, lazy="selectin",
    )

    @hybrid_property
    def reachable(self) -> bool:
        """Whether the app can ask them itself (they have an account on a chat platform); the lead answers for a
        moderator who is not."""
        return self.person_id is not None and bool(self.accounts)

    @reachable.inplace.expression
    @classmethod
    def _reachable(cls):
        return exists(select(PlatformAccount.id).where(PlatformAccount.person_id == cls.person_id))


class MemberWelcome(Base):
    """A member who joined after the start was sent the welcome message and the agreement: the charity's evidence
    of their consent. The member is initials or a Charity Log reference, nothing more."""

    __tablename__ = "member_welcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    member_ref: Mapped[str] = mapped_column(String(40))
    welcomed_by: Mapped[str] = mapped_column(String(32))
    welcomed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
