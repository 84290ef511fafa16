"""The workflows' side of the outbox: queue a notice in your own transaction; find the notices about a thing."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.db.base import utcnow
from flows.outbox.models import Destination, Notice, NoticeKind, NoticeStatus, Subject
from flows.outbox.once import insert_once

log = logging.getLogger(__name__)

# A person's id, or a named destination.
Recipient = str | Destination


def queue(
    session: Session,
    kind: NoticeKind,
    subject: Subject | tuple[str, int | str],
    to: Recipient | None,
    *,
    data: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    replaces: Notice | int | None = None,
    not_before: datetime | None = None,
) -> Notice:
    """Queue one notice in the caller's transaction: it is delivered only if that transaction commits. `to` is
    a person id or a Destination. With `replaces`, it edits that notice in place once that one is delivered. With
    a dedupe_key already queued, the existing notice is returned and nothing new is queued."""
    subject_type, subject_id = subject
    replaces_id = replaces.id if isinstance(replaces, Notice) else replaces
    values = dict(
        kind=NoticeKind(kind).value,
        subject_type=str(subject_type),
        subject_id=str(subject_id),
        person_id=None if to is None or isinstance(to, Destination) else str(to),
        destination=to.value if isinstance(to, Destination) else None,
        data=data or {},
        status=NoticeStatus.PENDING.value,
        dedupe_key=dedupe_key,
        replaces_id=replaces_id,
        attempts=0,
        next_attempt_at=not_before,
        created_at=utcnow(),
    )
    if dedupe_key is None:
        notice = Notice(**values)
        session.add(notice)
        session.flush()  # the id is needed at once by replacements and by flush_after_request
        return notice
    if not insert_once(session, Notice, values, unique=["dedupe_key"]):
        log.info("%s already queued as %r; not queued again", kind, dedupe_key)
    return session.scalars(select(Notice).where(Notice.dedupe_key == dedupe_key)).one()


def notices_about(session: Session, kind: NoticeKind, subject: Subject | tuple[str, int | str]) -> list[Notice]:
    """The notices of one kind about one thing, oldest first (e.g. the sign-off request of removal 12)."""
    subject_type, subject_id = subject
    query = select(Notice).where(Notice.kind == NoticeKind(kind).value, Notice.subject_type == str(subject_type),
                                 Notice.subject_id == str(subject_id))
    return list(session.scalars(query.order_by(Notice.id)))


def failed_notices(session: Session) -> list[Notice]:
    """Notices given up on, newest first (for the admins' App Home)."""
    query = select(Notice).where(Notice.status == NoticeStatus.FAILED.value)
    return list(session.scalars(query.order_by(Notice.failed_at.desc(), Notice.id.desc())))
