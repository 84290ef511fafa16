"""`python -m bot` (what `make run` runs): the app and the clock, the Procfile's processes, on this machine.

The app is Socket Mode when SLACK_APP_TOKEN is set (the Procfile's worker:), otherwise HTTP behind gunicorn (web:);
the clock (clock:) sends queued messages, retries and reminders. Ctrl-C stops both.
`python -m bot http` or `python -m bot socket` runs the app alone, for platforms that run the clock themselves.
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from bot.startup import prepare
from bot.settings import get_settings


def run_socket_mode(settings) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import create_app

    prepare(settings)
    SocketModeHandler(create_app(settings), settings.slack_app_token.get_secret_value()).start()


def run_http() -> None:
    # The same server and settings as the Procfile's web: line.
    os.execvp(sys.executable, [sys.executable, "-m", "gunicorn", "-c", "python:bot.gunicorn_conf", "bot.asgi:application"])


def run_with_clock(settings) -> None:
    # Checked and migrated once here, before either starts: two first migrations at once collide on SQLite.
    prepare(settings)
    procfile = Path(__file__).resolve().parent.parent / "Procfile"
    if not procfile.is_file():
        sys.stderr.write(f"There is no Procfile at {procfile}: run `python -m bot http` (or socket) and "
                         "`python -m bot.clock` yourself.\n")
        raise SystemExit(2)
    app = "worker" if settings.slack_app_token else "web"
    # The Procfile says `python` and `gunicorn`: this interpreter's, whatever is first on the PATH.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    # -e os.devnull: .env is read by the settings alone (flows/settings.py), not by honcho's own parser as well.
    os.execve(sys.executable, [
        sys.executable, "-m", "honcho", "-f", str(procfile), "-d", str(procfile.parent), "-e", os.devnull,
        "start", "-p", str(settings.port), app, "clock",
    ], env)


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    mode = argv[0] if argv else "all"
    if mode == "all":
        run_with_clock(settings)
    elif mode == "socket":
        if not settings.slack_app_token:
            sys.stderr.write("Socket Mode needs SLACK_APP_TOKEN (an app-level token, xapp-…); see README.md.\n")
            raise SystemExit(2)
        run_socket_mode(settings)
    elif mode == "http":
        from bot.startup import require_slack_settings

        require_slack_settings(settings)
        run_http()
    else:
        sys.stderr.write("Usage: python -m bot [http|socket]   (no argument: the app and the clock)\n")
        raise SystemExit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
