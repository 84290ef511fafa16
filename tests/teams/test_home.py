"""The home card ("home"): what waits for the person, their groups, and for staff the register a page at a time."""
from __future__ import annotations

from flows.groups.models import Group
from tests.teams.chat import says
from tests.teams.conftest import STAFF, VOLUNTEER
from tests.teams.support import add_group, person


def add_groups(db, count: int) -> None:
    creator = person(db, STAFF)
    with db.transaction() as session:
        session.add_all(Group(kind="work_staff", name=f"Amaze Staff Team {n:02d}", official=True, created_by=creator)
                        for n in range(count))


def test_staff_page_through_the_register(teams_app, chat):
    add_groups(teams_app.db, 45)
    home = chat.say(STAFF, "home")
    assert says(home, "The register", "(1–20 of 45; page 1 of 3)", "Amaze Staff Team 00", "Amaze Staff Team 19")
    assert not says(home, "Amaze Staff Team 20")
    second = chat.click(STAFF, home, "Next page")
    assert says(second, "21–40 of 45; page 2 of 3", "Amaze Staff Team 20")
    third = chat.click(STAFF, second, "Next page")
    assert says(third, "41–45 of 45; page 3 of 3") and "Next page" not in str(third.get("actions"))
    back = chat.click(STAFF, third, "Previous page")
    assert says(back, "page 2 of 3")


def test_a_page_number_from_a_crafted_button_is_read_safely(teams_app, chat):
    add_groups(teams_app.db, 3)
    home = chat.say(STAFF, "home")
    action = {"type": "Action.Execute", "title": "Next page", "verb": "home.page",
              "data": {"verb": "home.page", "page": "999999999999"}}
    crafted = chat.click(STAFF, {"actions": [action]}, "Next page")
    assert says(crafted, "page 1 of 1")
    assert says(home, "page 1 of 1")


def test_a_volunteer_sees_their_groups_but_not_the_register(teams_app, chat):
    add_group(teams_app.db)
    add_groups(teams_app.db, 2)
    home = chat.say(VOLUNTEER, "home")
    assert says(home, "Your groups", "Amaze Lewes Parents")
    assert not says(home, "The register") and not says(home, "Amaze Staff Team")


def test_anything_else_typed_gets_the_list_of_commands(teams_app, chat):
    card = chat.say(VOLUNTEER, "hello?")
    assert says(card, "new group", "report group", "log removal", "home")
