from __future__ import annotations

from sqlalchemy.orm import Session

from flows.audit.models import AuditEntry


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: object,
    from_state: str | None = None,
    to_state: str | None = None,
    **details: object,
) -> AuditEntry:
    """Write an audit entry in the caller's transaction, so it exists exactly when the change it describes does."""
    entry = AuditEntry(
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        from_state=from_state,
        to_state=to_state,
        details=details,
    )
    session.add(entry)
    return entry
