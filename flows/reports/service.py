"""Reporting unofficial groups (U1–U3): file a report, link reports of the same group, and track each case from
reported to approached to renamed / closed / no action, exactly once, by staff only, with every step audited.

Platform-neutral: the chat adapter passes plain values in and renders the outcomes it gets back. Who is told
what is the adapter's `on_change`, called inside the transaction of each change with the case row locked, so
the messages (queued in the outbox) exist exactly when the change does, and two changes of one case at once are
told in the order they were made.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import String, cast, exists, func, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from flows.audit import service as audit
from flows.db import Database, utcnow
from flows.db.erasure import erased
from flows.directory.service import Directory, Role, RolesUnconfirmed
from flows.outbox import Notice, OutboxStatus
# The N2 matcher's own folding (case, punctuation, look-alikes, emoji), so that reports of "A.M.A.Z.E Chat" and
# "amaze chat" are one group exactly when the naming rules would see one name.
from flows.policy.matcher import NameMatch, match_protected_names, normalise_name
from flows.policy.text import without_control_characters
from flows.privacy import FieldKind, Guard
from flows.reports.models import (
    OPEN_STATES,
    CaseState,
    UnofficialGroupCase,
    UnofficialGroupReport,
    WhereSeen,
)
from flows.scheduler import JobRun, run_once
from flows.settings import Settings

SUBJECT = "unofficial_group_case"
NAME_LIMIT = 300
TEXT_LIMIT = 3000
# Outbox messages about a case carry {"type": SUBJECT, "id": case id, "message": what it is}.
MANAGERS_POST = "managers_post"
# A managers' message that could not be delivered is followed up once (posted elsewhere, or the reporter told):
# the claim is a job run of this name, keyed by the message that failed.
FOLLOW_UP_JOB = "reports-follow-up"
# What the personal-data guard looks for in each field of a report (flows/privacy/guard.py). "Who runs it" is
# contact details by design: kept only to approach the group, never exported, erased when the case ends.
GUARDED_FIELDS = {
    "name": FieldKind.GROUP_NAME, "how_found": FieldKind.NOTE, "notes": FieldKind.NOTE, "contact": FieldKind.CONTACT,
}
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
    # The latest outbox message of the managers' message (see UnofficialGroupCase.managers_notice_id).
    managers_notice_id: int | None
    reports: tuple[ReportSummary, ...]

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
    # What on_change queued (outbox messages), for delivering at once after the reply.
    queued: tuple = ()


class ChangeKind(StrEnum):
    REPORTED = "reported"
    REPORTED_AGAIN = "reported_again"
    # A manager moved the case on (approached, renamed, closed, no action).
    MOVED = "moved"


@dataclass(frozen=True)
class Change:
    """What just happened to a case, for the adapter to tell people about, in the change's own transaction."""

    kind: ChangeKind
    case: CaseView
    actor: str
    # Where the managers' message goes, best first (the reporter's manager, then the managers' channel).
    targets: tuple[str, ...]
    action: Action | None = None
    report_id: int | None = None
    # Who runs the group, as reporters told us: for the person who has just taken the case on (MOVED), or for
    # the person approaching it when a later report says (REPORTED_AGAIN). Nobody else is told.
    contacts: tuple[str, ...] = ()


# Called inside the transaction of a change, with the case row locked; returns what it queued to be sent.
OnChange = Callable[[Session, Change], list]
# Called inside a transaction with the case row locked, when its managers' message could not be delivered.
OnUndelivered = Callable[[Session, CaseView, tuple[str, ...], Notice], list]


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
    queued: tuple = ()
    # Why the reason given cannot be recorded (NEEDS_REASON): it holds personal details.
    reason_error: str | None = None


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
        form = _typed(form)
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
        refused = Guard.from_settings(self.settings).errors({
            field: (getattr(form, field), kind) for field, kind in GUARDED_FIELDS.items()
        })
        return {**refused, **errors}

    def file(
        self, reporter_id: str, form: ReportForm, submission_id: str | None = None, on_change: OnChange | None = None
    ) -> Filed:
        """File a report: a new case, or a report linked to the open case of the same group."""
        form = _typed(form)
        problems = self.problems(form)
        if problems:
            raise ValueError(f"report not valid: {problems}")
        check = self.check_name(form.name)
        for attempt in range(3):
            try:
                return self._file_once(reporter_id, form, check, submission_id, on_change)
            except IntegrityError:
                # Another first report of this group (or this same submission) was committed a moment before:
                # the next attempt finds it and links to it.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _file_once(
        self, reporter_id: str, form: ReportForm, check: NameCheck, submission_id: str | None,
        on_change: OnChange | None,
    ) -> Filed:
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
            if case is not None:
                if lock_case(session, case.id, open_only=True):
                    session.refresh(case)  # as it is now that no other change of it can be under way
                else:
                    case = None  # closed between the look and the lock: this report opens a new case
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
            case_id = case.id
            session.expire_all()
            view = _view(session.get(UnofficialGroupCase, case_id))
            queued: list = []
            if on_change is not None:
                contacts = (report.contact,) if linked and report.contact and view.owner_id else ()
                queued = on_change(session, Change(
                    ChangeKind.REPORTED_AGAIN if linked else ChangeKind.REPORTED, view, reporter_id,
                    tuple(self.delivery_targets(view)), report_id=report.id, contacts=contacts,
                ))
            return Filed(view, report.id, linked, queued=tuple(queued))

    # --- telling the managers (U2) -----------------------------------------------------------------------------
    def delivery_targets(self, case: CaseView) -> list[str]:
        """Where the managers' message goes: the first reporter's own manager, else the managers' channel."""
        return delivery_targets(self.settings, case)

    def follow_up(self, case_id: int, on_undelivered: OnUndelivered) -> list:
        """When the case's managers' message could not be delivered, let the adapter post it elsewhere or tell
        the reporter, once; returns what it queued (nothing when the message is fine or already followed up)."""
        with self.db.transaction() as session:
            return follow_up_case(session, self.settings, case_id, on_undelivered)

    def case(self, case_id: int) -> CaseView | None:
        with self.db.transaction() as session:
            case = session.get(UnofficialGroupCase, case_id)
            return _view(case) if case is not None else None

    # --- tracking (U2) -----------------------------------------------------------------------------------------
    def may_act(self, user_id: str, case_id: object = None) -> bool:
        """Raises RolesUnconfirmed (recorded as a refusal) when whether they may act cannot be told now."""
        try:
            return self.directory.has_role(user_id, *ACTING_ROLES)
        except RolesUnconfirmed as error:
            self.directory.record_refusal(user_id, error, "unofficial_group.act_refused", SUBJECT, case_id)
            raise

    def prepare(self, case_id: int, actor: str, action: Action) -> ActOutcome:
        """Whether `actor` may take `action` now (used before asking for a reason); a refusal is recorded."""
        if not self.may_act(actor, case_id):
            return self._refuse(case_id, actor, action)
        case = self.case(case_id)
        if case is None:
            return ActOutcome(Result.NOT_FOUND, action)
        if case.state not in TRANSITIONS[action][0]:
            return ActOutcome(Result.TOO_LATE, action, case, case.state)
        return ActOutcome(Result.READY, action, case, case.state)

    def act(
        self, case_id: int, actor: str, action: Action, reason: str | None = None,
        on_change: OnChange | None = None,
    ) -> ActOutcome:
        """Move a case on, once: a second click, or a click that lost a race, changes nothing."""
        reason = _clean(reason)
        if action is Action.NO_ACTION and not reason:
            return ActOutcome(Result.NEEDS_REASON, action)
        if reason:
            refused = Guard.from_settings(self.settings).check(reason, FieldKind.NOTE)
            if not refused.ok:
                return ActOutcome(Result.NEEDS_REASON, action, reason_error=refused.message)
        # Authority comes from who clicked, never from what the button carries.
        if not self.may_act(actor, case_id):
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
                    # The copies in the outbox (erased by on_change) and in the database's files go too.
                    erased(session, "unofficial_group_reports", "outbox_messages")
                session.expire_all()
                view = _view(session.get(UnofficialGroupCase, case_id))
                queued: list = []
                if on_change is not None:
                    queued = on_change(session, Change(
                        ChangeKind.MOVED, view, actor, tuple(self.delivery_targets(view)), action=action,
                        contacts=contacts,
                    ))
                return ActOutcome(Result.CHANGED, action, view, current, contacts, tuple(queued))
        # Someone else's change was committed between our read and our update: report theirs.
        case = self.case(case_id)
        return ActOutcome(Result.TOO_LATE, action, case, case.state if case else None)

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


def delivery_targets(settings: Settings, case: CaseView) -> list[str]:
    targets = [settings.manager_of(case.reported_by), settings.managers_channel]
    return list(dict.fromkeys(t for t in targets if t))


def lock_case(session: Session, case_id: int, open_only: bool = False) -> bool:
    """Hold the case's row until the transaction ends, so that two changes of one case are told one after the
    other. A write that changes nothing is the portable lock: a row lock on PostgreSQL, and on SQLite the write
    lock that its transactions take at their first write. False: no such case (or, with open_only, not open)."""
    query = update(UnofficialGroupCase).where(UnofficialGroupCase.id == case_id)
    if open_only:
        query = query.where(UnofficialGroupCase.state.in_([s.value for s in OPEN_STATES]))
    locked = session.execute(
        query.values(state=UnofficialGroupCase.state).execution_options(synchronize_session=False)
    )
    return locked.rowcount == 1


def set_managers_message(session: Session, case_id: int, message: Notice) -> None:
    """Record the latest outbox message of the case's managers' message (call with the case locked)."""
    session.execute(
        update(UnofficialGroupCase)
        .where(UnofficialGroupCase.id == case_id)
        .values(managers_notice_id=message.id)
        .execution_options(synchronize_session=False)
    )


def undelivered_cases(session: Session) -> list[int]:
    """Cases whose managers' message could not be delivered and has not been followed up yet."""
    followed_up = exists().where(
        JobRun.job == FOLLOW_UP_JOB, JobRun.due_key == literal("failed:") + cast(Notice.id, String)
    )
    query = (
        select(UnofficialGroupCase.id)
        .join(Notice, Notice.id == UnofficialGroupCase.managers_notice_id)
        .where(Notice.status == OutboxStatus.FAILED.value, ~followed_up)
        .order_by(UnofficialGroupCase.id)
    )
    return list(session.scalars(query))


def follow_up_case(session: Session, settings: Settings, case_id: int, on_undelivered: OnUndelivered) -> list:
    if not _last_managers_message_failed(session, case_id):
        return []  # the usual case, found without taking the lock
    if not lock_case(session, case_id):
        return []
    session.expire_all()
    case = session.get(UnofficialGroupCase, case_id)
    last = session.get(Notice, case.managers_notice_id) if case.managers_notice_id else None
    if last is None or last.status != OutboxStatus.FAILED.value:
        return []
    if not run_once(session, FOLLOW_UP_JOB, f"failed:{last.id}"):
        return []
    view = _view(case)
    return on_undelivered(session, view, tuple(delivery_targets(settings, view)), last)


def _last_managers_message_failed(session: Session, case_id: int) -> bool:
    status = session.scalar(
        select(Notice.status)
        .join(UnofficialGroupCase, UnofficialGroupCase.managers_notice_id == Notice.id)
        .where(UnofficialGroupCase.id == case_id)
    )
    return status == OutboxStatus.FAILED.value


def sent_to_managers(session: Session, notice: Notice) -> None:
    """The trail shows that each case's message reached the managers; edits and direct messages are not worth a
    line."""
    reference = (notice.data or {}).get("reference") or {}
    if notice.subject_type == SUBJECT and reference.get("message") == MANAGERS_POST:
        audit.record(session, actor="app", action="unofficial_group.sent_to_managers", subject_type=SUBJECT,
                     subject_id=reference.get("id"), channel=(notice.delivered_ref or {}).get("channel"))


def _open_case(session: Session, normalised: str) -> UnofficialGroupCase | None:
    return session.scalar(
        select(UnofficialGroupCase).where(
            UnofficialGroupCase.normalised_name == normalised,
            UnofficialGroupCase.state.in_([s.value for s in OPEN_STATES]),
        )
    )


def _typed(form: ReportForm) -> ReportForm:
    """The form as it can be stored: control characters nobody means to type (NUL among them) left out."""
    return replace(form, **{
        f.name: without_control_characters(getattr(form, f.name))
        for f in fields(form) if isinstance(getattr(form, f.name), str)
    })


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _view(case: UnofficialGroupCase) -> CaseView:
    return CaseView(
        id=case.id, name=case.name, matched_names=tuple(case.matched_names or ()), state=CaseState(case.state),
        reported_by=case.reported_by, reported_at=case.reported_at, owner_id=case.owner_id,
        approached_at=case.approached_at, resolved_by=case.resolved_by, resolved_at=case.resolved_at,
        resolution_reason=case.resolution_reason, managers_notice_id=case.managers_notice_id,
        reports=tuple(
            ReportSummary(
                id=r.id, linked=r.linked, reporter_id=r.reporter_id, reported_at=r.reported_at, name=r.name,
                where_seen=WhereSeen(r.where_seen), how_found=r.how_found, knows_who_runs=r.knows_who_runs,
                has_contact=bool(r.contact), notes=r.notes,
            )
            for r in case.reports
        ),
    )
