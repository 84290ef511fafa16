"""Where each group stands with its moderators: who has confirmed (M8), who has stepped down (M9), whether the
moderators left still satisfy M1/M2, and when the next reminders fall due (A3, M9).

These are what the App Home shows: `group_state`, `groups_needing_attention`, `my_groups`,
`confirmations_to_give`, `checkins_to_answer` and `circulations_to_record`. All read in the caller's session.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from flows.db import utcnow
from flows.directory.service import Role
from flows.groups.models import Group, Moderator
from flows.moderation.models import AgreementCirculation, ModeratorCheckin, ModeratorConfirmation
from flows.policy.moderators import m1_staff_moderator, m2_not_only_volunteers
from flows.policy.types import Finding, GroupKind, ModeratorEntry, ModeratorRole
from flows.settings import Settings

# Due dates are the moderators' calendar days, in Sussex.
LOCAL = ZoneInfo("Europe/London")
# Used until flows/settings.py has these settings (names below).
DEFAULT_CIRCULATION_DAYS = 365
DEFAULT_CHECK_DAYS = 182


@dataclass(frozen=True)
class Intervals:
    """How often the agreement is circulated (A3) and moderators are checked on (M9)."""

    circulation: timedelta = timedelta(days=DEFAULT_CIRCULATION_DAYS)
    check: timedelta = timedelta(days=DEFAULT_CHECK_DAYS)

    @classmethod
    def of(cls, settings: Settings | None) -> Intervals:
        circulation = getattr(settings, "agreement_circulation_interval_days", None) or DEFAULT_CIRCULATION_DAYS
        check = getattr(settings, "moderator_check_interval_days", None) or DEFAULT_CHECK_DAYS
        return cls(timedelta(days=int(circulation)), timedelta(days=int(check)))


def local_date(moment: datetime) -> date:
    return moment.astimezone(LOCAL).date()


def today(now: datetime | None = None) -> date:
    return local_date(now or utcnow())


# --- moderators ---------------------------------------------------------------------------------------------------
def is_employed(moderator: Moderator) -> bool:
    return ModeratorRole(moderator.role).employed


def directory_role(moderator: Moderator) -> Role | None:
    """The Directory role that must still hold for this moderator to act as staff."""
    return {ModeratorRole.STAFF.value: Role.STAFF, ModeratorRole.PCF_STAFF.value: Role.PCF_STAFF}.get(moderator.role)


def active_moderators(group: Group) -> list[Moderator]:
    return [m for m in group.moderators if m.stepped_down_at is None]


def acting_lead(group: Group) -> Moderator | None:
    """The lead staff moderator; if they have stepped down, the first staff moderator with an account stands
    in, so that someone can still answer for the moderators without one."""
    reachable_staff = [m for m in active_moderators(group) if is_employed(m) and m.reachable]
    return next((m for m in reachable_staff if m.is_lead), None) or next(iter(reachable_staff), None)


def staffing_findings(group: Group) -> list[Finding]:
    """M1 and M2 on the moderators still active: whether the group may go on as it stands."""
    kind = GroupKind(group.kind)
    entries = [
        ModeratorEntry(name=m.name, role=ModeratorRole(m.role), person_id=m.person_id, organisation=m.organisation)
        for m in active_moderators(group)
    ]
    return [f for f in (*m1_staff_moderator(kind, entries), *m2_not_only_volunteers(kind, entries)) if f.blocks]


def confirmations_of(session: Session, group_id: int) -> dict[int, ModeratorConfirmation]:
    rows = session.scalars(select(ModeratorConfirmation).where(ModeratorConfirmation.group_id == group_id))
    return {row.moderator_id: row for row in rows}


# --- due dates ----------------------------------------------------------------------------------------------------
def last_circulated(session: Session, group_id: int) -> datetime | None:
    return session.scalar(
        select(func.max(AgreementCirculation.circulated_at)).where(AgreementCirculation.group_id == group_id)
    )


def circulation_due_on(session: Session, group: Group, intervals: Intervals) -> date | None:
    """A3: a year (the interval) after registration, then after each circulation. None for other kinds."""
    if not GroupKind(group.kind).user_group:
        return None
    base = last_circulated(session, group.id) or group.created_at
    return local_date(base) + intervals.circulation


def last_check_due(session: Session, group_id: int) -> date | None:
    return session.scalar(select(func.max(ModeratorCheckin.due_on)).where(ModeratorCheckin.group_id == group_id))


def check_due_on(session: Session, group: Group, intervals: Intervals) -> date | None:
    """M9: the interval after registration, then after each check was asked (so a check sent late does not
    bring the next one forward). None if nobody moderates."""
    if not GroupKind(group.kind).needs_moderators or not active_moderators(group):
        return None
    last = session.scalar(select(func.max(ModeratorCheckin.asked_at)).where(ModeratorCheckin.group_id == group.id))
    return local_date(last or group.created_at) + intervals.check


# --- a group's state ----------------------------------------------------------------------------------------------
class Standing(StrEnum):
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"
    BLOCKED = "blocked"


@dataclass(frozen=True)
class GroupState:
    group_id: int
    name: str
    kind: GroupKind
    status: Standing
    moderators: int
    confirmed: int
    unconfirmed: tuple[str, ...]
    needs_moderator: bool
    # M1/M2 blocks on the moderators left, when some have stepped down.
    findings: tuple[Finding, ...]
    # Why it is not complete, in plain words, most important first.
    missing: tuple[str, ...]
    # Reminders that have fallen due and are not done yet (A3, M9): not part of "complete".
    to_do: tuple[str, ...]
    agreement_due_on: date | None
    check_due_on: date | None
    # Closed or archived on this day (flows/groups/lifecycle.py): nothing is due while it is.
    closed_on: date | None = None

    @property
    def complete(self) -> bool:
        return self.status is Standing.COMPLETE

    @property
    def needs_attention(self) -> bool:
        return self.closed_on is None and (not self.complete or bool(self.to_do))

    @property
    def summary(self) -> str:
        return self.worded_summary({})

    def worded_summary(self, wording: Mapping[str, str]) -> str:
        """The summary with each `Gap` in the adapter's words (the rest as it is)."""
        missing = [wording.get(m, m) for m in self.missing]
        if self.status is Standing.BLOCKED:
            return f"Blocked: {missing[0]}"
        if missing:
            return "; ".join(missing)
        return "Complete"


class Gap(StrEnum):
    """A gap whose plain words would name the platform: the adapter words it. The value is the words without."""

    NO_ACTING_LEAD = "No staff moderator the app can reach can act as lead moderator"


def confirmation_progress(confirmed: int, total: int, has_agreement: bool) -> str:
    what = "the policy and the group agreement" if has_agreement else "the policy"
    if total == 1:
        return f"{confirmed} of 1 moderator has confirmed they read {what}"
    return f"{confirmed} of {total} moderators have confirmed they read {what}"


def group_state(session: Session, group_id: int, settings: Settings | None = None, on: date | None = None) -> GroupState | None:
    return _states(session, [group_id], settings, on).get(group_id)


def _states(session: Session, group_ids: list[int], settings: Settings | None, on: date | None) -> dict[int, GroupState]:
    # Imported here: the batched reading builds on this module's helpers.
    from flows.moderation.states import states_of

    return states_of(session, group_ids, settings, on)


def _unanswered_checkins(session: Session, group: Group) -> list[ModeratorCheckin]:
    last = last_check_due(session, group.id)
    if last is None:
        return []
    active_ids = {m.id for m in active_moderators(group)}
    rows = session.scalars(
        select(ModeratorCheckin).where(
            ModeratorCheckin.group_id == group.id, ModeratorCheckin.due_on == last, ModeratorCheckin.answer.is_(None)
        ).order_by(ModeratorCheckin.id)
    )
    return [row for row in rows if row.moderator_id in active_ids]


def groups_needing_attention(
    session: Session, settings: Settings | None = None, on: date | None = None, user_id: str | None = None
) -> list[GroupState]:
    """Groups that are blocked, incomplete or have a reminder outstanding; only `user_id`'s groups if given."""
    groups = _groups_of(session, user_id) if user_id else list(session.scalars(select(Group).order_by(Group.id)))
    states = _states(session, [g.id for g in groups], settings, on).values()
    order = {Standing.BLOCKED: 0, Standing.INCOMPLETE: 1, Standing.COMPLETE: 2}
    return sorted((s for s in states if s.needs_attention), key=lambda s: (order[s.status], s.name.lower()))


def my_groups(session: Session, user_id: str, settings: Settings | None = None, on: date | None = None) -> list[GroupState]:
    """The groups someone moderates (and has not stepped down from) or registered, with their state."""
    groups = _groups_of(session, user_id)
    states = _states(session, [g.id for g in groups], settings, on)
    return [states[g.id] for g in groups]


def _groups_of(session: Session, user_id: str) -> list[Group]:
    moderating = select(Moderator.group_id).where(Moderator.person_id == user_id, Moderator.stepped_down_at.is_(None))
    query = select(Group).where(or_(Group.id.in_(moderating), Group.created_by == user_id)).order_by(Group.name, Group.id)
    return list(session.scalars(query))


# --- what a person has to answer -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PendingConfirmation:
    confirmation_id: int
    group_id: int
    group_name: str
    moderator_name: str
    # True: a moderator on no chat platform, whom the lead confirms for.
    on_behalf: bool


@dataclass(frozen=True)
class PendingCheckin:
    checkin_id: int
    group_id: int
    group_name: str
    moderator_name: str
    due_on: date
    on_behalf: bool


@dataclass(frozen=True)
class PendingCirculation:
    circulation_id: int
    group_id: int
    group_name: str
    due_on: date


def _answerable(session: Session, user_id: str) -> list[tuple[Group, Moderator, bool]]:
    """(group, moderator, on_behalf) for each active moderator this person answers for: themselves, and as
    acting lead, those without an account."""
    pairs = []
    for group in _groups_of(session, user_id):
        lead = acting_lead(group)
        for moderator in active_moderators(group):
            if moderator.person_id == user_id:
                pairs.append((group, moderator, False))
            elif not moderator.reachable and lead is not None and lead.person_id == user_id:
                pairs.append((group, moderator, True))
    return pairs


def confirmations_to_give(session: Session, user_id: str) -> list[PendingConfirmation]:
    pending = []
    for group, moderator, on_behalf in _answerable(session, user_id):
        row = confirmations_of(session, group.id).get(moderator.id)
        if row is not None and row.confirmed_at is None:
            pending.append(PendingConfirmation(row.id, group.id, group.name, moderator.name, on_behalf))
    return pending


def checkins_to_answer(session: Session, user_id: str) -> list[PendingCheckin]:
    pending = []
    for group, moderator, on_behalf in _answerable(session, user_id):
        for row in _unanswered_checkins(session, group):
            if row.moderator_id == moderator.id:
                pending.append(PendingCheckin(row.id, group.id, group.name, moderator.name, row.due_on, on_behalf))
    return pending


def circulations_to_record(session: Session, user_id: str) -> list[PendingCirculation]:
    """Reminders to circulate an agreement that this person, as a staff moderator, can mark done."""
    pending = []
    for group in _groups_of(session, user_id):
        if not any(m.person_id == user_id and is_employed(m) for m in active_moderators(group)):
            continue
        rows = session.scalars(
            select(AgreementCirculation).where(
                AgreementCirculation.group_id == group.id, AgreementCirculation.circulated_at.is_(None)
            ).order_by(AgreementCirculation.due_on)
        )
        pending += [PendingCirculation(row.id, group.id, group.name, row.due_on) for row in rows]
    return pending


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
