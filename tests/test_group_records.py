"""P4/P5 for a group's life: a closed group's records go RETENTION_CLOSED_GROUPS_DAYS after it closed (not a day
before; not while one of its removal decisions is kept; not once it is reopened), and a welcomed member is found by
subject access and pseudonymised by erasure like any member reference. Services are driven directly; the purge runs
through the scheduler as the clock process runs it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from flows.groups.lifecycle import GroupLifecycle
from flows.groups.models import Group, MemberWelcome, Moderator
from flows.groups.welcomes import Welcomes
from flows.moderation.models import ModeratorConfirmation
from flows.wizard.models import WizardDraft
from tests.support import STAFF, VOLUNTEER, TestClock, add_lewes_group, directory_by_id, roles_by_id
from tests.test_retention import START, Purge, count, day, log
from tests.test_rights import access, flows_command, section

CLOSE = {"closed_as": "closed", "reason": "The group has finished its work"}


@pytest.fixture
def ours(settings):
    return roles_by_id(settings)


@pytest.fixture
def clock():
    return TestClock(START)


@pytest.fixture
def life(db, ours, clock):
    directory = directory_by_id(db, ours)
    return GroupLifecycle(db, ours, directory, clock=clock), Welcomes(db, ours, clock=clock), directory


def lived_in(db, life) -> int:
    """A group with a confirmation, a welcomed member and the wizard that registered it."""
    _, welcomes, _ = life
    group_id = add_lewes_group(db)
    with db.transaction() as session:
        alex = session.scalars(select(Moderator).where(Moderator.group_id == group_id, Moderator.name == "Alex")).one()
        session.add(ModeratorConfirmation(moderator_id=alex.id, group_id=group_id, on_behalf=False))
        session.add(WizardDraft(id=f"draft-{group_id}", user_id=STAFF, step="review", data={}, group_id=group_id))
    assert welcomes.welcome(group_id, VOLUNTEER, "J.S.").done
    return group_id


def test_a_closed_group_goes_after_its_period_with_its_records_and_not_a_day_before(db, ours, life, clock):
    changes, _, _ = life
    purge = Purge(db, ours, clock)
    closed, kept_open = lived_in(db, life), lived_in(db, life)
    assert changes.close(closed, STAFF, CLOSE).done
    period = ours.retention_closed_groups_days

    purge(day(period - 1))
    assert count(db, Group) == 2 and count(db, MemberWelcome) == 2
    purge(day(period + 1))
    assert [g for g in (closed, kept_open) if count(db, Group, Group.id == g)] == [kept_open]
    for model in (Moderator, MemberWelcome, ModeratorConfirmation, WizardDraft):
        assert count(db, model, model.group_id == closed) == 0, model
        assert count(db, model, model.group_id == kept_open) >= 1, model


def test_a_reopened_group_and_one_with_a_removal_decision_kept_stay(db, ours, life, clock):
    changes, _, directory = life
    purge = Purge(db, ours, clock)
    reopened, with_decision = lived_in(db, life), lived_in(db, life)
    from flows.removals.service import RemovalService

    # A permanent removal still waiting for its sign-off is kept however long ago it was logged.
    log(RemovalService(db, ours, directory, clock=clock), with_decision, "key-1")
    for group_id in (reopened, with_decision):
        assert changes.close(group_id, STAFF, CLOSE).done
    assert changes.reopen(reopened, STAFF).done
    purge(day(ours.retention_closed_groups_days + 1))
    assert count(db, Group) == 2


def test_a_welcomed_member_is_in_subject_access_and_erased_like_any_member(db, life, tmp_path):
    group_id = lived_in(db, life)
    document = access(db.url, tmp_path, "--member", "j.s.", "--group", str(group_id))
    welcomed = section(document, "When j.s. joined")
    assert "J.S." in welcomed and VOLUNTEER not in welcomed

    done = flows_command(db.url, "erase", "--member", "J.S.", "--group", str(group_id), "--yes")
    assert done.returncode == 0, done.stderr
    pseudonym = done.stdout.split("now say ")[1].split(".")[0]
    with db.transaction() as session:
        assert session.scalars(select(MemberWelcome.member_ref)).all() == [pseudonym]
