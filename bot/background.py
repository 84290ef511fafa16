"""Work that follows Slack's acknowledgement (sending queued messages, refreshing a Home tab) runs here, off Bolt's
listener threads, so that a burst of clicks never waits behind the previous clicks' Slack calls.

Nothing here is state: whatever is not done when a process stops is still in the outbox, and the clock sends it.
"""
from __future__ import annotations

import logging
import threading
import weakref
from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger(__name__)
# Every pool in this process, so that tests (and a graceful shutdown) can tell when all work after replies is done.
_POOLS: weakref.WeakSet[AfterReply] = weakref.WeakSet()


def busy() -> bool:
    """Whether any work submitted after a reply is still waiting or running in this process."""
    return any(pool.pending for pool in list(_POOLS))


class AfterReply:
    def __init__(self, workers: int = 8) -> None:
        # Threads start only when work is submitted: a clock or a test that never submits costs nothing.
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="after-reply")
        self._lock = threading.Lock()
        self.pending = 0
        _POOLS.add(self)

    def submit(self, fn, *args, **kwargs) -> Future:
        with self._lock:
            self.pending += 1
        future = self._pool.submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future) -> None:
        with self._lock:
            self.pending -= 1
        _log_failure(future)


def _log_failure(future: Future) -> None:
    if future.exception() is not None:
        log.error("work after a reply failed", exc_info=future.exception())
