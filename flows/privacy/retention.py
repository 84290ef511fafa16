"""P5: closed reports, finished removals, unfinished wizard drafts and audit details are kept for the configured
periods (flows/settings.py, RETENTION_*_DAYS), then purged by a daily job.

- An unofficial-group case closed (renamed, closed down, no action) longer ago than RETENTION_CLOSED_REPORTS_DAYS
  goes with its reports and the messages about it.
- A removal decision finished (signed off or rejected; a temporary one from its review date, or the day it was
  logged when it has none) longer ago than RETENTION_FINISHED_REMOVALS_DAYS goes with its messages, unless a
  correction still kept points to it (R5: the chain stays whole until all of it is due).
- A /newgroup wizard not finished and untouched for RETENTION_DRAFTS_DAYS goes.
- A group closed or archived longer ago than RETENTION_CLOSED_GROUPS_DAYS goes with its moderators' records and
  the members welcomed (flows/groups/retention.py), unless one of its removal decisions is still kept.
- An audit entry older than RETENTION_AUDIT_DETAILS_DAYS keeps who did what, to what and when; its details go.

The job runs early in the morning UK time, when nobody is waiting on these tables (flows/jobs.py). What is
purged is then scrubbed from the database's files (flows/db/erasure.py), and the audit trail records how many of each were purged.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Text, and_, cast, delete, or_, select, update
from sqlalchemy.orm import Session

from flows.audit import service as audit
from flows.audit.models import AuditEntry
from flows.db.erasure import erased
from flows.groups.retention import purge_closed_groups
from flows.outbox.models import Notice
from flows.removals.models import RemovalDecision, RemovalKind, RemovalStatus
from flows.reports.models import OPEN_STATES, UnofficialGroupCase, UnofficialGroupReport
from flows.settings import Settings
from flows.wizard.models import WizardDraft

RETENTION_JOB = "privacy-retention"
ACTOR = "retention"
# At night nobody waits on the clock's tick: the scrub may wait this long for other connections.
PURGE_WAIT_SECONDS = 30.0


def purge(session: Session, settings: Settings, now: datetime) -> dict[str, int]:
    """Purge what is past its retention period, in the caller's transaction; return how many of each went."""
    counts = {
        "closed reports": _closed_cases(session, now - timedelta(days=settings.retention_closed_reports_days)),
        "finished removals": _finished_removals(
            session, now - timedelta(days=settings.retention_finished_removals_days)),
        "wizard drafts": _drafts(session, now - timedelta(days=settings.retention_drafts_days)),
        "audit details": _audit_details(session, now - timedelta(days=settings.retention_audit_details_days)),
        "closed groups": purge_closed_groups(
            session, now - timedelta(days=settings.retention_closed_groups_days), _delete_messages),
    }
    counts = {what: count for what, count in counts.items() if count}
    if counts:
        audit.record(session, actor=ACTOR, action="retention.purged", subject_type="retention", subject_id=now.date(),
                     **{what.replace(" ", "_"): count for what, count in counts.items()})
    # Also when nothing was purged today: a scrub an earlier erasure could not finish is done now.
    erased(session, "unofficial_group_cases", "unofficial_group_reports", "removal_decisions", "notices",
           "wizard_drafts", "audit_entries", wait_seconds=PURGE_WAIT_SECONDS)
    return counts


def _closed_cases(session: Session, cutoff: datetime) -> int:
    ids = list(session.scalars(select(UnofficialGroupCase.id).where(
        UnofficialGroupCase.state.not_in([s.value for s in OPEN_STATES]),
        UnofficialGroupCase.resolved_at < cutoff,
    )))
    if not ids:
        return 0
    _delete_messages(session, "unofficial_group_case", set(ids))
    session.execute(delete(UnofficialGroupReport).where(UnofficialGroupReport.case_id.in_(ids))
                    .execution_options(synchronize_session=False))
    return session.execute(delete(UnofficialGroupCase).where(UnofficialGroupCase.id.in_(ids))
                           .execution_options(synchronize_session=False)).rowcount


def _finished_removals(session: Session, cutoff: datetime) -> int:
    decided = or_(
        and_(RemovalDecision.status.in_([RemovalStatus.APPROVED.value, RemovalStatus.REJECTED.value]),
             RemovalDecision.decided_at < cutoff),
        and_(RemovalDecision.status == RemovalStatus.NOT_AGREED.value, RemovalDecision.disagreed_at < cutoff),
        and_(RemovalDecision.status == RemovalStatus.WITHDRAWN.value, RemovalDecision.withdrawn_at < cutoff),
    )
    temporary = and_(RemovalDecision.status == RemovalStatus.RECORDED.value,
                     RemovalDecision.kind == RemovalKind.TEMPORARY.value,
                     or_(RemovalDecision.review_on < cutoff.date(),
                         and_(RemovalDecision.review_on.is_(None), RemovalDecision.logged_at < cutoff)))
    due = set(session.scalars(select(RemovalDecision.id).where(or_(decided, temporary))))
    # A decision that a correction still kept points to stays, as long as that correction does (R5).
    while due:
        kept_pointing = set(session.scalars(select(RemovalDecision.corrects_id).where(
            RemovalDecision.corrects_id.in_(due), RemovalDecision.id.not_in(due))))
        if not kept_pointing:
            break
        due -= kept_pointing
    if not due:
        return 0
    _delete_messages(session, "removal", due)
    # P5's exception to R5 ("never deleted"): a decision past its retention period is purged. A Core DELETE on
    # purpose: the ORM's guard in flows/removals/models.py stays in force for everything else.
    table = RemovalDecision.__table__
    return session.execute(delete(table).where(table.c.id.in_(due))).rowcount


def _delete_messages(session: Session, subject_type: str, ids: set[int]) -> None:
    """The notices about these records, and the admins' notices of those that failed. One still waiting after years
    has no one left to wait for it: it goes too."""
    doomed = set(session.scalars(select(Notice.id).where(
        Notice.subject_type == subject_type, Notice.subject_id.in_([str(i) for i in ids]))))
    if not doomed:
        return
    doomed |= set(session.scalars(select(Notice.id).where(
        Notice.subject_type == "notice", Notice.subject_id.in_([str(i) for i in doomed]))))
    # A notice kept that replaced one of these no longer needs to wait for it.
    session.execute(update(Notice).where(Notice.replaces_id.in_(doomed), Notice.id.not_in(doomed))
                    .values(replaces_id=None).execution_options(synchronize_session=False))
    session.execute(delete(Notice).where(Notice.id.in_(doomed))
                    .execution_options(synchronize_session=False))


def _drafts(session: Session, cutoff: datetime) -> int:
    return session.execute(delete(WizardDraft).where(WizardDraft.group_id.is_(None), WizardDraft.updated_at < cutoff)
                           .execution_options(synchronize_session=False)).rowcount


def _audit_details(session: Session, cutoff: datetime) -> int:
    # The audit trail keeps that something happened (P4, P5); after its period, not the particulars.
    return session.execute(update(AuditEntry).where(
        AuditEntry.at < cutoff, cast(AuditEntry.details, Text).not_in(["{}", "null"]),
    ).values(details={}).execution_options(synchronize_session=False)).rowcount
