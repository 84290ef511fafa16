"""What the admins are told on Slack when a message could not be delivered: what, to whom, why; never its
content, which may hold personal details about families."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from flows.outbox import OutboxMessage, enqueue
from flows.outbox.notice import failure_key, failure_reference
from flows.outbox.worker import OnFailed

_WHAT = {
    "chat.postMessage": "A message",
    "chat.postEphemeral": "A private note",
    "chat.update": "An update to an earlier message",
    "chat.delete": "The removal of an earlier message",
    "views.publish": "An App Home page",
}


def tell_admins(admin_channel: str | None) -> OnFailed | None:
    """The outbox's failure hook for this admin channel; without one, failures are only listed in the App Home."""
    if not admin_channel:
        return None

    def queue_notice(session: Session, message: OutboxMessage, args: dict[str, Any], tries: int) -> None:
        enqueue(session, "chat.postMessage", {"channel": admin_channel, "text": failure_text(message, args, tries)},
                dedupe_key=failure_key(message), reference=failure_reference(message))

    return queue_notice


def failure_text(message: OutboxMessage, args: dict[str, Any], tries: int) -> str:
    what = _WHAT.get(message.method, f"A Slack request ({message.method})")
    about = ""
    if message.reference and message.reference.get("type"):
        kind = str(message.reference["type"]).replace("_", " ")
        about = f" It was about {kind} {message.reference.get('id', '')}".rstrip() + "."
    times = "once" if tries == 1 else f"{tries} times"
    return (
        f":warning: {what} for {_whom(args)} could not be delivered. Group Policy Assistant tried {times}; "
        f"Slack said `{_plain(message.last_error or 'unknown')}`.{about} The people it was meant for have not "
        f"seen it, so please check the app can post there (is it invited to the channel, is the person still in "
        f"the workspace?) and let them know. (Outbox message {message.id}.)"
    )


def _whom(args: dict[str, Any]) -> str:
    channel = args.get("channel") or args.get("user_id") or args.get("user")
    if not isinstance(channel, str) or not channel:
        return "the message it depends on"
    if channel[0] in "UW":
        return f"<@{channel}>"
    if channel[0] in "CG":
        return f"<#{channel}>"
    if channel[0] == "D":
        return f"a direct message ({channel})"
    return _plain(channel)


def _plain(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("`", "'")
