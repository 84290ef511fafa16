"""Where groups stand (complete, incomplete, blocked, reminders due), read with a fixed number of queries however
many groups there are: one group's state is the same reading for a list of one."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from flows.groups.models import Group
from flows.moderation.models import (
    AgreementCirculation,
    ModeratorCheckin,
    ModeratorConfirmation,
    ModeratorVacancy,
)
from flows.moderation.queries import (
    Gap,
    GroupState,
    Intervals,
    Standing,
    acting_lead,
    active_moderators,
    confirmation_progress,
    is_employed,
    local_date,
    long_date,
    staffing_findings,
    today,
)
from flows.policy.types import GroupKind
from flows.settings import Settings


def states_of(
    session: Session, group_ids: Iterable[int], settings: Settings | None = None, on: date | None = None
) -> dict[int, GroupState]:
    """GroupState by group id, for the groups that exist among `group_ids` (seven queries in all)."""
    ids = list(dict.fromkeys(group_ids))
    if not ids:
        return {}
    facts = _Facts.read(session, ids)
    intervals, on = Intervals.of(settings), on or today()
    return {group.id: facts.state(group, intervals, on) for group in facts.groups}


class _Facts:
    """Everything `GroupState` needs about a set of groups, one query per kind of fact."""

    @classmethod
    def read(cls, session: Session, ids: list[int]) -> _Facts:
        facts = cls()
        q = _queries()
        of = {"ids": ids}
        facts.groups = list(session.scalars(q.groups, of))
        facts.confirmations = defaultdict(dict)
        for row in session.scalars(q.confirmations, of):
            facts.confirmations[row.group_id][row.moderator_id] = row
        facts.vacancies = defaultdict(list)
        for row in session.scalars(q.vacancies, of):
            facts.vacancies[row.group_id].append(row)
        facts.last_circulated = dict(session.execute(q.last_circulated, of).all())
        facts.last_asked = dict(session.execute(q.last_asked, of).all())
        facts.unanswered = defaultdict(list)
        for row in session.scalars(q.unanswered, of):
            facts.unanswered[row.group_id].append(row)
        return facts

    def state(self, group: Group, intervals: Intervals, on: date) -> GroupState:
        # The same reading as flows.moderation.queries._state, from facts already in memory.
        kind = GroupKind(group.kind)
        active = active_moderators(group) if kind.needs_moderators else []
        confirmations = self.confirmations.get(group.id, {})
        unconfirmed = tuple(
            m.name for m in active if m.id not in confirmations or confirmations[m.id].confirmed_at is None
        )
        findings = tuple(staffing_findings(group)) if kind.needs_moderators else ()
        vacancies = self.vacancies.get(group.id, [])
        missing = [f"Blocked under {f.rule}: {f.as_dict()['message']}" for f in findings]
        by_id = {m.id: m for m in group.moderators}
        for vacancy in vacancies:
            who = by_id[vacancy.moderator_id].name if vacancy.moderator_id in by_id else "A moderator"
            missing.append(
                f"{who} stepped down on {long_date(local_date(vacancy.opened_at))}: the group needs a new moderator"
            )
        if active and unconfirmed:
            missing.append(confirmation_progress(len(active) - len(unconfirmed), len(active), bool(group.agreement_url)))
        if active and acting_lead(group) is None:
            missing.append(Gap.NO_ACTING_LEAD)
        if any(not is_employed(m) for m in active) and not (group.emergency_contact or group.emergency_contact_person_id):
            missing.append("No emergency contact is recorded for the moderators who are not staff (M10)")

        agreement_due = None
        if kind.user_group:
            agreement_due = local_date(self.last_circulated.get(group.id) or group.created_at) + intervals.circulation
        check_due = None
        if kind.needs_moderators and active_moderators(group):
            check_due = local_date(self.last_asked.get(group.id) or group.created_at) + intervals.check
        to_do = []
        if agreement_due is not None and agreement_due <= on:
            to_do.append(
                f"The group agreement was due to be circulated to all members on {long_date(agreement_due)} (A3)"
            )
        active_ids = {m.id for m in active_moderators(group)}
        unanswered = [c for c in self.unanswered.get(group.id, []) if c.moderator_id in active_ids]
        if unanswered:
            names = ", ".join(by_id[c.moderator_id].name for c in unanswered)
            to_do.append(f"Not yet answered the check that moderators are still able and willing (M9): {names}")

        status = Standing.BLOCKED if findings else Standing.INCOMPLETE if missing else Standing.COMPLETE
        return GroupState(
            group_id=group.id, name=group.name, kind=kind, status=status, moderators=len(active),
            confirmed=len(active) - len(unconfirmed), unconfirmed=unconfirmed, needs_moderator=bool(vacancies),
            findings=findings, missing=tuple(missing), to_do=tuple(to_do),
            agreement_due_on=agreement_due, check_due_on=check_due,
            closed_on=local_date(group.closed_at) if group.closed_at else None,
        )


class _Queries:
    """The facts' statements, built once with the groups' ids as one expanding bound parameter, so that SQLAlchemy
    compiles each once (its compiled cache) however many times, and for however many groups, they are read."""

    def __init__(self) -> None:
        ids = bindparam("ids", expanding=True)
        self.groups = select(Group).where(Group.id.in_(ids)).options(selectinload(Group.moderators))
        self.confirmations = select(ModeratorConfirmation).where(ModeratorConfirmation.group_id.in_(ids))
        self.vacancies = select(ModeratorVacancy).where(
            ModeratorVacancy.group_id.in_(ids), ModeratorVacancy.filled_at.is_(None)
        ).order_by(ModeratorVacancy.id)
        self.last_circulated = (
            select(AgreementCirculation.group_id, func.max(AgreementCirculation.circulated_at))
            .where(AgreementCirculation.group_id.in_(ids)).group_by(AgreementCirculation.group_id)
        )
        self.last_asked = (
            select(ModeratorCheckin.group_id, func.max(ModeratorCheckin.asked_at))
            .where(ModeratorCheckin.group_id.in_(ids)).group_by(ModeratorCheckin.group_id)
        )
        # The latest check of each group, unanswered: who has not yet said they are still able (M9).
        earlier = aliased(ModeratorCheckin)
        latest_due = (
            select(func.max(earlier.due_on)).where(earlier.group_id == ModeratorCheckin.group_id).scalar_subquery()
        )
        self.unanswered = (
            select(ModeratorCheckin)
            .where(ModeratorCheckin.group_id.in_(ids), ModeratorCheckin.answer.is_(None),
                   ModeratorCheckin.due_on == latest_due)
            .order_by(ModeratorCheckin.id)
        )


@cache
def _queries() -> _Queries:
    return _Queries()
