"""Checks that the Teams fakes answer like the services they stand for, so the Teams tests can trust
them: the Bot Framework's OpenID keys, the Bot Connector REST API and Microsoft Graph."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.error
import urllib.request
import warnings

import jwt
import pytest

from tests.harness.bot_auth import APP_ID, BOT_CONNECTOR_RESOURCE, GRAPH_RESOURCE, BotAuthority
from tests.harness.fake_connector import FakeConnector, member
from tests.harness.fake_graph import FakeGraph

USER = "29:1a2b3c-user"


@pytest.fixture(scope="module")
def authority():
    with BotAuthority() as a:
        yield a


@pytest.fixture(scope="module")
def _connector(authority):
    with FakeConnector(authority) as c:
        yield c


@pytest.fixture
def connector(_connector):
    _connector.reset()
    return _connector


@pytest.fixture(scope="module")
def _graph(authority):
    with FakeGraph(authority) as g:
        yield g


@pytest.fixture
def graph(_graph):
    _graph.reset()
    return _graph


def http(method, url, body=None, token=None, timeout=5.0):
    """(status, headers, parsed JSON body or None)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            return response.status, dict(response.headers), json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, dict(e.headers), json.loads(raw) if raw else None


# -- the Bot Framework's OpenID metadata and keys --------------------------------------------


def test_openid_metadata_names_the_bot_framework_issuer_and_the_keys(authority):
    status, _, metadata = http("GET", authority.openid_metadata_url)
    assert status == 200
    assert metadata["issuer"] == "https://api.botframework.com"
    assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]
    assert metadata["jwks_uri"] == authority.openid_metadata_url.replace("/openidconfiguration", "/keys")
    status, _, jwks = http("GET", metadata["jwks_uri"])
    assert status == 200
    assert [k["kid"] for k in jwks["keys"]] == [authority.key.kid]
    assert jwks["keys"][0]["kty"] == "RSA" and "msteams" in jwks["keys"][0]["endorsements"]


def test_a_bot_framework_token_verifies_against_the_published_keys(authority):
    token = authority.bot_framework_token("https://smba.trafficmanager.net/uk/")
    key = jwt.PyJWKClient(authority.jwks_uri).get_signing_key_from_jwt(token)
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=APP_ID,
                        issuer="https://api.botframework.com")
    assert claims["serviceurl"] == "https://smba.trafficmanager.net/uk/"
    assert claims["nbf"] <= time.time() < claims["exp"]
    assert jwt.get_unverified_header(token)["kid"] == authority.key.kid


def test_a_token_from_another_key_does_not_verify(authority):
    forged = authority.bot_framework_token("https://smba.trafficmanager.net/uk/",
                                           key=authority.foreign_key(), kid=authority.key.kid)
    key = jwt.PyJWKClient(authority.jwks_uri).get_signing_key_from_jwt(forged)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged, key.key, algorithms=["RS256"], audience=APP_ID)


def _sdk_validator(authority):
    with warnings.catch_warnings():  # the SDK warns about its own preview features on import
        warnings.simplefilter("ignore")
        from microsoft_teams.api.auth.cloud_environment import PUBLIC, with_overrides
        from microsoft_teams.apps.auth import InboundActivityTokenValidator
    cloud = with_overrides(PUBLIC, openid_metadata_url=authority.openid_metadata_url)
    return InboundActivityTokenValidator(authority.app_id, cloud=cloud)


def test_the_teams_sdk_validator_accepts_a_harness_token(authority):
    service_url = "https://smba.trafficmanager.net/uk/"
    claims = asyncio.run(_sdk_validator(authority).validate_token(
        authority.bot_framework_token(service_url), service_url))
    assert claims["aud"] == authority.app_id
    assert authority.calls("openid.keys"), "the SDK fetched the keys from the local server"


@pytest.mark.parametrize("variant, refusal, reason", [
    ("another key, unknown kid", jwt.PyJWKClientError, "Unable to find a signing key"),
    ("another key, published kid", jwt.InvalidSignatureError, None),
    ("another audience", jwt.InvalidAudienceError, None),
    ("another issuer", jwt.InvalidIssuerError, None),
    ("expired", jwt.ExpiredSignatureError, None),
    ("not yet valid", jwt.ImmatureSignatureError, None),
    ("another serviceurl", jwt.InvalidTokenError, "Service URL mismatch"),
])
def test_the_teams_sdk_validator_refuses_a_bad_token(authority, variant, refusal, reason):
    service_url = "https://smba.trafficmanager.net/uk/"
    token = authority.refused_bot_framework_tokens(service_url)[variant]
    with pytest.raises(refusal, match=reason) as refused:
        asyncio.run(_sdk_validator(authority).validate_token(token, service_url))
    assert not isinstance(refused.value, jwt.PyJWKClientConnectionError)


# -- the Bot Connector --------------------------------------------------------------------------


def _create_chat(connector, token, user=USER):
    return http("POST", f"{connector.url}/v3/conversations", {
        "bot": {"id": "28:" + APP_ID}, "members": [{"id": user}], "isGroup": False,
        "channelData": {"tenant": {"id": "tenant"}},
    }, token)


def test_connector_refuses_calls_without_a_token_it_trusts(connector, authority):
    status, _, body = _create_chat(connector, None)
    assert (status, body) == (401, {"message": "Authorization has been denied for this request."})
    forged = authority.app_token(key=authority.foreign_key())
    assert _create_chat(connector, forged)[0] == 401
    assert _create_chat(connector, authority.app_token(app_id="another-app"))[0] == 401
    assert _create_chat(connector, authority.app_token(GRAPH_RESOURCE))[0] == 401
    assert _create_chat(connector, authority.app_token(expires_in=-3600))[0] == 401
    assert _create_chat(connector, authority.bot_framework_token(connector.service_url))[0] == 401
    assert [c.status for c in connector.calls("conversations.create")] == [401] * 6
    assert connector.conversations == {}


def test_connector_opens_the_same_one_to_one_chat_for_the_same_person(connector, authority):
    token = authority.app_token(BOT_CONNECTOR_RESOURCE)
    status, _, first = _create_chat(connector, token)
    assert status == 200 and first["id"].startswith("a:")
    assert _create_chat(connector, token)[2] == first
    assert _create_chat(connector, token, "29:someone-else")[2]["id"] != first["id"]
    assert connector.calls("conversations.create")[0].body["members"] == [{"id": USER}]


def test_connector_refuses_a_group_chat_and_a_person_without_the_app(connector, authority):
    token = authority.app_token()
    status, _, body = http("POST", f"{connector.url}/v3/conversations",
                           {"members": [{"id": USER}, {"id": "29:b"}], "isGroup": True}, token)
    assert status == 400 and body["error"]["code"] == "BadArgument"
    connector.not_installed_for(USER)
    status, _, body = _create_chat(connector, token)
    assert status == 403 and body["error"]["code"] == "Forbidden"


def test_connector_posts_updates_and_replies_and_keeps_what_the_chat_now_shows(connector, authority):
    token = authority.app_token()
    conversation_id = _create_chat(connector, token)[2]["id"]
    card = {"contentType": "application/vnd.microsoft.card.adaptive",
            "content": {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Agree?"}]}}
    status, _, posted = http("POST", f"{connector.url}/v3/conversations/{conversation_id}/activities",
                             {"type": "message", "attachments": [card]}, token)
    assert status == 200
    activity_id = posted["id"]
    status, _, updated = http("PUT", f"{connector.url}/v3/conversations/{conversation_id}/activities/{activity_id}",
                              {"type": "message", "text": "Agreed by AB"}, token)
    assert (status, updated) == (200, {"id": activity_id})
    status, _, reply = http("POST", f"{connector.url}/v3/conversations/{conversation_id}/activities/{activity_id}",
                            {"type": "message", "text": "Thanks"}, token)
    assert status == 200 and reply["id"] != activity_id

    now = connector.activity(conversation_id, activity_id)
    assert now["text"] == "Agreed by AB" and "attachments" not in now
    assert now["from"]["id"] == "28:" + APP_ID and now["conversation"]["id"] == conversation_id
    assert [v.get("attachments") == [card] for v in connector.versions(conversation_id, activity_id)] == [True, False]
    assert [a["id"] for a in connector.activities(conversation_id)] == [activity_id, reply["id"]]
    assert connector.activity(conversation_id, reply["id"])["replyToId"] == activity_id
    assert connector.wait_for("activities.update").body == {"type": "message", "text": "Agreed by AB"}


def test_connector_answers_not_found_and_bad_argument_like_the_service(connector, authority):
    token = authority.app_token()
    status, _, body = http("POST", f"{connector.url}/v3/conversations/19:nope@thread.tacv2/activities",
                           {"type": "message", "text": "hi"}, token)
    assert status == 404 and body["error"]["code"] == "ConversationNotFound"
    conversation_id = _create_chat(connector, token)[2]["id"]
    status, _, body = http("PUT", f"{connector.url}/v3/conversations/{conversation_id}/activities/123",
                           {"type": "message", "text": "x"}, token)
    assert status == 404
    status, _, body = http("POST", f"{connector.url}/v3/conversations/{conversation_id}/activities",
                           {"type": "message"}, token)
    assert status == 400 and body["error"]["code"] == "BadArgument"
    assert connector.activities(conversation_id) == []


def test_connector_posts_to_a_channel_thread_and_lists_members(connector, authority):
    token = authority.app_token()
    channel = "19:general@thread.tacv2"
    connector.add_conversation(channel, [member("29:staff", "Staff Member"), member("29:guest", "A Guest")])
    root = http("POST", f"{connector.url}/v3/conversations/{channel}/activities",
                {"type": "message", "text": "New report"}, token)[2]["id"]
    status, _, reply = http("POST", f"{connector.url}/v3/conversations/{channel};messageid={root}/activities",
                            {"type": "message", "text": "Update", "replyToId": root}, token)
    assert status == 200
    assert [a["text"] for a in connector.activities(channel)] == ["New report", "Update"]
    status, _, members = http("GET", f"{connector.url}/v3/conversations/{channel}/members", token=token)
    assert status == 200 and [m["name"] for m in members] == ["Staff Member", "A Guest"]
    status, _, one = http("GET", f"{connector.url}/v3/conversations/{channel}/members/29:guest", token=token)
    assert status == 200 and one["aadObjectId"] == members[1]["aadObjectId"]


def test_connector_typing_is_shown_but_not_kept(connector, authority):
    token = authority.app_token()
    conversation_id = _create_chat(connector, token)[2]["id"]
    status, _, body = http("POST", f"{connector.url}/v3/conversations/{conversation_id}/activities",
                           {"type": "typing"}, token)
    assert (status, body) == (200, {})
    assert connector.activities(conversation_id) == []


def test_connector_injected_faults_rate_limit_fail_and_answer_late(connector, authority):
    token = authority.app_token()
    conversation_id = _create_chat(connector, token)[2]["id"]
    url = f"{connector.url}/v3/conversations/{conversation_id}/activities"
    connector.respond_with_status("activities.send", 429, retry_after=7)
    status, headers, body = http("POST", url, {"type": "message", "text": "hi"}, token)
    assert status == 429 and headers["Retry-After"] == "7"
    connector.respond_with_status("activities.send", 502, times=2)
    assert [http("POST", url, {"type": "message", "text": "hi"}, token)[0] for _ in range(3)] == [502, 502, 200]
    assert len(connector.activities(conversation_id)) == 1, "a refused post is not shown"

    connector.answer_slowly("activities.send", 1.0)
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        http("POST", url, {"type": "message", "text": "late"}, token, timeout=0.3)
    connector.wait_for("activities.send", lambda c: c.body.get("text") == "late", timeout=3)
    assert [c.status for c in connector.calls("activities.send")] == [429, 502, 502, 200, 200]


@pytest.mark.filterwarnings("ignore:The bot client is deprecated:DeprecationWarning")
def test_the_teams_sdk_client_talks_to_the_fake_connector(connector, authority):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from microsoft_teams.api import ApiClient, CreateConversationParams, MessageActivityInput
        from microsoft_teams.api.models import Account
        from microsoft_teams.common import ClientOptions

    async def converse():
        api = ApiClient(connector.service_url, ClientOptions(token=lambda: authority.app_token()))
        created = await api.conversations.create(
            CreateConversationParams(members=[Account(id=USER, name="AB")], tenant_id="tenant"))
        sent = await api.conversations.create_activity(created.id, MessageActivityInput(text="Hello"))
        await api.conversations.update_activity(created.id, sent.id, MessageActivityInput(text="Edited"))
        return created.id, sent.id

    conversation_id, activity_id = asyncio.run(converse())
    assert connector.activity(conversation_id, activity_id)["text"] == "Edited"
    assert all(c.ok for c in connector.calls())


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_teams_sdk_app_checks_incoming_tokens_and_answers_through_the_fake_connector(connector, authority):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import httpx
        from fastapi import FastAPI
        from microsoft_teams.api.auth.cloud_environment import PUBLIC, with_overrides
        from microsoft_teams.apps import App
        from microsoft_teams.apps.http import FastAPIAdapter

    connector.add_conversation("a:1chat", [member(USER, "AB")], conversation_type="personal")
    web = FastAPI()
    app = App(client_id=authority.app_id, token=authority.token_provider, http_server_adapter=FastAPIAdapter(app=web),
              cloud=with_overrides(PUBLIC, openid_metadata_url=authority.openid_metadata_url))

    @app.on_message
    async def echo(ctx):
        await ctx.send(f"you said {ctx.activity.text}")

    def activity(text):
        return {"type": "message", "id": "1", "text": text, "channelId": "msteams",
                "serviceUrl": connector.service_url, "from": {"id": USER, "name": "AB"},
                "recipient": {"id": "28:" + authority.app_id}, "channelData": {"tenant": {"id": "t"}},
                "conversation": {"id": "a:1chat", "conversationType": "personal", "tenantId": "t"}}

    async def post(text, token):
        await app.initialize()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://bot") as client:
            return (await client.post("/api/messages", json=activity(text), headers=headers)).status_code

    refused = authority.refused_bot_framework_tokens(connector.service_url)
    statuses = asyncio.run(_in_turn(
        post("one", authority.bot_framework_token(connector.service_url)),
        post("two", None),
        post("three", refused["another key, published kid"]),
        post("four", refused["another serviceurl"]),
    ))
    assert statuses == [200, 401, 401, 401]
    connector.wait_for("activities.send")
    assert [a["text"] for a in connector.activities("a:1chat")] == ["you said one"]
    assert all(c.ok for c in connector.calls())


async def _in_turn(*steps):
    return [await step for step in steps]


# -- Microsoft Graph ----------------------------------------------------------------------------


def _directory(graph):
    graph.add_user("u-staff", "Staff Member")
    graph.add_user("u-volunteer", "Volunteer One")
    graph.add_user("u-guest", "Partner Guest", user_type="Guest")
    graph.add_group("g-managers", "Managers", ["u-staff"])
    graph.add_group("g-staff", "Staff", ["g-managers", "u-volunteer", "u-guest", "u-staff"])


def test_graph_refuses_calls_without_a_token_it_trusts_or_the_permission(graph, authority):
    _directory(graph)
    url = f"{graph.base_url}/users/u-staff"
    status, _, body = http("GET", url)
    assert status == 401 and body["error"]["code"] == "InvalidAuthenticationToken"
    assert http("GET", url, token=authority.graph_token(key=authority.foreign_key()))[0] == 401
    assert http("GET", url, token=authority.app_token(BOT_CONNECTOR_RESOURCE))[0] == 401
    assert http("GET", url, token=authority.graph_token(app_id="another-app"))[0] == 401
    status, _, body = http("GET", url, token=authority.graph_token(roles=["Mail.Read"]))
    assert status == 403 and body["error"]["code"] == "Authorization_RequestDenied"
    assert http("GET", url, token=authority.graph_token())[0] == 200


def test_graph_lists_transitive_members_page_by_page(graph, authority):
    _directory(graph)
    token = authority.graph_token()
    url = f"{graph.base_url}/groups/g-staff/transitiveMembers?$select=id,displayName,userType&$top=2"
    pages = []
    while url:
        status, _, page = http("GET", url, token=token)
        assert status == 200
        pages.append(page["value"])
        url = page.get("@odata.nextLink")
    assert [len(p) for p in pages] == [2, 2]
    everyone = [o for p in pages for o in p]
    assert [(o["@odata.type"], o["id"]) for o in everyone] == [
        ("#microsoft.graph.group", "g-managers"), ("#microsoft.graph.user", "u-volunteer"),
        ("#microsoft.graph.user", "u-guest"), ("#microsoft.graph.user", "u-staff")]
    assert set(everyone[2]) == {"@odata.type", "id", "displayName", "userType"}
    assert everyone[2]["userType"] == "Guest"
    assert "$skiptoken" in graph.calls("groups.transitiveMembers")[1].query


def test_graph_user_cast_leaves_groups_out(graph, authority):
    _directory(graph)
    status, _, page = http("GET", f"{graph.base_url}/groups/g-staff/transitiveMembers/microsoft.graph.user"
                                  "?$select=id", token=authority.graph_token())
    assert status == 200 and [o["id"] for o in page["value"]] == ["u-volunteer", "u-guest", "u-staff"]
    assert "@odata.nextLink" not in page


def test_graph_reads_a_user_and_tells_a_guest_only_when_asked(graph, authority):
    _directory(graph)
    token = authority.graph_token()
    status, _, user = http("GET", f"{graph.base_url}/users/u-guest", token=token)
    assert status == 200 and user["displayName"] == "Partner Guest" and "userType" not in user
    status, _, user = http("GET", f"{graph.base_url}/users/u-guest?$select=id,userType,accountEnabled", token=token)
    assert {k: user[k] for k in ("id", "userType", "accountEnabled")} == {
        "id": "u-guest", "userType": "Guest", "accountEnabled": True}
    upn = graph.users["u-staff"]["userPrincipalName"]
    assert http("GET", f"{graph.base_url}/users/{upn}?$select=userType", token=token)[2]["userType"] == "Member"
    status, _, body = http("GET", f"{graph.base_url}/users/nobody", token=token)
    assert status == 404 and body["error"]["code"] == "Request_ResourceNotFound"
    assert http("GET", f"{graph.base_url}/groups/nope/transitiveMembers", token=token)[0] == 404


def test_graph_injected_faults_throttle_and_fail(graph, authority):
    _directory(graph)
    token = authority.graph_token()
    url = f"{graph.base_url}/users/u-staff"
    graph.respond_with_status("users.get", 429, retry_after=3)
    status, headers, body = http("GET", url, token=token)
    assert (status, headers["Retry-After"], body["error"]["code"]) == (429, "3", "TooManyRequests")
    graph.respond_with_status("users.get", 503, retry_after=2)
    status, headers, body = http("GET", url, token=token)
    assert (status, headers["Retry-After"], body["error"]["code"]) == (503, "2", "serviceNotAvailable")
    assert http("GET", url, token=token)[0] == 200
    assert [c.status for c in graph.calls("users.get")] == [429, 503, 200]


def test_fakes_serve_concurrent_callers(connector, authority):
    token = authority.app_token()
    conversation_id = _create_chat(connector, token)[2]["id"]
    url = f"{connector.url}/v3/conversations/{conversation_id}/activities"
    connector.answer_slowly("activities.send", 0.3, times=8)
    threads = [threading.Thread(target=http, args=("POST", url, {"type": "message", "text": str(i)}, token))
               for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert sorted(a["text"] for a in connector.activities(conversation_id)) == [str(i) for i in range(8)]
    assert len({a["id"] for a in connector.activities(conversation_id)}) == 8
