"""Reporting unofficial groups (U1–U3): file a report, link reports of the same group, and track each case from
reported to approached to renamed / closed / no action, exactly once, by staff only, with every step audited.

Platform-neutral: the chat adapter passes plain values in and renders the outcomes it gets back.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from flows.audit import service as audit
from flows.db import Database, utcnow
from flows.directory.service import Directory, Role
# The N2 matcher's own folding (case, punctuation, look-alikes, emoji), so that reports of "A.M.A.Z.E Chat" and
# "amaze chat" are one group exactly when the naming rules would see one name.
from flows.policy.matcher import NameMatch, match_protected_names, normalise_name
from flows.reports.models import (
    OPEN_STATES,
    CaseState,
    UnofficialGroupCase,
    UnofficialGroupReport,
    WhereSeen,
)
from flows.settings import Settings

SUBJECT = "unofficial_group_case"
NAME_LIMIT = 300
TEXT_LIMIT = 3000
# A worker that claimed the managers' message and died leaves the claim; after this long another may post it.
POSTING_CLAIM_EXPIRES = timedelta(minutes=5)
# Staff of Amaze or of a forum may act on reports; anyone can file one (U1).
ACTING_ROLES = (Role.STAFF, Role.PCF_STAFF)


class Action(StrEnum):
    APPROACH = "approach"
    RENAMED = "renamed"
    CLOSED = "closed"
    NO_ACTION = "no_action"


# Which states each action may start from, and where it leads. "No action needed" is allowed straight from
# reported: a manager may see at once that nothing needs doing (the group has already gone, or the name only
# contains an ordinary word), and making them "approach" a group first would record something that never happened.
TRANSITIONS: dict[Action, tuple[frozenset[CaseState], CaseState]] = {
    Action.APPROACH: (frozenset({CaseState.REPORTED}), CaseState.APPROACHED),
    Action.RENAMED: (frozenset({CaseState.APPROACHED}), CaseState.RENAMED),
    Action.CLOSED: (frozenset({CaseState.APPROACHED}), CaseState.CLOSED),
    Action.NO_ACTION: (OPEN_STATES, CaseState.NO_ACTION),
}


def actions_in(state: CaseState) -> list[Action]:
    """The buttons a case shows in this state."""
    return [action for action, (sources, _) in TRANSITIONS.items() if state in sources]


@dataclass(frozen=True)
class ReportForm:
    name: str
    where_seen: str
    how_found: str
    knows_who_runs: bool | None = None
    contact: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class NameCheck:
    name: str
    normalised: str
    matches: tuple[NameMatch, ...]


@dataclass(frozen=True)
class ReportSummary:
    id: int
    linked: bool
    reporter_id: str
    reported_at: datetime
    name: str
    where_seen: WhereSeen
    how_found: str
    knows_who_runs: bool | None
    has_contact: bool
    notes: str | None


@dataclass(frozen=True)
class CaseView:
    """A case as the people handling it see it, read in one transaction."""

    id: int
    name: str
    matched_names: tuple[dict, ...]
    state: CaseState
    reported_by: str
    reported_at: datetime
    owner_id: str | None
    approached_at: datetime | None
    resolved_by: str | None
    resolved_at: datetime | None
    resolution_reason: str | None
    message_channel: str | None
    message_ts: str | None
    reports: tuple[ReportSummary, ...]

    def same_as_posted(self, other: CaseView) -> bool:
        """Whether a message rendered from `other` shows what one rendered from this case would."""
        return (self.state, self.owner_id, self.resolved_by, self.reports) == (
            other.state, other.owner_id, other.resolved_by, other.reports
        )

    @property
    def reporters(self) -> list[str]:
        return list(dict.fromkeys(r.reporter_id for r in self.reports))

    @property
    def last_actor(self) -> str | None:
        return self.resolved_by or self.owner_id

    @property
    def last_acted_at(self) -> datetime | None:
        return self.resolved_at or self.approached_at


@dataclass(frozen=True)
class Filed:
    case: CaseView
    report_id: int
    # Added to a group already being handled, rather than opening a new case.
    linked: bool
    # The same submission arrived again: nothing new was filed.
    repeated: bool = False


class Result(StrEnum):
    CHANGED = "changed"
    # May go ahead (the reason modal can open); nothing changed yet.
    READY = "ready"
    # The clicker may not act on reports: nothing changed, the attempt is in the audit trail.
    REFUSED = "refused"
    # Someone else got there first, or the case has moved on: nothing changed.
    TOO_LATE = "too_late"
    NOT_FOUND = "not_found"
    NEEDS_REASON = "needs_reason"


@dataclass(frozen=True)
class ActOutcome:
    result: Result
    action: Action
    case: CaseView | None = None
    from_state: CaseState | None = None
    # Who runs the group, as reporters told us: for the person who has just taken the case on, nobody else.
    contacts: tuple[str, ...] = ()


@dataclass(frozen=True)
class OpenReport:
    """One line of the managers' list of reports still to finish."""

    case_id: int
    name: str
    matched_names: list[str]
    state: CaseState
    owner_id: str | None
    reported_at: datetime
    report_count: int


class UnofficialGroupReports:
    def __init__(
        self, db: Database, settings: Settings, directory: Directory, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.db = db
        self.settings = settings
        self.directory = directory
        self.clock = clock

    # --- filing (U1, U3) ---------------------------------------------------------------------------------------
    def check_name(self, name: str) -> NameCheck:
        name = (name or "").strip()
        matches = match_protected_names(name, self.settings.protected_names)
        return NameCheck(name=name, normalised=normalise_name(name), matches=tuple(matches))

    def problems(self, form: ReportForm) -> dict[str, str]:
        """What is wrong with a report, by form field; empty when it can be filed."""
        errors = {}
        name = (form.name or "").strip()
        if not name:
            errors["name"] = "Type the group's name as you saw it."
        elif len(name) > NAME_LIMIT:
            errors["name"] = f"That is longer than a group name can be: at most {NAME_LIMIT} characters."
        elif not normalise_name(name):
            errors["name"] = "Type the name with its letters, as you saw it written (emoji alone can't be matched)."
        if form.where_seen not in set(WhereSeen):
            errors["where_seen"] = "Choose where you saw it."
        if not (form.how_found or "").strip():
            errors["how_found"] = "Say briefly how you came across it, e.g. “a parent told me about it”."
        for field in ("how_found", "contact", "notes"):
            if len(getattr(form, field) or "") > TEXT_LIMIT:
                errors[field] = f"Please keep this under {TEXT_LIMIT} characters."
        return errors

    def file(self, reporter_id: str, form: ReportForm, submission_id: str | None = None) -> Filed:
        """File a report: a new case, or a report linked to the open case of the same group."""
        problems = self.problems(form)
        if problems:
            raise ValueError(f"report not valid: {problems}")
        check = self.check_name(form.name)
        for attempt in range(3):
            try:
                return self._file_once(reporter_id, form, check, submission_id)
            except IntegrityError:
                # Another first report of this group (or this same submission) was committed a moment before:
                # the next attempt finds it and links to it.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _file_once(self, reporter_id: str, form: ReportForm, check: NameCheck, submission_id: str | None) -> Filed:
        now = self.clock()
        matched = [{"name": m.name, "strength": m.strength, "matched_text": m.matched_text} for m in check.matches]
        with self.db.transaction() as session:
            if submission_id:
                earlier = session.scalar(
                    select(UnofficialGroupReport).where(UnofficialGroupReport.submission_id == submission_id)
                )
                if earlier is not None:
                    return Filed(_view(earlier.case), earlier.id, earlier.linked, repeated=True)
            case = _open_case(session, check.normalised)
            linked = case is not None
            if case is None:
                case = UnofficialGroupCase(
                    name=check.name, normalised_name=check.normalised, matched_names=matched,
                    state=CaseState.REPORTED.value, reported_by=reporter_id, reported_at=now,
                )
                session.add(case)
                session.flush()  # the open-name index refuses a second open case here
            report = UnofficialGroupReport(
                case=case, linked=linked, reporter_id=reporter_id, reported_at=now, name=check.name,
                matched_names=matched, where_seen=form.where_seen, how_found=form.how_found.strip(),
                knows_who_runs=form.knows_who_runs, contact=_clean(form.contact), notes=_clean(form.notes),
                submission_id=submission_id,
            )
            session.add(report)
            session.flush()
            audit.record(
                session, actor=reporter_id,
                action="unofficial_group.reported_again" if linked else "unofficial_group.reported",
                subject_type=SUBJECT, subject_id=case.id,
                from_state=case.state if linked else None, to_state=case.state,
                report_id=report.id, name=check.name, matched=[m["name"] for m in matched],
            )
            return Filed(_view(case), report.id, linked)

    # --- telling the managers (U2) -----------------------------------------------------------------------------
    def delivery_targets(self, case: CaseView) -> list[str]:
        """Where the managers' message goes: the first reporter's own manager, else the managers' channel."""
        targets = [self.settings.manager_of(case.reported_by), self.settings.managers_channel]
        return list(dict.fromkeys(t for t in targets if t))

    def claim_delivery(self, case_id: int) -> CaseView | None:
        """The case when this caller is the one to post its managers' message; None when it is posted or being
        posted by someone else."""
        now = self.clock()
        with self.db.transaction() as session:
            claimed = session.execute(
                update(UnofficialGroupCase)
                .where(
                    UnofficialGroupCase.id == case_id,
                    UnofficialGroupCase.message_ts.is_(None),
                    or_(
                        UnofficialGroupCase.posting_since.is_(None),
                        UnofficialGroupCase.posting_since < now - POSTING_CLAIM_EXPIRES,
                    ),
                )
                .values(posting_since=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed != 1:
                return None
            return _view(session.get(UnofficialGroupCase, case_id))

    def delivered(self, case_id: int, channel: str, ts: str) -> CaseView:
        """Record where the managers' message is. The case is read back after the row is locked, so a change
        made while the message was on its way shows here, and any later change finds the message to update."""
        with self.db.transaction() as session:
            session.execute(
                update(UnofficialGroupCase)
                .where(UnofficialGroupCase.id == case_id)
                .values(message_channel=channel, message_ts=ts, posting_since=None)
                .execution_options(synchronize_session=False)
            )
            audit.record(
                session, actor="app", action="unofficial_group.sent_to_managers", subject_type=SUBJECT,
                subject_id=case_id, channel=channel,
            )
            session.expire_all()
            return _view(session.get(UnofficialGroupCase, case_id))

    def delivery_failed(self, case_id: int) -> None:
        with self.db.transaction() as session:
            session.execute(
                update(UnofficialGroupCase).where(UnofficialGroupCase.id == case_id).values(posting_since=None)
            )

    def case(self, case_id: int) -> CaseView | None:
        with self.db.transaction() as session:
            case = session.get(UnofficialGroupCase, case_id)
            return _view(case) if case is not None else None

    # --- tracking (U2) -----------------------------------------------------------------------------------------
    def may_act(self, user_id: str) -> bool:
        return self.directory.has_role(user_id, *ACTING_ROLES)

    def prepare(self, case_id: int, actor: str, action: Action) -> ActOutcome:
        """Whether `actor` may take `action` now (used before asking for a reason); a refusal is recorded."""
        if not self.may_act(actor):
            return self._refuse(case_id, actor, action)
        case = self.case(case_id)
        if case is None:
            return ActOutcome(Result.NOT_FOUND, action)
        if case.state not in TRANSITIONS[action][0]:
            return ActOutcome(Result.TOO_LATE, action, case, case.state)
        return ActOutcome(Result.READY, action, case, case.state)

    def act(self, case_id: int, actor: str, action: Action, reason: str | None = None) -> ActOutcome:
        """Move a case on, once: a second click, or a click that lost a race, changes nothing."""
        reason = _clean(reason)
        if action is Action.NO_ACTION and not reason:
            return ActOutcome(Result.NEEDS_REASON, action)
        # Authority comes from who clicked, never from what the button carries.
        if not self.may_act(actor):
            return self._refuse(case_id, actor, action)
        sources, target = TRANSITIONS[action]
        now = self.clock()
        with self.db.transaction() as session:
            case = session.get(UnofficialGroupCase, case_id)
            if case is None:
                return ActOutcome(Result.NOT_FOUND, action)
            current = CaseState(case.state)
            if current not in sources:
                return ActOutcome(Result.TOO_LATE, action, _view(case), current)
            values: dict = {"state": target.value}
            if action is Action.APPROACH:
                values.update(owner_id=actor, approached_at=now)
            else:
                values.update(resolved_by=actor, resolved_at=now, resolution_reason=reason)
            changed = session.execute(
                update(UnofficialGroupCase)
                .where(UnofficialGroupCase.id == case_id, UnofficialGroupCase.state == current.value)
                .values(**values)
                .execution_options(synchronize_session=False)
            ).rowcount
            if changed == 1:
                audit.record(
                    session, actor=actor, action=f"unofficial_group.{action.value}", subject_type=SUBJECT,
                    subject_id=case_id, from_state=current.value, to_state=target.value,
                    **({"reason": reason} if reason else {}),
                )
                contacts = self._contacts(session, case_id) if action is Action.APPROACH else ()
                if not target.open:
                    # The policy keeps who runs a group only to approach it; with the case over, it goes.
                    session.execute(
                        update(UnofficialGroupReport)
                        .where(UnofficialGroupReport.case_id == case_id)
                        .values(contact=None)
                        .execution_options(synchronize_session=False)
                    )
                session.expire_all()
                return ActOutcome(
                    Result.CHANGED, action, _view(session.get(UnofficialGroupCase, case_id)), current, contacts
                )
        # Someone else's change was committed between our read and our update: report theirs.
        case = self.case(case_id)
        return ActOutcome(Result.TOO_LATE, action, case, case.state if case else None)

    def contacts_for(self, case_id: int, report_id: int) -> tuple[str, ...]:
        """Who runs the group, from one report (for the owner when a later report brings it)."""
        with self.db.transaction() as session:
            contact = session.scalar(
                select(UnofficialGroupReport.contact).where(
                    UnofficialGroupReport.id == report_id, UnofficialGroupReport.case_id == case_id
                )
            )
            return (contact,) if contact else ()

    def _contacts(self, session: Session, case_id: int) -> tuple[str, ...]:
        rows = session.scalars(
            select(UnofficialGroupReport.contact)
            .where(UnofficialGroupReport.case_id == case_id, UnofficialGroupReport.contact.is_not(None))
            .order_by(UnofficialGroupReport.id)
        )
        return tuple(dict.fromkeys(rows))

    def _refuse(self, case_id: int, actor: str, action: Action) -> ActOutcome:
        with self.db.transaction() as session:
            case = session.get(UnofficialGroupCase, case_id)
            audit.record(
                session, actor=actor, action="unofficial_group.refused", subject_type=SUBJECT,
                subject_id=case_id, from_state=case.state if case else None, to_state=None,
                attempted=action.value, why="not staff",
            )
            return ActOutcome(Result.REFUSED, action, _view(case) if case else None)


def open_reports(
    session: Session, older_than: timedelta | None = None, now: datetime | None = None
) -> list[OpenReport]:
    """Cases not yet finished (reported or being approached), oldest first; with `older_than`, only those first
    reported longer ago than that."""
    counts = (
        select(UnofficialGroupReport.case_id, func.count().label("reports"))
        .group_by(UnofficialGroupReport.case_id)
        .subquery()
    )
    query = (
        select(UnofficialGroupCase, counts.c.reports)
        .join(counts, counts.c.case_id == UnofficialGroupCase.id)
        .where(UnofficialGroupCase.state.in_([s.value for s in OPEN_STATES]))
        .order_by(UnofficialGroupCase.reported_at, UnofficialGroupCase.id)
    )
    if older_than is not None:
        query = query.where(UnofficialGroupCase.reported_at < (now or utcnow()) - older_than)
    return [
        OpenReport(
            case_id=case.id, name=case.name, matched_names=[m["name"] for m in case.matched_names],
            state=CaseState(case.state), owner_id=case.owner_id, reported_at=case.reported_at, report_count=reports,
        )
        for case, reports in session.execute(query)
    ]


def _open_case(session: Session, normalised: str) -> UnofficialGroupCase | None:
    return session.scalar(
        select(UnofficialGroupCase).where(
            UnofficialGroupCase.normalised_name == normalised,
            UnofficialGroupCase.state.in_([s.value for s in OPEN_STATES]),
        )
    )


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _view(case: UnofficialGroupCase) -> CaseView:
    return CaseView(
        id=case.id, name=case.name, matched_names=tuple(case.matched_names or ()), state=CaseState(case.state),
        reported_by=case.reported_by, reported_at=case.reported_at, owner_id=case.owner_id,
        approached_at=case.approached_at, resolved_by=case.resolved_by, resolved_at=case.resolved_at,
        resolution_reason=case.resolution_reason, message_channel=case.message_channel, message_ts=case.message_ts,
        reports=tuple(
            ReportSummary(
                id=r.id, linked=r.linked, reporter_id=r.reporter_id, reported_at=r.reported_at, name=r.name,
                where_seen=WhereSeen(r.where_seen), how_found=r.how_found, knows_who_runs=r.knows_who_runs,
                has_contact=bool(r.contact), notes=r.notes,
            )
            for r in case.reports
        ),
    )
