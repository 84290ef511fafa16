"""The App Home's queries: they read what flows.moderation reads, group by group, but for a whole page (or the whole
register) at once in the database, and the number of statements they issue does not grow with the register."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, insert, select

from flows.directory.service import Role
from flows.groups.models import Group, Moderator
from flows.home import RegisterFilter, compose
from flows.home.conditions import GroupConditions
from flows.home.register import PAGE_SIZE
from flows.home.waiting import (
    checkins_to_answer,
    circulations_to_record,
    confirmations_to_give,
)
from flows.moderation import queries as moderation
from flows.moderation.models import (
    AgreementCirculation,
    ModeratorCheckin,
    ModeratorConfirmation,
    ModeratorVacancy,
)
from flows.moderation.queries import Intervals, Standing
from flows.policy.types import GroupKind
from tests.conftest import MANAGER, PCF_STAFF, STAFF, STAFF_2, VOLUNTEER
from tests.support import people_by_their_id

LONDON = ZoneInfo("Europe/London")
# A summer day, so that the moderators' calendar (BST) and UTC differ by an hour at midnight.
ON = date(2025, 7, 1)
NOW = datetime(2025, 7, 1, 9, 0, tzinfo=UTC)
YEAR = Intervals().circulation


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(UTC)


def add(session, name, kind="parent_carers", moderators=(), *, created_at=NOW - timedelta(days=30), contact="Sam Senior",
        confirmed=(), created_by=STAFF) -> Group:
    """A group with moderators given as (name, role, Slack user or None, lead, stepped down); `confirmed` names those
    who have confirmed (every moderator is asked, as registration does)."""
    group = Group(kind=kind, name=name, official=GroupKind(kind).official, description="", created_by=created_by,
                  created_at=created_at, emergency_contact=contact, agreement_url="https://example.org/a")
    for mod_name, role, user, lead, stepped_down in moderators:
        group.moderators.append(Moderator(
            name=mod_name, role=role, person_id=user, is_lead=lead, added_by=STAFF, added_at=created_at,
            stepped_down_at=NOW - timedelta(days=2) if stepped_down else None,
        ))
    session.add(group)
    session.flush()
    for moderator in group.moderators:
        session.add(ModeratorConfirmation(
            moderator_id=moderator.id, group_id=group.id, requested_at=created_at,
            confirmed_at=NOW if moderator.name in confirmed else None,
            confirmed_by=STAFF if moderator.name in confirmed else None,
        ))
    session.flush()
    return group


def m(name, role, user=None, lead=False, stepped_down=False):
    return (name, role, user, lead, stepped_down)


ALEX = m("Alex", "staff", STAFF, lead=True)
BEA = m("Bea", "staff", STAFF_2)
VAL = m("Val", "volunteer", VOLUNTEER)
SAM = m("Sam", "volunteer")


@pytest.fixture
def varied(db):
    """A register with a group in every state the Home tells apart."""
    people_by_their_id(db, STAFF, STAFF_2, VOLUNTEER, PCF_STAFF, MANAGER)
    with db.transaction() as s:
        add(s, "Complete", moderators=[ALEX, VAL], confirmed={"Alex", "Val"})
        add(s, "Two of three", moderators=[ALEX, VAL, SAM], confirmed={"Alex", "Val"})
        add(s, "Forum with Amaze staff", kind="pcf_members", moderators=[ALEX], confirmed={"Alex"})
        add(s, "Forum complete", kind="pcf_members", moderators=[m("Priya", "pcf_staff", PCF_STAFF, True)],
            confirmed={"Priya"})
        add(s, "Volunteers alone", kind="work_volunteers", moderators=[VAL], confirmed={"Val"})
        add(s, "No moderators", moderators=[])
        lead_gone = add(s, "Lead stepped down", moderators=[m("Alex", "staff", STAFF, True, True), BEA, VAL],
                        confirmed={"Alex", "Bea", "Val"})
        s.add(ModeratorVacancy(group_id=lead_gone.id, moderator_id=lead_gone.moderators[0].id, opened_by=STAFF,
                               opened_at=NOW - timedelta(days=2)))
        add(s, "Staff not on Slack", moderators=[m("Off Slack", "staff"), VAL], confirmed={"Off Slack", "Val"})
        add(s, "No emergency contact", moderators=[ALEX, VAL], confirmed={"Alex", "Val"}, contact=None)
        add(s, "Staff only, no contact", moderators=[ALEX, BEA], confirmed={"Alex", "Bea"}, contact=None)
        add(s, "Work staff", kind="work_staff")
        add(s, "Coffee mornings", kind="informal_social", created_by=VOLUNTEER)
        # A3: due exactly on ON (registered at the first moment of its local day, a year before), the day after,
        # an hour before local midnight (so the UTC day is the day before), circulated lately, circulated long ago.
        add(s, "Due today", moderators=[ALEX], confirmed={"Alex"}, created_at=local_midnight(ON - YEAR))
        add(s, "Due tomorrow", moderators=[ALEX], confirmed={"Alex"},
            created_at=local_midnight(ON - YEAR + timedelta(days=1)) - timedelta(microseconds=1) + timedelta(hours=1))
        add(s, "Due tomorrow, late in the UTC day", moderators=[ALEX], confirmed={"Alex"},
            created_at=local_midnight(ON - YEAR + timedelta(days=1)) + timedelta(minutes=30))
        lately = add(s, "Circulated lately", moderators=[ALEX], confirmed={"Alex"}, created_at=NOW - 2 * YEAR)
        s.add(AgreementCirculation(group_id=lately.id, due_on=ON - timedelta(days=20), reminded_at=NOW - timedelta(days=20),
                                   circulated_at=NOW - timedelta(days=10), circulated_by=STAFF))
        s.add(AgreementCirculation(group_id=lately.id, due_on=ON + timedelta(days=1), reminded_at=NOW))
        long_ago = add(s, "Circulated long ago", kind="young_people", moderators=[ALEX], confirmed={"Alex"},
                       created_at=NOW - 3 * YEAR)
        s.add(AgreementCirculation(group_id=long_ago.id, due_on=ON - YEAR - timedelta(days=40),
                                   reminded_at=NOW - YEAR - timedelta(days=40),
                                   circulated_at=NOW - YEAR - timedelta(days=30), circulated_by=STAFF))
        # M9: the latest check unanswered by Sam (answered for by Alex, the lead); an older unanswered check does not
        # count once a later one is asked; nor does a check of someone who has stepped down.
        checked = add(s, "Check unanswered", moderators=[ALEX, VAL, SAM], confirmed={"Alex", "Val", "Sam"})
        old = add(s, "Old check only", moderators=[ALEX, VAL], confirmed={"Alex", "Val"})
        gone = add(s, "Check of a leaver", moderators=[ALEX, m("Val", "volunteer", VOLUNTEER, False, True), BEA],
                   confirmed={"Alex", "Val", "Bea"})
        for group, due, answers in (
            (checked, ON - timedelta(days=3), {"Alex": "able", "Val": None, "Sam": None}),
            (checked, ON - timedelta(days=200), {"Alex": None}),
            (old, ON - timedelta(days=200), {"Val": None}),
            (old, ON - timedelta(days=3), {"Val": "able", "Alex": "able"}),
            (gone, ON - timedelta(days=3), {"Val": None, "Alex": "able", "Bea": "able"}),
        ):
            for moderator in group.moderators:
                if moderator.name in answers:
                    s.add(ModeratorCheckin(group_id=group.id, moderator_id=moderator.id, due_on=due,
                                           asked_at=local_midnight(due), answer=answers[moderator.name],
                                           answered_at=NOW if answers[moderator.name] else None))
    return db


def one_by_one(db):
    with db.transaction() as s:
        ids = s.scalars(select(Group.id).order_by(Group.id)).all()
        return {i: moderation.group_state(s, i, on=ON) for i in ids}


def test_a_pages_states_cover_every_state_and_say_how_many_have_confirmed(varied):
    expected = one_by_one(varied)
    assert {st.status for st in expected.values()} == set(Standing)
    by_name = {st.name: st for st in expected.values()}
    assert by_name["Two of three"].summary == (
        "2 of 3 moderators have confirmed they read the policy and the group agreement"
    )
    assert [n for n, st in by_name.items() if any("A3" in t for t in st.to_do)] == [
        "Due today", "Circulated long ago"
    ]
    assert [n for n, st in by_name.items() if any("M9" in t for t in st.to_do)] == ["Check unanswered"]


def test_the_registers_filters_in_sql_agree_with_each_groups_state(varied):
    expected = one_by_one(varied)
    conditions = GroupConditions(Intervals(), ON)
    with varied.transaction() as s:
        for status in Standing:
            found = set(s.scalars(select(Group.id).where(conditions.status_is(status))))
            assert found == {i for i, st in expected.items() if st.status is status}, status
        found = set(s.scalars(select(Group.id).where(conditions.needs_attention)))
        assert found == {i for i, st in expected.items() if st.needs_attention}


@pytest.mark.parametrize("user", [STAFF, STAFF_2, VOLUNTEER, PCF_STAFF, MANAGER])
def test_what_waits_for_someone_is_what_flows_moderation_lists(varied, user):
    with varied.transaction() as s:
        confirmations = confirmations_to_give(s, user, limit=1000)
        assert [(c.confirmation_id, c.group_name, c.moderator_name, c.on_behalf) for c in confirmations.items] == [
            (c.confirmation_id, c.group_name, c.moderator_name, c.on_behalf)
            for c in moderation.confirmations_to_give(s, user)
        ]
        checkins = checkins_to_answer(s, user, limit=1000)
        assert [(c.checkin_id, c.moderator_name, c.due_on, c.on_behalf) for c in checkins.items] == [
            (c.checkin_id, c.moderator_name, c.due_on, c.on_behalf) for c in moderation.checkins_to_answer(s, user)
        ]
        circulations = circulations_to_record(s, user, limit=1000)
        assert [(c.circulation_id, c.due_on) for c in circulations.items] == [
            (c.circulation_id, c.due_on) for c in moderation.circulations_to_record(s, user)
        ]
        assert confirmations.total == len(confirmations.items)
        # Capped lists still count everything.
        assert confirmations_to_give(s, user, limit=1).total == confirmations.total


def test_someones_groups_are_the_groups_flows_moderation_gives_them_those_needing_attention_first(varied):
    with varied.transaction() as s:
        home = compose(s, VOLUNTEER, frozenset(), on=ON)
        theirs = moderation.my_groups(s, VOLUNTEER, on=ON)
    assert home.my_groups.total == len(theirs)
    shown = home.my_groups.items
    assert {st.group_id for st in shown} <= {st.group_id for st in theirs}
    assert [st.needs_attention for st in shown] == sorted((st.needs_attention for st in shown), reverse=True)
    assert home.register is None and home.undelivered is None


# --- thousands of groups --------------------------------------------------------------------------------------------
def bulk_register(db, count: int, created_by: str = STAFF) -> None:
    """`count` groups, fast (a few multi-row INSERTs): three kinds in turn, each with a lead on Slack who has
    confirmed and a volunteer not on Slack who has not (so every group is incomplete, and the lead has a
    confirmation to give for each)."""
    people_by_their_id(db, STAFF, created_by)
    kinds = ["parent_carers", "work_volunteers", "young_people"]
    with db.transaction() as s:
        start = s.scalar(select(func.count()).select_from(Group))
        s.execute(insert(Group.__table__), [
            {"kind": kinds[i % 3], "name": f"Bulk group {i:05d}", "official": True, "description": "",
             "advice": [], "created_by": created_by, "created_at": NOW, "emergency_contact": "Sam Senior"}
            for i in range(start, start + count)
        ])
        ids = s.scalars(select(Group.id).where(Group.name.like("Bulk group %")).order_by(Group.id)).all()[-count:]
        s.execute(insert(Moderator.__table__), [row for gid in ids for row in (
            {"group_id": gid, "name": "Alex", "role": "staff", "person_id": STAFF, "is_lead": True,
             "added_by": STAFF, "added_at": NOW},
            {"group_id": gid, "name": f"Helper {gid}", "role": "volunteer", "person_id": None, "is_lead": False,
             "added_by": STAFF, "added_at": NOW},
        )])
        moderators = s.execute(
            select(Moderator.id, Moderator.group_id, Moderator.is_lead).where(Moderator.group_id.in_(ids))
        ).all()
        s.execute(insert(ModeratorConfirmation.__table__), [
            {"moderator_id": mid, "group_id": gid, "requested_at": NOW, "on_behalf": False,
             "confirmed_at": NOW if lead else None, "confirmed_by": STAFF if lead else None}
            for mid, gid, lead in moderators
        ])


@contextmanager
def counting(db):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def render(db, chosen=None, user=STAFF, roles=frozenset({Role.STAFF, Role.SENIOR_MANAGER})):
    with db.transaction() as s:
        return compose(s, user, roles, chosen or RegisterFilter(), on=ON)


def test_the_register_of_thousands_is_paged_filtered_and_counted_in_the_database(db):
    bulk_register(db, 5000)
    first = render(db)
    page = first.register.page
    assert page.total == 5000 and len(first.register.groups) == PAGE_SIZE and page.has_next
    assert [g.name for g in first.register.groups][:2] == ["Bulk group 00000", "Bulk group 00001"]
    assert all(g.summary == "1 of 2 moderators have confirmed they read the policy" for g in first.register.groups)

    second = render(db, RegisterFilter(page=1))
    assert not {g.group_id for g in second.register.groups} & {g.group_id for g in first.register.groups}
    assert second.register.page.first == PAGE_SIZE + 1

    last = render(db, RegisterFilter(page=10_000))  # past the end: the last page
    assert last.register.page.last == 5000 and not last.register.page.has_next

    young = render(db, RegisterFilter(kind=GroupKind.YOUNG_PEOPLE))
    assert young.register.page.total == 1666
    assert {g.kind for g in young.register.groups} == {GroupKind.YOUNG_PEOPLE}
    assert render(db, RegisterFilter(status=Standing.COMPLETE)).register.page.total == 0
    assert render(db, RegisterFilter(status=Standing.INCOMPLETE, needs_attention=True)).register.page.total == 5000

    # The lead has a confirmation to give for each of 5,000 helpers: a few are shown, all are counted.
    assert first.confirmations.total == 5000 and len(first.confirmations.items) == 3
    assert first.my_groups.total == 5000 and len(first.my_groups.items) == 5


def test_the_home_costs_the_same_few_statements_for_ten_groups_as_for_five_thousand(db):
    bulk_register(db, 10)
    with counting(db) as small:
        render(db)
    bulk_register(db, 4990)
    with counting(db) as first_page:
        render(db)
    with counting(db) as deep_page:
        render(db, RegisterFilter(kind=GroupKind.PARENT_CARERS, needs_attention=True, page=40))
    assert len(small) == len(first_page) == len(deep_page) <= 25, first_page
