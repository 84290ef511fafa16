"""Build and sign requests the way Slack sends them to the app, and send them over HTTP.

The signer is written from Slack's published algorithm with hmac/hashlib, not with
slack_sdk's verifier, so a test does not trust the code it is checking.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.request
from typing import Any, NamedTuple
from urllib.parse import urlencode

from .fake_slack import APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID

_counter = itertools.count(1)


def sign(body: str | bytes, signing_secret: str, timestamp: int | str | None = None) -> dict[str, str]:
    """Headers Slack adds to a request: v0 HMAC-SHA256 over ``v0:{timestamp}:{body}``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    raw = body.encode("utf-8") if isinstance(body, str) else body
    digest = hmac.new(signing_secret.encode("utf-8"), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256)
    return {"X-Slack-Signature": "v0=" + digest.hexdigest(), "X-Slack-Request-Timestamp": ts}


def fresh_trigger_id() -> str:
    """A never-used trigger id (the fake, like Slack, accepts each trigger once)."""
    n = next(_counter)
    return f"{int(time.time())}.{n}.{hashlib.sha1(str((time.time(), n)).encode()).hexdigest()[:24]}"


def _user(user_id: str, team_id: str) -> dict[str, str]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


def _team(team_id: str) -> dict[str, str]:
    return {"id": team_id, "domain": "test-workspace"}


def slash_command_body(
    command: str,
    text: str = "",
    user_id: str = "U1",
    team_id: str = TEAM_ID,
    trigger_id: str | None = None,
    channel_id: str = "C1",
    response_url: str = "https://hooks.slack.com/commands/T0TEST/1/x",
    **extra: str,
) -> str:
    """Form-encoded body of a slash command invocation."""
    fields = {
        "token": "verification-token",
        "team_id": team_id,
        "team_domain": "test-workspace",
        "channel_id": channel_id,
        "channel_name": "directmessage" if channel_id.startswith("D") else "general",
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or fresh_trigger_id(),
        **extra,
    }
    return urlencode(fields)


def interaction_body(payload: dict[str, Any]) -> str:
    """Form-encoded body of an interaction: a single ``payload`` field holding JSON."""
    return urlencode({"payload": json.dumps(payload)})


def view_submission_payload(
    callback_id: str,
    values: dict[str, dict[str, dict[str, Any]]] | None = None,
    *,
    user_id: str = "U1",
    team_id: str = TEAM_ID,
    private_metadata: str = "",
    view_id: str = "V0SUBMIT",
    blocks: list[dict[str, Any]] | None = None,
    title: str = "Form",
    trigger_id: str | None = None,
    **view_extra: Any,
) -> dict[str, Any]:
    """Payload of a modal submission. ``values`` is Slack's state shape:
    ``{block_id: {action_id: {"type": "plain_text_input", "value": "..."}}}``."""
    return {
        "type": "view_submission",
        "team": _team(team_id),
        "user": _user(user_id, team_id),
        "api_app_id": APP_ID,
        "token": "verification-token",
        "trigger_id": trigger_id or fresh_trigger_id(),
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "blocks": blocks or [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": values or {}},
            "hash": f"{int(time.time())}.view0hash",
            "title": {"type": "plain_text", "text": title},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": {"type": "plain_text", "text": "Submit"},
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": APP_ID,
            "external_id": "",
            "app_installed_team_id": team_id,
            "bot_id": BOT_ID,
            **view_extra,
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def block_actions_payload(
    action_id: str,
    value: str | None = None,
    *,
    user_id: str = "U1",
    team_id: str = TEAM_ID,
    block_id: str = "actions",
    action_type: str = "button",
    channel_id: str | None = "C1",
    message_ts: str | None = None,
    message: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    response_url: str | None = "https://hooks.slack.com/actions/T0TEST/1/x",
    trigger_id: str | None = None,
    action: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Payload of a click in a message (default) or, when ``view`` is given, in a modal/home tab.
    ``action`` overrides/extends the single action (e.g. ``selected_option`` for selects)."""
    act = {"action_id": action_id, "block_id": block_id, "type": action_type, "action_ts": f"{time.time():.6f}"}
    if action_type == "button":
        act["text"] = {"type": "plain_text", "text": action_id}
    if value is not None:
        act["value"] = value
    act.update(action or {})
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": APP_ID,
        "token": "verification-token",
        "trigger_id": trigger_id or fresh_trigger_id(),
        "team": _team(team_id),
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [act],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "V0VIEW")}
        payload["view"] = view
    else:
        ts = message_ts or f"{int(time.time())}.000100"
        payload["container"] = {"type": "message", "message_ts": ts, "channel_id": channel_id, "is_ephemeral": False}
        payload["channel"] = {"id": channel_id, "name": "general"}
        payload["message"] = message or {"type": "message", "ts": ts, "user": BOT_USER_ID, "text": "", "blocks": []}
        payload["state"] = {"values": {}}
        if response_url:
            payload["response_url"] = response_url
    return payload


def event_body(
    event: dict[str, Any],
    team_id: str = TEAM_ID,
    event_id: str | None = None,
    **extra: Any,
) -> str:
    """JSON body of an Events API ``event_callback``."""
    now = int(time.time())
    return json.dumps({
        "token": "verification-token",
        "team_id": team_id,
        "api_app_id": APP_ID,
        "event": {"event_ts": f"{now}.000100", **event},
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_counter):08d}",
        "event_time": now,
        "authorizations": [{"enterprise_id": None, "team_id": team_id, "user_id": BOT_USER_ID,
                            "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
        **extra,
    })


class Response(NamedTuple):
    status: int
    headers: dict[str, str]
    text: str
    json: Any  # parsed body, or None when it is not JSON


class SlackSender:
    """Sends signed requests, as Slack would, to ``{base_url}/slack/events``.

    ``timestamp``/``secret`` override signing (stale or forged requests); ``headers``
    adds or replaces headers (e.g. ``{"X-Slack-Retry-Num": "1"}``).
    """

    def __init__(self, base_url: str, signing_secret: str, path: str = "/slack/events", timeout: float = 10.0):
        self.url = base_url.rstrip("/") + path
        self.signing_secret = signing_secret
        self.timeout = timeout
        # An empty ProxyHandler so a CI proxy variable never diverts loopback traffic.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def command(self, command: str, text: str = "", *, timestamp: int | str | None = None,
                secret: str | None = None, headers: dict[str, str] | None = None, **fields: Any) -> Response:
        return self.send(slash_command_body(command, text, **fields), "application/x-www-form-urlencoded",
                         timestamp=timestamp, secret=secret, headers=headers)

    def interact(self, payload: dict[str, Any], *, timestamp: int | str | None = None,
                 secret: str | None = None, headers: dict[str, str] | None = None) -> Response:
        return self.send(interaction_body(payload), "application/x-www-form-urlencoded",
                         timestamp=timestamp, secret=secret, headers=headers)

    def event(self, event: dict[str, Any], team_id: str = TEAM_ID, event_id: str | None = None, *,
              timestamp: int | str | None = None, secret: str | None = None,
              headers: dict[str, str] | None = None) -> Response:
        return self.send(event_body(event, team_id, event_id), "application/json",
                         timestamp=timestamp, secret=secret, headers=headers)

    def send(self, body: str, content_type: str, *, timestamp: int | str | None = None,
             secret: str | None = None, headers: dict[str, str] | None = None) -> Response:
        """Sign ``body`` and post it."""
        signed = {"Content-Type": content_type, **sign(body, secret or self.signing_secret, timestamp)}
        return self.post_raw(body, {**signed, **(headers or {})})

    def post_raw(self, body: str | bytes, headers: dict[str, str] | None = None) -> Response:
        """Post exactly ``body`` with exactly ``headers`` (no signing), e.g. for unsigned requests."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        request = urllib.request.Request(self.url, data=data, headers=headers or {}, method="POST")
        try:
            with self._opener.open(request, timeout=self.timeout) as resp:
                status, resp_headers, raw = resp.status, dict(resp.headers.items()), resp.read()
        except urllib.error.HTTPError as e:  # 4xx/5xx are answers to assert on, not failures
            status, resp_headers, raw = e.code, dict(e.headers.items()), e.read()
        text = raw.decode("utf-8", errors="replace")
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        return Response(status, resp_headers, text, parsed)
