"""L5: unanswered M8 confirmations and M9 check-ins are asked again, then go to the group's lead, then to the managers,
each stage once however often the job runs; nothing is chased in a closed group, for a moderator who stepped down,
or once answered; without a managers' destination the last stage waits until there is one. The job's time is the
test's."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select, update

from flows.audit.models import AuditEntry
from flows.destinations import Destination
from flows.groups.models import Group, Moderator
from flows.moderation.chasing import CHASE_JOB, ChaseStage, ChaseTiming, chase, next_stage
from flows.moderation.models import ModeratorCheckin, ModeratorConfirmation
from flows.moderation.notices import ask_checkins
from flows.outbox import Notice, NoticeKind
from flows.scheduler import JobRun
from flows.settings import Settings
from tests.conftest import STAFF, VOLUNTEER
from tests.moderation_helpers import put_on_register
from tests.support import person

DAY = timedelta(days=1)
TIMING = ChaseTiming(again=3 * DAY, lead=7 * DAY, managers=14 * DAY)
EVERY = frozenset(ChaseStage)
A, L, M = ChaseStage.AGAIN, ChaseStage.LEAD, ChaseStage.MANAGERS


# --- the stage a request has reached ------------------------------------------------------------------------------
@pytest.mark.parametrize("waited, done, possible, expected", [
    (2 * DAY, frozenset(), EVERY, None),
    (3 * DAY, frozenset(), EVERY, A),
    (30 * DAY, frozenset(), EVERY, A),  # one stage per run: asked again before anyone else hears
    (6 * DAY, {A}, EVERY, None),
    (7 * DAY, {A}, EVERY, L),
    (14 * DAY, {A, L}, EVERY, M),
    (40 * DAY, {A, L, M}, EVERY, None),
    (7 * DAY, {A}, {A, M}, None),  # the lead is the one not answering: straight on to the managers, at their time
    (14 * DAY, {A}, {A, M}, M),
    (14 * DAY, {A, L}, {A, L}, None),  # no managers' destination: nothing more, for now
    (14 * DAY, {M}, EVERY, None),  # a stage passed over is not gone back to
])
def test_the_next_stage_comes_from_how_long_it_waited_and_what_was_done(waited, done, possible, expected):
    assert next_stage(waited, frozenset(done), frozenset(possible), TIMING) == expected


def test_the_stages_must_come_in_order():
    with pytest.raises(ValidationError, match="L5"):
        Settings(_env_file=None, chase_again_after_days=7, chase_lead_after_days=7)
    assert ChaseTiming.of(Settings(_env_file=None)) == TIMING


# --- the job ------------------------------------------------------------------------------------------------------
@pytest.fixture
def managed(settings):
    return settings.model_copy(update={"managers_channel": "C0MANAGERS"})


@pytest.fixture
def group(db):
    """Alex (lead, staff), Val (volunteer) and Sam (not on Slack: asked through Alex) asked to confirm (M8)."""
    group_id = put_on_register(SimpleNamespace(db=db))
    with db.transaction() as session:
        asked_at = session.scalar(select(func.min(ModeratorConfirmation.requested_at)))
    return SimpleNamespace(id=group_id, asked_at=asked_at)


def run(db, settings, at) -> list[Notice]:
    with db.transaction() as session:
        queued = chase(session, at, settings)
        session.expunge_all()
        return queued


def chased(db) -> list[tuple[str, str]]:
    with db.transaction() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action.like("%.chased")))
        return sorted((e.subject_type, e.details["stage"]) for e in entries)


def named(db, notices) -> list[tuple[str, str | None]]:
    with db.transaction() as session:
        people = {p: n for p, n in ((person(db, STAFF), "Alex"), (person(db, VOLUNTEER), "Val"))}
    return sorted((n.kind, people.get(n.person_id, n.destination)) for n in notices)


def listed(notice) -> list[str]:
    return [what for what, _ in notice.data["items"]]


def test_a_confirmation_is_asked_again_then_the_lead_hears_then_the_managers_each_once(db, managed, group):
    start = group.asked_at
    assert run(db, managed, start + 2 * DAY) == []

    again = run(db, managed, start + 3 * DAY)
    # Val is asked again; Alex again, with Sam (not on Slack) in the same message, as the first time.
    assert named(db, again) == [(NoticeKind.CONFIRMATION_REQUESTED, "Alex"), (NoticeKind.CONFIRMATION_REQUESTED, "Val")]
    assert all(n.data["again"] for n in again)
    with db.transaction() as session:
        pointing = {row.request_notice_id for row in session.scalars(select(ModeratorConfirmation))}
    assert pointing == {n.id for n in again}, "an answer now closes the newer request"
    assert run(db, managed, start + 3 * DAY) == [] and run(db, managed, start + 6 * DAY) == []

    [to_lead] = run(db, managed, start + 7 * DAY)
    assert named(db, [to_lead]) == [(NoticeKind.UNANSWERED_TO_LEAD, "Alex")]
    assert len(to_lead.data["items"]) == 1, "only Val: Alex is not told about himself, nor about Sam he answers for"

    [to_managers] = run(db, managed, start + 14 * DAY)
    assert to_managers.destination == Destination.MANAGERS and listed(to_managers) == ["confirmation"] * 3
    assert run(db, managed, start + 15 * DAY) == [] and run(db, managed, start + 60 * DAY) == []
    assert [stage for _, stage in chased(db)] == sorted(["again"] * 3 + ["lead"] + ["managers"] * 3)


def test_a_closed_group_a_moderator_who_stepped_down_and_an_answer_are_not_chased(db, managed, group):
    with db.transaction() as session:
        val = session.scalars(select(Moderator).where(Moderator.name == "Val Jones")).one()
        val.stepped_down_at = group.asked_at
        alex = session.scalars(select(Moderator).where(Moderator.name == "Alex Morgan")).one()
        session.execute(update(ModeratorConfirmation).where(ModeratorConfirmation.moderator_id == alex.id)
                        .values(confirmed_at=group.asked_at, confirmed_by=alex.person_id))
    [again] = run(db, managed, group.asked_at + 3 * DAY)
    assert named(db, [again]) == [(NoticeKind.CONFIRMATION_REQUESTED, "Alex")]  # for Sam, whom he answers for
    with db.transaction() as session:
        sam = session.scalars(select(Moderator).where(Moderator.name == "Sam Patel")).one()
        assert [r.moderator_id for r in session.scalars(select(ModeratorConfirmation).where(
            ModeratorConfirmation.request_notice_id == again.id))] == [sam.id]

    with db.transaction() as session:
        session.get(Group, group.id).closed_at = group.asked_at + 4 * DAY
    assert run(db, managed, group.asked_at + 14 * DAY) == []
    assert len(chased(db)) == 1


def test_without_a_managers_destination_the_last_stage_waits_for_one(db, settings, managed, group):
    start = group.asked_at
    for days in (3, 7, 14, 20):
        run(db, settings, start + days * DAY)
    with db.transaction() as session:
        claimed = session.scalars(select(JobRun.due_key).where(JobRun.job == CHASE_JOB)).all()
    assert claimed and not [key for key in claimed if key.endswith(":managers")]
    [to_managers] = run(db, managed, start + 21 * DAY)
    assert len(to_managers.data["items"]) == 3


def test_only_the_latest_round_of_check_ins_is_chased(db, managed, group):
    with db.transaction() as session:
        session.execute(update(ModeratorConfirmation).values(confirmed_at=group.asked_at))
        first = session.get(Group, group.id)
        for due_on, asked_at in ((group.asked_at.date(), group.asked_at), (group.asked_at.date() + 182 * DAY,
                                                                            group.asked_at + 182 * DAY)):
            rows = [ModeratorCheckin(group_id=first.id, moderator_id=m.id, due_on=due_on, asked_at=asked_at,
                                     on_behalf=False) for m in first.moderators]
            session.add_all(rows)
            session.flush()
            for checkin_id, message in ask_checkins(session, first, rows).items():
                next(r for r in rows if r.id == checkin_id).request_notice_id = message.id
    assert run(db, managed, group.asked_at + 30 * DAY) == [], "the older round was followed by a newer one"
    again = run(db, managed, group.asked_at + 185 * DAY)
    assert named(db, again) == [(NoticeKind.CHECKIN_REQUESTED, "Alex"), (NoticeKind.CHECKIN_REQUESTED, "Val")]
    with db.transaction() as session:
        latest = session.scalars(select(ModeratorCheckin).where(ModeratorCheckin.asked_at > group.asked_at)).all()
    assert {r.request_notice_id for r in latest} == {n.id for n in again}
