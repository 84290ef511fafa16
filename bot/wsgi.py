"""The WSGI application a production server runs (`gunicorn bot.wsgi:application`): Slack's request URL is
/slack/events; /healthz answers the platform's health check."""
from __future__ import annotations

import json
import threading

from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text

from bot.app import create_app
from flows.db import Database
from flows.settings import Settings, get_settings

SLACK_PATH = "/slack/events"


def create_wsgi_app(settings: Settings, db: Database | None = None):
    db = db or Database(settings.database_url)
    slack = SlackRequestHandler(create_app(settings, db), path=SLACK_PATH)

    def application(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz":
            return _health(db, start_response)
        return slack(environ, start_response)

    return application


def _health(db: Database, start_response):
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        status, body = "200 OK", {"ok": True}
    except Exception as error:  # the health check reports any failure; it must never raise
        status, body = "503 Service Unavailable", {"ok": False, "error": type(error).__name__}
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


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
