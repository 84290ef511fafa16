"""The Slack adapter of the outbox: renders each notice into a Web API call at delivery time (bot/render.py),
makes the call and tells the outbox what Slack said. Where a notice landed is {"channel", "ts"}: only this module
and the renderers read it.

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

from bot import calls, render
from bot.background import AfterReply
from bot.people import PeopleOnSlackClient
from flows.db import Database, utcnow
from flows.delivered import on_sent
from flows.outbox import (
    Delivered,
    Destination,
    DeliveryPolicy,
    DeliveryReport,
    Notice,
    Outbox,
    RetryLater,
    Undeliverable,
)
from flows.outbox.dispatch import Dispatcher
from flows.outbox.worker import Claim, DeliveryOutcome, tell_admins

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
PLATFORM = "slack"
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
        self.slack = SlackAdapter(db, self.client, settings, admin_channel=admin_channel)
        self.dispatch = Dispatcher(db, [self.slack, *_other_adapters(settings, db)])
        # Without somewhere to tell the admins, failures are only listed in the App Home.
        failed = tell_admins if self.slack.reaches(Destination.ADMINS) else None
        self.outbox = Outbox(db, policy, clock, on_failed=failed, on_sent=on_sent)
        self.after_reply = AfterReply()

    def deliver_due(self, limit: int = 50) -> DeliveryReport:
        return self.outbox.deliver_due(self.dispatch, limit=limit)

    def flush_after_request(self, *messages: Notice | int, limit: int = 20) -> DeliveryReport:
        """Deliver now what a listener has just queued (after ack(), once its transaction has committed), so
        people do not wait for the clock. Given messages, only those go; given none, whatever is due. Never
        raises: whatever is not delivered here, the clock delivers."""
        only: Collection[int] | None = None
        if messages:
            only = [m.id if isinstance(m, Notice) else m for m in messages]
        try:
            return self.outbox.deliver_due(self.dispatch, limit=limit, only=only)
        except Exception:
            log.exception("delivering after a request failed; the clock will deliver")
            return DeliveryReport()

    def send(self, claim: Claim) -> DeliveryOutcome:
        return self.dispatch(claim)


class SlackAdapter:
    """Delivers notices on Slack: people through their Slack account, destinations through the channels in
    settings, replacements by editing the post the replaced notice landed at."""

    platform = PLATFORM

    def __init__(self, db: Database, client: WebClient, settings=None, *, admin_channel: str | None = None):
        self.db = db
        self.client = client
        self.settings = settings
        self.channels = {
            Destination.SIGN_OFF: getattr(settings, "approvals_channel", None),
            Destination.MANAGERS: getattr(settings, "managers_channel", None),
            Destination.ADMINS: admin_channel or getattr(settings, "admin_channel", None),
        }

    def reaches(self, destination: Destination) -> bool:
        return bool(self.channels.get(destination))

    def reaches_unlinked(self, person_id: str) -> bool:
        # Rows written before people had ids of their own hold Slack user ids.
        return render.is_slack_user_id(person_id)

    def send(self, claim: Claim) -> DeliveryOutcome:
        call = self._call(claim)
        if isinstance(call, Undeliverable):
            return call
        method, args = call
        if method == "chat.postMessage":
            args = {**args, "metadata": args.get("metadata") or _marker(claim)}
            if claim.may_have_gone:
                found = self._find_posted(claim, str(args.get("channel") or ""))
                if found is not None:
                    log.info("notice %s was posted by an earlier try; adopting it", claim.id)
                    return found
        try:
            response = self.client.api_call(method, json=args)
        except SlackApiError as error:
            return outcome_of_error(error.response)
        except (OSError, http.client.HTTPException) as error:  # URLError, timeouts, refused and reset connections
            return RetryLater(f"network: {type(error).__name__}")
        return Delivered(_ref(response.get("channel") or args.get("channel"),
                              response.get("ts") or response.get("message_ts") or args.get("ts")))

    def _call(self, claim: Claim) -> tuple[str, dict[str, Any]] | Undeliverable:
        carried = claim.data.get("carried")
        if carried:
            # Queued before notices were rendered at delivery (migration 0009), or composed here whole.
            method, args = str(carried.get("method") or ""), dict(carried.get("args") or {})
            if claim.replaces_id is not None:
                args, problem = calls.filled(args, claim.replaced_ref)
                if problem:
                    return Undeliverable(problem)
            return method, args
        with self.db.transaction() as session:
            return render.call_for(session, claim, self)

    def channel_of(self, session, claim: Claim) -> str | None:
        """Where a new post for this notice goes: the person's Slack account (a direct message) or the channel of
        the destination."""
        if claim.destination is not None:
            return self.channels.get(claim.destination)
        if claim.person_id is not None:
            return render.slack_id(session, claim.person_id)
        return None

    def _find_posted(self, claim: Claim, posted_to: str) -> Delivered | None:
        """The post an earlier try made, if it is in the channel; None when it is not (or cannot be looked for,
        e.g. the history scope is missing: then it is sent again, as before)."""
        try:
            channel = self._channel_for(posted_to)
            oldest = (claim.created_at - LOOK_BACK).timestamp() if claim.created_at else 0
            cursor = None
            for _ in range(HISTORY_PAGES):
                page = self.client.conversations_history(
                    channel=channel, oldest=f"{oldest:.6f}", limit=HISTORY_PAGE, include_all_metadata=True,
                    **({"cursor": cursor} if cursor else {}),
                )
                for message in page.get("messages") or []:
                    if _is_ours(message.get("metadata"), claim):
                        return Delivered(_ref(channel, message.get("ts")))
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not page.get("has_more") or not cursor:
                    return None
        except SlackApiError as error:
            log.warning("could not look for notice %s in the channel: %s", claim.id,
                        error.response.get("error"))
        except (OSError, http.client.HTTPException) as error:
            log.warning("could not look for notice %s in the channel: %s", claim.id, type(error).__name__)
        return None

    def _channel_for(self, channel: str) -> str:
        # A post to a user id lands in the direct message with them: that is the history to read.
        if channel[:1] in ("U", "W"):
            return self.client.conversations_open(users=channel)["channel"]["id"]
        return channel


def _ref(channel: Any, ts: Any) -> dict[str, Any]:
    return {"channel": channel, "ts": ts}


def _marker(claim: Claim) -> dict[str, Any]:
    return {"event_type": METADATA_EVENT, "event_payload": {"outbox_id": claim.id, "key": claim.dedupe_key or ""}}


def _is_ours(metadata: Any, claim: Claim) -> bool:
    if not isinstance(metadata, dict) or metadata.get("event_type") != METADATA_EVENT:
        return False
    payload = metadata.get("event_payload") or {}
    return payload.get("outbox_id") == claim.id and payload.get("key", "") == (claim.dedupe_key or "")


def outcome_of_error(response: SlackResponse) -> DeliveryOutcome:
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


def _other_adapters(settings, db: Database) -> list:
    """The platforms beside Slack that notices may be for (Teams, when it is configured)."""
    if settings is None:
        return []
    from teams.notices import teams_adapter

    adapter = teams_adapter(settings, db)
    return [adapter] if adapter is not None else []
