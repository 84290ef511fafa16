"""What waits for one person, read for the App Home: each list is its first few items and a count, in one query,
however many groups the person has.

Confirmations, check-ins and circulations are the ones flows.moderation lists (confirmations_to_give,
checkins_to_answer, circulations_to_record) read in one query each rather than group by group; removals and
reports are the ones their services would let this person decide. Buttons on the Home only carry the row's id: the
existing handlers decide, as always, whether the person who clicks may act.

Each statement is built once (per cap on its items), with the person and the cap as bound parameters: a Home pays
for neither building its expressions nor compiling them again (SQLAlchemy caches a statement's compiled form), and
each reads through an index what concerns this person, whatever the register holds.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased

from flows.groups.models import Group, Moderator
from flows.home.conditions import EMPLOYED, acting_lead_user, active_moderator
from flows.home.listing import Listing
from flows.moderation.models import (
    AgreementCirculation,
    ModeratorCheckin,
    ModeratorConfirmation,
)
from flows.outbox.models import Notice, OutboxStatus
from flows.removals.models import RemovalDecision, RemovalKind, RemovalStatus
from flows.reports.models import (
    OPEN_STATES,
    CaseState,
    UnofficialGroupCase,
    UnofficialGroupReport,
)

# Items of each kind shown; the rest are counted ("and 4 more").
SHOWN = 3


@dataclass(frozen=True)
class RemovalToDecide:
    decision_id: int
    group_id: int
    group_name: str
    member_ref: str
    kind: RemovalKind
    breaches: tuple[str, ...]
    logged_by: str
    logged_at: datetime
    agreed_by: str | None
    # Waiting for the member of staff the logger asked, no staff moderator of the group being on a platform.
    asked_in_place: bool = False


@dataclass(frozen=True)
class ReportToActOn:
    case_id: int
    name: str
    state: CaseState
    owner_id: str | None
    reported_at: datetime
    report_count: int


@dataclass(frozen=True)
class ConfirmationToGive:
    confirmation_id: int
    group_id: int
    group_name: str
    moderator_name: str
    # True: a moderator on no chat platform, whom the acting lead confirms for.
    on_behalf: bool
    agreement_url: str | None


@dataclass(frozen=True)
class CheckinToAnswer:
    checkin_id: int
    group_id: int
    group_name: str
    moderator_name: str
    due_on: date
    on_behalf: bool


@dataclass(frozen=True)
class CirculationToRecord:
    circulation_id: int
    group_id: int
    group_name: str
    due_on: date
    agreement_url: str | None


def _all() -> object:
    return func.count().over()


def _user():
    return bindparam("user_id")


def _limit():
    return bindparam("limit")


def _answerable_by(user_id):
    """The moderator (in the enclosing query) is this person, or has no account and this person is the acting
    lead who answers for them."""
    return or_(
        Moderator.person_id == user_id,
        and_(~Moderator.reachable, acting_lead_user() == user_id),
    )


# --- removals (R2) ----------------------------------------------------------------------------------------------------
def _removal(decision: RemovalDecision, group_name: str) -> RemovalToDecide:
    return RemovalToDecide(
        decision_id=decision.id, group_id=decision.group_id, group_name=group_name, member_ref=decision.member_ref,
        kind=RemovalKind(decision.kind), breaches=tuple(decision.breaches or ()), logged_by=decision.logged_by,
        logged_at=decision.logged_at, agreed_by=decision.agreed_by,
        asked_in_place=decision.agreement_asked_of is not None,
    )


def removals_to_agree(session: Session, user_id: str, limit: int = SHOWN) -> Listing[RemovalToDecide]:
    """Permanent removals waiting for a staff moderator's agreement, in groups this person moderates as staff, or
    that they were asked to agree to in a staff moderator's place (not those they logged: someone else agrees)."""
    rows = session.execute(_removals_to_agree(), {"user_id": user_id, "limit": limit}).all()
    return Listing.of(rows, _removal)


@cache
def _removals_to_agree() -> Select:
    # Read from the person's own groups (ix_removal_decisions_group_id_status), not from every removal waiting.
    theirs = select(Moderator.group_id).where(
        Moderator.person_id == _user(), Moderator.stepped_down_at.is_(None), Moderator.role.in_(EMPLOYED)
    )
    return (
        select(RemovalDecision, Group.name, _all())
        .join(Group, Group.id == RemovalDecision.group_id)
        .where(or_(RemovalDecision.group_id.in_(theirs), RemovalDecision.agreement_asked_of == _user()),
               RemovalDecision.status == RemovalStatus.AWAITING_AGREEMENT.value, RemovalDecision.logged_by != _user())
        .order_by(RemovalDecision.logged_at, RemovalDecision.id).limit(_limit())
    )


def removals_to_sign_off(session: Session, user_id: str, limit: int = SHOWN) -> Listing[RemovalToDecide]:
    """For a senior manager: permanent removals waiting for sign-off that they neither logged nor agreed to."""
    listed, counted = _removals_to_sign_off()
    parameters = {"user_id": user_id, "limit": limit}
    rows = session.execute(listed, parameters).all()
    total = session.scalar(counted, parameters)
    return Listing(tuple(_removal(*row) for row in rows), total)


@cache
def _removals_to_sign_off() -> tuple[Select, Select]:
    # Any group's: the first few in order (ix_removal_decisions_status_logged_at), and the count apart from them
    # (ix_removal_decisions_status_deciders covers it), rather than every waiting row read whole to be counted.
    theirs = and_(RemovalDecision.status == RemovalStatus.AWAITING_SIGN_OFF.value, RemovalDecision.logged_by != _user(),
                  or_(RemovalDecision.agreed_by.is_(None), RemovalDecision.agreed_by != _user()))
    listed = (
        select(RemovalDecision, Group.name)
        .join(Group, Group.id == RemovalDecision.group_id)
        .where(theirs).order_by(RemovalDecision.logged_at, RemovalDecision.id).limit(_limit())
    )
    return listed, select(func.count()).select_from(RemovalDecision).where(theirs)


# --- reports of unofficial groups (U2) ----------------------------------------------------------------------------------
def reports_to_act_on(session: Session, limit: int = SHOWN) -> Listing[ReportToActOn]:
    """For staff: cases not yet finished, oldest first (as flows.reports.service.open_reports lists them)."""
    rows = session.execute(_reports_to_act_on(), {"limit": limit}).all()
    return Listing.of(rows, lambda id_, name, state, owner, at, count: ReportToActOn(
        id_, name, CaseState(state), owner, at, count
    ))


@cache
def _reports_to_act_on() -> Select:
    reports = (
        select(func.count()).where(UnofficialGroupReport.case_id == UnofficialGroupCase.id)
        .correlate(UnofficialGroupCase).scalar_subquery()
    )
    return (
        select(UnofficialGroupCase.id, UnofficialGroupCase.name, UnofficialGroupCase.state,
               UnofficialGroupCase.owner_id, UnofficialGroupCase.reported_at, reports, _all())
        .where(UnofficialGroupCase.state.in_([s.value for s in OPEN_STATES]))
        .order_by(UnofficialGroupCase.reported_at, UnofficialGroupCase.id).limit(_limit())
    )


# --- moderators' answers (M8, M9, A3) --------------------------------------------------------------------------------
def confirmations_to_give(session: Session, user_id: str, limit: int = SHOWN) -> Listing[ConfirmationToGive]:
    rows = session.execute(_confirmations_to_give(), {"user_id": user_id, "limit": limit}).all()
    return Listing.of(rows, lambda id_, group_id, group, name, on_behalf, url: ConfirmationToGive(
        id_, group_id, group, name, bool(on_behalf), url
    ))


@cache
def _confirmations_to_give() -> Select:
    return (
        select(ModeratorConfirmation.id, Group.id, Group.name, Moderator.name, ~Moderator.reachable,
               Group.agreement_url, _all())
        .select_from(ModeratorConfirmation)
        .join(Moderator, Moderator.id == ModeratorConfirmation.moderator_id)
        .join(Group, and_(Group.id == Moderator.group_id, Group.id == ModeratorConfirmation.group_id))
        .where(ModeratorConfirmation.confirmed_at.is_(None), Moderator.stepped_down_at.is_(None),
               _answerable_by(_user()))
        .order_by(Group.name, Group.id, Moderator.id).limit(_limit())
    )


def checkins_to_answer(session: Session, user_id: str, limit: int = SHOWN) -> Listing[CheckinToAnswer]:
    rows = session.execute(_checkins_to_answer(), {"user_id": user_id, "limit": limit}).all()
    return Listing.of(rows, lambda id_, group_id, group, name, due_on, on_behalf: CheckinToAnswer(
        id_, group_id, group, name, due_on, bool(on_behalf)
    ))


@cache
def _checkins_to_answer() -> Select:
    earlier = aliased(ModeratorCheckin)
    latest_due = (
        select(func.max(earlier.due_on)).where(earlier.group_id == Group.id).correlate(Group).scalar_subquery()
    )
    return (
        select(ModeratorCheckin.id, Group.id, Group.name, Moderator.name, ModeratorCheckin.due_on,
               ~Moderator.reachable, _all())
        .select_from(ModeratorCheckin)
        .join(Moderator, Moderator.id == ModeratorCheckin.moderator_id)
        .join(Group, and_(Group.id == Moderator.group_id, Group.id == ModeratorCheckin.group_id))
        .where(ModeratorCheckin.answer.is_(None), ModeratorCheckin.due_on == latest_due,
               Moderator.stepped_down_at.is_(None), _answerable_by(_user()))
        .order_by(Group.name, Group.id, Moderator.id, ModeratorCheckin.id).limit(_limit())
    )


def circulations_to_record(session: Session, user_id: str, limit: int = SHOWN) -> Listing[CirculationToRecord]:
    """A3 reminders a staff moderator of the group can mark done."""
    rows = session.execute(_circulations_to_record(), {"user_id": user_id, "limit": limit}).all()
    return Listing.of(rows, CirculationToRecord)


@cache
def _circulations_to_record() -> Select:
    return (
        select(AgreementCirculation.id, Group.id, Group.name, AgreementCirculation.due_on, Group.agreement_url, _all())
        .join(Group, Group.id == AgreementCirculation.group_id)
        .where(AgreementCirculation.circulated_at.is_(None),
               active_moderator(Moderator.person_id == _user(), Moderator.role.in_(EMPLOYED)))
        .order_by(Group.name, Group.id, AgreementCirculation.due_on).limit(_limit())
    )


# --- for the admins -------------------------------------------------------------------------------------------------
def undelivered_count(session: Session) -> int:
    """Messages given up on after every try (flows.outbox.failed_notices), counted."""
    return session.scalar(_undelivered_count())


@cache
def _undelivered_count() -> Select:
    return select(func.count()).select_from(Notice).where(Notice.status == OutboxStatus.FAILED.value)
