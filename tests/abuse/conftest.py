"""The app as an organisation runs it: its own workspace only, approvals and managers' channels set, a second
senior manager."""
from __future__ import annotations

import pytest

from tests.abuse.support import APPROVALS, MANAGER_2, MANAGERS_CHANNEL, settle
from tests.conftest import MANAGER, MANAGERS_GROUP, SIGNING_SECRET, RunningApp, prompt_loop
from tests.harness.fake_slack import TEAM_ID
from tests.harness.signing import SlackSender
from tests.harness.wsgi_server import WSGIServer


@pytest.fixture
def our_settings(settings):
    return settings.model_copy(update={
        "slack_team_id": TEAM_ID, "approvals_channel": APPROVALS, "managers_channel": MANAGERS_CHANNEL,
    })


@pytest.fixture
def app(our_settings, db, fake_slack):
    from bot.wsgi import create_wsgi_app

    fake_slack.add_user(MANAGER_2, name="dana", real_name="Dana Director")
    fake_slack.add_usergroup(MANAGERS_GROUP, "senior-managers", [MANAGER, MANAGER_2])
    with WSGIServer(create_wsgi_app(our_settings, db)) as server, prompt_loop(our_settings, db):
        running = RunningApp(
            url=server.url, sender=SlackSender(server.url, SIGNING_SECRET), fake=fake_slack, db=db,
            settings=our_settings,
        )
        yield running
        # Let what the last request started finish (it runs on after the answer), so that it does not reach
        # into the next test's database.
        settle(running, quiet_for=0.1)
