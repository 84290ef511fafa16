"""A3 and M9 on their due dates: each group's reminder goes once per due date however many schedulers run
(the run is claimed with flows.scheduler.run_once in the transaction that queues the messages). A closed
group is reminded of nothing."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.audit import service as audit
from flows.groups.models import Group
from flows.moderation.models import AgreementCirculation, ModeratorCheckin
from flows import drafting
from flows.moderation.queries import Intervals, active_moderators, check_due_on, circulation_due_on
from flows.outbox import Notice
from flows.policy.types import USER_GROUP_KINDS, GroupKind
from flows.scheduler import run_once
from flows.settings import Settings

CIRCULATION_RUN = "a3-circulation-reminder"
CHECK_RUN = "m9-moderator-check"

Remind = Callable[[Session, Group, AgreementCirculation], Notice]
# Returns, for each check-in, the message that asks it (one message may carry several).
Ask = Callable[[Session, Group, list[ModeratorCheckin]], dict[int, Notice]]


def remind_circulations(session: Session, now: datetime, on: date, intervals: Intervals, remind: Remind) -> list[int]:
    """Remind the lead of every user group whose agreement is due to be circulated by `on`. Returns group ids."""
    reminded = []
    kinds = [k.value for k in USER_GROUP_KINDS]
    open_groups = select(Group).where(Group.kind.in_(kinds), Group.closed_at.is_(None))
    for group in session.scalars(open_groups.order_by(Group.id)):
        due = circulation_due_on(session, group, intervals)
        if due is None or due > on or not run_once(session, CIRCULATION_RUN, f"group:{group.id}:{due.isoformat()}"):
            continue
        row = AgreementCirculation(group_id=group.id, due_on=due, reminded_at=now)
        session.add(row)
        session.flush()
        row.reminder_notice_id = remind(session, group, row).id
        audit.record(session, actor="app", action="agreement.circulation_reminded", subject_type="agreement_circulation",
                     subject_id=row.id, to_state="reminded", group_id=group.id, due_on=due.isoformat())
        reminded.append(group.id)
    return reminded


def text_to_circulate(group: Group, settings: Settings) -> str:
    """What the lead pastes into the group (A3): a pointer to its own published agreement; only while it has no link,
    the agreement drafted from the policy's template."""
    if group.agreement_url:
        return drafting.draft_circulation(group.name, group.agreement_url)
    return drafting.draft_agreement(GroupKind(group.kind), group.name, settings,
                                    [m.name for m in active_moderators(group)], settings.contact_email,
                                    group.quiet_hours)


def start_checks(session: Session, now: datetime, on: date, intervals: Intervals, ask: Ask) -> list[int]:
    """Ask every active moderator of each group whose check is due by `on`. Returns group ids."""
    started = []
    kinds = [k.value for k in GroupKind if k.needs_moderators]
    open_groups = select(Group).where(Group.kind.in_(kinds), Group.closed_at.is_(None))
    for group in session.scalars(open_groups.order_by(Group.id)):
        due = check_due_on(session, group, intervals)
        if due is None or due > on or not run_once(session, CHECK_RUN, f"group:{group.id}:{due.isoformat()}"):
            continue
        rows = [ModeratorCheckin(group_id=group.id, moderator_id=m.id, due_on=due, asked_at=now, on_behalf=False)
                for m in active_moderators(group)]
        session.add_all(rows)
        session.flush()
        for checkin_id, message in ask(session, group, rows).items():
            next(r for r in rows if r.id == checkin_id).request_notice_id = message.id
        audit.record(session, actor="app", action="moderators.check_started", subject_type="group", subject_id=group.id,
                     due_on=due.isoformat(), moderators=[r.moderator_id for r in rows])
        started.append(group.id)
    return started
