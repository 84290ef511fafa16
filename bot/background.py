"""Work that follows Slack's acknowledgement (sending queued messages, refreshing a Home tab) runs here, off Bolt's
listener threads, so that a burst of clicks never waits behind the previous clicks' Slack calls.

Nothing here is state: whatever is not done when a process stops is still in the outbox, and the clock sends it.
"""
from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger(__name__)


class AfterReply:
    def __init__(self, workers: int = 8) -> None:
        # Threads start only when work is submitted: a clock or a test that never submits costs nothing.
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="after-reply")

    def submit(self, fn, *args, **kwargs) -> Future:
        future = self._pool.submit(fn, *args, **kwargs)
        future.add_done_callback(_log_failure)
        return future


def _log_failure(future: Future) -> None:
    if future.exception() is not None:
        log.error("work after a reply failed", exc_info=future.exception())
