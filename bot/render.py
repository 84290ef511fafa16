"""Each notice kind in Slack's words, rendered when it is delivered: kind -> the Web API call that shows it.

A renderer gets the claim (kind, subject, data) and the session, loads what the notice is about and returns the
message's content ({"text", "blocks"}); the adapter sends it to the recipient (a new post) or over the post the
replaced notice landed at (an edit in place). None means the subject no longer exists: nothing is sent."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from flows.outbox import Notice, NoticeKind, Undeliverable
from flows.outbox.worker import Claim
from flows.people import account_of

PLATFORM = "slack"
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")

Content = dict[str, Any]
# (session, claim, the adapter: for its settings) -> content, or (method, args) for a call of its own, or None.
Renderer = Callable[[Session, Claim, Any], "Content | tuple[str, dict[str, Any]] | None"]
RENDERERS: dict[NoticeKind, Renderer] = {}


def renders(*kinds: NoticeKind) -> Callable[[Renderer], Renderer]:
    def register(function: Renderer) -> Renderer:
        for kind in kinds:
            RENDERERS[kind] = function
        return function

    return register


def is_slack_user_id(value: str | None) -> bool:
    return bool(value) and bool(_SLACK_USER.match(value))


def slack_id(session: Session, person_id: str | None) -> str | None:
    """The person's Slack account; a value stored before people had ids of their own is a Slack id already."""
    if not person_id:
        return None
    account = account_of(session, person_id, PLATFORM)
    if account is not None:
        return account
    return person_id if is_slack_user_id(person_id) else None


def on_slack(session: Session, person_id: str | None) -> str | None:
    """The id a message's <@…> mention needs: the person's Slack account, else the value as stored."""
    return slack_id(session, person_id) or person_id


def mention(session: Session, person_id: str | None, name: str | None = None) -> str:
    """<@U…> for someone on Slack, else their name."""
    account = slack_id(session, person_id)
    if account:
        return f"<@{account}>"
    return name or "someone"


def call_for(session: Session, claim: Claim, adapter) -> tuple[str, dict[str, Any]] | Undeliverable:
    renderer = _renderers().get(claim.kind)
    if renderer is None:
        return Undeliverable(f"slack_cannot_render_{claim.kind.value}")
    content = renderer(session, claim, adapter)
    if content is None:
        return Undeliverable("subject_gone")
    if isinstance(content, tuple):  # a renderer that chooses its own call (a private note)
        return content
    if claim.replaces_id is not None:
        ref = claim.replaced_ref or {}
        if not ref.get("channel") or not ref.get("ts"):
            return Undeliverable("replaced_notice_has_no_reference")
        return "chat.update", {"channel": ref["channel"], "ts": ref["ts"], **content}
    channel = adapter.channel_of(session, claim)
    if not channel:
        return Undeliverable("recipient_not_on_slack")
    return "chat.postMessage", {"channel": channel, **content}


def _renderers() -> dict[NoticeKind, Renderer]:
    # The workflows' renderers register themselves when their modules are imported; importing them here, when the
    # first notice is rendered, keeps bot.delivery free of import cycles.
    from bot import escalations, failure_notice  # noqa: F401
    from bot.moderation import chasing, notify as moderation  # noqa: F401
    from bot.newgroup import messages as newgroup  # noqa: F401
    from bot.removals import notify as removals  # noqa: F401
    from bot.reports import notify as reports  # noqa: F401
    from bot.groups import notices as groups  # noqa: F401

    return RENDERERS


def notice_of(session: Session, notice_id: Any) -> Notice | None:
    try:
        return session.get(Notice, int(notice_id))
    except (TypeError, ValueError):
        return None
