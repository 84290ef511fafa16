"""The clock's prompt loop: what follows the acknowledgements, done within a fraction of a second and outside the
web workers. Each turn it delivers the notices due (flows/outbox, through bot/delivery.py) and publishes the Homes
the web workers asked to refresh (bot/home/refresher.py); when there was nothing to do it waits PROMPT_SECONDS.

The web workers only write: the change and its notices in one transaction, a Home refresh in one statement. So a
burst of clicks costs them the acknowledgements alone, and a slow Slack holds no web worker's thread. Any number of
these loops may run (one per clock): the database gives each notice and each refresh to one of them.
"""
from __future__ import annotations

import logging
import threading

from bot.delivery import Deliverer, delivery_client
from bot.home.refresher import HomeRefresher
from bot.home.refresher import build as home_refresher
from flows.db import Database
from flows.settings import Settings

log = logging.getLogger(__name__)

BATCH = 50
# Idle between turns: a notice or a Home waits at most this long to be taken (plus one turn's work).
PROMPT_SECONDS = 0.1


class PromptLoop:
    def __init__(self, deliverer: Deliverer, homes: HomeRefresher) -> None:
        self.deliverer = deliverer
        self.homes = homes

    def turn(self) -> int:
        """One round: how much was done (notices tried, Homes published)."""
        done = 0
        try:
            done += len(self.deliverer.deliver_due(limit=BATCH))
        except Exception:
            log.exception("prompt loop: delivering notices failed; trying again shortly")
        try:
            done += self.homes.refresh_due(limit=BATCH)
        except Exception:
            log.exception("prompt loop: Home refreshes failed; trying again shortly")
        return done

    def run(self, stop: threading.Event, interval: float = PROMPT_SECONDS) -> None:
        while not stop.is_set():
            if not self.turn():
                stop.wait(interval)

    def close(self) -> None:
        self.homes.close()


def build(settings: Settings, db: Database) -> PromptLoop:
    return PromptLoop(Deliverer(db, delivery_client(settings), settings), home_refresher(settings, db))


def main() -> None:
    """`python -m bot.prompt`: the prompt loop alone, without the clock's jobs (the clock runs it too); for the
    benchmark, or a platform that gives it a process of its own."""
    import signal

    from flows.settings import get_settings

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    loop = build(settings, Database(settings.database_url))
    loop.run(stop)
    loop.close()


if __name__ == "__main__":
    main()
