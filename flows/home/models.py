from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from flows.db.base import Base, UTCDateTime, utcnow


class HomeRefresh(Base):
    """Someone's Home to compose and publish again: asked for where the change happened (after a click, when the
    Home tab is opened), done by the clock (flows/home/refreshes.py). One row per person: asking again before it is
    done keeps one refresh, with the register's filter last asked for."""

    __tablename__ = "home_refreshes"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # The register's filter and page (RegisterFilter's fields); None: the Home as it first opens.
    chosen: Mapped[dict | None] = mapped_column(JSON)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
