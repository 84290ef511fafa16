"""A group's state as SQL conditions, so that the register can be filtered, counted and paged in the database.

They say in SQL what `flows.moderation.queries` says in Python (blocked under M1/M2; incomplete while a moderator
has not confirmed, a place is vacant, nobody can act as lead or the M10 emergency contact is missing; a reminder
outstanding under A3 or M9). tests/test_home_queries.py checks that both readings agree, group by group.

The one value that changes from day to day (the A3 cut-off) is a bound parameter, so that a statement built from
these conditions can be built once and reused, its compiled form cached by SQLAlchemy: pass `parameters()` when
executing it.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, bindparam, exists, func, not_, or_, select
from sqlalchemy.orm import aliased

from flows.db import UTCDateTime
from flows.groups.models import Group, Moderator
from flows.moderation.models import (
    AgreementCirculation,
    ModeratorCheckin,
    ModeratorConfirmation,
    ModeratorVacancy,
)
from flows.moderation.queries import LOCAL, Intervals, Standing
from flows.policy.types import GroupKind, ModeratorRole

NEEDS_MODERATORS = [k.value for k in GroupKind if k.needs_moderators]
USER_GROUPS = [k.value for k in GroupKind if k.user_group]
PCF_KINDS = [k.value for k in GroupKind if k.pcf]
EMPLOYED = [r.value for r in ModeratorRole if r.employed]
# The bound parameter that carries the A3 cut-off into a statement built once.
CIRCULATION_CUTOFF = "circulation_cutoff"


def active_moderator(*conditions) -> ColumnElement[bool]:
    """Some moderator of the group (in the enclosing query) who has not stepped down matches `conditions`."""
    return exists(
        select(Moderator.id)
        .where(Moderator.group_id == Group.id, Moderator.stepped_down_at.is_(None), *conditions)
        .correlate(Group)
    )


def acting_lead_user():
    """The account of the group's acting lead (flows.moderation.queries.acting_lead): the lead staff moderator
    if they have one, else the first staff moderator with one."""
    lead = aliased(Moderator)

    def first(*conditions):
        return (
            select(lead.person_id)
            .where(lead.group_id == Group.id, lead.stepped_down_at.is_(None), lead.role.in_(EMPLOYED),
                   lead.reachable, *conditions)
            .order_by(lead.id).limit(1).correlate(Group).scalar_subquery()
        )

    return func.coalesce(first(lead.is_lead.is_(True)), first())


class GroupConditions:
    """The state conditions of `Group`, for reminders due on `on`; with `on` None, a template for statements built
    once, whose cut-off must be given when each is executed (`GroupConditions(...).parameters()`)."""

    def __init__(self, intervals: Intervals, on: date | None) -> None:
        self.intervals, self.on = intervals, on

    @classmethod
    def template(cls) -> GroupConditions:
        return cls(Intervals(), None)

    @property
    def circulation_cutoff(self) -> datetime | None:
        if self.on is None:
            return None
        # A3: due a year after the last circulation (or registration), on the moderators' calendar: due by `on`
        # exactly when that moment came before the start of the day after (on - interval).
        return datetime.combine(self.on - self.intervals.circulation + timedelta(days=1), time.min, tzinfo=LOCAL)

    def parameters(self) -> dict[str, object]:
        """The values of these conditions' bound parameters, for a statement built from another day's."""
        return {CIRCULATION_CUTOFF: self.circulation_cutoff}

    @property
    def needs_moderators(self) -> ColumnElement[bool]:
        return Group.kind.in_(NEEDS_MODERATORS)

    @property
    def blocked(self) -> ColumnElement[bool]:
        # M1: no moderator of the staff role the kind requires. M2 (only volunteers) cannot hold without M1.
        required = or_(
            and_(Group.kind.in_(PCF_KINDS), Moderator.role == ModeratorRole.PCF_STAFF.value),
            and_(Group.kind.not_in(PCF_KINDS), Moderator.role == ModeratorRole.STAFF.value),
        )
        return and_(self.needs_moderators, not_(active_moderator(required)))

    @property
    def something_missing(self) -> ColumnElement[bool]:
        confirmed = exists(
            select(ModeratorConfirmation.id).where(
                ModeratorConfirmation.moderator_id == Moderator.id, ModeratorConfirmation.group_id == Group.id,
                ModeratorConfirmation.confirmed_at.is_not(None),
            ).correlate(Moderator, Group)
        )
        vacancy = exists(
            select(ModeratorVacancy.id)
            .where(ModeratorVacancy.group_id == Group.id, ModeratorVacancy.filled_at.is_(None))
            .correlate(Group)
        )
        no_lead = and_(
            active_moderator(),
            not_(active_moderator(Moderator.role.in_(EMPLOYED), Moderator.reachable)),
        )
        no_emergency_contact = and_(
            active_moderator(Moderator.role.not_in(EMPLOYED)),
            func.coalesce(Group.emergency_contact, "") == "",
            func.coalesce(Group.emergency_contact_person_id, "") == "",
        )
        return or_(
            vacancy,
            and_(self.needs_moderators, or_(active_moderator(not_(confirmed)), no_lead, no_emergency_contact)),
        )

    @property
    def circulation_due(self) -> ColumnElement[bool]:
        cutoff = (bindparam(CIRCULATION_CUTOFF, type_=UTCDateTime(), required=True) if self.on is None
                  else bindparam(CIRCULATION_CUTOFF, self.circulation_cutoff, type_=UTCDateTime()))
        circulated = AgreementCirculation.circulated_at
        of_group = AgreementCirculation.group_id == Group.id
        return and_(
            Group.kind.in_(USER_GROUPS),
            not_(exists(select(AgreementCirculation.id).where(of_group, circulated >= cutoff).correlate(Group))),
            or_(
                exists(select(AgreementCirculation.id).where(of_group, circulated.is_not(None)).correlate(Group)),
                Group.created_at < cutoff,
            ),
        )

    @property
    def checkin_unanswered(self) -> ColumnElement[bool]:
        # M9: a moderator still active has not answered the group's latest check.
        earlier = aliased(ModeratorCheckin)
        latest_due = select(func.max(earlier.due_on)).where(earlier.group_id == Group.id).correlate(Group).scalar_subquery()
        return exists(
            select(ModeratorCheckin.id)
            .join(Moderator, Moderator.id == ModeratorCheckin.moderator_id)
            .where(ModeratorCheckin.group_id == Group.id, Moderator.group_id == Group.id,
                   Moderator.stepped_down_at.is_(None), ModeratorCheckin.answer.is_(None),
                   ModeratorCheckin.due_on == latest_due)
            .correlate(Group)
        )

    def status_is(self, status: Standing) -> ColumnElement[bool]:
        if status is Standing.BLOCKED:
            return self.blocked
        if status is Standing.INCOMPLETE:
            return and_(not_(self.blocked), self.something_missing)
        return and_(not_(self.blocked), not_(self.something_missing))

    @property
    def needs_attention(self) -> ColumnElement[bool]:
        return or_(self.blocked, self.something_missing, self.circulation_due, self.checkin_unanswered)
