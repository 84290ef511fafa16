"""`python -m bot.clock`: the one loop that sends what the outbox holds and runs the jobs that are due, and beside
it the prompt loop (bot/prompt.py) that delivers the notices and publishes the Homes the web workers queued, within
a fraction of a second.

Any number of clocks may run (one per dyno, say): the database makes each message go once and each job run
once. The loop never dies on an error: it logs it and tries again on the next tick. SIGTERM stops it between
ticks.
"""
from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable
from datetime import datetime

from bot.delivery import Deliverer
# The jobs' Slack side; with it come the renderers the clock's deliveries use.
from bot.jobs import slack_jobs
from flows.db import utcnow
from flows.scheduler import Scheduler

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 5.0


class Clock:
    def __init__(self, deliverer: Deliverer, scheduler: Scheduler, interval: float = DEFAULT_INTERVAL) -> None:
        self.deliverer = deliverer
        self.scheduler = scheduler
        self.interval = interval

    def tick(self) -> None:
        self._guarded("delivering messages", self.deliverer.deliver_due)
        if self._guarded("running jobs", self.scheduler.run_due):
            # What the jobs just queued goes out now, not a tick later.
            self._guarded("delivering messages", self.deliverer.deliver_due)

    def run(self, stop: threading.Event) -> None:
        log.info("clock started: every %ss", self.interval)
        while not stop.is_set():
            self.tick()
            stop.wait(self.interval)
        log.info("clock stopped")

    @staticmethod
    def _guarded(what: str, step: Callable[[], object]) -> object:
        try:
            return step()
        except Exception:
            log.exception("clock: %s failed; trying again on the next tick", what)
            return None


def build(settings, db=None, clock: Callable[[], datetime] = utcnow) -> Clock:
    from bot.delivery import delivery_client
    from flows.db import Database

    db = db or Database(settings.database_url)
    deliverer = Deliverer(db, delivery_client(settings), settings, clock=clock)
    interval = getattr(settings, "clock_interval_seconds", None) or DEFAULT_INTERVAL
    return Clock(deliverer, Scheduler(db, slack_jobs(lambda: settings), clock=clock), interval=interval)


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from flows.db.migrate import upgrade
    from bot.settings import get_settings

    from bot.startup import teams_alone

    settings = get_settings()
    # Slack's token, unless the app serves Teams alone (then nothing is for Slack to send).
    if not settings.slack_bot_token and not teams_alone(settings):
        sys.stderr.write("The clock needs SLACK_BOT_TOKEN to send messages; see README.md.\n")
        raise SystemExit(2)
    upgrade(settings.database_url)
    stop = threading.Event()

    def request_stop(signum, _frame) -> None:
        log.info("clock: %s received; stopping after this tick", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    from bot import prompt
    from flows.db import Database

    db = Database(settings.database_url)
    clock = build(settings, db)
    loop = prompt.build(settings, db)
    beside = threading.Thread(target=loop.run, args=(stop,), name="prompt-loop", daemon=True)
    beside.start()
    clock.run(stop)
    beside.join(timeout=10)
    loop.close()


if __name__ == "__main__":
    main(sys.argv[1:])
