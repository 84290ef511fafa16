"""The delivering side of the outbox, independent of Slack: claim a due message, hand it to a sender, record
the outcome. The sender (bot/delivery.py) turns Slack's answer into Delivered, RetryLater or Undeliverable."""
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
from flows.outbox import notice
from flows.outbox.models import OutboxMessage, OutboxStatus
from flows.outbox.service import PLACEHOLDER, delivered_hooks

log = logging.getLogger(__name__)

PENDING, SENT, FAILED = OutboxStatus.PENDING.value, OutboxStatus.SENT.value, OutboxStatus.FAILED.value


@dataclass(frozen=True)
class Delivered:
    channel: str | None = None
    ts: str | None = None


@dataclass(frozen=True)
class RetryLater:
    """Slack is busy or unreachable: try again after `retry_after` seconds if Slack said, else after backoff."""

    error: str
    retry_after: float | None = None


@dataclass(frozen=True)
class Undeliverable:
    """Trying again cannot help (no such channel, blocks refused...)."""

    error: str


Outcome = Delivered | RetryLater | Undeliverable


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
    id: int
    token: str
    method: str
    args: dict[str, Any]
    attempts: int  # including this one
    # Why it must not be sent (its dependency failed...); None when it can go.
    problem: str | None = None
    dedupe_key: str | None = None
    created_at: datetime | None = None

    @property
    def may_have_gone(self) -> bool:
        """An earlier try may have been carried out without its answer arriving (a timeout, a dropped connection,
        a worker that died mid-send): the sender should look for it before sending again."""
        return self.attempts > 1


Send = Callable[[Claim], Outcome]


# Told, in the transaction that marks it failed, that a message could not be delivered after `tries` tries (with
# the arguments it was sent with): the adapter queues its notice to the admins, if it has somewhere to send one.
OnFailed = Callable[[Session, OutboxMessage, dict[str, Any], int], None]


class Outbox:
    def __init__(self, db: Database, policy: DeliveryPolicy = DeliveryPolicy(), clock: Callable[[], datetime] = utcnow,
                 on_failed: OnFailed | None = None):
        self.db = db
        self.policy = policy
        self.clock = clock
        self.on_failed = on_failed

    def deliver_due(self, send: Send, limit: int = 50, only: Collection[int] | None = None) -> DeliveryReport:
        """Send up to `limit` due messages in id order (only those in `only`, if given). A message whose
        dependency is sent (or fails) during this call is handled in the same call, even when it is not in
        `only`: another request may have queued an edit of a post this request has just sent, and it would
        otherwise wait for the clock."""
        report = DeliveryReport()
        tried: set[int] = set()
        allowed = set(only) if only is not None else None
        while len(tried) < limit:
            ids = [i for i in self.due_ids(limit + len(tried), allowed) if i not in tried][: limit - len(tried)]
            if not ids:
                break
            for message_id in ids:
                tried.add(message_id)
                claim = self.claim(message_id)
                if claim is None:
                    continue
                settled = self._deliver(claim, send, report)
                if settled and allowed is not None:
                    allowed.update(self.dependants(message_id))
        return report

    def dependants(self, message_id: int) -> list[int]:
        """Pending messages waiting for this one."""
        with self.db.transaction() as session:
            query = select(OutboxMessage.id).where(
                OutboxMessage.depends_on_id == message_id, OutboxMessage.status == PENDING
            )
            return list(session.scalars(query))

    def due_ids(self, limit: int, only: Collection[int] | None = None) -> list[int]:
        now = self.clock()
        dependency = aliased(OutboxMessage)
        query = (
            select(OutboxMessage.id)
            .outerjoin(dependency, OutboxMessage.depends_on_id == dependency.id)
            .where(
                _claimable(now),
                # Not while its dependency is still pending; if the dependency failed, claiming fails it too.
                or_(OutboxMessage.depends_on_id.is_(None), dependency.status != PENDING),
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        if only is not None:
            query = query.where(OutboxMessage.id.in_(list(only)))
        with self.db.transaction() as session:
            return list(session.scalars(query))

    def claim(self, message_id: int) -> Claim | None:
        """Take the message for this worker, or None if another worker has it or it is no longer due. The
        conditional UPDATE comes first in its transaction, so on SQLite it waits for the write lock rather
        than failing on a stale read."""
        now = self.clock()
        token = uuid.uuid4().hex
        with self.db.transaction() as session:
            taken = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, _claimable(now))
                .values(
                    claim_token=token,
                    lease_until=now + timedelta(seconds=self.policy.lease),
                    attempts=OutboxMessage.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount != 1:
                return None
            message = session.get(OutboxMessage, message_id)
            args, problem = message.args, None
            if message.attempts > self.policy.max_attempts:
                # A worker died while sending its last try: do not try beyond the bound.
                problem = message.last_error or "gave_up"
            elif message.depends_on_id is not None:
                args, problem = _resolve(message.args, session.get(OutboxMessage, message.depends_on_id))
            return Claim(message.id, token, message.method, args, message.attempts, problem,
                         dedupe_key=message.dedupe_key, created_at=message.created_at)

    def _deliver(self, claim: Claim, send: Send, report: DeliveryReport) -> bool:
        """True when the message is settled (sent or given up on); False when it is to be tried again later."""
        if claim.problem:
            outcome: Outcome = Undeliverable(claim.problem)
        else:
            try:
                outcome = send(claim)
            except Exception as error:  # a bug in a sender must not lose the message: it is retried, then flagged
                log.exception("sending outbox message %s failed unexpectedly", claim.id)
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
                                result_channel=outcome.channel, result_ts=outcome.ts):
                return
            message = session.get(OutboxMessage, claim.id)
            for hook in delivered_hooks(message.reference):
                # The message is out: a failing hook must not undo "sent" and have it posted again.
                try:
                    with session.begin_nested():
                        hook(session, message.reference, outcome.channel, outcome.ts)
                except Exception:
                    log.exception("on_delivered hook %s failed for outbox message %s", hook.__name__, claim.id)

    def _retry_later(self, claim: Claim, outcome: RetryLater) -> None:
        if outcome.retry_after is not None:
            delay = timedelta(seconds=max(outcome.retry_after, 0))
        else:
            delay = self.policy.backoff(claim.attempts)
        log.info("outbox message %s: %s; trying again in %ss", claim.id, outcome.error, delay.total_seconds())
        with self.db.transaction() as session:
            self._finish(session, claim, next_attempt_at=self.clock() + delay, last_error=outcome.error[:200])

    def _mark_failed(self, claim: Claim, error: str) -> None:
        error = error[:200]
        log.warning("outbox message %s not delivered after %s tries: %s", claim.id, claim.attempts, error)
        with self.db.transaction() as session:
            if not self._finish(session, claim, status=FAILED, failed_at=self.clock(), last_error=error):
                return
            message = session.get(OutboxMessage, claim.id)
            record(session, actor="app", action="outbox.delivery_failed", subject_type="outbox_message",
                   subject_id=message.id, from_state=PENDING, to_state=FAILED, method=message.method,
                   error=error, tries=claim.attempts, reference=message.reference)
            if self.on_failed is not None and not notice.is_failure_notice(message):
                self.on_failed(session, message, claim.args, claim.attempts)

    @staticmethod
    def _finish(session: Session, claim: Claim, **values: Any) -> bool:
        """Record the outcome only if this worker still holds the claim."""
        done = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == claim.id, OutboxMessage.claim_token == claim.token,
                   OutboxMessage.status == PENDING)
            .values(claim_token=None, lease_until=None, **values)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:
            log.error("outbox message %s: claim lost before its outcome was recorded", claim.id)
            return False
        return True


def _claimable(now: datetime):
    return and_(
        OutboxMessage.status == PENDING,
        or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until <= now),
    )


def _resolve(args: dict[str, Any], dependency: OutboxMessage | None) -> tuple[dict[str, Any], str | None]:
    if dependency is None or dependency.status == FAILED:
        return args, "dependency_failed"
    result = {"channel": dependency.result_channel, "ts": dependency.result_ts}
    missing: list[str] = []

    def fill(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {PLACEHOLDER}:
                if not result.get(value[PLACEHOLDER]):
                    missing.append(str(value[PLACEHOLDER]))
                return result.get(value[PLACEHOLDER])
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    resolved = fill(args)
    return resolved, (f"dependency_has_no_{missing[0]}" if missing else None)
