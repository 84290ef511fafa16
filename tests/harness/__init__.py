"""Test harness: a fake Slack Web API, Slack-style signed requests, and a loopback WSGI server."""

from .fake_slack import APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID, Call, FakeSlack
from .signing import SlackSender, sign
from .wsgi_server import WSGIServer

__all__ = ["APP_ID", "BOT_ID", "BOT_USER_ID", "TEAM_ID", "Call", "FakeSlack", "SlackSender", "WSGIServer", "sign"]
