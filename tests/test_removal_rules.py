"""Removals' rules without Slack: the decision's life (R2, R3, R5) in flows.removals.service on the real
databases. The personal-details guard (R1, S4) has its own tests in tests/privacy/."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from flows.audit.models import AuditEntry
from flows.groups.models import Group, Moderator
from flows.outbox import Destination
from flows.outbox import NoticeKind as Kind
from flows.removals.models import DecisionsAreFinal, RemovalDecision
from flows.removals.service import RemovalOutcome, RemovalForm, RemovalRefusal, RemovalService
from bot.settings import SlackSettings as Settings
from tests.support import directory_by_id, add_lewes_group

STAFF, STAFF_2, VOLUNTEER = "U0STAFF1", "U0STAFF2", "U0VOLUN1"
MANAGER, MANAGER_2, OUTSIDER = "U0MANAGR", "U0MANAG2", "U0OTHER1"
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


# --- the decision's life ---------------------------------------------------------------------------------------------


@pytest.fixture
def removals(db, database_url):
    settings = Settings(
        _env_file=None, database_url=database_url, approvals_channel="C0APPROVE",
        staff_user_ids=[STAFF, STAFF_2, MANAGER, MANAGER_2], senior_manager_user_ids=[MANAGER, MANAGER_2],
    )
    return RemovalService(db, settings, directory_by_id(db, settings), clock=lambda: NOW)


@pytest.fixture
def group_id(db):
    return add_lewes_group(db, 'Amaze Lewes Parents')


def form(group_id, kind="permanent", **values) -> RemovalForm:
    answers = {"group_id": str(group_id), "member_ref": "J.S.", "kind": kind, "breaches": ("bullying",)}
    return RemovalForm(**{**answers, **values})


def trail(db) -> list[tuple]:
    with db.transaction() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(e.actor, e.action, e.from_state, e.to_state) for e in rows]


def told(result) -> list[tuple]:
    """Whom each notice a step queued is for, by kind."""
    return [(n.kind, n.recipient) for n in result.queued]


def test_a_volunteers_permanent_removal_asks_the_staff_moderators_then_the_senior_managers(removals, group_id, db):
    logged = removals.log(VOLUNTEER, "key-1", form(group_id))
    assert logged.done and logged.decision.status == "awaiting_agreement"
    assert logged.notices.ask_to_agree == [STAFF, STAFF_2] and not logged.notices.ask_to_sign_off
    assert told(logged) == [(Kind.REMOVAL_AGREE_REQUESTED, STAFF), (Kind.REMOVAL_AGREE_REQUESTED, STAFF_2),
                            (Kind.REMOVAL_LOGGER_TOLD, VOLUNTEER)]
    assert {n.subject for n in logged.queued} == {("removal", str(logged.decision.id))}

    agreed = removals.agree(logged.decision.id, STAFF_2)
    assert agreed.done and agreed.decision.status == "awaiting_sign_off"
    assert agreed.notices.ask_to_sign_off
    assert told(agreed) == [(Kind.REMOVAL_AGREE_CLOSED, STAFF), (Kind.REMOVAL_AGREE_CLOSED, STAFF_2),
                            (Kind.REMOVAL_SIGN_OFF_REQUESTED, Destination.SIGN_OFF), (Kind.REMOVAL_LOGGER_TOLD, VOLUNTEER)]
    assert removals.agree(logged.decision.id, STAFF).outcome is RemovalOutcome.ALREADY_DONE

    approved = removals.approve(logged.decision.id, MANAGER)
    assert approved.done and (approved.decision.decided_by, approved.decision.decided_at) == (MANAGER, NOW)
    assert approved.notices.share_with == [STAFF, STAFF_2] and approved.notices.tell_logger  # R3; Val is the logger
    assert told(approved) == [(Kind.REMOVAL_SIGN_OFF_CLOSED, Destination.SIGN_OFF),
                              (Kind.REMOVAL_DECISION_SHARED, STAFF), (Kind.REMOVAL_DECISION_SHARED, STAFF_2),
                              (Kind.REMOVAL_LOGGER_TOLD, VOLUNTEER)]
    # The sign-off post is edited in place: the closing notice replaces the request.
    assert approved.queued[0].replaces_id == agreed.queued[2].id
    assert trail(db) == [
        (VOLUNTEER, "removal.logged", None, "awaiting_agreement"),
        (STAFF_2, "removal.agreed", "awaiting_agreement", "awaiting_sign_off"),
        (MANAGER, "removal.approved", "awaiting_sign_off", "approved"),
    ]


@pytest.mark.parametrize(
    "step, user, why",
    [
        ("agree", VOLUNTEER, RemovalRefusal.NOT_STAFF_MODERATOR),  # a moderator, but not staff
        ("agree", MANAGER, RemovalRefusal.NOT_STAFF_MODERATOR),  # staff, but not this group's moderator
        ("approve", STAFF_2, RemovalRefusal.NOT_SENIOR_MANAGER),
        ("approve", OUTSIDER, RemovalRefusal.NOT_SENIOR_MANAGER),
    ],
)
def test_only_those_who_may_take_a_step_can_and_refusals_are_recorded(removals, group_id, db, step, user, why):
    # Logged by a member of staff who is not one of the group's moderators: it waits for one of them to agree.
    decision = removals.log(MANAGER_2, "key-1", form(group_id)).decision
    if step == "approve":
        removals.agree(decision.id, STAFF)
    before = removals.decision(decision.id)
    result = getattr(removals, step)(decision.id, user)
    assert result.outcome is RemovalOutcome.REFUSED and result.refusal is why
    assert removals.decision(decision.id) == before
    assert trail(db)[-1] == (user, f"removal.{step}_refused", before.status.value, None)


def test_a_moderator_who_has_left_the_staff_cannot_agree(removals, group_id, db):
    removals.settings.staff_user_ids.remove(STAFF_2)
    decision = removals.log(VOLUNTEER, "key-1", form(group_id)).decision
    assert removals.agree(decision.id, STAFF_2).outcome is RemovalOutcome.REFUSED


def test_a_moderator_who_has_stepped_down_is_neither_asked_nor_able_to_agree_nor_told(removals, group_id, db):
    with db.transaction() as session:
        bea = session.scalars(select(Moderator).where(Moderator.person_id == STAFF_2)).one()
        bea.stepped_down_at = NOW
    logged = removals.log(VOLUNTEER, "key-1", form(group_id))
    assert logged.notices.ask_to_agree == [STAFF]
    assert removals.agree(logged.decision.id, STAFF_2).outcome is RemovalOutcome.REFUSED
    temporary = removals.log(VOLUNTEER, "key-2", form(group_id, "temporary", review_on="2027-01-04"))
    assert temporary.notices.share_with == [STAFF]


def test_the_staff_moderator_who_agreed_does_not_also_sign_off(removals, group_id, db):
    with db.transaction() as session:
        session.add(
            Moderator(group_id=group_id, name="Sam Senior", role="staff", person_id=MANAGER, added_by=STAFF)
        )
    decision = removals.log(VOLUNTEER, "key-1", form(group_id)).decision
    assert removals.agree(decision.id, MANAGER).done
    assert removals.approve(decision.id, MANAGER).outcome is RemovalOutcome.REFUSED
    assert removals.approve(decision.id, MANAGER_2).done


def test_many_managers_approving_at_once_make_one_decision(removals, group_id, db):
    decision = removals.log(STAFF, "key-1", form(group_id)).decision
    assert decision.status == "awaiting_sign_off"  # a staff moderator's own log is the staff agreement (R2)
    start, results = threading.Barrier(6), []

    def press(user):
        start.wait()
        results.append(removals.approve(decision.id, user))

    threads = [threading.Thread(target=press, args=(u,)) for u in [MANAGER, MANAGER_2] * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.outcome for r in results) == [RemovalOutcome.ALREADY_DONE] * 5 + [RemovalOutcome.DONE]
    assert [t[1] for t in trail(db)].count("removal.approved") == 1


def test_the_same_form_submitted_at_once_logs_one_removal(removals, group_id, db):
    start, results = threading.Barrier(4), []

    def submit():
        start.wait()
        results.append(removals.log(VOLUNTEER, "same-key", form(group_id)))

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.outcome for r in results) == [RemovalOutcome.ALREADY_DONE] * 3 + [RemovalOutcome.DONE]
    with db.transaction() as session:
        assert len(session.scalars(select(RemovalDecision)).all()) == 1


def test_a_rejection_needs_a_reason_without_personal_details(removals, group_id):
    decision = removals.log(STAFF, "key-1", form(group_id)).decision
    assert removals.reject(decision.id, MANAGER, "  ").errors.keys() == {"reason"}
    assert "person's name" in removals.reject(decision.id, MANAGER, "Joanne Smith is a friend").errors["reason"]
    assert removals.decision(decision.id).status == "awaiting_sign_off"
    rejected = removals.reject(decision.id, MANAGER, "Try a temporary removal first.")
    assert rejected.done and rejected.decision.rejection_reason == "Try a temporary removal first."
    assert removals.approve(decision.id, MANAGER_2).outcome is RemovalOutcome.ALREADY_DONE


def test_a_temporary_removal_needs_a_review_date_in_the_future(removals, group_id):
    today = NOW.date()
    for review_on, said in [(None, "needs a review date"), (today.isoformat(), "in the future"), ("soon", "calendar")]:
        result = removals.log(VOLUNTEER, f"key-{said}", form(group_id, "temporary", review_on=review_on))
        assert said in result.errors["review_on"]
    tomorrow = today + timedelta(days=1)
    result = removals.log(VOLUNTEER, "key-ok", form(group_id, "temporary", review_on=tomorrow.isoformat()))
    assert result.done and result.decision.status == "recorded" and result.decision.review_on == tomorrow
    assert result.notices.share_with == [STAFF, STAFF_2]  # shared at once (R3)


def test_people_log_only_for_their_own_groups_and_staff_for_any(removals, group_id, db):
    with db.transaction() as session:
        session.add(Group(kind="parent_carers", name="Amaze Hove Parents", official=True, created_by=STAFF,
                          moderators=[Moderator(name="Bea", role="staff", person_id=STAFF_2, added_by=STAFF)]))
        session.add(Group(kind="informal_social", name="Office friends social", official=False, created_by=STAFF))
    assert [g.name for g in removals.groups_for(VOLUNTEER)] == ["Amaze Lewes Parents"]
    assert [g.name for g in removals.groups_for(MANAGER)] == ["Amaze Hove Parents", "Amaze Lewes Parents"]
    assert removals.groups_for(OUTSIDER) == []
    other = next(g.id for g in removals.groups_for(MANAGER) if g.name == "Amaze Hove Parents")
    assert "group" in removals.log(VOLUNTEER, "key-1", form(other)).errors


def test_a_correction_points_to_the_earlier_decision_which_stays_as_it_was(removals, group_id, db):
    first = removals.log(VOLUNTEER, "key-1", form(group_id)).decision
    correction = removals.log(VOLUNTEER, "key-2", form(group_id, member_ref="CL-12345", corrects_id=str(first.id)))
    assert correction.done and correction.decision.corrects_id == first.id
    assert removals.decision(first.id) == first
    with pytest.raises(DecisionsAreFinal), db.transaction() as session:
        session.get(RemovalDecision, first.id).member_ref = "A.B."
    with pytest.raises(DecisionsAreFinal), db.transaction() as session:
        session.delete(session.get(RemovalDecision, first.id))
    assert removals.decision(first.id) == first
    assert "corrects" in removals.log(VOLUNTEER, "key-3", form(group_id, corrects_id="999")).errors
