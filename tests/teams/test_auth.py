"""Every Teams request is authenticated: the Bot Framework token's signature (keys from the OpenID metadata the
settings name), issuer, audience and service URL. A request that fails is answered 401 and leaves nothing behind."""
from __future__ import annotations

import pytest

from flows.people.models import PlatformAccount
from flows.wizard.models import WizardDraft
from teams.settings import TeamsSettings
from tests.harness.bot_auth import APP_ID
from tests.teams.chat import TeamsChat
from tests.teams.conftest import STAFF, serve
from tests.teams.support import count

VARIANTS = ["another key, unknown kid", "another key, published kid", "another audience", "another issuer",
            "expired", "not yet valid", "another serviceurl"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_forged_or_expired_token_is_refused_and_nothing_is_stored(teams_app, chat, variant):
    token = teams_app.authority.refused_bot_framework_tokens(teams_app.connector.service_url)[variant]
    status, _ = chat.post(chat.activity(STAFF, "message", text="new group"), token=token)
    assert status == 401
    card = {"actions": [{"type": "Action.Execute", "title": "Next", "verb": "wizard.next",
                         "data": {"verb": "wizard.next", "draft": "x", "step": "kind"}}]}
    status, _ = chat.press(STAFF, card, "Next", token=token, kind="parent_carers")
    assert status == 401
    assert count(teams_app.db, WizardDraft) == 0 and count(teams_app.db, PlatformAccount) == 0
    assert teams_app.connector.calls() == [], "nothing was sent to anyone"


def test_no_token_at_all_is_refused(teams_app, chat):
    status, _ = chat.post(chat.activity(STAFF, "message", text="home"), token=None)
    assert status == 401
    assert count(teams_app.db, PlatformAccount) == 0


def test_the_same_activity_with_a_good_token_is_served(teams_app, chat):
    card = chat.say(STAFF, "home")
    assert card["type"] == "AdaptiveCard"
    assert teams_app.authority.calls("openid.keys"), "the keys came from the metadata URL the settings name"


def test_a_body_that_is_not_an_activity_is_refused_before_the_sdk_sees_it(teams_app, chat):
    import urllib.request

    request = urllib.request.Request(chat.url, data=b"not json", method="POST",
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 400


def test_unauthenticated_try_out_mode_serves_loopback_only_and_says_so(settings, db, authority, connector, graph,
                                                                        caplog):
    teams = TeamsSettings(_env_file=None, teams_allow_unauthenticated=True, teams_graph_url=graph.base_url,
                          teams_app_id=APP_ID,
                          teams_staff_ids=[STAFF.aad_object_id])
    server = serve(settings, teams, db, authority)
    try:
        chat = TeamsChat(server.url, authority, connector)
        status, _ = chat.post(chat.activity(STAFF, "message", text="home"), token=None)
        assert status == 200, "the playground sends no token"
        assert any("WITHOUT any token check" in r.getMessage() for r in caplog.records)
    finally:
        server.stop()


def test_unauthenticated_mode_refuses_callers_that_are_not_on_this_machine():
    import asyncio

    from teams.http import TeamsEndpoint

    class Front:
        allow_unauthenticated = True

        async def handler(self, request):
            raise AssertionError("a caller from elsewhere reached the SDK")

    async def build():
        return Front()

    sent = []

    async def call(client):
        endpoint = TeamsEndpoint(build, 1024, 5)
        messages = iter([{"type": "http.request", "body": b'{"type": "message"}', "more_body": False}])

        async def receive():
            return next(messages)

        async def send(message):
            sent.append(message)

        await endpoint({"type": "http", "method": "POST", "path": "/api/messages", "headers": [],
                        "client": (client, 5000)}, receive, send)

    asyncio.run(call("203.0.113.9"))
    assert sent[0]["status"] == 401


def test_someone_from_another_organisations_tenant_is_nobody_here(teams_app, chat):
    activity = chat.activity(STAFF, "message", text="new group")
    activity["conversation"]["tenantId"] = "11111111-2222-4333-8444-555555555555"
    activity["channelData"] = {"tenant": {"id": "11111111-2222-4333-8444-555555555555"}}
    assert chat.post(activity)[0] == 200
    [sent] = teams_app.connector.activities(STAFF.chat_id)
    assert "can't tell who you are" in str(sent)
    assert count(teams_app.db, PlatformAccount) == 0 and count(teams_app.db, WizardDraft) == 0


def test_the_try_out_without_an_app_registration_takes_roles_from_the_id_lists(settings, db, authority, connector):
    # As with the Agents Playground: no token, no Graph; the person named in TEAMS_STAFF_IDS is staff.
    teams = TeamsSettings(_env_file=None, teams_allow_unauthenticated=True, teams_staff_ids=[STAFF.aad_object_id])
    server = serve(settings, teams, db, authority)
    try:
        chat = TeamsChat(server.url, authority, connector)
        activity = chat.activity(STAFF, "invoke", name="adaptiveCard/action", value={"action": {
            "type": "Action.Execute", "verb": "wizard.start", "data": {"verb": "wizard.start"}}})
        status, body = chat.post(activity, token=None)
        assert status == 200 and "What kind of WhatsApp group" in str(body)
        activity["from"] = {**activity["from"], "aadObjectId": "00000000-0000-4000-8000-000000000bad"}
        status, body = chat.post(activity, token=None)
        assert status == 200 and "Only staff can set up" in str(body)
    finally:
        server.stop()
