from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from flows.db.base import Base, UTCDateTime, utcnow


class JobRun(Base):
    """A scheduled run that has happened. The unique (job, due_key) pair is what makes it happen once: every
    scheduler instance tries to insert it, and only the one whose insert lands does the work."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "due_key", name="uq_job_runs_job_due_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(100))
    due_key: Mapped[str] = mapped_column(String(200))
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
