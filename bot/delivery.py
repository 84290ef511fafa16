"""Sends the outbox's messages to Slack and tells the outbox what Slack said.

The client used here has no retry handlers of its own: a retry inside the call would hold the claim and hide
Retry-After from the outbox, which schedules the next try in the database instead.

Slack's Web API has no idempotency key: a post whose answer never arrived (a timeout after Slack had posted it) would
be posted twice by the next try, and only the second copy would ever be edited. So every post carries its outbox key
in Slack's message metadata, and a try that follows an earlier one looks for that key in the channel's recent history
first, and adopts the post it finds.
"""
from __future__ import annotations

import http.client
import logging
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.background import AfterReply
from bot.failure_notice import tell_admins
from bot.people import PeopleOnSlackClient
from flows.db import Database, utcnow
from flows.outbox import Delivered, DeliveryPolicy, DeliveryReport, Outbox, OutboxMessage, RetryLater, Undeliverable
from flows.outbox.worker import Claim, Outcome

log = logging.getLogger(__name__)

# Slack's errors that a later try can cure; every other `ok: false` error needs a person to fix something.
RETRYABLE_ERRORS = frozenset(
    {"ratelimited", "fatal_error", "internal_error", "service_unavailable", "request_timeout"}
)

# Setting names the lead will add to flows/settings.py; read here if present, so adding them is all it takes.
SETTING_NAMES = {
    "max_attempts": "outbox_max_attempts",
    "base_backoff": "outbox_base_backoff_seconds",
    "max_backoff": "outbox_max_backoff_seconds",
    "lease": "outbox_lease_seconds",
}


# The metadata event type that marks the app's own posts, and how far back (before the message was queued) and how
# deep a retry looks for an earlier try's post.
METADATA_EVENT = "gpa_outbox"
LOOK_BACK = timedelta(minutes=2)
HISTORY_PAGE, HISTORY_PAGES = 200, 5


def delivery_client(settings) -> WebClient:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    timeout = getattr(settings, "slack_timeout_seconds", 10)
    return WebClient(token=token, base_url=settings.slack_api_url, timeout=timeout, retry_handlers=[])


def delivery_policy(settings=None, **overrides: Any) -> DeliveryPolicy:
    """Explicit arguments first, then settings (when they have the field), then DeliveryPolicy's defaults."""
    values = {}
    for field, setting in SETTING_NAMES.items():
        value = overrides.get(field)
        if value is None and settings is not None:
            value = getattr(settings, setting, None)
        if value is not None:
            values[field] = value
    return DeliveryPolicy(**values)


class Deliverer:
    def __init__(
        self,
        db: Database,
        client: WebClient,
        settings=None,
        clock: Callable[[], datetime] = utcnow,
        *,
        max_attempts: int | None = None,
        base_backoff: float | None = None,
        max_backoff: float | None = None,
        lease: float | None = None,
        admin_channel: str | None = None,
    ) -> None:
        if client.retry_handlers:
            log.warning("the delivery client retries by itself; use bot.delivery.delivery_client(settings)")
        policy = delivery_policy(settings, max_attempts=max_attempts, base_backoff=base_backoff,
                                 max_backoff=max_backoff, lease=lease)
        # People the renderers wrote go out as Slack users (bot/people.py).
        self.client = PeopleOnSlackClient.wrapping(client, db)
        admins = admin_channel or getattr(settings, "admin_channel", None)
        self.outbox = Outbox(db, policy, clock, on_failed=tell_admins(admins))
        self.after_reply = AfterReply()

    def deliver_due(self, limit: int = 50) -> DeliveryReport:
        return self.outbox.deliver_due(self.send, limit=limit)

    def flush_soon(self, *messages: OutboxMessage | int) -> None:
        """What listeners call after ack(): the messages go out at once, on a thread of their own, so the listener
        thread is free for the next click."""
        ids = [m.id if isinstance(m, OutboxMessage) else m for m in messages]
        if ids:
            self.after_reply.submit(self.flush_after_request, *ids)

    def flush_after_request(self, *messages: OutboxMessage | int, limit: int = 20) -> DeliveryReport:
        """Deliver now what a listener has just queued (after ack(), once its transaction has committed), so
        people do not wait for the clock. Given messages, only those go; given none, whatever is due. Never
        raises: whatever is not delivered here, the clock delivers."""
        only: Collection[int] | None = None
        if messages:
            only = [m.id if isinstance(m, OutboxMessage) else m for m in messages]
        try:
            return self.outbox.deliver_due(self.send, limit=limit, only=only)
        except Exception:
            log.exception("delivering after a request failed; the clock will deliver")
            return DeliveryReport()

    def send(self, claim: Claim) -> Outcome:
        method, args = claim.method, claim.args
        if method == "chat.postMessage":
            args = {**args, "metadata": args.get("metadata") or _marker(claim)}
            if claim.may_have_gone:
                found = self._find_posted(claim)
                if found is not None:
                    log.info("outbox message %s was posted by an earlier try; adopting it", claim.id)
                    return found
        try:
            response = self.client.api_call(method, json=args)
        except SlackApiError as error:
            return outcome_of_error(error.response)
        except (OSError, http.client.HTTPException) as error:  # URLError, timeouts, refused and reset connections
            return RetryLater(f"network: {type(error).__name__}")
        return Delivered(channel=response.get("channel"), ts=response.get("ts") or response.get("message_ts"))


    def _find_posted(self, claim: Claim) -> Delivered | None:
        """The post an earlier try made, if it is in the channel; None when it is not (or cannot be looked for,
        e.g. the history scope is missing: then it is sent again, as before)."""
        try:
            channel = self._channel_for(str(claim.args.get("channel") or ""))
            oldest = (claim.created_at - LOOK_BACK).timestamp() if claim.created_at else 0
            cursor = None
            for _ in range(HISTORY_PAGES):
                page = self.client.conversations_history(
                    channel=channel, oldest=f"{oldest:.6f}", limit=HISTORY_PAGE, include_all_metadata=True,
                    **({"cursor": cursor} if cursor else {}),
                )
                for message in page.get("messages") or []:
                    if _is_ours(message.get("metadata"), claim):
                        return Delivered(channel=channel, ts=message.get("ts"))
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not page.get("has_more") or not cursor:
                    return None
        except SlackApiError as error:
            log.warning("could not look for outbox message %s in the channel: %s", claim.id,
                        error.response.get("error"))
        except (OSError, http.client.HTTPException) as error:
            log.warning("could not look for outbox message %s in the channel: %s", claim.id, type(error).__name__)
        return None

    def _channel_for(self, channel: str) -> str:
        # A post to a user id lands in the direct message with them: that is the history to read.
        if channel[:1] in ("U", "W"):
            return self.client.conversations_open(users=channel)["channel"]["id"]
        return channel


def _marker(claim: Claim) -> dict[str, Any]:
    return {"event_type": METADATA_EVENT, "event_payload": {"outbox_id": claim.id, "key": claim.dedupe_key or ""}}


def _is_ours(metadata: Any, claim: Claim) -> bool:
    if not isinstance(metadata, dict) or metadata.get("event_type") != METADATA_EVENT:
        return False
    payload = metadata.get("event_payload") or {}
    return payload.get("outbox_id") == claim.id and payload.get("key", "") == (claim.dedupe_key or "")


def outcome_of_error(response: SlackResponse) -> Outcome:
    status = response.status_code
    data = response.data if isinstance(response.data, dict) else {}
    error = str(data.get("error") or f"http_{status}")
    if status == 429 or error == "ratelimited":
        return RetryLater("ratelimited", retry_after=_retry_after(response.headers))
    if status >= 500:
        return RetryLater(f"http_{status}")
    if status != 200:
        return Undeliverable(f"http_{status}")
    if error in RETRYABLE_ERRORS:
        return RetryLater(error)
    return Undeliverable(error)


def _retry_after(headers: dict[str, Any]) -> float | None:
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            value = value[0] if isinstance(value, list) else value
            try:
                return max(float(value), 0.0)
            except (TypeError, ValueError):
                return None
    return None
