"""The baseline: a Bolt app with the same commands, callback ids and action ids as ours, whose listeners only
acknowledge. Served by gunicorn exactly as ours is (bench/bare_gunicorn_conf.py), it shows what Bolt and the
server cost by themselves, so that what our app adds can be told apart.

The listeners are not copied by hand: `listener_spec()` runs our real `create_app()` with a recorder in place of
Bolt's App and notes what it subscribes to, so the baseline follows the app as it grows. The benchmark writes that spec to a
JSON file (BENCH_BARE_LISTENERS) so that the bare workers need not import the app at all.
"""
from __future__ import annotations

import json
import os
import re
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.asgi import served

SPEC_ENV = "BENCH_BARE_LISTENERS"
# The kinds of listener Bolt offers; each takes a constraint (a string, a pattern or a dict of them).
KINDS = ("command", "action", "view", "view_submission", "view_closed", "shortcut", "options", "event", "message",
         "block_action", "block_suggestion", "dialog_submission", "dialog_cancellation", "function")


class _Recorder:
    """Stands in for the Bolt App while our create_app() runs: records each subscription, registers nothing."""

    def __init__(self) -> None:
        self.listeners: list[tuple[str, Any]] = []

    def __getattr__(self, name: str):
        if name in KINDS:
            def subscribe(constraint, *args, **kwargs):
                self.listeners.append((name, constraint))
                return lambda function: function
            return subscribe
        # Middleware, error handlers, the listener runner's hooks: not part of the baseline. A stand-in that
        # accepts any use, so that a workflow's register() runs to the end.
        from unittest.mock import MagicMock

        stand_in = MagicMock(name=f"App.{name}")
        setattr(self, name, stand_in)
        return stand_in


def _encode(constraint: Any) -> Any:
    if isinstance(constraint, re.Pattern):
        return {"$re": constraint.pattern}
    if isinstance(constraint, dict):
        return {key: _encode(value) for key, value in constraint.items()}
    if isinstance(constraint, (list, tuple)):
        return [_encode(value) for value in constraint]
    return constraint


def _decode(constraint: Any) -> Any:
    if isinstance(constraint, dict):
        if set(constraint) == {"$re"}:
            return re.compile(constraint["$re"])
        return {key: _decode(value) for key, value in constraint.items()}
    if isinstance(constraint, list):
        return [_decode(value) for value in constraint]
    return constraint


def listener_spec() -> list[list]:
    """[kind, constraint] for every listener our create_app() registers (imports the app: run it in the
    benchmark's process, not in the bare workers)."""
    from unittest import mock

    from bot import app as our_app
    from flows.db import Database
    from bot.settings import get_settings

    recorder = _Recorder()
    db = Database("sqlite://")  # never used: only the listeners' registration runs
    try:
        with mock.patch.object(our_app, "App", lambda *args, **kwargs: recorder):
            our_app.create_app(get_settings(), db)
    finally:
        db.dispose()
    return [[kind, _encode(constraint)] for kind, constraint in recorder.listeners]


def create_bare_app(spec: list[list]) -> App:
    client = WebClient(token=os.environ.get("SLACK_BOT_TOKEN"), base_url=os.environ.get(
        "SLACK_API_URL", "https://slack.com/api/"))
    # The same App options as bot/app.py, so that only the listeners differ.
    app = App(
        client=client,
        signing_secret=os.environ.get("SLACK_SIGNING_SECRET"),
        token_verification_enabled=False,
        process_before_response=False,
        raise_error_for_unhandled_request=False,
    )

    def acknowledge(ack):
        ack()

    for kind, constraint in spec:
        getattr(app, kind)(_decode(constraint))(acknowledge)
    return app


def _load_spec() -> list[list]:
    path = os.environ.get(SPEC_ENV)
    if path:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    return listener_spec()


class _BuiltOnFirstRequest:
    """Like bot.wsgi: each worker builds its app on the first request, after gunicorn forked it."""

    def __init__(self) -> None:
        self._handler = None

    def __call__(self, environ, start_response):
        if self._handler is None:
            from slack_bolt.adapter.wsgi import SlackRequestHandler

            self._handler = SlackRequestHandler(create_bare_app(_load_spec()), path="/slack/events")
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "11")])
            return [b'{"ok":true}']
        return self._handler(environ, start_response)


application = _BuiltOnFirstRequest()

# As the web process serves it: behind bot.asgi's front, on gunicorn's asgi worker (bot/gunicorn_conf.py).
asgi_application = served(application)
