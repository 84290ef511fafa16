"""What every way of running the app does first: refuse to start without its settings, then migrate."""
from __future__ import annotations

import subprocess
import sys

from bot.settings import SlackSettings as Settings

HOW_TO = """\
Group Policy Assistant cannot start: these settings are missing: {missing}.

Put them in the environment or in a .env file beside README.md (see .env.example). To get them:
  1. Go to https://api.slack.com/apps, choose "Create New App" > "From an app manifest", pick your workspace
     and paste the contents of manifest.socket-mode.yml (Socket Mode, no public URL needed; then see 4) or of
     manifest.yml (HTTP: replace YOUR-HOST in it first). Install the app to the workspace.
  2. SLACK_BOT_TOKEN: "OAuth & Permissions" > "Bot User OAuth Token" (starts with xoxb-).
  3. SLACK_SIGNING_SECRET: "Basic Information" > "App Credentials" > "Signing Secret".
  4. For Socket Mode (no public URL needed), also SLACK_APP_TOKEN: "Basic Information" > "App-Level Tokens" >
     "Generate Token and Scopes" with the connections:write scope (starts with xapp-).
"""


def require_slack_settings(settings: Settings) -> None:
    """Slack's settings, unless the app is to serve Teams alone (Teams on, and no Slack token given)."""
    missing = settings.missing_for_slack()
    if missing and not teams_alone(settings):
        sys.stderr.write(HOW_TO.format(missing=", ".join(missing)))
        raise SystemExit(2)


def prepare(settings: Settings, own_process: bool = False) -> None:
    """`own_process`: migrate in a child process (`python -m flows migrate`, the Procfile's release: step), so
    that Alembic is never imported here: a gunicorn master's memory is every worker's it forks."""
    require_slack_settings(settings)
    if own_process:
        migrated = subprocess.run([sys.executable, "-m", "flows", "migrate"], check=False)
        if migrated.returncode != 0:  # the child has said why
            raise SystemExit(migrated.returncode)
        return
    from flows.db.migrate import upgrade

    upgrade(settings.database_url)


def teams_alone(settings: Settings) -> bool:
    from teams.settings import get_teams_settings

    return get_teams_settings().enabled and not settings.slack_bot_token
