"""R4: a temporary removal carries a review date, and on that date (UK time) the group's moderators are reminded.

Each decision's reminder is claimed once in the database (job runs keyed "r4:<decision id>") in the transaction
that queues the messages, so however many clocks run, and on however many days the job runs, it goes once. A
reminder missed while no clock ran goes on the next day, saying it was due earlier; none goes before its date.
The job runs daily, mid-morning UK time (flows/jobs.py).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from flows.audit import service as audit
from flows.groups.models import Moderator
from flows.outbox import Notice, NoticeKind, Subject, queue
from flows.removals.models import RemovalDecision, RemovalKind, RemovalStatus
from flows.removals.service import ACTIVE, LOCAL, SUBJECT, DecisionView, decision_view, outbox_key
from flows.scheduler import Run, run_once

REVIEW_JOB = "removal-reviews"


def reviews_due(session: Session, today: date) -> list[RemovalDecision]:
    """Temporary removals whose review date has come, oldest date first. A decision corrected by a later one
    (R5) is not reviewed: the correction, with its own date, is."""
    correction = aliased(RemovalDecision)
    query = (
        select(RemovalDecision)
        .where(
            RemovalDecision.kind == RemovalKind.TEMPORARY.value,
            RemovalDecision.status == RemovalStatus.RECORDED.value,
            RemovalDecision.review_on <= today,
            ~exists().where(correction.corrects_id == RemovalDecision.id),
        )
        .order_by(RemovalDecision.review_on, RemovalDecision.id)
    )
    return list(session.scalars(query))


def remind_due_reviews(session: Session, run: Run) -> list[Notice]:
    """The job: queue each due review's reminder, once per decision. Returns what it queued."""
    today = run.now.astimezone(LOCAL).date()
    queued: list[Notice] = []
    for row in reviews_due(session, today):
        if not run_once(session, REVIEW_JOB, f"r4:{row.id}"):
            continue
        decision = decision_view(session, row)
        recipients = review_recipients(session, decision)
        queued += remind(session, decision, today, recipients)
        audit.record(
            session, actor="app", action="removal.review_reminded", subject_type=SUBJECT, subject_id=row.id,
            from_state=row.status, to_state=row.status, review_on=row.review_on.isoformat(), reminded=recipients,
        )
    return queued


def remind(session: Session, decision: DecisionView, today: date, recipients: list[str]) -> list[Notice]:
    """Each recipient is told the review is due (`today` is the UK date the job ran on, so a late reminder can
    say it was due earlier)."""
    return [queue(session, NoticeKind.REMOVAL_REVIEW_DUE, Subject(SUBJECT, decision.id), person,
                  data={"today": today.isoformat()}, dedupe_key=outbox_key(decision.id, "review", person))
            for person in recipients]


def review_recipients(session: Session, decision: DecisionView) -> list[str]:
    """The group's moderators who have not stepped down and can be reached, and whoever logged the removal (a
    member of staff may log one for a group they do not moderate), once each."""
    moderators = session.scalars(
        select(Moderator.person_id)
        .where(Moderator.group_id == decision.group_id, ACTIVE, Moderator.reachable)
        .order_by(Moderator.id)
    )
    return list(dict.fromkeys([*moderators, decision.logged_by]))
