"""The clock's side of Home refreshes: takes the refreshes the web workers queued (flows/home/refreshes.py), many
at a time, composes each Home and publishes it, several to Slack at once so that a slow Slack does not hold the
rest. The clock's prompt loop (bot/prompt.py) runs it every fraction of a second, so a Home is published well
within a second of the click or the opening that asked for it."""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.home import views
from flows.db import Database
from flows.directory.service import Directory, RolesUnconfirmed
from flows.home import HomeService, RegisterFilter, refreshes
from flows.settings import Settings

log = logging.getLogger(__name__)

BATCH = 50
PUBLISHERS = 8


class HomeRefresher:
    def __init__(self, db: Database, settings: Settings, directory: Directory, client: WebClient,
                 publishers: int = PUBLISHERS) -> None:
        self.db = db
        self.settings = settings
        self.client = client
        self.homes = HomeService(db, settings, directory)
        self._pool = ThreadPoolExecutor(max_workers=publishers, thread_name_prefix="home")

    def refresh_due(self, limit: int = BATCH) -> int:
        """Publish the Homes waiting; how many were taken."""
        taken = refreshes.claim(self.db, limit)
        for _ in self._pool.map(lambda job: self.publish(*job), taken):
            pass
        return len(taken)

    def publish(self, user_id: str, chosen: RegisterFilter | None = None) -> None:
        try:
            home = self.homes.home_for(user_id, chosen)
        except RolesUnconfirmed as error:
            # What the Home shows follows the person's roles: the one last published stands until they are known.
            log.warning("Home of %s not refreshed: %s", user_id, error)
            return
        except Exception:
            log.exception("could not compose the Home of %s", user_id)
            return
        try:
            self.client.views_publish(user_id=user_id, view=views.home_view(home, self.settings))
        except SlackApiError as error:
            # The Home is shown again, afresh, the next time they open it.
            log.warning("could not publish the Home of %s: %s", user_id, error.response.get("error"))
        except Exception:
            log.exception("could not publish the Home of %s", user_id)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


def build(settings: Settings, db: Database) -> HomeRefresher:
    from bot.app import make_client
    from bot.blocks import mention
    from bot.directory import SlackDirectoryBackend
    from bot.people import PeopleOnSlackClient

    # The refreshes name people; Slack is told their Slack accounts (bot/people.py).
    client = PeopleOnSlackClient.wrapping(make_client(settings), db)
    directory = Directory(db, SlackDirectoryBackend(client, settings.role_sources()), settings, unknown_name=mention)
    return HomeRefresher(db, settings, directory, client)

