from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from flows.db.base import Base, UTCDateTime, utcnow


class Person(Base):
    """Nothing but an id: names and roles come from the platforms' directories, so erasing a person's account
    leaves no name behind here."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlatformAccount(Base):
    __tablename__ = "platform_accounts"
    # One person per account; a person has at most one account on each platform.
    __table_args__ = (
        UniqueConstraint("platform", "account_id", name="uq_platform_accounts_account"),
        UniqueConstraint("person_id", "platform", name="uq_platform_accounts_person_platform"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    # The adapter's name for its platform, opaque to the domain.
    platform: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
