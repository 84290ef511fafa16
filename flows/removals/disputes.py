"""A permanent removal's other ways out of waiting (R2), so that none dead-ends: a staff moderator says they don't
agree, with a reason the person who logged it sees; the person who logged it withdraws it while it waits; and, when
no staff moderator of the group could be asked on a chat platform, they ask another member of staff to agree in
that staff moderator's place.

Built on flows/removals/service.py's steps and helpers: the same permission checks, conditional UPDATEs, audit
entries and notices queued in the step's own transaction. A second ask is not allowed: one member of staff is asked,
once; if they cannot help, the logger withdraws the log (and logs it again), and escalations chase it meanwhile.
"""
from __future__ import annotations

from sqlalchemy import update

from flows.audit import service as audit
from flows.directory.service import Role, RolesUnconfirmed
from flows.outbox import NoticeKind, Subject, notices_about
from flows.removals.models import RemovalDecision, RemovalStatus
from flows.removals.notices import queue_notices
from flows.removals.service import (
    SUBJECT,
    DecisionView,
    Notices,
    RemovalOutcome,
    RemovalRefusal,
    RemovalService,
    RemovalStep,
    _others,
)

# What the person who logged it can still take back.
WAITING = (RemovalStatus.AWAITING_AGREEMENT, RemovalStatus.AWAITING_SIGN_OFF)


class RemovalDisputes:
    def __init__(self, removals: RemovalService) -> None:
        self.removals = removals

    # --- a staff moderator does not agree ----------------------------------------------------------------------------
    def may_disagree(self, decision_id: int | str, user_id: str) -> RemovalStep:
        """Checked before the reason is asked for: refusals are recorded, a decision no longer waiting says why."""
        current = self.removals.decision(decision_id)
        if current is None:
            return RemovalStep(RemovalOutcome.NOT_FOUND)
        why_not = self.removals._why_not_agree(current, user_id, "removal.disagree_refused")
        if why_not:
            return self.removals._refuse(current, user_id, "removal.disagree_refused", why_not)
        if current.status is not RemovalStatus.AWAITING_AGREEMENT:
            return self.removals._already(current)
        return RemovalStep(RemovalOutcome.ALLOWED, current)

    def disagree(self, decision_id: int | str, user_id: str, reason: str) -> RemovalStep:
        checked = self.may_disagree(decision_id, user_id)
        if checked.outcome is not RemovalOutcome.ALLOWED:
            return checked
        reason, problem = self.removals.checked_reason(reason)
        if problem:
            return RemovalStep(RemovalOutcome.INVALID, checked.decision, errors={"reason": problem})
        current = checked.decision
        # R3: the group's other moderators know it was not agreed; the one who said so knows already.
        others = [p for p in _others(self.removals._moderators(current.group_id), current.logged_by) if p != user_id]
        notices = Notices(share_with=others, tell_logger=True, close_agree_requests=True)
        return self.removals.step(current, user_id, RemovalStatus.AWAITING_AGREEMENT, RemovalStatus.NOT_AGREED,
                                  "removal.not_agreed", notices, disagreed_by=user_id,
                                  disagreed_at=self.removals.clock(), disagreement_reason=reason)

    # --- the person who logged it takes it back --------------------------------------------------------------------
    def withdraw(self, decision_id: int | str, user_id: str, reason: str = "") -> RemovalStep:
        current = self.removals.decision(decision_id)
        if current is None:
            return RemovalStep(RemovalOutcome.NOT_FOUND)
        if current.logged_by != user_id:
            return self.removals._refuse(current, user_id, "removal.withdraw_refused",
                                         RemovalRefusal.ONLY_THE_LOGGER_WITHDRAWS)
        reason, problem = self.removals.checked_reason(reason, required=False)
        if problem:
            return RemovalStep(RemovalOutcome.INVALID, current, errors={"reason": problem})
        now = self.removals.clock()
        # Agreed a moment ago, it is withdrawn from the sign-off instead: a status only moves forward, so this ends.
        while current.status in WAITING:
            was = current.status
            notices = Notices(tell_logger=True, logger_in_place=True,
                              close_agree_requests=was is RemovalStatus.AWAITING_AGREEMENT,
                              close_sign_off=was is RemovalStatus.AWAITING_SIGN_OFF)
            moved = self.removals.step(current, user_id, was, RemovalStatus.WITHDRAWN, "removal.withdrawn", notices,
                                       withdrawn_at=now, withdrawal_reason=reason or None)
            if moved.done:
                return moved
            current = moved.decision
        return self.removals._already(current)

    # --- no staff moderator on a platform: another member of staff agrees in their place ----------------------------
    def may_ask_staff(self, decision_id: int | str, user_id: str) -> RemovalStep:
        current = self.removals.decision(decision_id)
        if current is None:
            return RemovalStep(RemovalOutcome.NOT_FOUND)
        if current.logged_by != user_id:
            return self._refuse_ask(current, user_id, RemovalRefusal.ONLY_THE_LOGGER_ASKS)
        if current.status is not RemovalStatus.AWAITING_AGREEMENT:
            return self.removals._already(current)
        if self._someone_asked(current):
            return self._refuse_ask(current, user_id, RemovalRefusal.SOMEONE_ALREADY_ASKED)
        return RemovalStep(RemovalOutcome.ALLOWED, current)

    def can_ask_staff(self, decision: DecisionView) -> bool:
        """Whether the person who logged it is to be offered the choice (nothing recorded: no one has acted)."""
        return decision.status is RemovalStatus.AWAITING_AGREEMENT and not self._someone_asked(decision)

    def ask_staff(self, decision_id: int | str, user_id: str, staff_id: str | None) -> RemovalStep:
        checked = self.may_ask_staff(decision_id, user_id)
        if checked.outcome is not RemovalOutcome.ALLOWED:
            return checked
        current = checked.decision
        problem = self._why_not_asked(current, user_id, staff_id)
        if problem:
            return RemovalStep(RemovalOutcome.INVALID, current, errors={"staff": problem})
        notices = Notices(ask_to_agree=[staff_id], tell_logger=True, logger_key=f"asked:{staff_id}")
        now = self.removals.clock()
        with self.removals.db.transaction() as session:
            # Two asks at once (a double submit, two open forms): one member of staff is asked.
            won = session.execute(
                update(RemovalDecision)
                .where(RemovalDecision.id == current.id,
                       RemovalDecision.status == RemovalStatus.AWAITING_AGREEMENT.value,
                       RemovalDecision.agreement_asked_of.is_(None))
                .values(agreement_asked_of=staff_id, agreement_asked_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount == 1
            view = self.removals._view(session, session.get(RemovalDecision, current.id))
            if won:
                audit.record(
                    session, actor=user_id, action="removal.agreement_asked", subject_type=SUBJECT,
                    subject_id=current.id, from_state=view.status.value, to_state=view.status.value, asked=staff_id,
                )
                queued = queue_notices(session, view, notices)
        if not won:
            if view.status is RemovalStatus.AWAITING_AGREEMENT:
                return self._refuse_ask(view, user_id, RemovalRefusal.SOMEONE_ALREADY_ASKED)
            return self.removals._already(view)
        return RemovalStep(RemovalOutcome.DONE, view, notices=notices, queued=queued)

    def _why_not_asked(self, decision: DecisionView, user_id: str, staff_id: str | None) -> str | None:
        """The member of staff chosen, as the form's field error; a role that cannot be told is never a yes."""
        if not staff_id:
            return "Choose the member of staff to ask."
        if staff_id == user_id:
            return "You logged it, so someone else agrees to it (R2): choose another member of staff."
        try:
            staff = self.removals.directory.has_role(staff_id, Role.STAFF, Role.PCF_STAFF)
        except RolesUnconfirmed as error:
            self.removals.directory.record_refusal(user_id, error, "removal.ask_staff_refused", SUBJECT, decision.id)
            return "I can't confirm that they are staff right now. Nothing has changed: please try again in a minute."
        if not staff:
            with self.removals.db.transaction() as session:
                audit.record(
                    session, actor=user_id, action="removal.ask_staff_refused", subject_type=SUBJECT,
                    subject_id=decision.id, from_state=decision.status.value, to_state=None,
                    refused="not_staff", asked=staff_id,
                )
            return ("Only a member of staff can agree in place of a staff moderator (R2), and they aren't staff: "
                    "choose someone who is.")
        return None

    def _someone_asked(self, decision: DecisionView) -> bool:
        if decision.agreement_asked_of is not None:
            return True
        with self.removals.db.transaction() as session:
            return bool(notices_about(session, NoticeKind.REMOVAL_AGREE_REQUESTED, Subject(SUBJECT, decision.id)))

    def _refuse_ask(self, decision: DecisionView, user_id: str, why: RemovalRefusal) -> RemovalStep:
        return self.removals._refuse(decision, user_id, "removal.ask_staff_refused", why)
