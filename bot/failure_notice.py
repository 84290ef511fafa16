"""What the admins are told on Slack when a notice could not be delivered: what, to whom, why; never its
content, which may hold personal details about families."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot import calls, render
from flows.outbox import Destination, Notice, NoticeKind
from flows.outbox.worker import Claim

_WHAT = {
    "chat.postMessage": "A message",
    "chat.postEphemeral": "A private note",
    "chat.update": "An update to an earlier message",
    "chat.delete": "The removal of an earlier message",
    "views.publish": "An App Home page",
}


@render.renders(NoticeKind.DELIVERY_FAILED)
def _render(session: Session, claim: Claim, adapter) -> dict[str, Any] | None:
    failed = render.notice_of(session, claim.subject.id)
    if failed is None:
        return None
    return {"text": failure_text(session, failed, int(claim.data.get("tries") or 1), adapter.channels)}


def failure_text(session: Session, notice: Notice, tries: int, channels: dict[Destination, str | None]) -> str:
    method, args = _call(notice)
    what = _WHAT.get(method, f"A Slack request ({method})")
    about = ""
    if notice.subject_type != "message":
        kind = notice.subject_type.replace("_", " ")
        about = f" It was about {kind} {notice.subject_id or ''}".rstrip() + "."
    times = "once" if tries == 1 else f"{tries} times"
    return (
        f":warning: {what} for {_whom(session, notice, args, channels)} could not be delivered. Group Policy Assistant tried "
        f"{times}; Slack said `{_plain(notice.last_error or 'unknown')}`.{about} The people it was meant for have "
        f"not seen it, so please check the app can post there (is it invited to the channel, is the person still "
        f"in the workspace?) and let them know. (Outbox message {notice.id}.)"
    )


def _call(notice: Notice) -> tuple[str, dict[str, Any]]:
    if notice.kind == NoticeKind.PLATFORM_CALL:
        return calls.call_of(notice)
    if notice.replaces_id is not None:
        return "chat.update", {}
    return "chat.postMessage", {}


def _whom(session: Session, notice: Notice, args: dict[str, Any], channels: dict[Destination, str | None]) -> str:
    if notice.kind != NoticeKind.PLATFORM_CALL:
        if notice.destination:
            channel = channels.get(Destination(notice.destination))
            return f"<#{channel}>" if channel else f"the {notice.destination.replace('_', '-')} channel"
        if notice.person_id:
            return render.mention(session, notice.person_id)
        return "the message it depends on"
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
