"""Removals in Teams, over HTTP: logged on a card (R1), agreed by a staff moderator and signed off by a senior
manager (R2) from the decision's card; refusals change nothing and are recorded."""
from __future__ import annotations

import threading
from datetime import date, timedelta

from sqlalchemy import select

from flows.removals.models import RemovalDecision
from tests.teams.cards import inputs
from tests.teams.chat import says
from tests.teams.conftest import MANAGER, MANAGER_2, STAFF, STAFF_2, VOLUNTEER
from tests.teams.support import add_group, audit, count, person


def decision(db) -> RemovalDecision:
    with db.transaction() as session:
        row = session.scalars(select(RemovalDecision)).one()
        session.expunge(row)
        return row


def log_permanent(app, chat, user=VOLUNTEER):
    group_id = add_group(app.db)
    form = chat.say(user, "log removal")
    assert [c["title"] for c in inputs(form)["group"]["choices"]] == ["Amaze Lewes Parents"]
    card = chat.click(user, form, "Log the removal", group=str(group_id), member_ref="JB", kind="permanent",
                      breaches="bullying,language", tried_first="warned", notes="")
    return card


def test_a_permanent_removal_is_logged_agreed_and_signed_off_from_its_card(teams_app, chat):
    db = teams_app.db
    card = log_permanent(teams_app, chat)
    assert says(card, "Removal from Amaze Lewes Parents", "Waiting for a staff moderator of the group to agree",
                "JB", "Bullying, Use of language", "by Val Jones")
    row = decision(db)
    assert (row.status, row.logged_by) == ("awaiting_agreement", person(db, VOLUNTEER))

    # The staff moderator finds it on their home card and agrees.
    home = chat.say(STAFF, "home")
    assert says(home, "Agree to a permanent removal from Amaze Lewes Parents (JB), logged by Val Jones")
    opened = chat.click(STAFF, home, "Open")
    agreed = chat.click(STAFF, opened, "Agree (staff moderator)")
    assert says(agreed, "Waiting for a senior manager's sign-off", "Staff agreement: by Alex Morgan")
    assert decision(db).status == "awaiting_sign_off"

    home = chat.say(MANAGER, "home")
    assert says(home, "Sign off a permanent removal from Amaze Lewes Parents (JB)")
    opened = chat.click(MANAGER, home, "Open")
    approved = chat.click(MANAGER, opened, "Approve")
    assert says(approved, "Approved", "by Sam Senior")
    assert "Approve" not in [a for a in _buttons(approved)], "a decided removal has no buttons"
    row = decision(db)
    assert (row.status, row.agreed_by, row.decided_by) == ("approved", person(db, STAFF), person(db, MANAGER))
    assert [e.actor for e in audit(db, "removal.approved")] == [person(db, MANAGER)]


def test_a_rejection_needs_a_reason_shown_under_its_field(teams_app, chat):
    db = teams_app.db
    log_permanent(teams_app, chat)
    opened = chat.click(STAFF, chat.say(STAFF, "home"), "Open")
    signed = chat.click(STAFF, opened, "Agree (staff moderator)")
    refused = chat.click(MANAGER, signed, "Reject", reason="")
    assert says(refused, "Say why, in a sentence or two")
    assert decision(db).status == "awaiting_sign_off"
    rejected = chat.click(MANAGER, refused, "Reject", reason="The moderators had not warned them first.")
    assert says(rejected, "Rejected", "The moderators had not warned them first.")
    assert decision(db).status == "rejected"


def test_a_volunteer_pressing_approve_changes_nothing_and_is_recorded(teams_app, chat):
    db = teams_app.db
    group_id = add_group(db)
    waiting = chat.click(STAFF_2, chat.say(STAFF_2, "log removal"), "Log the removal", group=str(group_id),
                         member_ref="JB", kind="permanent", breaches="bullying")
    assert decision(db).status == "awaiting_sign_off"
    refused = chat.click(VOLUNTEER, waiting, "Approve")
    assert says(refused, "Only a senior manager can approve or reject a permanent removal (R2). Nothing has changed.")
    assert decision(db).status == "awaiting_sign_off" and decision(db).decided_by is None
    [entry] = audit(db, "removal.approve_refused")
    assert (entry.actor, entry.details["refused"]) == (person(db, VOLUNTEER), "not_senior_manager")
    refused = chat.click(VOLUNTEER, waiting, "Reject", reason="I don't agree")
    assert says(refused, "Only a senior manager can approve or reject")
    assert decision(db).status == "awaiting_sign_off" and len(audit(db, "removal.reject_refused")) == 1


def test_the_staff_moderator_who_agreed_cannot_sign_off_too(teams_app, chat):
    db = teams_app.db
    log_permanent(teams_app, chat)
    waiting = chat.click(STAFF, chat.click(STAFF, chat.say(STAFF, "home"), "Open"), "Agree (staff moderator)")
    # R2 asks for two people: the one who agreed is not the one who signs off, even as a senior manager would.
    refused = chat.click(STAFF, waiting, "Approve")
    assert says(refused, "You gave the staff agreement to this removal, so another senior manager signs it off.")
    refused = chat.click(VOLUNTEER, waiting, "Approve")
    assert says(refused, "You logged this removal, so another senior manager signs it off.")
    assert decision(db).status == "awaiting_sign_off"
    assert len(audit(db, "removal.approve_refused")) == 2


def test_the_logger_cannot_agree_to_their_own_removal(teams_app, chat):
    db = teams_app.db
    group_id = add_group(db)
    form = chat.say(STAFF_2, "log removal")
    card = chat.click(STAFF_2, form, "Log the removal", group=str(group_id), member_ref="CL-12345",
                      kind="permanent", breaches="safeguarding")
    # A staff moderator logging it is the staff agreement itself (R2): it waits for a senior manager at once.
    assert says(card, "Waiting for a senior manager's sign-off", "their own log as a staff moderator")
    assert decision(db).status == "awaiting_sign_off"
    refused = chat.click(STAFF_2, card, "Approve")
    assert says(refused, "You logged this removal, so another senior manager signs it off.")


def test_concurrent_approve_clicks_make_one_decision(teams_app, chat):
    db = teams_app.db
    log_permanent(teams_app, chat)
    waiting = chat.click(STAFF, chat.click(STAFF, chat.say(STAFF, "home"), "Open"), "Agree (staff moderator)")
    answers = []

    def approve(user):
        answers.append(chat.click(user, waiting, "Approve"))

    threads = [threading.Thread(target=approve, args=(u,)) for u in (MANAGER, MANAGER_2, MANAGER, MANAGER_2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert len(answers) == 4
    row = decision(db)
    assert row.status == "approved" and row.decided_by in {person(db, MANAGER), person(db, MANAGER_2)}
    assert len(audit(db, "removal.approved")) == 1, "one decision, however many clicks"
    assert sum(says(a, "Someone got there first") for a in answers) == 3


def test_a_log_form_with_mistakes_says_what_is_wrong_where_and_stores_nothing(teams_app, chat):
    db = teams_app.db
    group_id = add_group(db)
    form = chat.say(STAFF, "log removal")
    card = chat.click(STAFF, form, "Log the removal", group=str(group_id), member_ref="Jane Bloggs",
                      kind="temporary", review_on=(date.today() - timedelta(days=1)).isoformat())
    assert says(card, "The review date must be in the future", "Choose which part of the group agreement")
    assert inputs(card)["member_ref"].get("value") == "Jane Bloggs" or says(card, "initials")
    assert count(db, RemovalDecision) == 0
    fixed = chat.click(STAFF, card, "Log the removal", member_ref="JB", breaches="respect",
                       review_on=(date.today() + timedelta(days=14)).isoformat())
    assert says(fixed, "Recorded (temporary removal)", "Review on")
    assert count(db, RemovalDecision) == 1


def _buttons(card):
    from tests.teams.cards import actions

    return list(actions(card))
