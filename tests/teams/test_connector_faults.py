"""The Bot Connector misbehaving: a 429 (after its Retry-After) and a 5xx are tried again a few times; a 401 is not,
since the same request would be refused again."""
from __future__ import annotations

from tests.teams.chat import says
from tests.teams.conftest import STAFF


def test_a_rate_limited_reply_is_sent_again_after_retry_after(teams_app, chat):
    teams_app.connector.respond_with_status("activities.send", 429, retry_after=1)
    card = chat.say(STAFF, "home")
    assert says(card, "Home")
    sends = teams_app.connector.calls("activities.send")
    assert [c.status for c in sends] == [429, 200]
    assert sends[1].timestamp - sends[0].timestamp >= 0.9, "it waited as the connector asked"


def test_a_failing_connector_is_tried_again(teams_app, chat):
    teams_app.connector.respond_with_status("activities.send", 502, times=2)
    assert says(chat.say(STAFF, "home"), "Home")
    assert [c.status for c in teams_app.connector.calls("activities.send")] == [502, 502, 200]


def test_a_refused_token_is_not_tried_again(teams_app, chat):
    teams_app.connector.respond_with_status("activities.send", 401)
    status, _ = chat.post(chat.activity(STAFF, "message", text="home"))
    assert status == 500, "Teams is told the message was not handled"
    assert [c.status for c in teams_app.connector.calls("activities.send")] == [401]
    assert teams_app.connector.activities(STAFF.chat_id) == []


def test_a_connector_that_keeps_failing_is_given_up_on(teams_app, chat):
    teams_app.connector.respond_with_status("activities.send", 503, times=10)
    status, _ = chat.post(chat.activity(STAFF, "message", text="home"))
    assert status == 500
    assert [c.status for c in teams_app.connector.calls("activities.send")] == [503, 503, 503]
