"""Reports of unofficial groups in Teams, over HTTP: anyone files one (U1); staff take the case through its states
(U2) from its card; someone who may not act changes nothing and is recorded."""
from __future__ import annotations

from sqlalchemy import select

from flows.reports.models import UnofficialGroupCase, UnofficialGroupReport
from tests.teams.chat import says
from tests.teams.conftest import STAFF, STAFF_2, VOLUNTEER
from tests.teams.support import audit, count, person


def case(db) -> UnofficialGroupCase:
    with db.transaction() as session:
        row = session.scalars(select(UnofficialGroupCase)).one()
        session.expunge(row)
        return row


def file_report(chat, user=VOLUNTEER, name="Amaze Mums Chat"):
    form = chat.say(user, "report group")
    return chat.click(user, form, "Send the report", name=name, where_seen="whatsapp",
                      how_found="A parent told me about it.", knows_who_runs="no")


def test_a_report_goes_through_its_states_from_its_card(teams_app, chat):
    db = teams_app.db
    thanks = file_report(chat)
    assert says(thanks, "Reported: Amaze Mums Chat", "Staff are told")
    assert case(db).state == "reported" and case(db).reported_by == person(db, VOLUNTEER)

    home = chat.say(STAFF, "home")
    assert says(home, "Unofficial group “Amaze Mums Chat”: Reported: nobody has taken it on yet (1 report)")
    opened = chat.click(STAFF, home, "Open")
    assert says(opened, "Uses the name: Amaze", "WhatsApp: A parent told me about it.")
    approached = chat.click(STAFF, opened, "I'll approach them")
    assert says(approached, "Being approached", "Taken on by: Alex Morgan")
    assert (case(db).state, case(db).owner_id) == ("approached", person(db, STAFF))
    renamed = chat.click(STAFF, approached, "They renamed it")
    assert says(renamed, "Renamed: done", "Finished by: Alex Morgan")
    assert case(db).state == "renamed"
    assert not [a for a in renamed.get("actions") or []], "a finished case has no buttons"


def test_the_same_report_sent_twice_is_filed_once_and_a_second_reporter_is_linked(teams_app, chat):
    db = teams_app.db
    form = chat.say(VOLUNTEER, "report group")
    values = dict(name="Amaze Mums Chat", where_seen="facebook", how_found="Seen on Facebook.")
    chat.click(VOLUNTEER, form, "Send the report", **values)
    chat.click(VOLUNTEER, form, "Send the report", **values)
    assert count(db, UnofficialGroupReport) == 1
    linked = file_report(chat, STAFF_2, name="amaze mums chat")
    assert says(linked, "Staff already know about this group")
    assert count(db, UnofficialGroupReport) == 2 and count(db, UnofficialGroupCase) == 1


def test_no_action_needs_a_reason(teams_app, chat):
    db = teams_app.db
    file_report(chat)
    opened = chat.click(STAFF, chat.say(STAFF, "home"), "Open")
    refused = chat.click(STAFF, opened, "No action needed", reason="")
    assert says(refused, "Say in a few words why no action is needed")
    assert case(db).state == "reported"
    done = chat.click(STAFF, refused, "No action needed", reason="The group closed itself last week.")
    assert says(done, "No action needed: done", "The group closed itself last week.")


def test_a_volunteer_pressing_a_case_button_changes_nothing_and_is_recorded(teams_app, chat):
    db = teams_app.db
    file_report(chat)
    opened = chat.click(STAFF, chat.say(STAFF, "home"), "Open")
    refused = chat.click(VOLUNTEER, opened, "I'll approach them")
    assert says(refused, "Only staff can act on reports")
    assert case(db).state == "reported" and case(db).owner_id is None
    [entry] = audit(db, "unofficial_group.refused")
    assert entry.actor == person(db, VOLUNTEER)


def test_a_report_with_personal_details_is_refused_where_they_are_and_kept_nowhere(teams_app, chat):
    db = teams_app.db
    form = chat.say(VOLUNTEER, "report group")
    refused = chat.click(VOLUNTEER, form, "Send the report", name="Amaze Mums Chat", where_seen="whatsapp",
                         how_found="Jane on 07700 900123 told me")
    assert says(refused, "phone number")
    assert "07700 900123" not in str(refused), "refused text is not sent back either"
    assert count(db, UnofficialGroupReport) == 0
