"""What the domain records when a notice has been delivered, in one place (as flows/jobs.py lists the jobs): the
outbox's worker calls `on_sent` in the transaction that marks a notice sent. Nothing registers by import."""
from __future__ import annotations

from sqlalchemy.orm import Session

from flows.outbox.models import Notice


def on_sent(session: Session, notice: Notice) -> None:
    from flows.moderation.confirmations import emergency_contact_delivered
    from flows.reports.service import sent_to_managers

    for record in (emergency_contact_delivered, sent_to_managers):
        record(session, notice)
