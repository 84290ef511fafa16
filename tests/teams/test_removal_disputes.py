"""A permanent removal never dead-ends in Teams either (R2, R3), over HTTP: "I don't agree" with the reason typed on
the card reaches the logger with what they can do next; the logger withdraws from their card; with no staff
moderator on Teams, the logger chooses a member of staff to agree. Refusals change nothing and are recorded."""
from __future__ import annotations

from sqlalchemy import select

from flows.groups.models import Group, Moderator
from flows.removals.models import RemovalDecision
from tests.teams.cards import actions, inputs
from tests.teams.chat import says
from tests.teams.conftest import STAFF, STAFF_2, VOLUNTEER
from tests.teams.support import add_group, audit, person
from tests.teams.test_notices import cards_in, chat_of, deliver, with_channel  # noqa: F401 (fixtures)

REASON = "They have had one warning only: ask them to change their behaviour first."


def decision(db) -> RemovalDecision:
    with db.transaction() as session:
        row = session.scalars(select(RemovalDecision)).one()
        session.expunge(row)
        return row


def log_permanent(chat, user, group_id):
    return chat.click(user, chat.say(user, "log removal"), "Log the removal", group=str(group_id), member_ref="JB",
                      kind="permanent", breaches="bullying")


def test_a_disagreement_reaches_the_logger_with_its_reason_and_what_they_can_do_next(teams_app, chat, deliver):
    app = teams_app
    log_permanent(chat, VOLUNTEER, add_group(app.db))
    deliver(app.teams.model_copy(update={"teams_service_url": app.connector.service_url}))
    ask = cards_in(app.connector, chat_of(app.connector, STAFF))[-1]
    assert {"Agree (staff moderator)", "I don't agree"} <= set(actions(ask)) and "reason" in inputs(ask)

    empty = chat.click(STAFF, ask, "I don't agree", conversation=chat_of(app.connector, STAFF), reason="")
    assert says(empty, "Say why, in a sentence or two") and decision(app.db).status == "awaiting_agreement"
    done = chat.click(STAFF, empty, "I don't agree", conversation=chat_of(app.connector, STAFF), reason=REASON)
    assert says(done, "Not agreed by a staff moderator", "Not agreed: by Alex Morgan", REASON)
    assert "Agree (staff moderator)" not in actions(done)

    deliver(app.teams.model_copy(update={"teams_service_url": app.connector.service_url}))
    told = cards_in(app.connector, VOLUNTEER.chat_id)[-1]
    assert says(told, "About the removal you logged", REASON, "What you can do next", "talk to Alex Morgan",
                "add them back to the group")
    assert "Withdraw" not in actions(told)
    [bea_ask] = app.connector.activities(chat_of(app.connector, STAFF_2))[:1]
    assert actions(bea_ask["attachments"][0]["content"]) == {}, "the other request closed in place"
    assert [e.actor for e in audit(app.db, "removal.not_agreed")] == [person(app.db, STAFF)]


def test_someone_elses_disagree_or_withdraw_changes_nothing_and_is_recorded(teams_app, chat):
    db = teams_app.db
    card = log_permanent(chat, VOLUNTEER, add_group(db))
    assert "Withdraw" in actions(card)
    refused = chat.click(STAFF, card, "Withdraw")
    assert says(refused, "Only the person who logged this removal can withdraw it. Nothing has changed.")
    refused = chat.click(VOLUNTEER, card, "I don't agree", reason="No.")
    assert says(refused, "You logged this removal")
    row = decision(db)
    assert (row.status, row.withdrawn_at, row.disagreed_by) == ("awaiting_agreement", None, None)
    assert [e.details["refused"] for e in audit(db, "removal.withdraw_refused")] == ["only_the_logger_withdraws"]
    assert [e.details["refused"] for e in audit(db, "removal.disagree_refused")] == ["logged_it_cannot_agree"]


def test_the_logger_withdraws_and_the_sign_off_card_says_so_in_place(with_channel, chat, deliver):
    app = with_channel
    card = log_permanent(chat, STAFF_2, add_group(app.db))  # a staff moderator's own log waits for sign-off
    deliver(app.teams)
    [request] = app.connector.activities("19:approvals@thread.tacv2")
    withdrawn = chat.click(STAFF_2, card, "Withdraw")
    assert says(withdrawn, "Withdrawn by the person who logged it") and "Withdraw" not in actions(withdrawn)
    deliver(app.teams)
    [now] = app.connector.activities("19:approvals@thread.tacv2")
    shown = now["attachments"][0]["content"]
    assert now["id"] == request["id"] and says(shown, "Withdrawn by the person who logged it")
    assert actions(shown) == {}
    assert decision(app.db).status == "withdrawn"


def test_with_no_staff_moderator_on_teams_the_logger_asks_a_member_of_staff_who_agrees(teams_app, chat, deliver):
    db = teams_app.db
    val = person(db, VOLUNTEER)
    with db.transaction() as session:
        group = Group(kind="parent_carers", name="Amaze Seaford Parents", official=True, created_by=val, moderators=[
            Moderator(name="Val Jones", role="volunteer", person_id=val, is_lead=True, added_by=val),
            Moderator(name="Pat Offline", role="staff", person_id=None, added_by=val),
        ])
        session.add(group)
        session.flush()
        group_id = group.id
    card = log_permanent(chat, VOLUNTEER, group_id)
    assert says(card, "No staff moderator of the group is on Teams")
    offered = [c["title"] for c in inputs(card)["staff"]["choices"]]
    assert "Bea Hughes" in offered and "Val Jones" not in offered

    crafted = chat.click(VOLUNTEER, card, "Ask this member of staff", staff=val)
    assert says(crafted, "someone else agrees to it") and decision(db).agreement_asked_of is None
    asked = chat.click(VOLUNTEER, crafted, "Ask this member of staff", staff=person(db, STAFF_2))
    assert says(asked, "Asked to agree: Bea Hughes, a member of staff")
    assert "Ask this member of staff" not in actions(asked)
    assert decision(db).agreement_asked_of == person(db, STAFF_2)

    deliver(teams_app.teams.model_copy(update={"teams_service_url": teams_app.connector.service_url}))
    request = cards_in(teams_app.connector, chat_of(teams_app.connector, STAFF_2))[-1]
    agreed = chat.click(STAFF_2, request, "Agree (staff moderator)",
                        conversation=chat_of(teams_app.connector, STAFF_2))
    assert says(agreed, "Waiting for a senior manager's sign-off", "Staff agreement: by Bea Hughes")
    assert decision(db).status == "awaiting_sign_off"
