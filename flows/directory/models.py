from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from flows.db.base import Base, UTCDateTime, utcnow


class DirectoryCacheEntry(Base):
    """A briefly trusted answer from the chat platform's directory (a user group's members, a user's profile).

    Kept in the database rather than process memory so that every worker sees the same answer.
    """

    __tablename__ = "directory_cache"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict] = mapped_column(JSON)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
