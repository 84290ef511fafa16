"""Removal decisions (R1-R5): logging a removal, a staff moderator's agreement, a senior manager's sign-off.

Platform-neutral: forms arrive as plain values, and each step queues the notices it causes (flows/removals/
notices.py) inside the transaction that makes the change, so they exist exactly when the change does; the chat
adapter renders them when they are delivered. Every change of state is a conditional UPDATE (WHERE status = expected):
a double click, two managers at once or a redelivered request make one decision and queue one set of messages,
whichever worker runs them.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from flows.audit import service as audit
from flows.db import Database, utcnow
from flows.directory.service import Directory, Role, RolesUnconfirmed
from flows.groups.models import Group, Moderator
from flows.policy.text import without_control_characters
from flows.policy.types import GroupKind, ModeratorRole
from flows.privacy import FieldKind, Guard
from flows.removals.models import RemovalDecision, RemovalKind, RemovalStatus
from flows.settings import Settings

# The group agreement's sections (A2), in its order: what a breach is measured against.
BREACHES = {
    "confidentiality": "Confidentiality",
    "safeguarding": "Safety and safeguarding",
    "equalities": "Equalities, discrimination and prejudice",
    "inclusion": "Inclusion",
    "bullying": "Bullying",
    "language": "Use of language",
    "respect": "Mutual respect and care",
    "non_judgemental": "Non-judgemental approach",
    "boundaries": "Sharing and boundaries",
    "services": "Talking about services and professionals",
    "other": "Other",
}
# What the policy expects moderators to try before removing someone.
TRIED_FIRST = {
    "asked_to_delete": "Asked them to delete a message",
    "asked_to_change": "Asked them to change their behaviour",
    "warned": "Warned them",
}
# Moderators who have stepped down (M9) keep their rows but no longer moderate: they neither agree nor are told.
ACTIVE = Moderator.stepped_down_at.is_(None)
NOTES_MAX = 2000
REASON_MAX = 1000
SUBJECT = "removal"

try:
    # Review dates are the moderators' calendar days, in Sussex.
    LOCAL = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # a system without time zone data: UTC is at most an hour out
    LOCAL = ZoneInfo("UTC")


class RemovalRefusal(StrEnum):
    """Why a step on a removal decision is not this person's to take (R2); the adapter words it."""

    # The person who logged it cannot also give the staff agreement...
    LOGGED_IT_CANNOT_AGREE = "logged_it_cannot_agree"
    NOT_STAFF_MODERATOR = "not_staff_moderator"
    # ...nor sign it off; nor can the staff moderator who agreed to it.
    LOGGED_IT_CANNOT_SIGN_OFF = "logged_it_cannot_sign_off"
    AGREED_IT_CANNOT_SIGN_OFF = "agreed_it_cannot_sign_off"
    NOT_SENIOR_MANAGER = "not_senior_manager"
    # Only the person who logged it takes it back, or asks a member of staff to agree (flows/removals/disputes.py)...
    ONLY_THE_LOGGER_WITHDRAWS = "only_the_logger_withdraws"
    ONLY_THE_LOGGER_ASKS = "only_the_logger_asks"
    # ...and only when no one has been asked to agree: a staff moderator of the group, or someone in their place.
    SOMEONE_ALREADY_ASKED = "someone_already_asked"


class RemovalOutcome(StrEnum):
    DONE = "done"
    # The person may take this step (the Reject click, before its reason is asked for).
    ALLOWED = "allowed"
    # Not theirs to take: nothing changed, the attempt is recorded.
    REFUSED = "refused"
    # Someone (perhaps they, a moment ago) already took it.
    ALREADY_DONE = "already_done"
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    # The form is not one this person may submit (any more): opened again, it is theirs.
    OUT_OF_DATE = "out_of_date"


@dataclass(frozen=True)
class GroupChoice:
    id: int
    name: str


@dataclass(frozen=True)
class DecisionView:
    """A decision as it stands, detached from the database, for rendering."""

    id: int
    group_id: int
    group_name: str
    member_ref: str
    kind: RemovalKind
    breaches: tuple[str, ...]
    tried_first: tuple[str, ...]
    review_on: date | None
    notes: str | None
    corrects_id: int | None
    status: RemovalStatus
    logged_by: str
    logged_at: datetime
    agreed_by: str | None
    agreed_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None
    rejection_reason: str | None
    disagreed_by: str | None = None
    disagreed_at: datetime | None = None
    disagreement_reason: str | None = None
    withdrawn_at: datetime | None = None
    withdrawal_reason: str | None = None
    agreement_asked_of: str | None = None
    agreement_asked_at: datetime | None = None

    @property
    def breach_labels(self) -> list[str]:
        return [BREACHES.get(code, code) for code in self.breaches]

    @property
    def tried_labels(self) -> list[str]:
        return [TRIED_FIRST.get(code, code) for code in self.tried_first]

    @property
    def staff_agreement_was_own_log(self) -> bool:
        return self.agreed_by is not None and self.agreed_by == self.logged_by

    @property
    def staff_agreement_was_asked_for(self) -> bool:
        """Agreed by the member of staff the logger asked, no staff moderator of the group being on a platform."""
        return self.agreed_by is not None and self.agreed_by == self.agreement_asked_of


@dataclass
class Notices:
    """Who is to be told what after a step: queued as notices in the step's own transaction."""

    # Staff moderators to ask for their agreement (R2).
    ask_to_agree: list[str] = field(default_factory=list)
    # The decision now waits for a senior manager (the sign-off destination).
    ask_to_sign_off: bool = False
    # Moderators to share the decision with (R3).
    share_with: list[str] = field(default_factory=list)
    # The person who logged it.
    tell_logger: bool = False
    # The step is taken: the messages asking for it lose their buttons and say who took it, and when.
    close_agree_requests: bool = False
    close_sign_off: bool = False
    # What the logger is told under, when the step leaves the status as it was (a member of staff asked to agree).
    logger_key: str = ""
    # The logger's own step (a withdrawal): their last message about it says so in place of what it said.
    logger_in_place: bool = False


@dataclass
class RemovalStep:
    outcome: RemovalOutcome
    decision: DecisionView | None = None
    # Why not, when refused (the adapter words it).
    refusal: RemovalRefusal | None = None
    # Form field -> what is wrong there (logging a removal, a rejection's reason).
    errors: dict[str, str] = field(default_factory=dict)
    notices: Notices = field(default_factory=Notices)
    # The notices the step queued, for delivering at once after the reply.
    queued: list = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.outcome is RemovalOutcome.DONE


@dataclass(frozen=True)
class RemovalForm:
    """The log form's answers, as the person gave them."""

    group_id: str | int | None = None
    member_ref: str = ""
    kind: str | None = None
    breaches: tuple[str, ...] = ()
    tried_first: tuple[str, ...] = ()
    review_on: str | None = None
    notes: str = ""
    corrects_id: str | int | None = None


class RemovalService:
    def __init__(
        self, db: Database, settings: Settings, directory: Directory, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.db = db
        self.settings = settings
        self.directory = directory
        self.clock = clock

    # --- who may log, for which groups -------------------------------------------------------------------------
    def groups_for(self, user_id: str) -> list[GroupChoice]:
        """Official groups with moderators that this person may log a removal for (and see the decisions of): a
        senior manager for any, a moderator with a platform account for their own groups."""
        try:
            every = self.directory.has_role(user_id, Role.SENIOR_MANAGER)
        except RolesUnconfirmed:
            # An unknown is never the wider view; their own groups need no role, so only without any is it told.
            own = self._groups(user_id, every=False)
            if not own:
                raise
            return own
        return self._groups(user_id, every=every)

    def _groups(self, user_id: str, every: bool) -> list[GroupChoice]:
        with self.db.transaction() as session:
            query = select(Group).where(Group.official.is_(True)).where(
                select(Moderator.id).where(Moderator.group_id == Group.id, ACTIVE).exists()
            )
            if not every:
                query = query.where(
                    select(Moderator.id)
                    .where(Moderator.group_id == Group.id, Moderator.person_id == user_id, ACTIVE)
                    .exists()
                )
            groups = session.scalars(query.order_by(Group.name, Group.id)).all()
            return [GroupChoice(g.id, g.name) for g in groups if GroupKind(g.kind).needs_moderators]

    def earlier_decisions(
        self, user_id: str, group_ids: list[int] | None = None, limit: int = 100
    ) -> list[DecisionView]:
        """Decisions a correction could point to (R5): the newest first, in the person's groups."""
        ids = group_ids if group_ids is not None else [g.id for g in self.groups_for(user_id)]
        if not ids:
            return []
        with self.db.transaction() as session:
            rows = session.scalars(
                select(RemovalDecision)
                .where(RemovalDecision.group_id.in_(ids))
                .order_by(RemovalDecision.id.desc())
                .limit(limit)
            ).all()
            return [self._view(session, row) for row in rows]

    def decision(self, decision_id: int | str) -> DecisionView | None:
        key = _int(decision_id)
        if key is None:  # a button's value that names no decision
            return None
        with self.db.transaction() as session:
            row = session.get(RemovalDecision, key)
            return self._view(session, row) if row else None

    @staticmethod
    def new_submission_key() -> str:
        return uuid.uuid4().hex

    # --- R1: logging a removal ---------------------------------------------------------------------------------
    def log(
        self, user_id: str, submission_key: str, form: RemovalForm) -> RemovalStep:
        if not submission_key or len(submission_key) > 64:
            return RemovalStep(RemovalOutcome.OUT_OF_DATE)
        existing = self._by_key(submission_key, user_id)
        if existing is not None:
            return RemovalStep(RemovalOutcome.ALREADY_DONE, existing)

        try:
            allowed = {g.id: g for g in self.groups_for(user_id)}
        except RolesUnconfirmed as error:
            self.directory.record_refusal(user_id, error, "removal.log_refused", "group", form.group_id)
            raise
        errors, values = self._validate(form, allowed)
        if "group" in errors and _int(form.group_id) is not None:
            # A group named that is not theirs: a crafted form, or one left open after they stepped down.
            with self.db.transaction() as session:
                audit.record(
                    session, actor=user_id, action="removal.log_refused", subject_type="group",
                    subject_id=_int(form.group_id), to_state=None, refused="not_their_group",
                )
        if errors:
            return RemovalStep(RemovalOutcome.INVALID, errors=errors)

        group_id = values["group_id"]
        moderators = self._moderators(group_id)
        staff_moderators = self._staff_moderators(moderators, unknown=True)
        kind = values["kind"]
        own_agreement = user_id in self._staff_moderators(
            [m for m in moderators if m.person_id == user_id], unknown=False
        )
        if kind is RemovalKind.TEMPORARY:
            status = RemovalStatus.RECORDED
        else:
            # A staff moderator of the group logging it is the staff agreement the policy asks for (R2).
            status = RemovalStatus.AWAITING_SIGN_OFF if own_agreement else RemovalStatus.AWAITING_AGREEMENT
        notices = Notices(tell_logger=True)
        if status is RemovalStatus.RECORDED:
            notices.share_with = _others(moderators, user_id)
        elif status is RemovalStatus.AWAITING_SIGN_OFF:
            notices.ask_to_sign_off = True
        else:
            notices.ask_to_agree = [m for m in staff_moderators if m != user_id]
        now = self.clock()
        try:
            with self.db.transaction() as session:
                row = RemovalDecision(
                    group_id=group_id, member_ref=values["member_ref"], kind=kind.value,
                    breaches=values["breaches"], tried_first=values["tried_first"], review_on=values["review_on"],
                    notes=values["notes"], corrects_id=values["corrects_id"], status=status.value,
                    logged_by=user_id, logged_at=now, submission_key=submission_key,
                    agreed_by=user_id if status is RemovalStatus.AWAITING_SIGN_OFF else None,
                    agreed_at=now if status is RemovalStatus.AWAITING_SIGN_OFF else None,
                )
                session.add(row)
                session.flush()
                audit.record(
                    session, actor=user_id, action="removal.logged", subject_type=SUBJECT, subject_id=row.id,
                    to_state=status.value, group_id=group_id, kind=kind.value, corrects_id=values["corrects_id"],
                    staff_agreement="own log" if status is RemovalStatus.AWAITING_SIGN_OFF else None,
                )
                view = self._view(session, row)
                queued = _queue_notices(session, view, notices)
        except IntegrityError:
            # The same form submitted twice at once, and the other submission won: one removal is logged.
            existing = self._by_key(submission_key, user_id)
            if existing is None:  # someone else's form: never theirs to resubmit
                return RemovalStep(RemovalOutcome.OUT_OF_DATE)
            return RemovalStep(RemovalOutcome.ALREADY_DONE, existing)
        return RemovalStep(RemovalOutcome.DONE, view, notices=notices, queued=queued)

    def _validate(self, form: RemovalForm, allowed: dict[int, GroupChoice]) -> tuple[dict, dict]:
        errors: dict[str, str] = {}
        group_id = _int(form.group_id)
        if group_id not in allowed:
            errors["group"] = "Choose the group the person was removed from (one of the groups you moderate)."
        # Control characters (a pasted NUL) carry nothing a person meant, and PostgreSQL cannot store them.
        member_ref = without_control_characters(form.member_ref or "").strip()
        guard = Guard.from_settings(self.settings)
        member_problem = guard.check(member_ref, FieldKind.MEMBER_REFERENCE).message
        if member_problem:
            errors["member_ref"] = member_problem
        try:
            kind = RemovalKind(form.kind or "")
        except ValueError:
            kind = None
            errors["kind"] = "Choose whether the removal is temporary or permanent."
        breaches = [b for b in BREACHES if b in set(form.breaches or ())]
        if not breaches:
            errors["breaches"] = (
                "Choose which part of the group agreement was breached (or Other, and say in the notes)."
            )
        tried = [t for t in TRIED_FIRST if t in set(form.tried_first or ())]
        review_on = None
        if kind is RemovalKind.TEMPORARY:
            review_on, review_problem = self._review_date(form.review_on)
            if review_problem:
                errors["review_on"] = review_problem
        notes = without_control_characters(form.notes or "").strip()
        notes_problem = guard.check(notes, FieldKind.NOTE).message
        if notes_problem:
            errors["notes"] = notes_problem
        elif len(notes) > NOTES_MAX:
            errors["notes"] = f"Keep the notes to {NOTES_MAX} characters: the details belong on Charity Log."
        elif "other" in breaches and not notes:
            errors["notes"] = "You chose Other: say in a few words which part of the agreement was breached."
        corrects_id = None
        if form.corrects_id not in (None, ""):
            corrects_id = _int(form.corrects_id)
            earlier = self.decision(corrects_id) if corrects_id else None
            if earlier is None or earlier.group_id not in allowed:
                errors["corrects"] = "Choose one of the decisions in your groups, or leave this empty."
        values = {
            "group_id": group_id, "member_ref": member_ref, "kind": kind, "breaches": breaches,
            "tried_first": tried, "review_on": review_on, "notes": notes or None, "corrects_id": corrects_id,
        }
        return errors, values

    def today(self) -> date:
        return self.clock().astimezone(LOCAL).date()

    def _review_date(self, value: str | None) -> tuple[date | None, str | None]:
        if not value:
            return None, "A temporary removal needs a review date (R4): choose the day the moderators look at it again."
        try:
            review_on = date.fromisoformat(value)
        except ValueError:
            return None, "Choose the review date from the calendar."
        today, limit = self.today(), self.settings.removal_review_max_days
        if review_on <= today:
            return None, "The review date must be in the future: choose a day from tomorrow on."
        if review_on > today + timedelta(days=limit):
            # A review that never comes makes a temporary removal a permanent one without R2's agreement.
            return None, (
                f"The review date must be within {limit} days, by {day_text(today + timedelta(days=limit))}: "
                "a temporary removal is looked at again soon. For a longer removal, choose permanent."
            )
        return review_on, None

    # --- R2: a staff moderator's agreement ---------------------------------------------------------------------
    def agree(self, decision_id: int | str, user_id: str) -> RemovalStep:
        current = self.decision(decision_id)
        if current is None:
            return RemovalStep(RemovalOutcome.NOT_FOUND)
        why_not = self._why_not_agree(current, user_id)
        if why_not:
            return self._refuse(current, user_id, "removal.agree_refused", why_not)
        notices = Notices(ask_to_sign_off=True, tell_logger=True, close_agree_requests=True)
        return self.step(current, user_id, RemovalStatus.AWAITING_AGREEMENT, RemovalStatus.AWAITING_SIGN_OFF,
                         "removal.agreed", notices, agreed_by=user_id, agreed_at=self.clock())

    def _why_not_agree(self, decision: DecisionView, user_id: str,
                       action: str = "removal.agree_refused") -> RemovalRefusal | None:
        """Agreeing and not agreeing are the same people's to do: a staff moderator of the group, or the member of
        staff asked in their place (still staff today); never the person who logged it."""
        if decision.logged_by == user_id:
            return RemovalRefusal.LOGGED_IT_CANNOT_AGREE
        check = self.is_asked_staff if decision.agreement_asked_of == user_id else self.is_staff_moderator
        if not self._confirmed(decision, user_id, action, check, decision.group_id, user_id):
            return RemovalRefusal.NOT_STAFF_MODERATOR
        return None

    def is_asked_staff(self, group_id: int, user_id: str) -> bool:
        return self.directory.has_role(user_id, Role.STAFF, Role.PCF_STAFF)

    def is_staff_moderator(self, group_id: int, user_id: str) -> bool:
        """Registered as an employed moderator of the group, and still staff today (RolesUnconfirmed when that
        cannot be told)."""
        employed = {ModeratorRole.STAFF.value, ModeratorRole.PCF_STAFF.value}
        registered = any(m.person_id == user_id and m.role in employed for m in self._moderators(group_id))
        return registered and self.directory.has_role(user_id, Role.STAFF, Role.PCF_STAFF)

    def _confirmed(self, decision: DecisionView, user_id: str, action: str, check: Callable[..., bool], *args) -> bool:
        """A role check on a decision: an unknown is recorded as a refusal and raised, never taken for a yes."""
        try:
            return check(*args)
        except RolesUnconfirmed as error:
            self.directory.record_refusal(user_id, error, action, SUBJECT, decision.id)
            raise

    # --- R2: a senior manager's sign-off -----------------------------------------------------------------------
    def may_sign_off(self, decision_id: int | str, user_id: str, action: str) -> RemovalStep:
        """Check before asking a rejection's reason: refusals are recorded, decided ones say by whom."""
        current = self.decision(decision_id)
        if current is None:
            return RemovalStep(RemovalOutcome.NOT_FOUND)
        why_not = self._why_not_sign_off(current, user_id)
        if why_not:
            return self._refuse(current, user_id, f"removal.{action}_refused", why_not)
        if current.status is not RemovalStatus.AWAITING_SIGN_OFF:
            return self._already(current)
        return RemovalStep(RemovalOutcome.ALLOWED, current)

    def approve(self, decision_id: int | str, user_id: str) -> RemovalStep:
        return self._sign_off(decision_id, user_id, RemovalStatus.APPROVED)

    def reject(self, decision_id: int | str, user_id: str, reason: str) -> RemovalStep:
        reason, problem = self.checked_reason(reason)
        if problem:
            return RemovalStep(RemovalOutcome.INVALID, errors={"reason": problem})
        return self._sign_off(decision_id, user_id, RemovalStatus.REJECTED, rejection_reason=reason)

    def _sign_off(self, decision_id: int | str, user_id: str, to: RemovalStatus, **values) -> RemovalStep:
        action = "approve" if to is RemovalStatus.APPROVED else "reject"
        checked = self.may_sign_off(decision_id, user_id, action)
        if checked.outcome is not RemovalOutcome.ALLOWED:
            return checked
        current = checked.decision
        notices = Notices(
            share_with=_others(self._moderators(current.group_id), current.logged_by), tell_logger=True,
            close_sign_off=True,
        )
        return self.step(current, user_id, RemovalStatus.AWAITING_SIGN_OFF, to, f"removal.{to.value}", notices,
                         decided_by=user_id, decided_at=self.clock(), **values)

    def _why_not_sign_off(self, decision: DecisionView, user_id: str) -> RemovalRefusal | None:
        if decision.logged_by == user_id:
            return RemovalRefusal.LOGGED_IT_CANNOT_SIGN_OFF
        if decision.agreed_by == user_id:
            return RemovalRefusal.AGREED_IT_CANNOT_SIGN_OFF
        if not self._confirmed(decision, user_id, "removal.sign_off_refused", self.directory.has_role,
                               user_id, Role.SENIOR_MANAGER):
            return RemovalRefusal.NOT_SENIOR_MANAGER
        return None

    # --- the steps' shared parts ----------------------------------------------------------------------------------
    def step(self, current: DecisionView, user_id: str, expected: RemovalStatus, to: RemovalStatus, action: str,
             notices: Notices, **values) -> RemovalStep:
        """One move of a decision's life: its conditional UPDATE, audit entry and notices in one transaction. If
        someone else moved it first, ALREADY_DONE with the decision as it now stands."""
        with self.db.transaction() as session:
            won = self._move(session, current.id, expected, to, **values)
            view = self._view(session, session.get(RemovalDecision, current.id))
            if not won:
                return self._already(view)
            audit.record(session, actor=user_id, action=action, subject_type=SUBJECT, subject_id=current.id,
                         from_state=expected.value, to_state=to.value)
            queued = _queue_notices(session, view, notices)
        return RemovalStep(RemovalOutcome.DONE, view, notices=notices, queued=queued)

    def checked_reason(self, reason: str, required: bool = True) -> tuple[str, str | None]:
        """A reason someone gives (a rejection, a disagreement, a withdrawal), and what is wrong with it, if anything:
        it is shared with the person who logged the removal, so it goes through the personal-data guard."""
        reason = without_control_characters(reason or "").strip()
        if not reason:
            return reason, (
                "Say why, in a sentence or two: it is shared with the person who logged the removal." if required
                else None
            )
        if len(reason) > REASON_MAX:
            return reason, f"Keep the reason to {REASON_MAX} characters."
        return reason, Guard.from_settings(self.settings).check(reason, FieldKind.NOTE).message

    # --- helpers ---------------------------------------------------------------------------------------------------
    def _refuse(self, decision: DecisionView, user_id: str, action: str, why: RemovalRefusal) -> RemovalStep:
        with self.db.transaction() as session:
            audit.record(
                session, actor=user_id, action=action, subject_type=SUBJECT, subject_id=decision.id,
                from_state=decision.status.value, to_state=None, refused=why.value,
            )
        return RemovalStep(RemovalOutcome.REFUSED, decision, refusal=why)

    @staticmethod
    def _already(view: DecisionView) -> RemovalStep:
        return RemovalStep(RemovalOutcome.ALREADY_DONE, view)

    @staticmethod
    def _move(session: Session, decision_id: int, expected: RemovalStatus, to: RemovalStatus, **values) -> bool:
        # The database decides who wins: only one UPDATE finds the expected status. It runs first in its
        # transaction, so SQLite takes the write lock before reading anything.
        result = session.execute(
            update(RemovalDecision)
            .where(RemovalDecision.id == decision_id, RemovalDecision.status == expected.value)
            .values(status=to.value, **values)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    def _by_key(self, submission_key: str, user_id: str) -> DecisionView | None:
        with self.db.transaction() as session:
            row = session.scalars(
                select(RemovalDecision).where(
                    RemovalDecision.submission_key == submission_key, RemovalDecision.logged_by == user_id
                )
            ).one_or_none()
            return self._view(session, row) if row else None

    def _moderators(self, group_id: int) -> list[Moderator]:
        with self.db.transaction() as session:
            query = select(Moderator).where(Moderator.group_id == group_id, ACTIVE).order_by(Moderator.id)
            return list(session.scalars(query))

    def _staff_moderators(self, moderators: list[Moderator], unknown: bool) -> list[str]:
        """Those among them with an account who are employed moderators and still staff (guests never are). Those whose
        role cannot be told now count as `unknown` says: asked to agree (their click is checked again), but never
        taken for a staff agreement."""
        employed = {ModeratorRole.STAFF.value, ModeratorRole.PCF_STAFF.value}
        candidates = dict.fromkeys(m.person_id for m in moderators if m.reachable and m.role in employed)
        return [u for u in candidates if self._still_staff(u, unknown)]

    def _still_staff(self, user_id: str, unknown: bool) -> bool:
        try:
            return self.directory.has_role(user_id, Role.STAFF, Role.PCF_STAFF)
        except RolesUnconfirmed:
            return unknown

    @staticmethod
    def _view(session: Session, row: RemovalDecision) -> DecisionView:
        group = session.get(Group, row.group_id)
        return DecisionView(
            id=row.id, group_id=row.group_id, group_name=group.name if group else f"group {row.group_id}",
            member_ref=row.member_ref, kind=RemovalKind(row.kind), breaches=tuple(row.breaches or ()),
            tried_first=tuple(row.tried_first or ()), review_on=row.review_on, notes=row.notes,
            corrects_id=row.corrects_id, status=RemovalStatus(row.status), logged_by=row.logged_by, logged_at=row.logged_at,
            agreed_by=row.agreed_by, agreed_at=row.agreed_at, decided_by=row.decided_by, decided_at=row.decided_at,
            rejection_reason=row.rejection_reason, disagreed_by=row.disagreed_by, disagreed_at=row.disagreed_at,
            disagreement_reason=row.disagreement_reason, withdrawn_at=row.withdrawn_at,
            withdrawal_reason=row.withdrawal_reason, agreement_asked_of=row.agreement_asked_of,
            agreement_asked_at=row.agreement_asked_at,
        )


def decision_view(session: Session, row: RemovalDecision) -> DecisionView:
    return RemovalService._view(session, row)


def outbox_key(decision_id: int, *parts: str) -> str:
    """The dedupe key of a message about a decision, e.g. outbox_key(12, "sign-off") for the senior managers'
    request: the adapter queues by it, and R4's reminders and the escalations find earlier messages by it."""
    return ":".join(["removal", str(decision_id), *parts])


def day_text(value: date) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


def _others(moderators: list[Moderator], user_id: str) -> list[str]:
    """Every moderator with an account but the given person, once each (R3)."""
    return [u for u in dict.fromkeys(m.person_id for m in moderators if m.reachable) if u != user_id]


def _int(value: object) -> int | None:
    """A decision or group number from a button or form; anything no row could have (a crafted 40-digit value)
    is no number at all."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > 9:
        return None
    number = int(text)
    return number if 0 < number < 2**31 else None


def _queue_notices(session: Session, view: DecisionView, notices: Notices) -> list:
    from flows.removals.notices import queue_notices  # it builds on this module's types

    return queue_notices(session, view, notices)
