"""Moderators' answers: M8 confirmations (their own, or the lead's for those without an account), A3 "Circulated" and
M9 check-ins, stepping down included.

Platform-neutral. Each answer is checked against the register (who moderates which group, who is its lead) and
the Directory (still staff), then written once by a conditional UPDATE; a refused click changes nothing and is
recorded. Whatever must be said about it is queued as notices (flows/moderation/notices.py) in the same transaction.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from flows.audit import service as audit
from flows.db import Database, utcnow
from flows.directory.service import Directory, RolesUnconfirmed
from flows.groups.models import Group, Moderator
from flows.moderation.models import (
    AgreementCirculation,
    CheckinAnswer,
    ModeratorCheckin,
    ModeratorConfirmation,
    ModeratorVacancy,
)
from flows.moderation.queries import (
    Intervals,
    acting_lead,
    active_moderators,
    directory_role,
    is_employed,
    local_date,
    long_date,
    staffing_findings,
)
from flows.outbox.once import insert_once
from flows.policy.types import Finding
from flows.settings import Settings


class AnswerOutcome(StrEnum):
    DONE = "done"
    # Someone (perhaps they, a moment ago) already answered: nothing changed, nothing recorded twice.
    ALREADY_DONE = "already_done"
    # Not theirs to answer: nothing changed, the attempt is recorded.
    REFUSED = "refused"
    NOT_FOUND = "not_found"


class ModerationRefusal(StrEnum):
    """Why an answer to a moderation request is not this person's to give; the adapter words it."""

    STEPPED_DOWN = "stepped_down"
    # The request is another moderator's own.
    NOT_THEM = "not_them"
    # The moderator can be reached on the platform, so they answer for themself.
    ANSWERS_FOR_THEMSELF = "answers_for_themself"
    # Only the (acting) lead staff moderator answers for a moderator who cannot be reached.
    NOT_THE_LEAD = "not_the_lead"
    NOT_STAFF_MODERATOR = "not_staff_moderator"


@dataclass(frozen=True)
class Refused:
    """A refusal, with the names its wording needs."""

    reason: ModerationRefusal
    group_name: str
    moderator_name: str = ""
    lead_name: str | None = None


class Action(StrEnum):
    CONFIRM = "confirm"
    CONFIRM_FOR = "confirm_for"
    CIRCULATED = "circulated"
    STILL_ABLE = "still_able"
    STEP_DOWN = "step_down"


@dataclass
class Answer:
    action: Action
    outcome: AnswerOutcome
    user_id: str
    # What to tell the person who clicked, in plain words (set unless refused).
    explanation: str
    group_id: int | None = None
    moderator_id: int | None = None
    # The confirmation, circulation or check-in clicked.
    subject_id: int | None = None
    # The notice that carries the clicked buttons, to be replaced in place.
    message_id: int | None = None
    on_behalf: bool = False
    # Why not, when refused (the adapter words it).
    refusal: Refused | None = None
    # Stepping down: the lead as it was before (None if none), and M1/M2 on the moderators left.
    lead_user_id: str | None = None
    findings: tuple[Finding, ...] = ()
    next_due_on: date | None = None
    # The notices the answer queued.
    queued: list = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.outcome is AnswerOutcome.DONE


@dataclass(frozen=True)
class _Seen:
    """What the read before the Directory check found (the Directory is never asked inside a write)."""

    group_id: int
    group_name: str
    moderator: Moderator | None
    lead: Moderator | None


class ModerationService:
    def __init__(
        self, db: Database, settings: Settings, directory: Directory, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.db = db
        self.settings = settings
        self.directory = directory
        self.clock = clock

    # --- M8 ----------------------------------------------------------------------------------------------------
    def confirm(self, confirmation_id: object, user_id: str) -> Answer:
        """A moderator confirms, for themself, that they have read the policy and the group agreement."""
        return self._confirm(confirmation_id, user_id)

    def confirm_for(self, confirmation_id: object, user_id: str) -> Answer:
        """The lead staff moderator confirms for a moderator who has no account and has told them."""
        return self._confirm(confirmation_id, user_id)

    def _confirm(self, confirmation_id: object, user_id: str) -> Answer:
        row_id = _id(confirmation_id)
        with self.db.transaction() as session:
            row = session.get(ModeratorConfirmation, row_id) if row_id else None
            seen = self._seen(session, row.group_id, row.moderator_id) if row else None
        if seen is None or seen.moderator is None:
            return Answer(Action.CONFIRM, AnswerOutcome.NOT_FOUND, user_id, "I can't find that request any more; nothing has changed.")
        moderator = seen.moderator
        # Whichever button is pressed, a moderator the app can reach answers for themself and the lead for one it cannot.
        on_behalf = not moderator.reachable
        action = Action.CONFIRM_FOR if on_behalf else Action.CONFIRM
        refusal = self._on_behalf_refusal(seen, user_id) if on_behalf else self._own_refusal(seen, user_id)
        answer = Answer(action, AnswerOutcome.DONE, user_id, "", group_id=seen.group_id, moderator_id=moderator.id,
                        subject_id=row_id, on_behalf=on_behalf)
        now = self.clock()
        with self.db.transaction() as session:
            _lock_group(session, seen.group_id)
            row = session.get(ModeratorConfirmation, row_id)
            answer.message_id = row.request_notice_id
            if refusal:
                return self._refuse(session, answer, refusal, "moderator_confirmation")
            changed = _set_once(session, ModeratorConfirmation, row_id, ModeratorConfirmation.confirmed_at,
                                confirmed_at=now, confirmed_by=user_id, on_behalf=answer.on_behalf)
            session.refresh(row)
            if not changed:
                answer.outcome = AnswerOutcome.ALREADY_DONE
                who = "You already confirmed" if row.confirmed_by == user_id else "This was already confirmed"
                answer.explanation = f"{who} on {long_date(local_date(row.confirmed_at))}."
            else:
                audit.record(session, actor=user_id, action="moderator.confirmed", subject_type="moderator_confirmation",
                             subject_id=row_id, from_state="requested", to_state="confirmed", group_id=seen.group_id,
                             moderator_id=moderator.id, on_behalf=answer.on_behalf)
                answer.explanation = (
                    f"Thank you: recorded that {moderator.name} has read the policy and the group agreement."
                    if answer.on_behalf else "Thank you: your confirmation is recorded."
                )
            answer.queued = _notify(session, answer)
            return answer

    # --- A3 ----------------------------------------------------------------------------------------------------
    def circulated(self, circulation_id: object, user_id: str) -> Answer:
        """A staff moderator of the group says the agreement has gone round all members; the next is due a
        year (the interval) from today."""
        row_id = _id(circulation_id)
        with self.db.transaction() as session:
            row = session.get(AgreementCirculation, row_id) if row_id else None
            seen = self._seen(session, row.group_id, None) if row else None
            staff = [m for m in active_moderators(session.get(Group, row.group_id)) if is_employed(m)] if row else []
        if seen is None:
            return Answer(Action.CIRCULATED, AnswerOutcome.NOT_FOUND, user_id, "I can't find that reminder any more.")
        mine = next((m for m in staff if m.person_id == user_id), None)
        refusal = None
        if mine is None or not self._still_staff(mine):
            refusal = Refused(ModerationRefusal.NOT_STAFF_MODERATOR, seen.group_name)
        answer = Answer(Action.CIRCULATED, AnswerOutcome.DONE, user_id, "", group_id=seen.group_id, subject_id=row_id)
        now = self.clock()
        with self.db.transaction() as session:
            _lock_group(session, seen.group_id)
            row = session.get(AgreementCirculation, row_id)
            answer.message_id = row.reminder_notice_id
            if refusal:
                return self._refuse(session, answer, refusal, "agreement_circulation")
            changed = _set_once(session, AgreementCirculation, row_id, AgreementCirculation.circulated_at,
                                circulated_at=now, circulated_by=user_id)
            session.refresh(row)
            answer.next_due_on = local_date(row.circulated_at) + Intervals.of(self.settings).circulation
            if not changed:
                answer.outcome = AnswerOutcome.ALREADY_DONE
                answer.explanation = f"This was already recorded as circulated on {long_date(local_date(row.circulated_at))}."
            else:
                audit.record(session, actor=user_id, action="agreement.circulated", subject_type="agreement_circulation",
                             subject_id=row_id, from_state="reminded", to_state="circulated", group_id=seen.group_id,
                             due_on=row.due_on.isoformat(), next_due_on=answer.next_due_on.isoformat())
                answer.explanation = (f"Recorded: the agreement was circulated. I'll remind you again on "
                                      f"{long_date(answer.next_due_on)}.")
            answer.queued = _notify(session, answer)
            return answer

    # --- M9 ----------------------------------------------------------------------------------------------------
    def still_able(self, checkin_id: object, user_id: str) -> Answer:
        return self._checkin(Action.STILL_ABLE, checkin_id, user_id)

    def step_down(self, checkin_id: object, user_id: str) -> Answer:
        """The moderator steps down: no longer active, the group needs a moderator, and M1/M2 say whether the
        moderators left may carry on."""
        return self._checkin(Action.STEP_DOWN, checkin_id, user_id)

    def _checkin(self, action: Action, checkin_id: object, user_id: str) -> Answer:
        row_id = _id(checkin_id)
        with self.db.transaction() as session:
            row = session.get(ModeratorCheckin, row_id) if row_id else None
            seen = self._seen(session, row.group_id, row.moderator_id) if row else None
            # Stepping down answers the check: pressing again is a double click, not a stranger's.
            answered = row is not None and row.answer is not None
        if seen is None or seen.moderator is None:
            return Answer(action, AnswerOutcome.NOT_FOUND, user_id, "I can't find that question any more; nothing has changed.")
        moderator = seen.moderator
        on_behalf = not moderator.reachable
        refusal = (self._on_behalf_refusal(seen, user_id, answered) if on_behalf
                   else self._own_refusal(seen, user_id, answered))
        answer = Answer(action, AnswerOutcome.DONE, user_id, "", group_id=seen.group_id, moderator_id=moderator.id,
                        subject_id=row_id, on_behalf=on_behalf,
                        lead_user_id=seen.lead.person_id if seen.lead else None)
        now = self.clock()
        with self.db.transaction() as session:
            _lock_group(session, seen.group_id)
            row = session.get(ModeratorCheckin, row_id)
            answer.message_id = row.request_notice_id
            if refusal:
                return self._refuse(session, answer, refusal, "moderator_checkin")
            value = CheckinAnswer.STEPPING_DOWN if action is Action.STEP_DOWN else CheckinAnswer.ABLE
            changed = _set_once(session, ModeratorCheckin, row_id, ModeratorCheckin.answer, answer=value.value,
                                answered_at=now, answered_by=user_id, on_behalf=on_behalf)
            session.refresh(row)
            if not changed:
                answer.outcome = AnswerOutcome.ALREADY_DONE
                said = "stepping down" if row.answer == CheckinAnswer.STEPPING_DOWN else "still able to moderate"
                answer.explanation = f"This was already answered ({said}) on {long_date(local_date(row.answered_at))}."
            elif value is CheckinAnswer.ABLE:
                audit.record(session, actor=user_id, action="moderator.still_able", subject_type="moderator_checkin",
                             subject_id=row_id, from_state="asked", to_state="able", group_id=seen.group_id,
                             moderator_id=moderator.id, on_behalf=on_behalf)
                answer.explanation = "Thank you: recorded as still able and willing to moderate."
            else:
                self._record_step_down(session, answer, moderator.id, now)
            answer.queued = _notify(session, answer)
            return answer

    def _record_step_down(self, session: Session, answer: Answer, moderator_id: int, now: datetime) -> None:
        session.execute(
            update(Moderator).where(Moderator.id == moderator_id, Moderator.stepped_down_at.is_(None))
            .values(stepped_down_at=now).execution_options(synchronize_session=False)
        )
        # The UPDATE bypassed the session: what it loads from here on must show the moderator gone.
        session.expire_all()
        group = session.get(Group, answer.group_id)
        answer.findings = tuple(staffing_findings(group))
        insert_once(session, ModeratorVacancy, {
            "group_id": group.id, "moderator_id": moderator_id, "opened_at": now, "opened_by": answer.user_id,
            "findings": [f.as_dict() for f in answer.findings],
        }, unique=["moderator_id"])
        moderator = session.get(Moderator, moderator_id)
        audit.record(session, actor=answer.user_id, action="moderator.stepped_down", subject_type="moderator",
                     subject_id=moderator_id, from_state="active", to_state="stepped_down", group_id=group.id,
                     checkin_id=answer.subject_id, on_behalf=answer.on_behalf,
                     blocked_under=[f.rule for f in answer.findings])
        who = moderator.name if answer.on_behalf else "you"
        answer.explanation = f"Recorded that {who} stepped down as a moderator of {group.name}."
        if answer.findings:
            answer.explanation += f" {group.name} is now blocked under {' and '.join(f.rule for f in answer.findings)}."

    # --- who may answer ----------------------------------------------------------------------------------------
    def _seen(self, session: Session, group_id: int, moderator_id: int | None) -> _Seen | None:
        group = session.get(Group, group_id)
        if group is None:
            return None
        moderator = session.get(Moderator, moderator_id) if moderator_id else None
        return _Seen(group.id, group.name, moderator, acting_lead(group))

    def _own_refusal(self, seen: _Seen, user_id: str, answered: bool = False) -> Refused | None:
        moderator = seen.moderator
        if moderator.stepped_down_at is not None and not (answered and moderator.person_id == user_id):
            return self._refused(ModerationRefusal.STEPPED_DOWN, seen)
        if moderator.person_id == user_id:
            return None
        return self._refused(ModerationRefusal.NOT_THEM, seen)

    def _on_behalf_refusal(self, seen: _Seen, user_id: str, answered: bool = False) -> Refused | None:
        moderator, lead = seen.moderator, seen.lead
        if moderator.stepped_down_at is not None and not answered:
            return self._refused(ModerationRefusal.STEPPED_DOWN, seen)
        if moderator.reachable:
            return self._refused(ModerationRefusal.ANSWERS_FOR_THEMSELF, seen)
        if lead is not None and lead.person_id == user_id and self._still_staff(lead):
            return None
        return self._refused(ModerationRefusal.NOT_THE_LEAD, seen)

    @staticmethod
    def _refused(reason: ModerationRefusal, seen: _Seen) -> Refused:
        return Refused(reason, seen.group_name, seen.moderator.name if seen.moderator else "",
                       seen.lead.name if seen.lead else None)

    def _still_staff(self, moderator: Moderator) -> bool:
        """Asked only of the person acting; when their role cannot be told, that is their refusal (raised)."""
        role = directory_role(moderator)
        if role is None or not moderator.reachable:
            return False
        try:
            return self.directory.has_role(moderator.person_id, role)
        except RolesUnconfirmed as error:
            self.directory.record_refusal(moderator.person_id, error, "moderation.refused", "moderator",
                                          moderator.id)
            raise

    @staticmethod
    def _refuse(session: Session, answer: Answer, why: Refused, subject_type: str) -> Answer:
        answer.outcome, answer.refusal = AnswerOutcome.REFUSED, why
        audit.record(session, actor=answer.user_id, action=f"{subject_type}.refused", subject_type=subject_type,
                     subject_id=answer.subject_id, group_id=answer.group_id, attempted=answer.action.value,
                     reason=why.reason.value)
        return answer


def _lock_group(session: Session, group_id: int) -> None:
    """One answer about a group at a time, so each edit of a shared message shows every answer before it
    (PostgreSQL row lock; SQLite has one writer anyway)."""
    session.execute(select(Group.id).where(Group.id == group_id).with_for_update())


def _set_once(session: Session, model: type, row_id: int, unset_column, **values) -> bool:
    done = session.execute(
        update(model).where(model.id == row_id, unset_column.is_(None)).values(**values)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def _id(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdecimal() and len(text) < 12 else None


def _notify(session: Session, answer: Answer) -> list:
    from flows.moderation.notices import after_answer  # it builds on this module's types

    return after_answer(session, answer)
