"""The WSGI application behind the web process's front (bot/asgi.py, which gunicorn serves): Slack's request URL is
/slack/events; /healthz answers the platform's health check."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.request import payload_utils

from bot.app import create_app
from flows.db import Database
from bot.settings import SlackSettings as Settings
from bot.settings import get_settings
from flows.db.revisions import current_revisions, head_revisions

SLACK_PATH = "/slack/events"
# Slack's own rule: a request signed more than five minutes ago (or ahead) is a replay, not a request.
SIGNATURE_WINDOW_SECONDS = 5 * 60
READ_BY_BOLT = (
    payload_utils.to_options, payload_utils.to_shortcut, payload_utils.to_action, payload_utils.to_view,
    payload_utils.to_command, payload_utils.to_event, payload_utils.to_message, payload_utils.to_step,
)


def create_wsgi_app(settings: Settings, db: Database | None = None):
    db = db or Database(settings.database_url)
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    slack = _SlackEndpoint(create_app(settings, db), secret)

    def application(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz":
            return _health(db, start_response)
        return slack(environ, start_response)

    return application


def _health(db: Database, start_response):
    # Not just "a database answers": this app's records, at the schema this code was written for. A database
    # deleted (or recreated empty) under the app must take it out of service, not have it acknowledge work.
    try:
        with db.engine.connect() as connection:
            found = current_revisions(connection)
        if found == head_revisions():
            status, body = "200 OK", {"ok": True}
        else:
            status, body = "503 Service Unavailable", {"ok": False, "error": "schema_not_at_head"}
    except Exception as error:  # the health check reports any failure; it must never raise
        status, body = "503 Service Unavailable", {"ok": False, "error": type(error).__name__}
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


class _SlackEndpoint(SlackRequestHandler):
    """Bolt reads the body before it checks the signature, and fails on a body it cannot read: here a request
    that is not signed is refused first (401), and a signed one that cannot be read is a bad request (400)."""

    def __init__(self, app: App, signing_secret: str | None) -> None:
        super().__init__(app, path=SLACK_PATH)
        self.secret = signing_secret.encode() if signing_secret else None

    def dispatch(self, request) -> BoltResponse:
        environ = request.environ
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        raw = environ["wsgi.input"].read(length) if "wsgi.input" in environ and length > 0 else b""
        headers = request.get_headers()
        if self.secret is not None and not _signed(self.secret, raw, headers):
            return BoltResponse(status=401, body={"error": "invalid request"})
        try:
            bolt_request = BoltRequest(body=raw.decode("utf-8"), query=request.query_string, headers=headers)
            if not isinstance(bolt_request.body, dict):
                raise ValueError("not an object")
            for part in READ_BY_BOLT:  # what Bolt hands every listener (and its error handler) as arguments
                part(bolt_request.body)
        except Exception:  # whatever Bolt cannot make sense of: not form-encoded, not JSON, odd shapes
            return BoltResponse(status=400, body={"error": "this request could not be read"})
        return self.app.dispatch(bolt_request)


def _signed(secret: bytes, raw: bytes, headers: dict) -> bool:
    """Slack's v0 signature over the bytes as they came (which need not be UTF-8), within five minutes."""
    timestamp = headers.get("x-slack-request-timestamp")
    signature = headers.get("x-slack-signature")
    if not isinstance(timestamp, str) or not isinstance(signature, str):
        return False
    if not (timestamp.isascii() and timestamp.isdigit()):
        return False
    if abs(time.time() - int(timestamp)) > SIGNATURE_WINDOW_SECONDS:
        return False
    expected = "v0=" + hmac.new(secret, b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


class _BuiltOnFirstRequest:
    """Importing this module does no I/O; each worker builds its app when the first request arrives."""

    def __init__(self) -> None:
        self._app = None
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        if self._app is None:
            with self._lock:
                if self._app is None:
                    self._app = create_wsgi_app(get_settings())
        return self._app(environ, start_response)


application = _BuiltOnFirstRequest()
