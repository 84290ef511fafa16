"""The Procfile's one web: process serves Teams beside Slack: gunicorn's workers route /api/messages to the Teams
app, which each worker builds after the fork, on its first Teams request."""
from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from sqlalchemy import select

from flows.db import Database
from teams.models import TeamsConversation
from tests.teams.chat import TeamsChat
from tests.teams.conftest import MANAGER, STAFF_GROUP
from tests.test_web_process import healthy, web_process


def test_one_web_process_serves_slack_and_an_authenticated_teams_endpoint(tmp_path, fake_slack, authority, connector,
                                                                           graph):
    database = tmp_path / "app.db"
    teams = dict(TEAMS_APP_ID=authority.app_id, TEAMS_OPENID_METADATA_URL=authority.openid_metadata_url,
                 TEAMS_GRAPH_URL=graph.base_url, TEAMS_STAFF_GROUP_ID=STAFF_GROUP)
    with web_process(tmp_path, fake_slack, database=database, **teams) as (url, _):
        assert healthy(url), "Slack's side is as it was"
        chat = TeamsChat(url, authority, connector)
        forged = authority.refused_bot_framework_tokens(connector.service_url)["another key, published kid"]
        installed = chat.activity(MANAGER, "installationUpdate", action="add")
        assert chat.post(installed, token=None)[0] == 401
        assert chat.post(installed, token=forged)[0] == 401
        # Both workers may serve it: each has built its own Teams app, and they keep one chat between them.
        assert [chat.post(installed)[0] for _ in range(4)] == [200] * 4
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(f"{url}/api/messages", method="GET"), timeout=5)
        assert refused.value.code == 405
    db = Database(f"sqlite:///{database}")
    try:
        with db.transaction() as session:
            kept = session.scalars(select(TeamsConversation.conversation_id)).all()
        assert kept == [MANAGER.chat_id]
    finally:
        db.dispose()
