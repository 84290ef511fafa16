"""The delivering side of the outbox, independent of any platform: claim a due notice, hand it to a sender (the
dispatcher, flows/outbox/dispatch.py, which picks the adapter), record the outcome. An adapter turns its
platform's answer into Delivered (with a reference to where it landed, opaque here), RetryLater or Undeliverable."""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, aliased

from flows.audit.service import record
from flows.db import Database, utcnow
from flows.outbox.models import Destination, Notice, NoticeKind, NoticeStatus, Subject
from flows.outbox.service import queue

log = logging.getLogger(__name__)

PENDING, SENT, FAILED = NoticeStatus.PENDING.value, NoticeStatus.SENT.value, NoticeStatus.FAILED.value


@dataclass(frozen=True)
class Delivered:
    """Where it landed, in the adapter's own terms (Slack: channel and ts), and which adapter delivered it."""

    ref: dict[str, Any] = field(default_factory=dict)
    via: str | None = None


@dataclass(frozen=True)
class RetryLater:
    """Slack is busy or unreachable: try again after `retry_after` seconds if Slack said, else after backoff."""

    error: str
    retry_after: float | None = None


@dataclass(frozen=True)
class Undeliverable:
    """Trying again cannot help (no such recipient, content refused...)."""

    error: str


DeliveryOutcome = Delivered | RetryLater | Undeliverable


@dataclass(frozen=True)
class DeliveryPolicy:
    max_attempts: int = 6
    base_backoff: float = 2.0
    max_backoff: float = 300.0
    # Longer than any one Web API call can take, so a live worker never loses its claim mid-send.
    lease: float = 60.0

    def backoff(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.max_backoff, self.base_backoff * 2 ** max(attempts - 1, 0)))


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.sent) + len(self.retrying) + len(self.failed)

    def add(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed


@dataclass(frozen=True)
class Claim:
    """A notice taken for sending: everything an adapter needs to render and deliver it."""

    id: int
    token: str
    kind: NoticeKind
    subject: Subject
    person_id: str | None
    destination: Destination | None
    data: dict[str, Any]
    attempts: int  # including this one
    # Why it must not be sent (the notice it replaces failed...); None when it can go.
    problem: str | None = None
    dedupe_key: str | None = None
    created_at: datetime | None = None
    # The notice it replaces: its id, the adapter that delivered it and where that adapter says it landed.
    replaces_id: int | None = None
    replaced_via: str | None = None
    replaced_ref: dict[str, Any] | None = None

    @property
    def may_have_gone(self) -> bool:
        """An earlier try may have been carried out without its answer arriving (a timeout, a dropped connection,
        a worker that died mid-send): the sender should look for it before sending again."""
        return self.attempts > 1


Send = Callable[[Claim], DeliveryOutcome]


# Told, in the transaction that marks it failed, that a notice could not be delivered after `tries` tries.
OnFailed = Callable[[Session, Notice, int], None]
# Told, in the transaction that marks it sent, that a notice was delivered (what the domain records then).
OnSent = Callable[[Session, Notice], None]


def tell_admins(session: Session, notice: Notice, tries: int) -> None:
    """The admins' notice of a notice that could not be delivered. It is never reported again when it fails itself
    (that would never end)."""
    if notice.kind == NoticeKind.DELIVERY_FAILED:
        return
    queue(session, NoticeKind.DELIVERY_FAILED, Subject("notice", notice.id), Destination.ADMINS,
          data={"tries": tries}, dedupe_key=f"notice-failed:{notice.id}")


class Outbox:
    def __init__(self, db: Database, policy: DeliveryPolicy = DeliveryPolicy(), clock: Callable[[], datetime] = utcnow,
                 on_failed: OnFailed | None = None, on_sent: OnSent | None = None):
        self.db = db
        self.policy = policy
        self.clock = clock
        self.on_failed = on_failed
        self.on_sent = on_sent

    def deliver_due(self, send: Send, limit: int = 50, only: Collection[int] | None = None) -> DeliveryReport:
        """Send up to `limit` due notices in id order (only those in `only`, if given). A notice whose
        replaced notice is sent (or fails) during this call is handled in the same call, even when it is not in
        `only`: another request may have queued a replacement of a notice this request has just sent, and it would
        otherwise wait for the clock."""
        report = DeliveryReport()
        tried: set[int] = set()
        allowed = set(only) if only is not None else None
        while len(tried) < limit:
            ids = [i for i in self.due_ids(limit + len(tried), allowed) if i not in tried][: limit - len(tried)]
            if not ids:
                break
            for notice_id in ids:
                tried.add(notice_id)
                claim = self.claim(notice_id)
                if claim is None:
                    continue
                settled = self._deliver(claim, send, report)
                if settled and allowed is not None:
                    allowed.update(self.dependants(notice_id))
        return report

    def dependants(self, notice_id: int) -> list[int]:
        """Pending notices waiting for this one (its replacements)."""
        with self.db.transaction() as session:
            query = select(Notice.id).where(
                Notice.replaces_id == notice_id, Notice.status == PENDING
            )
            return list(session.scalars(query))

    def due_ids(self, limit: int, only: Collection[int] | None = None) -> list[int]:
        now = self.clock()
        dependency = aliased(Notice)
        query = (
            select(Notice.id)
            .outerjoin(dependency, Notice.replaces_id == dependency.id)
            .where(
                _claimable(now),
                # Not while the notice it replaces is still pending; if that one failed, claiming fails it too.
                or_(Notice.replaces_id.is_(None), dependency.status != PENDING),
            )
            .order_by(Notice.id)
            .limit(limit)
        )
        if only is not None:
            query = query.where(Notice.id.in_(list(only)))
        with self.db.transaction() as session:
            return list(session.scalars(query))

    def claim(self, notice_id: int) -> Claim | None:
        """Take the notice for this worker, or None if another worker has it or it is no longer due. The
        conditional UPDATE comes first in its transaction, so on SQLite it waits for the write lock rather
        than failing on a stale read."""
        now = self.clock()
        token = uuid.uuid4().hex
        with self.db.transaction() as session:
            taken = session.execute(
                update(Notice)
                .where(Notice.id == notice_id, _claimable(now))
                .values(
                    claim_token=token,
                    lease_until=now + timedelta(seconds=self.policy.lease),
                    attempts=Notice.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount != 1:
                return None
            notice = session.get(Notice, notice_id)
            replaced = session.get(Notice, notice.replaces_id) if notice.replaces_id is not None else None
            problem = None
            if notice.attempts > self.policy.max_attempts:
                # A worker died while sending its last try: do not try beyond the bound.
                problem = notice.last_error or "gave_up"
            elif notice.replaces_id is not None:
                problem = _replaceable(replaced)
            return Claim(
                notice.id, token, NoticeKind(notice.kind), notice.subject, notice.person_id,
                Destination(notice.destination) if notice.destination else None, dict(notice.data or {}),
                notice.attempts, problem, dedupe_key=notice.dedupe_key, created_at=notice.created_at,
                replaces_id=notice.replaces_id, replaced_via=replaced.delivered_via if replaced else None,
                replaced_ref=dict(replaced.delivered_ref or {}) if replaced else None,
            )

    def _deliver(self, claim: Claim, send: Send, report: DeliveryReport) -> bool:
        """True when the notice is settled (sent or given up on); False when it is to be tried again later."""
        if claim.problem:
            outcome: DeliveryOutcome = Undeliverable(claim.problem)
        else:
            try:
                outcome = send(claim)
            except Exception as error:  # a bug in a sender must not lose the notice: it is retried, then flagged
                log.exception("sending notice %s failed unexpectedly", claim.id)
                outcome = RetryLater(f"unexpected {type(error).__name__}")
        if isinstance(outcome, Delivered):
            self._mark_sent(claim, outcome)
            report.sent.append(claim.id)
            return True
        if isinstance(outcome, RetryLater) and claim.attempts < self.policy.max_attempts:
            self._retry_later(claim, outcome)
            report.retrying.append(claim.id)
            return False
        self._mark_failed(claim, outcome.error)
        report.failed.append(claim.id)
        return True

    def _mark_sent(self, claim: Claim, outcome: Delivered) -> None:
        now = self.clock()
        with self.db.transaction() as session:
            if not self._finish(session, claim, status=SENT, sent_at=now, last_error=None,
                                delivered_via=outcome.via, delivered_ref=outcome.ref):
                return
            if self.on_sent is None:
                return
            try:
                # The notice is out: a failure in what is recorded about it must not undo "sent" and send it again.
                with session.begin_nested():
                    self.on_sent(session, session.get(Notice, claim.id))
            except Exception:
                log.exception("recording the delivery of notice %s failed", claim.id)

    def _retry_later(self, claim: Claim, outcome: RetryLater) -> None:
        if outcome.retry_after is not None:
            delay = timedelta(seconds=max(outcome.retry_after, 0))
        else:
            delay = self.policy.backoff(claim.attempts)
        log.info("notice %s: %s; trying again in %ss", claim.id, outcome.error, delay.total_seconds())
        with self.db.transaction() as session:
            self._finish(session, claim, next_attempt_at=self.clock() + delay, last_error=outcome.error[:200])

    def _mark_failed(self, claim: Claim, error: str) -> None:
        error = error[:200]
        log.warning("notice %s not delivered after %s tries: %s", claim.id, claim.attempts, error)
        with self.db.transaction() as session:
            if not self._finish(session, claim, status=FAILED, failed_at=self.clock(), last_error=error):
                return
            notice = session.get(Notice, claim.id)
            record(session, actor="app", action="outbox.delivery_failed", subject_type="notice",
                   subject_id=notice.id, from_state=PENDING, to_state=FAILED, kind=notice.kind,
                   error=error, tries=claim.attempts,
                   about={"type": notice.subject_type, "id": notice.subject_id})
            if self.on_failed is not None:
                self.on_failed(session, notice, claim.attempts)

    @staticmethod
    def _finish(session: Session, claim: Claim, **values: Any) -> bool:
        """Record the outcome only if this worker still holds the claim."""
        done = session.execute(
            update(Notice)
            .where(Notice.id == claim.id, Notice.claim_token == claim.token,
                   Notice.status == PENDING)
            .values(claim_token=None, lease_until=None, **values)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:
            log.error("notice %s: claim lost before its outcome was recorded", claim.id)
            return False
        return True


def _claimable(now: datetime):
    return and_(
        Notice.status == PENDING,
        or_(Notice.next_attempt_at.is_(None), Notice.next_attempt_at <= now),
        or_(Notice.lease_until.is_(None), Notice.lease_until <= now),
    )


def _replaceable(replaced: Notice | None) -> str | None:
    """Why a notice cannot replace this one, or None when it can."""
    if replaced is None or replaced.status == FAILED:
        return "replaced_notice_failed"
    if replaced.delivered_ref is None:
        return "replaced_notice_has_no_reference"
    return None
