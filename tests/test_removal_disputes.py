"""A permanent removal never dead-ends (R2, R3), without Slack: a staff moderator's "I don't agree", the logger's
withdrawal, and a member of staff asked in a staff moderator's place, in flows/removals/disputes.py on the real
databases."""
from __future__ import annotations

import threading

from flows.directory.service import DirectoryUnavailable
from flows.groups.models import Group, Moderator
from flows.home.waiting import removals_to_agree
from flows.outbox import Destination
from flows.outbox import NoticeKind as Kind
from flows.removals.disputes import RemovalDisputes
from flows.removals.service import RemovalOutcome, RemovalRefusal, RemovalService
from tests.support import EveryoneByTheirId, directory_by_id
from tests.test_removal_rules import (  # noqa: F401 (fixtures)
    MANAGER,
    MANAGER_2,
    OUTSIDER,
    STAFF,
    STAFF_2,
    VOLUNTEER,
    form,
    group_id,
    removals,
    told,
    trail,
)


def offline_staff_group(db) -> int:
    """A group whose only staff moderator is on no chat platform: nobody can be asked to agree."""
    with db.transaction() as session:
        group = Group(kind="parent_carers", name="Amaze Seaford Parents", official=True, created_by=STAFF, moderators=[
            Moderator(name="Val", role="volunteer", person_id=VOLUNTEER, is_lead=True, added_by=STAFF),
            Moderator(name="Pat", role="staff", person_id=None, added_by=STAFF),
        ])
        session.add(group)
        session.flush()
        return group.id


def test_a_staff_moderator_who_does_not_agree_ends_it_and_the_logger_and_moderators_are_told(removals, group_id, db):
    disputes = RemovalDisputes(removals)
    decision = removals.log(VOLUNTEER, "key-1", form(group_id)).decision
    assert disputes.disagree(decision.id, STAFF, " ").errors == {
        "reason": "Say why, in a sentence or two: it is shared with the person who logged the removal."}
    assert "person's name" in disputes.disagree(decision.id, STAFF, "Joanne Smith says it was a joke").errors["reason"]
    assert removals.decision(decision.id).status == "awaiting_agreement"

    result = disputes.disagree(decision.id, STAFF, "Ask them to change their behaviour first.")
    assert result.done and result.decision.status == "not_agreed"
    assert (result.decision.disagreed_by, result.decision.disagreement_reason) == (
        STAFF, "Ask them to change their behaviour first.")
    assert told(result) == [(Kind.REMOVAL_AGREE_CLOSED, STAFF), (Kind.REMOVAL_AGREE_CLOSED, STAFF_2),
                            (Kind.REMOVAL_DECISION_SHARED, STAFF_2), (Kind.REMOVAL_LOGGER_TOLD, VOLUNTEER)]
    # Final for this log: nobody agrees to it afterwards, nor says no twice.
    assert removals.agree(decision.id, STAFF_2).outcome is RemovalOutcome.ALREADY_DONE
    assert disputes.disagree(decision.id, STAFF_2, "No.").outcome is RemovalOutcome.ALREADY_DONE
    assert trail(db)[-1] == (STAFF, "removal.not_agreed", "awaiting_agreement", "not_agreed")


def test_only_a_staff_moderator_may_disagree_and_refusals_change_nothing(removals, group_id, db):
    disputes = RemovalDisputes(removals)
    decision = removals.log(VOLUNTEER, "key-1", form(group_id)).decision
    for user, why in [(VOLUNTEER, RemovalRefusal.LOGGED_IT_CANNOT_AGREE), (MANAGER, RemovalRefusal.NOT_STAFF_MODERATOR),
                      (OUTSIDER, RemovalRefusal.NOT_STAFF_MODERATOR)]:
        result = disputes.disagree(decision.id, user, "I don't agree.")
        assert (result.outcome, result.refusal) == (RemovalOutcome.REFUSED, why)
        assert trail(db)[-1] == (user, "removal.disagree_refused", "awaiting_agreement", None)
    assert removals.decision(decision.id) == decision


def test_the_logger_withdraws_while_it_waits_and_nobody_else_can(removals, group_id, db):
    disputes = RemovalDisputes(removals)
    decision = removals.log(STAFF, "key-1", form(group_id)).decision  # waits for sign-off at once
    refused = disputes.withdraw(decision.id, STAFF_2)
    assert (refused.outcome, refused.refusal) == (RemovalOutcome.REFUSED, RemovalRefusal.ONLY_THE_LOGGER_WITHDRAWS)
    assert trail(db)[-1] == (STAFF_2, "removal.withdraw_refused", "awaiting_sign_off", None)

    withdrawn = disputes.withdraw(decision.id, STAFF, "Logged in the wrong group.")
    assert withdrawn.done and withdrawn.decision.status == "withdrawn"
    assert withdrawn.decision.withdrawal_reason == "Logged in the wrong group."
    assert told(withdrawn) == [(Kind.REMOVAL_SIGN_OFF_CLOSED, Destination.SIGN_OFF), (Kind.REMOVAL_LOGGER_TOLD, STAFF)]
    assert removals.approve(decision.id, MANAGER).outcome is RemovalOutcome.ALREADY_DONE
    assert disputes.withdraw(decision.id, STAFF).outcome is RemovalOutcome.ALREADY_DONE
    assert trail(db)[-1] == (STAFF, "removal.withdrawn", "awaiting_sign_off", "withdrawn")


def test_with_no_staff_moderator_on_a_platform_the_logger_asks_one_member_of_staff_who_agrees(removals, db):
    disputes = RemovalDisputes(removals)
    group = offline_staff_group(db)
    logged = removals.log(VOLUNTEER, "key-1", form(group))
    assert logged.decision.status == "awaiting_agreement" and logged.notices.ask_to_agree == []

    assert "aren't staff" in disputes.ask_staff(logged.decision.id, VOLUNTEER, OUTSIDER).errors["staff"]
    assert "someone else" in disputes.ask_staff(logged.decision.id, VOLUNTEER, VOLUNTEER).errors["staff"]
    assert disputes.ask_staff(logged.decision.id, STAFF, STAFF_2).refusal is RemovalRefusal.ONLY_THE_LOGGER_ASKS
    assert removals.decision(logged.decision.id).agreement_asked_of is None

    # Two asks at once (two forms): one member of staff is asked.
    start, results = threading.Barrier(2), []

    def ask(staff):
        start.wait()
        results.append(disputes.ask_staff(logged.decision.id, VOLUNTEER, staff))

    threads = [threading.Thread(target=ask, args=(s,)) for s in (STAFF_2, MANAGER_2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    [asked] = [r for r in results if r.done]
    [other] = [r for r in results if not r.done]
    assert other.refusal is RemovalRefusal.SOMEONE_ALREADY_ASKED
    staff = asked.decision.agreement_asked_of
    assert told(asked) == [(Kind.REMOVAL_AGREE_REQUESTED, staff), (Kind.REMOVAL_LOGGER_TOLD, VOLUNTEER)]

    # The one asked finds it among what waits for them; the other member of staff does not.
    someone_else = ({STAFF_2, MANAGER_2} - {staff}).pop()
    with db.transaction() as session:
        [waiting] = removals_to_agree(session, staff).items
        assert (waiting.decision_id, waiting.asked_in_place) == (logged.decision.id, True)
        assert removals_to_agree(session, someone_else).items == ()

    # The one asked agrees in the staff moderator's place; nobody else does.
    assert removals.agree(logged.decision.id, someone_else).refusal is RemovalRefusal.NOT_STAFF_MODERATOR
    agreed = removals.agree(logged.decision.id, staff)
    assert agreed.done and agreed.decision.status == "awaiting_sign_off"
    assert agreed.decision.staff_agreement_was_asked_for
    assert [t[1] for t in trail(db)].count("removal.agreement_asked") == 1


def test_a_staff_moderator_asked_at_log_time_means_nobody_else_is_asked(removals, group_id, db):
    disputes = RemovalDisputes(removals)
    decision = removals.log(VOLUNTEER, "key-1", form(group_id)).decision
    result = disputes.ask_staff(decision.id, VOLUNTEER, MANAGER)
    assert result.refusal is RemovalRefusal.SOMEONE_ALREADY_ASKED
    assert trail(db)[-1] == (VOLUNTEER, "removal.ask_staff_refused", "awaiting_agreement", None)


class Unreachable(EveryoneByTheirId):
    """The platform's directory does not answer: nobody's role can be told."""

    def person(self, user_id):
        raise DirectoryUnavailable("the directory is down")


def test_a_member_of_staff_whose_role_cannot_be_told_is_not_asked_and_the_logger_is_told_why(removals, db):
    directory = directory_by_id(db, removals.settings, backend=Unreachable(removals.settings))
    disputes = RemovalDisputes(RemovalService(db, removals.settings, directory, clock=removals.clock))
    logged = disputes.removals.log(VOLUNTEER, "key-1", form(offline_staff_group(db)))
    assert logged.done and logged.notices.ask_to_agree == []
    result = disputes.ask_staff(logged.decision.id, VOLUNTEER, STAFF_2)
    assert result.outcome is RemovalOutcome.INVALID and "can't confirm that they are staff" in result.errors["staff"]
    assert removals.decision(logged.decision.id).agreement_asked_of is None
    assert trail(db)[-1] == (VOLUNTEER, "removal.ask_staff_refused", None, None)
