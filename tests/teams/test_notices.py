"""Notices delivered in Teams (the outbox's Teams adapter): each kind rendered as a card when it is delivered, to a
person's 1:1 chat (opened when the app has none yet) or to the approvals channel, and a notice that replaces another
updating the posted card in place, for everyone. The outbox's worker is driven here as the clock drives it."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from flows.outbox import Destination, Notice, NoticeKind, Outbox, Subject, queue
from flows.outbox.dispatch import Dispatcher
from flows.removals.models import RemovalDecision
from teams.notices import TeamsAdapter
from teams.services import TeamsServices
from tests.teams.chat import CARD, checked, says
from tests.teams.cards import actions
from tests.teams.conftest import MANAGER, MANAGER_2, STAFF, STAFF_2
from tests.teams.support import add_group, person

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
    group_id = add_group(app.db)
    chat.click(STAFF_2, chat.say(STAFF_2, "log removal"), "Log the removal", group=str(group_id), member_ref="JB",
               kind="permanent", breaches="bullying")
    with app.db.transaction() as session:
        return session.scalars(select(RemovalDecision.id)).one()


def queue_notice(db, kind, decision_id, to, replaces=None, suffix=None) -> int:
    # As the removal's step queues it, in flows (flows/removals/notices.py).
    with db.transaction() as session:
        return queue(session, kind, Subject("removal", decision_id), to, dedupe_key=f"removal:{decision_id}:{suffix or kind}",
                     replaces=replaces).id


def cards_in(connector, conversation_id):
    return [checked(a["content"]) for act in connector.activities(conversation_id)
            for a in act.get("attachments") or [] if a["contentType"] == CARD]


def test_the_sign_off_request_is_posted_to_the_approvals_channel_and_updated_in_place(with_channel, chat, deliver):
    app = with_channel
    decision_id = logged_for_sign_off(app, chat)
    request = queue_notice(app.db, NoticeKind.REMOVAL_SIGN_OFF_REQUESTED, decision_id, Destination.SIGN_OFF)
    assert deliver(app.teams).sent == [request]
    [posted] = app.connector.activities(CHANNEL)
    card = checked(posted["attachments"][0]["content"])
    assert says(card, "waits for a senior manager's sign-off", "Removal from Amaze Lewes Parents", "JB")
    assert set(actions(card)) == {"Approve", "Reject"}

    # A senior manager presses Approve on the channel's card.
    approved = chat.click(MANAGER, card, "Approve", conversation=CHANNEL)
    assert says(approved, "Approved", "by Sam Senior")
    closed = queue_notice(app.db, NoticeKind.REMOVAL_SIGN_OFF_CLOSED, decision_id, Destination.SIGN_OFF,
                          replaces=request)
    assert deliver(app.teams).sent == [closed]
    [now] = app.connector.activities(CHANNEL)
    assert now["id"] == posted["id"], "the same post, edited in place"
    shown = checked(now["attachments"][0]["content"])
    assert says(shown, "Approved", "by Sam Senior") and actions(shown) == {}
    assert len(app.connector.versions(CHANNEL, posted["id"])) == 2


def test_without_a_channel_each_senior_manager_is_asked_in_their_chat(teams_app, chat, deliver):
    app = teams_app
    decision_id = logged_for_sign_off(app, chat)
    chat.say(MANAGER, "home")  # Sam has written to the app: their chat is known; Mo's is opened for the request
    teams = app.teams.model_copy(update={"teams_service_url": app.connector.service_url})
    request = queue_notice(app.db, NoticeKind.REMOVAL_SIGN_OFF_REQUESTED, decision_id, Destination.SIGN_OFF)
    assert deliver(teams).sent == [request]
    assert says(cards_in(app.connector, MANAGER.chat_id)[-1], "waits for a senior manager's sign-off")
    [opened] = app.connector.calls("conversations.create")
    assert opened.body["members"] == [{"id": MANAGER_2.aad_object_id}]
    mo_chat = opened.response["id"]
    assert says(cards_in(app.connector, mo_chat)[0], "waits for a senior manager's sign-off")

    chat.click(MANAGER_2, cards_in(app.connector, mo_chat)[0], "Approve", conversation=mo_chat)
    closed = queue_notice(app.db, NoticeKind.REMOVAL_SIGN_OFF_CLOSED, decision_id, Destination.SIGN_OFF,
                          replaces=request)
    assert deliver(teams).sent == [closed]
    for conversation in (MANAGER.chat_id, mo_chat):
        shown = cards_in(app.connector, conversation)[-1]
        assert says(shown, "Approved", "by Mo Manager") and actions(shown) == {}, "updated for both managers"


def test_a_person_is_asked_in_their_1_1_chat_and_someone_without_the_app_is_given_up_on(teams_app, chat, deliver):
    app = teams_app
    group_id = add_group(app.db)
    chat.click(STAFF, chat.say(STAFF, "log removal"), "Log the removal", group=str(group_id), member_ref="JB",
               kind="temporary", breaches="bullying",
               review_on=(date.today() + timedelta(days=14)).isoformat())
    with app.db.transaction() as session:
        decision_id = session.scalars(select(RemovalDecision.id)).one()
    told = queue_notice(app.db, NoticeKind.REMOVAL_LOGGER_TOLD, decision_id, person(app.db, STAFF))
    teams = app.teams.model_copy(update={"teams_service_url": app.connector.service_url})
    app.connector.not_installed_for(STAFF_2.aad_object_id)
    shared = queue_notice(app.db, NoticeKind.REMOVAL_DECISION_SHARED, decision_id, person(app.db, STAFF_2))
    report = deliver(teams)
    assert report.sent == [told] and report.failed == [shared]
    assert says(cards_in(app.connector, STAFF.chat_id)[-1], "About the removal you logged", "Recorded")
    with app.db.transaction() as session:
        assert session.get(Notice, shared).last_error == "connector_403"


def test_a_rate_limited_post_is_tried_again_after_retry_after(with_channel, chat, deliver):
    app = with_channel
    decision_id = logged_for_sign_off(app, chat)
    request = queue_notice(app.db, NoticeKind.REMOVAL_SIGN_OFF_REQUESTED, decision_id, Destination.SIGN_OFF)
    app.connector.respond_with_status("activities.send", 429, retry_after=7)
    report = deliver(app.teams)
    assert report.retrying == [request]
    with app.db.transaction() as session:
        notice = session.get(Notice, request)
        assert notice.status == "pending" and notice.last_error == "connector_429"
    assert app.connector.activities(CHANNEL) == []


def test_a_report_reaches_the_managers_card_which_follows_the_case_in_place(with_channel, chat, deliver):
    from tests.teams.conftest import VOLUNTEER

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
    assert len(deliver(app.teams).sent) == 1
    [now] = app.connector.activities(CHANNEL)
    shown = checked(now["attachments"][0]["content"])
    assert now["id"] == posted["id"] and says(shown, "Being approached", "Taken on by: Alex Morgan")
    assert set(actions(shown)) == {"They renamed it", "They closed it down", "No action needed"}
