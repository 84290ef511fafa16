"""Checks that the test harness itself behaves like Slack, so other tests can trust it."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from urllib.parse import parse_qs, urlencode

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier

from tests.harness import BOT_USER_ID, TEAM_ID, FakeSlack, SlackSender, WSGIServer, sign
from tests.harness.signing import (
    block_actions_payload,
    event_body,
    interaction_body,
    slash_command_body,
    view_submission_payload,
)

SECRET = "test-signing-secret"


@pytest.fixture
def fake():
    with FakeSlack() as f:
        yield f


@pytest.fixture
def client(fake):
    return WebClient(base_url=fake.url, token="xoxb-test")


def modal(title="Policy", blocks=None):
    return {
        "type": "modal",
        "callback_id": "cb",
        "title": {"type": "plain_text", "text": title},
        "blocks": blocks or [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
    }


# -- fake Slack Web API -------------------------------------------------------


def test_auth_test(fake, client):
    resp = client.auth_test()
    assert resp["ok"] and resp["team_id"] == TEAM_ID and resp["user_id"] == BOT_USER_ID
    assert resp["bot_id"].startswith("B") and resp["url"].startswith("https://")
    assert fake.calls("auth.test")[0].token == "xoxb-test"


def test_post_message_is_recorded_with_args(fake, client):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    first = client.chat_postMessage(channel="C1", text="hello", blocks=blocks)
    second = client.chat_postMessage(channel="U9", text="dm")
    assert float(second["ts"]) > float(first["ts"])
    assert first["channel"] == "C1" and first["message"]["text"] == "hello"
    assert second["channel"] == "DU9"
    call = fake.calls("chat.postMessage")[0]
    assert call.args == {"channel": "C1", "text": "hello", "blocks": blocks}
    assert call.token == "xoxb-test" and call.ok and call.timestamp <= time.time()


def test_form_encoded_body_with_token_field_and_json_string_blocks(fake):
    blocks = [{"type": "divider"}]
    body = urlencode({"token": "xoxb-form", "channel": "C1", "ts": "1.2", "blocks": json.dumps(blocks)})
    req = urllib.request.Request(fake.url + "chat.update", data=body.encode(), method="POST")
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req) as resp:
        assert json.loads(resp.read())["ok"] is True
    call = fake.calls("chat.update")[0]
    assert call.token == "xoxb-form"
    assert call.args == {"channel": "C1", "ts": "1.2", "blocks": blocks}


def test_message_blocks_are_validated(fake, client):
    too_long = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    with pytest.raises(SlackApiError) as e:
        client.chat_postMessage(channel="C1", text="t", blocks=too_long)
    assert e.value.response["error"] == "invalid_blocks"


def test_fail_next_gives_slack_api_error_once(fake, client):
    fake.fail_next("chat.postMessage", error="channel_not_found")
    with pytest.raises(SlackApiError) as e:
        client.chat_postMessage(channel="C404", text="x")
    assert e.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.ok for c in fake.calls("chat.postMessage")] == [False, True]


def test_rate_limited_then_retried(fake):
    # Retry-After 0 keeps the test fast; the handler still sleeps < 1s of jitter.
    fake.respond_with_status("chat.postMessage", status=429, headers={"Retry-After": "0"})
    retrying = WebClient(base_url=fake.url, token="xoxb-test", retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    assert retrying.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.status for c in fake.calls("chat.postMessage")] == [429, 200]


def test_rate_limit_default_header_and_server_error_without_retry(fake, client):
    fake.respond_with_status("chat.postMessage", status=429)
    with pytest.raises(SlackApiError) as e:
        client.chat_postMessage(channel="C1", text="x")
    assert e.value.response.status_code == 429 and e.value.response.headers["Retry-After"] == "1"
    fake.respond_with_status("users.info", status=500, times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as e:
            client.users_info(user="U1")
        assert e.value.response.status_code == 500
    assert [c.status for c in fake.calls("users.info")] == [500, 500]


def test_delay(fake, client):
    fake.delay_seconds = 0.3
    start = time.monotonic()
    client.auth_test()
    assert time.monotonic() - start >= 0.3


def test_views_open_valid_and_trigger_used_once(fake, client):
    resp = client.views_open(trigger_id="trig-1", view=modal())
    assert resp["view"]["id"].startswith("V") and resp["view"]["hash"]
    assert resp["view"]["callback_id"] == "cb"
    with pytest.raises(SlackApiError) as e:
        client.views_open(trigger_id="trig-1", view=modal())
    assert e.value.response["error"] == "expired_trigger_id"
    updated = client.views_update(view_id=resp["view"]["id"], view=modal("Done"))
    assert updated["view"]["id"] == resp["view"]["id"] and updated["view"]["hash"] != resp["view"]["hash"]


@pytest.mark.parametrize(
    "view",
    [modal(title="x" * 25), modal(blocks=[{"type": "divider"}] * 101), modal(blocks=[{"type": "bogus"}])],
    ids=["title-over-24", "over-100-blocks", "unknown-block-type"],
)
def test_invalid_view_is_refused_and_recorded(fake, client, view):
    with pytest.raises(SlackApiError) as e:
        client.views_open(trigger_id="trig-x", view=view)
    assert e.value.response["error"] == "invalid_arguments"
    assert e.value.response["response_metadata"]["messages"]
    recorded = fake.calls("views.open")[0]
    assert not recorded.ok and recorded.response["error"] == "invalid_arguments"
    assert recorded.args["view"] == view


def test_views_publish_keeps_one_home_view_per_user(fake, client):
    home = {"type": "home", "blocks": [{"type": "divider"}]}
    a = client.views_publish(user_id="U1", view=home)["view"]
    b = client.views_publish(user_id="U1", view=home)["view"]
    assert a["id"] == b["id"] and a["type"] == "home"


def test_users_and_usergroups(fake, client):
    fake.add_user("U1", name="Jo", is_restricted=True)
    fake.add_usergroup("S1", handle="staff", users=["U1", "U2"])
    fake.add_usergroup("S2", handle="old", users=[], disabled=True)
    user = client.users_info(user="U1")["user"]
    assert user["name"] == "Jo" and user["is_restricted"] is True and user["profile"]["display_name"] == "Jo"
    with pytest.raises(SlackApiError) as e:
        client.users_info(user="U404")
    assert e.value.response["error"] == "user_not_found"
    groups = client.usergroups_list(include_users=True)["usergroups"]
    assert [(g["id"], g["handle"], g["users"]) for g in groups] == [("S1", "staff", ["U1", "U2"])]
    assert len(client.usergroups_list(include_disabled=True)["usergroups"]) == 2
    assert client.usergroups_users_list(usergroup="S1")["users"] == ["U1", "U2"]
    with pytest.raises(SlackApiError) as e:
        client.usergroups_users_list(usergroup="S404")
    assert e.value.response["error"] == "no_such_subteam"


def test_other_methods_and_unknown_method(fake, client):
    assert client.conversations_open(users="U1")["channel"]["id"] == "DU1"
    assert client.chat_postEphemeral(channel="C1", user="U1", text="psst")["message_ts"]
    with pytest.raises(SlackApiError) as e:
        client.api_call("nonsense.method")
    assert e.value.response["error"] == "unknown_method"
    with pytest.raises(SlackApiError) as e:
        WebClient(base_url=fake.url).auth_test()
    assert e.value.response["error"] == "not_authed"


def test_wait_for_sees_a_late_call_and_times_out_otherwise(fake, client):
    threading.Timer(0.2, lambda: client.chat_postMessage(channel="C1", text="late")).start()
    call = fake.wait_for("chat.postMessage", lambda c: c.args["text"] == "late", timeout=5)
    assert call.args["channel"] == "C1"
    with pytest.raises(AssertionError, match="no matching views.open"):
        fake.wait_for("views.open", timeout=0.1)


def test_response_url_posts_are_recorded(fake):
    req = urllib.request.Request(fake.response_url("cmd"), data=b'{"text": "done"}',
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req) as resp:
        assert resp.status == 200
    assert fake.wait_for("response_url").args == {"text": "done", "_name": "cmd"}


def test_reset(fake, client):
    fake.add_user("U1")
    fake.fail_next("auth.test")
    fake.reset()
    assert client.auth_test()["ok"] and fake.users == {}
    assert [c.method for c in fake.calls()] == ["auth.test"]


# -- signing and sending ------------------------------------------------------


def test_signature_verifies_with_slack_sdk_and_wrong_secret_does_not():
    body = slash_command_body("/policy", "help")
    assert SignatureVerifier(SECRET).is_valid_request(body, sign(body, SECRET))
    assert not SignatureVerifier(SECRET).is_valid_request(body, sign(body, "wrong-secret"))
    stale = sign(body, SECRET, timestamp=int(time.time()) - 600)
    assert not SignatureVerifier(SECRET).is_valid_request(body, stale)


def test_body_builders_have_slack_shapes():
    form = parse_qs(slash_command_body("/policy", "a b", user_id="U7", team_id="T9", trigger_id="t1"))
    assert form["command"] == ["/policy"] and form["text"] == ["a b"] and form["trigger_id"] == ["t1"]
    sub = view_submission_payload("cb", {"b": {"a": {"type": "plain_text_input", "value": "v"}}}, user_id="U7")
    assert sub["type"] == "view_submission" and sub["view"]["state"]["values"]["b"]["a"]["value"] == "v"
    assert json.loads(parse_qs(interaction_body(sub))["payload"][0]) == sub
    act = block_actions_payload("approve", "42")
    assert act["actions"][0]["value"] == "42" and act["container"]["type"] == "message"
    assert block_actions_payload("x", view={"id": "V1"})["container"] == {"type": "view", "view_id": "V1"}
    ev = json.loads(event_body({"type": "app_home_opened", "user": "U7"}, event_id="Ev1"))
    assert ev["type"] == "event_callback" and ev["event_id"] == "Ev1" and ev["event"]["user"] == "U7"
    assert slash_command_body("/x")  # trigger ids are fresh by default
    assert parse_qs(slash_command_body("/x"))["trigger_id"] != parse_qs(slash_command_body("/x"))["trigger_id"]


def echo_app(environ, start_response):
    """Checks the signature with Slack's SDK and echoes what it got."""
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode()
    headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
    valid = SignatureVerifier(SECRET).is_valid_request(body, headers)
    out = json.dumps({"path": environ["PATH_INFO"], "body": body, "headers": headers, "ctype": environ.get("CONTENT_TYPE")})
    start_response("200 OK" if valid else "401 Unauthorized", [("Content-Type", "application/json")])
    return [out.encode()]


def test_wsgi_server_serves_trivial_app():
    def hello(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"hello"]

    with WSGIServer(hello) as server:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(server.url + "/") as resp:
            assert resp.read() == b"hello"


def test_sender_round_trip():
    with WSGIServer(echo_app) as server:
        sender = SlackSender(server.url, SECRET)
        status, _, _, got = sender.command("/policy", "help", user_id="U7")
        assert status == 200 and got["path"] == "/slack/events"
        assert parse_qs(got["body"])["user_id"] == ["U7"]
        assert got["ctype"] == "application/x-www-form-urlencoded"

        resp = sender.interact(block_actions_payload("approve"))
        assert resp.status == 200 and json.loads(parse_qs(resp.json["body"])["payload"][0])["type"] == "block_actions"

        resp = sender.event({"type": "app_home_opened", "user": "U7"}, headers={"X-Slack-Retry-Num": "1"})
        assert resp.status == 200 and resp.json["headers"]["X-Slack-Retry-Num"] == "1"
        assert resp.json["ctype"] == "application/json"

        assert sender.command("/policy", secret="wrong").status == 401
        assert sender.command("/policy", timestamp=int(time.time()) - 600).status == 401
        assert sender.post_raw("x=1", {"Content-Type": "application/x-www-form-urlencoded"}).status == 401


# -- all together: a Bolt app served over HTTP, talking to the fake -------------


@pytest.mark.e2e
def test_bolt_app_end_to_end(fake):
    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    app = App(client=WebClient(base_url=fake.url, token="xoxb-test"), signing_secret=SECRET)

    @app.command("/policy")
    def policy(ack, body, client, respond):
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=modal())
        respond("opened")

    with WSGIServer(SlackRequestHandler(app)) as server:
        sender = SlackSender(server.url, SECRET)
        assert sender.command("/policy", response_url=fake.response_url("c1")).status == 200
        assert fake.wait_for("views.open").ok
        assert fake.wait_for("response_url").args["text"] == "opened"
        assert sender.command("/policy", secret="wrong").status == 401
