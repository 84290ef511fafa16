"""The clock's side of Home refreshes: takes the refreshes the web workers queued (flows/home/refreshes.py), many
at a time, composes each Home and publishes it, several to Slack at once so that a slow Slack does not hold the
rest. Runs every fraction of a second (PROMPT_SECONDS), so a Home is published well within a second of the click
or the opening that asked for it."""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.home import views
from flows.db import Database
from flows.directory.service import Directory, RolesUnconfirmed
from flows.home import HomeService, RegisterFilter, refreshes
from flows.settings import Settings

log = logging.getLogger(__name__)

PROMPT_SECONDS = 0.1
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

    def run(self, stop: threading.Event, interval: float = PROMPT_SECONDS) -> None:
        while not stop.is_set():
            try:
                busy = self.refresh_due()
            except Exception:
                log.exception("Home refreshes failed; trying again shortly")
                busy = 0
            if not busy:
                stop.wait(interval)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


def build(settings: Settings, db: Database) -> HomeRefresher:
    from bot.app import make_client
    from bot.blocks import mention
    from bot.directory import SlackDirectoryBackend

    client = make_client(settings)
    directory = Directory(db, SlackDirectoryBackend(client), settings, unknown_name=mention)
    return HomeRefresher(db, settings, directory, client)


def main() -> None:
    """`python -m bot.home.refresher`: the prompt loop alone, without the clock's jobs (the clock runs it too);
    for the benchmark, or a platform that gives it a process of its own."""
    import signal

    from flows.settings import get_settings

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    refresher = build(settings, Database(settings.database_url))
    refresher.run(stop)
    refresher.close()


if __name__ == "__main__":
    main()
