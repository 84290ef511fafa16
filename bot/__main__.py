"""`python -m bot`: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP behind gunicorn.

`python -m bot http` or `python -m bot socket` chooses explicitly.
"""
from __future__ import annotations

import logging
import os
import sys

from bot.startup import prepare
from flows.settings import get_settings


def run_socket_mode(settings) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import create_app

    prepare(settings)
    SocketModeHandler(create_app(settings), settings.slack_app_token.get_secret_value()).start()


def run_http() -> None:
    # The same server and settings as the Procfile's web: line.
    os.execvp(sys.executable, [sys.executable, "-m", "gunicorn", "-c", "python:bot.gunicorn_conf", "bot.asgi:application"])


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    mode = argv[0] if argv else ("socket" if settings.slack_app_token else "http")
    if mode == "socket":
        if not settings.slack_app_token:
            sys.stderr.write("Socket Mode needs SLACK_APP_TOKEN (an app-level token, xapp-…); see README.md.\n")
            raise SystemExit(2)
        run_socket_mode(settings)
    elif mode == "http":
        from bot.startup import require_slack_settings

        require_slack_settings(settings)
        run_http()
    else:
        sys.stderr.write("Usage: python -m bot [http|socket]\n")
        raise SystemExit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
