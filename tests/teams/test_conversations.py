"""The conversation references Teams hands the app are kept, so that it can write to people (and the approvals
channel) first: when it is installed for someone, added to a team, or written to."""
from __future__ import annotations

from sqlalchemy import select

from teams.models import TeamsConversation
from tests.harness.bot_auth import APP_ID
from tests.teams.conftest import MANAGER, STAFF
from tests.teams.support import person


def rows(db):
    with db.transaction() as session:
        found = session.scalars(select(TeamsConversation).order_by(TeamsConversation.conversation_id)).all()
        return [(r.conversation_id, r.conversation_type, r.person_id, r.teams_user_id, r.service_url) for r in found]


def test_installing_the_app_for_a_person_keeps_their_chat(teams_app, chat):
    status, _ = chat.post(chat.activity(MANAGER, "installationUpdate", action="add"))
    assert status == 200
    assert rows(teams_app.db) == [(MANAGER.chat_id, "personal", person(teams_app.db, MANAGER), MANAGER.teams_id,
                                   teams_app.connector.service_url)]
    assert teams_app.connector.calls() == [], "installing is not answered with a message"


def test_being_added_to_a_team_keeps_its_channel(teams_app, chat):
    channel = "19:approvals@thread.tacv2"
    teams_app.connector.add_conversation(channel)
    activity = chat.activity(STAFF, "conversationUpdate", conversation=channel,
                             membersAdded=[{"id": "28:" + APP_ID, "name": "Group Policy Assistant"}],
                             channelData={"tenant": {"id": "t"}, "team": {"id": channel}, "eventType": "teamMemberAdded"})
    status, _ = chat.post(activity)
    assert status == 200
    assert rows(teams_app.db) == [(channel, "channel", None, None, teams_app.connector.service_url)]


def test_someone_else_joining_a_chat_is_not_the_app_being_installed(teams_app, chat):
    activity = chat.activity(STAFF, "conversationUpdate", membersAdded=[{"id": "29:someone-else"}])
    assert chat.post(activity)[0] == 200
    assert rows(teams_app.db) == []


def test_writing_to_the_app_keeps_the_chat_once(teams_app, chat):
    chat.say(STAFF, "home")
    chat.say(STAFF, "home")
    assert [r[:3] for r in rows(teams_app.db)] == [(STAFF.chat_id, "personal", person(teams_app.db, STAFF))]


def test_erasing_a_person_forgets_where_teams_could_reach_them(teams_app, chat):
    from flows.privacy.rights import Person, erase

    chat.post(chat.activity(MANAGER, "installationUpdate", action="add"))
    assert len(rows(teams_app.db)) == 1
    with teams_app.db.transaction() as session:
        # Asked by their Teams account, as the data protection lead would (python -m flows erase --person …).
        result = erase(session, Person(user_id=MANAGER.aad_object_id))
    assert rows(teams_app.db) == []
    assert result.counts.get("teams_conversations (deleted)") == 1
