"""Transitional: a message composed here whole (a Web API call) and carried by the outbox as one notice of kind
PLATFORM_CALL, for the workflows not yet speaking in notices of their own kinds. The Slack adapter
(bot/delivery.py) makes the call as it is, filling {"$from": "channel"/"ts"} from where the notice it replaces
landed."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from flows.outbox import Notice, NoticeKind, Subject, queue

PLATFORM = "slack"
PLACEHOLDER = "$from"
RESULT_FIELDS = ("channel", "ts")


def enqueue(
    session: Session,
    method: str,
    args: dict[str, Any],
    *,
    dedupe_key: str | None = None,
    depends_on: Notice | int | None = None,
    reference: dict[str, Any] | None = None,
    not_before: datetime | None = None,
) -> Notice:
    """Queue one Web API call (e.g. "chat.postMessage", {"channel": ..., "text": ..., "blocks": [...]})."""
    depends_on_id = depends_on.id if isinstance(depends_on, Notice) else depends_on
    if depends_on_id is None and placeholders(args):
        raise ValueError(f"{method} args use {PLACEHOLDER} placeholders but depend on no message")
    bad = placeholders(args) - set(RESULT_FIELDS)
    if bad:
        raise ValueError(f"unknown {PLACEHOLDER} fields {sorted(bad)}; use one of {RESULT_FIELDS}")
    reference = reference or {}
    subject = Subject(str(reference.get("type") or "message"), reference.get("id", ""))
    data = {"platform": PLATFORM, "method": method, "args": args, "reference": reference}
    # A direct message's recipient is a person (their Slack id, as rows still hold them): erasure finds it.
    person = args.get("channel") if isinstance(args.get("channel"), str) and args["channel"][:1] in "UW" else None
    return queue(session, NoticeKind.PLATFORM_CALL, subject, person, data=data, dedupe_key=dedupe_key,
                 replaces=depends_on_id, not_before=not_before)


def call_of(notice: Notice) -> tuple[str, dict[str, Any]]:
    data = notice.data or {}
    return str(data.get("method") or ""), dict(data.get("args") or {})


def filled(args: dict[str, Any], ref: dict[str, Any] | None) -> tuple[dict[str, Any], str | None]:
    """The call's args with its placeholders filled from where the replaced notice landed; the missing field's
    problem when it cannot be."""
    ref = ref or {}
    missing: list[str] = []

    def fill(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {PLACEHOLDER}:
                if not ref.get(value[PLACEHOLDER]):
                    missing.append(str(value[PLACEHOLDER]))
                return ref.get(value[PLACEHOLDER])
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    resolved = fill(args)
    return resolved, (f"dependency_has_no_{missing[0]}" if missing else None)


def placeholders(value: Any) -> set[str]:
    if isinstance(value, dict):
        if set(value) == {PLACEHOLDER}:
            return {value[PLACEHOLDER]}
        return set().union(*(placeholders(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(placeholders(v) for v in value))
    return set()
