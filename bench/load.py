"""Signed requests as Slack sends them, fired at a server by a fixed number of concurrent senders, each timed from
the moment its connection opens until the whole HTTP response has arrived: the acknowledgement latency Slack
sees (Slack gives up after 3 seconds)."""
from __future__ import annotations

import http.client
import itertools
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from bench.data import APPROVALS_CHANNEL, MANAGERS, STAFF, TEAM_ID
from tests.harness.signing import (
    block_actions_payload,
    event_body,
    interaction_body,
    sign,
    slash_command_body,
    view_submission_payload,
)

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
REQUEST_TIMEOUT = 10.0
SLACK_GIVES_UP = 3.0
NAME = "Amaze Hastings parent carers"


def newgroup_command(n: int) -> str:
    return slash_command_body("/newgroup", NAME, user_id=STAFF[n % len(STAFF)], team_id=TEAM_ID,
                              channel_id="C0BGENERAL")


def name_step(draft_id: str, user_id: str) -> str:
    """The wizard's Next on the name step: a view_submission whose private_metadata names a real draft."""
    return interaction_body(view_submission_payload(
        "newgroup",
        {"name": {"value": {"type": "plain_text_input", "value": NAME}}},
        user_id=user_id, team_id=TEAM_ID, private_metadata=json.dumps({"draft": draft_id, "step": "name"}),
        blocks=[{"type": "input", "block_id": "name", "label": {"type": "plain_text", "text": "Name"},
                 "element": {"type": "plain_text_input", "action_id": "value"}}],
        title="New WhatsApp group",
    ))


def approve_click(decision_id: int, n: int) -> str:
    """A senior manager's Approve in the approvals channel, on the given decision."""
    return interaction_body(block_actions_payload(
        "removal_approve", str(decision_id), user_id=MANAGERS[n % len(MANAGERS)], team_id=TEAM_ID,
        channel_id=APPROVALS_CHANNEL, block_id="sign_off",
    ))


def app_home_opened(n: int) -> str:
    """A member of staff opening the app's Home tab: the Events API callback Slack sends (Bolt acknowledges events
    itself; the Home is composed and published after that)."""
    return event_body({"type": "app_home_opened", "user": STAFF[n % len(STAFF)], "channel": f"D0BHOME{n % 10:02d}",
                       "tab": "home"}, team_id=TEAM_ID)


def content_type(body: str) -> str:
    return JSON if body.startswith("{") else FORM


@dataclass
class Sample:
    seconds: float
    status: int  # 0: no HTTP answer at all (refused, reset, timed out)
    started: float = 0.0  # time.time() when it was sent, to match what Slack heard after it
    body: str = ""


@dataclass
class Batch:
    samples: list[Sample] = field(default_factory=list)
    wall_seconds: float = 0.0
    unfinished: int = 0  # requests not sent because the batch's time limit ran out


def send(port: int, body: str, secret: str) -> Sample:
    data = body.encode()
    headers = {"Content-Type": content_type(body), **sign(data, secret)}
    start, started = time.perf_counter(), time.time()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("POST", "/slack/events", body=data, headers=headers)
        response = connection.getresponse()
        response.read()
        status = response.status
    except (OSError, http.client.HTTPException):
        status = 0
    finally:
        connection.close()
    return Sample(time.perf_counter() - start, status, started, body)


def run_batch(port: int, bodies: list[str], concurrency: int, secret: str, time_limit: float) -> Batch:
    """Send every body with `concurrency` senders, each sending its next as soon as its last is answered."""
    batch = Batch()
    lock = threading.Lock()
    order = itertools.count()
    deadline = time.monotonic() + time_limit

    def sender() -> None:
        while time.monotonic() < deadline:
            with lock:
                index = next(order)
            if index >= len(bodies):
                return
            sample = send(port, bodies[index], secret)
            with lock:
                batch.samples.append(sample)

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + REQUEST_TIMEOUT)
    batch.wall_seconds = time.perf_counter() - start
    batch.unfinished = len(bodies) - len(batch.samples)
    return batch


def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Summary:
    count: int
    p50: float
    p95: float
    p99: float
    max: float
    errors: int  # not 200, or no answer
    late: int  # answered after Slack's 3 seconds
    statuses: dict[int, int]  # how many of each HTTP status (0: no answer within the client's 10 s)

    @classmethod
    def of(cls, samples: list[Sample]) -> Summary:
        seconds = [s.seconds for s in samples]
        return cls(
            count=len(samples), p50=percentile(seconds, 50), p95=percentile(seconds, 95),
            p99=percentile(seconds, 99), max=max(seconds) if seconds else float("nan"),
            errors=sum(1 for s in samples if s.status != 200), late=sum(1 for s in seconds if s > SLACK_GIVES_UP),
            statuses=dict(sorted(Counter(s.status for s in samples).items())),
        )

    @property
    def error_text(self) -> str:
        """e.g. "30 (404: 12, none: 18)": the errors, by what came back."""
        kinds = ", ".join(f"{status or 'none'}: {n}" for status, n in self.statuses.items() if status != 200)
        return f"{self.errors} ({kinds})" if kinds else "0"
