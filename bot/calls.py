"""Notices that carry a Web API call whole (data["carried"]): those queued before notices were rendered at delivery
(migration 0009 converted them so). The Slack adapter (bot/delivery.py) makes the call as it was queued, filling
{"$from": "channel"/"ts"} from where the notice it replaces landed."""
from __future__ import annotations

from typing import Any

from flows.outbox import Notice

PLACEHOLDER = "$from"
RESULT_FIELDS = ("channel", "ts")


def call_of(notice: Notice) -> tuple[str, dict[str, Any]]:
    """The Web API call a notice carries whole (none: ("", {}))."""
    carried = (notice.data or {}).get("carried") or {}
    return str(carried.get("method") or ""), dict(carried.get("args") or {})


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
