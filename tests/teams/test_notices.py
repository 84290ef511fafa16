"""Notices delivered in Teams (the outbox's Teams adapter): each kind rendered as a card when it is delivered, to a
person's 1:1 chat (opened when the app has none yet) or to the approvals channel, and a notice that replaces another
updating the posted card in place, for everyone. The outbox's worker is driven here as the clock drives it."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from flows.outbox import Notice, NoticeKind, Outbox
from flows.outbox.dispatch import Dispatcher
from flows.removals.models import RemovalDecision
from teams.notices import TeamsAdapter
from teams.services import TeamsServices
from tests.teams.chat import CARD, checked, choice, says
from tests.teams.cards import actions
from tests.teams.conftest import MANAGER, MANAGER_2, STAFF, STAFF_2, VOLUNTEER
from tests.teams.support import add_group, person
from tests.teams.test_wizard import to_moderators

CHANNEL = "19:approvals@thread.tacv2"


@pytest.fixture
def deliver(teams_app):
    def run(teams=None):
        services = TeamsServices.build(teams_app.settings, teams or teams_app.teams, teams_app.db,
                                       teams_app.authority.token_provider)
        adapter = TeamsAdapter(services, teams_app.authority.token_provider)
        return Outbox(teams_app.db).deliver_due(Dispatcher(teams_app.db, [adapter]))

    return run


@pytest.fixture
def with_channel(teams_app):
    teams_app.connector.add_conversation(CHANNEL)
    teams_app.teams = teams_app.teams.model_copy(update={
        "teams_approvals_conversation_id": CHANNEL, "teams_service_url": teams_app.connector.service_url})
    return teams_app


def logged_for_sign_off(app, chat) -> int:
    """A permanent removal logged by a staff moderator of the group: their log is the staff agreement (R2)."""
    group_id = add_group(app.db)
    chat.click(STAFF_2, chat.say(STAFF_2, "log removal"), "Log the removal", group=str(group_id), member_ref="JB",
               kind="permanent", breaches="bullying")
    with app.db.transaction() as session:
        return session.scalars(select(RemovalDecision.id)).one()


def queued(db, kind) -> list[Notice]:
    with db.transaction() as session:
        found = session.scalars(select(Notice).where(Notice.kind == kind.value).order_by(Notice.id)).all()
        session.expunge_all()
        return found


def cards_in(connector, conversation_id):
    return [checked(a["content"]) for act in connector.activities(conversation_id)
            for a in act.get("attachments") or [] if a["contentType"] == CARD]


def chat_of(connector, user) -> str:
    """The 1:1 chat the app opened with someone who had not written to it."""
    opened = [c for c in connector.calls("conversations.create") if c.ok
              and c.body["members"] == [{"id": user.aad_object_id}]]
    return opened[0].response["id"] if opened else user.chat_id


def test_a_permanent_removal_from_log_to_sign_off_with_every_card_updated_in_place(with_channel, chat, deliver):
    app = with_channel
    group_id = add_group(app.db)
    chat.click(VOLUNTEER, chat.say(VOLUNTEER, "log removal"), "Log the removal", group=str(group_id),
               member_ref="JB", kind="permanent", breaches="bullying")
    deliver(app.teams)
    # Both staff moderators are asked in their 1:1 chats (opened for them: they had not written to the app).
    asks = {user: cards_in(app.connector, chat_of(app.connector, user))[-1] for user in (STAFF, STAFF_2)}
    for card in asks.values():
        assert says(card, "needs a staff moderator's agreement") and "Agree (staff moderator)" in actions(card)
    assert says(cards_in(app.connector, VOLUNTEER.chat_id)[-1], "About the removal you logged")

    chat.click(STAFF, asks[STAFF], "Agree (staff moderator)", conversation=chat_of(app.connector, STAFF))
    deliver(app.teams)
    for user in (STAFF, STAFF_2):
        [ask] = app.connector.activities(chat_of(app.connector, user))
        shown = checked(ask["attachments"][0]["content"])
        assert says(shown, "Staff agreement: by Alex Morgan") and actions(shown) == {}, "the ask closed in place"
    [request] = app.connector.activities(CHANNEL)
    card = checked(request["attachments"][0]["content"])
    assert says(card, "waits for a senior manager's sign-off") and set(actions(card)) == {"Approve", "Reject"}

    chat.click(MANAGER, card, "Approve", conversation=CHANNEL)
    deliver(app.teams)
    [now] = app.connector.activities(CHANNEL)
    assert now["id"] == request["id"]
    shown = checked(now["attachments"][0]["content"])
    assert says(shown, "Approved", "by Sam Senior") and actions(shown) == {}
    assert len(app.connector.versions(CHANNEL, request["id"])) == 2
    # R3: the decision is shared with the group's other moderators.
    assert says(cards_in(app.connector, chat_of(app.connector, STAFF))[-1], "shared with its moderators")
    assert all(n.status == "sent" for n in queued(app.db, NoticeKind.REMOVAL_SIGN_OFF_CLOSED))


def test_without_a_channel_each_senior_manager_is_asked_in_their_chat(teams_app, chat, deliver):
    app = teams_app
    chat.say(MANAGER, "home")  # Sam has written to the app: their chat is known; Mo's is opened for the request
    logged_for_sign_off(app, chat)
    teams = app.teams.model_copy(update={"teams_service_url": app.connector.service_url})
    deliver(teams)
    [request] = queued(app.db, NoticeKind.REMOVAL_SIGN_OFF_REQUESTED)
    assert request.status == "sent" and len(request.delivered_ref["posts"]) == 2
    assert says(cards_in(app.connector, MANAGER.chat_id)[-1], "waits for a senior manager's sign-off")
    mo_chat = chat_of(app.connector, MANAGER_2)
    assert mo_chat != MANAGER_2.chat_id
    chat.click(MANAGER_2, cards_in(app.connector, mo_chat)[-1], "Approve", conversation=mo_chat)
    deliver(teams)
    for conversation in (MANAGER.chat_id, mo_chat):
        shown = next(c for c in cards_in(app.connector, conversation) if says(c, "Removal from"))
        assert says(shown, "Approved", "by Mo Manager") and actions(shown) == {}, "updated for both managers"


def test_someone_without_the_app_is_given_up_on_and_the_others_are_told(teams_app, chat, deliver):
    app = teams_app
    group_id = add_group(app.db)
    app.connector.not_installed_for(STAFF_2.aad_object_id)
    chat.click(STAFF, chat.say(STAFF, "log removal"), "Log the removal", group=str(group_id), member_ref="JB",
               kind="temporary", breaches="bullying", review_on=(date.today() + timedelta(days=14)).isoformat())
    teams = app.teams.model_copy(update={"teams_service_url": app.connector.service_url})
    report = deliver(teams)
    shared = {n.person_id: n for n in queued(app.db, NoticeKind.REMOVAL_DECISION_SHARED)}
    assert shared[person(app.db, STAFF_2)].status == "failed"
    assert shared[person(app.db, STAFF_2)].last_error == "connector_403"
    assert shared[person(app.db, VOLUNTEER)].status == "sent"
    assert says(cards_in(app.connector, STAFF.chat_id)[-1], "About the removal you logged", "Recorded")
    assert len(report.failed) == 1


def test_a_rate_limited_post_is_tried_again_after_retry_after(with_channel, chat, deliver):
    app = with_channel
    logged_for_sign_off(app, chat)
    app.connector.respond_with_status("activities.send", 429, retry_after=7, times=5)
    report = deliver(app.teams)
    [request] = queued(app.db, NoticeKind.REMOVAL_SIGN_OFF_REQUESTED)
    assert request.id in report.retrying
    assert request.status == "pending" and request.last_error == "connector_429"
    assert request.next_attempt_at is not None
    assert app.connector.activities(CHANNEL) == []


def test_a_report_reaches_the_managers_card_which_follows_the_case_in_place(with_channel, chat, deliver):
    app = with_channel
    form = chat.say(VOLUNTEER, "report group")
    chat.click(VOLUNTEER, form, "Send the report", name="Amaze Mums Chat", where_seen="whatsapp",
               how_found="A parent told me.")
    assert len(deliver(app.teams).sent) == 1
    [posted] = app.connector.activities(CHANNEL)
    card = checked(posted["attachments"][0]["content"])
    assert says(card, "Unofficial group: Amaze Mums Chat", "Reported: nobody has taken it on yet")
    approached = chat.click(STAFF, card, "I'll approach them", conversation=CHANNEL)
    assert says(approached, "Being approached")
    # The managers' card is updated in place, and the reporter hears that someone is on it.
    assert len(deliver(app.teams).sent) == 2
    told = cards_in(app.connector, VOLUNTEER.chat_id)[-1]
    assert says(told, "Unofficial group: Amaze Mums Chat", "Being approached") and not actions(told)
    [now] = app.connector.activities(CHANNEL)
    shown = checked(now["attachments"][0]["content"])
    assert now["id"] == posted["id"] and says(shown, "Being approached", "Taken on by: Alex Morgan")
    assert set(actions(shown)) == {"They renamed it", "They closed it down", "No action needed"}


def test_the_creator_is_pointed_to_the_texts_on_their_registered_card_not_sent_them_twice(teams_app, chat, deliver):
    card = to_moderators(chat)
    card = chat.click(STAFF, card, "Next", staff_moderators=choice(card, "staff_moderators", "Alex Morgan"),
                      out_of_hours="Alex covers evenings.",
                      emergency_contact=choice(card, "emergency_contact", "Sam Senior"))
    assert says(chat.click(STAFF, card, "Register group"), "Settings checklist", "Welcome message")
    before = len(cards_in(teams_app.connector, STAFF.chat_id))
    deliver()
    [kit] = queued(teams_app.db, NoticeKind.GROUP_KIT)
    assert kit.status == "sent"
    told = cards_in(teams_app.connector, STAFF.chat_id)[before:]
    assert any(says(c, "The texts to paste into WhatsApp are on the card you got") for c in told)
    assert not any(says(c, "Settings checklist") or says(c, "Welcome message") for c in told)
