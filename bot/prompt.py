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
from concurrent.futures import ThreadPoolExecutor

from bot.delivery import Deliverer, delivery_client
from bot.home.refresher import HomeRefresher
from bot.home.refresher import build as home_refresher
from flows.db import Database
from flows.settings import Settings

log = logging.getLogger(__name__)

BATCH = 50
# Notices sent at once: most of a send is waiting for Slack, and one slow answer must not hold the rest.
SENDERS = 8
# Idle between turns: a notice or a Home waits at most this long to be taken (plus one turn's work).
PROMPT_SECONDS = 0.1


class PromptLoop:
    def __init__(self, deliverer: Deliverer, homes: HomeRefresher, senders: int = SENDERS) -> None:
        self.deliverer = deliverer
        self.homes = homes
        self.senders = senders
        self._pool = ThreadPoolExecutor(max_workers=senders, thread_name_prefix="prompt-send")
        self._lock = threading.Lock()
        self._in_flight: set[int] = set()

    def turn(self) -> int:
        """One round: how much was done (notices tried, Homes published)."""
        done = 0
        try:
            done += self._deliver()
        except Exception:
            log.exception("prompt loop: delivering notices failed; trying again shortly")
        try:
            done += self.homes.refresh_due(limit=BATCH)
        except Exception:
            log.exception("prompt loop: Home refreshes failed; trying again shortly")
        return done

    def _deliver(self) -> int:
        """Hand each notice due, not already being sent, to the next free sender; how many were handed out. Each
        sender claims its own notice (and, once it is sent, what was waiting for it: its replacements); no turn
        waits for a slow send to finish."""
        outbox, send = self.deliverer.outbox, self.deliverer.dispatch
        with self._lock:
            due = [i for i in outbox.due_ids(BATCH + len(self._in_flight)) if i not in self._in_flight][:BATCH]
            self._in_flight.update(due)
        for notice_id in due:
            future = self._pool.submit(outbox.deliver_due, send, BATCH, [notice_id])
            future.add_done_callback(lambda done, notice_id=notice_id: self._sent(notice_id, done))
        return len(due)

    def _sent(self, notice_id: int, done) -> None:
        with self._lock:
            self._in_flight.discard(notice_id)
        if done.exception() is not None:
            log.error("prompt loop: delivering notice %s failed", notice_id, exc_info=done.exception())

    def run(self, stop: threading.Event, interval: float = PROMPT_SECONDS) -> None:
        while not stop.is_set():
            if not self.turn():
                stop.wait(interval)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.homes.close()


def build(settings: Settings, db: Database) -> PromptLoop:
    return PromptLoop(Deliverer(db, delivery_client(settings), settings), home_refresher(settings, db))


def main() -> None:
    """`python -m bot.prompt`: the prompt loop alone, without the clock's jobs (the clock runs it too); for the
    benchmark, or a platform that gives it a process of its own."""
    import signal

    from bot.settings import get_settings

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
