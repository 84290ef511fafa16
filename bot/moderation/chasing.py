"""L5 in Slack's words (flows/moderation/chasing.py decides who is chased when): the earlier request closed once it
was asked again; the lead's list of moderators who have not answered; the managers' list."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot import render
from bot.blocks import bullet_list, escape, section
from flows.moderation.chase_notices import Listed, listed
from flows.moderation.chasing import Asked
from flows.moderation.queries import local_date, long_date
from flows.outbox import NoticeKind
from flows.outbox.worker import Claim

WHAT = {
    Asked.CONFIRMATION: "has not confirmed they have read the policy and the group agreement (M8)",
    Asked.CHECKIN: "has not said whether they can go on moderating (M9)",
}


@render.renders(NoticeKind.REQUEST_ASKED_AGAIN)
def _asked_again(session: Session, claim: Claim, adapter) -> dict:
    text = ":repeat: I have asked about this again in a newer message (L5): please answer there."
    return {"text": "Asked again in a newer message", "blocks": [section(text).to_dict()]}


@render.renders(NoticeKind.UNANSWERED_TO_LEAD)
def _to_lead(session: Session, claim: Claim, adapter) -> dict | None:
    items, _ = listed(session, claim.data)
    waiting = [i for i in items if not i.answered]
    if not items:
        return None
    group = escape(items[0].group_name)
    if not waiting:
        return {"text": f"Everyone in {items[0].group_name} has now answered (L5)."}
    lines = [f"{escape(i.moderator_name)} {WHAT[i.asked]}: asked on {_day(i.asked_at)}, and asked again since."
             for i in waiting]
    return {"text": "\n".join([
        f":hourglass: *Not answered yet in {group}* (L5). As its lead staff moderator, please have a word with "
        f"them; if nobody answers, the managers are told.",
        bullet_list(lines),
    ])}


@render.renders(NoticeKind.UNANSWERED_TO_MANAGERS)
def _to_managers(session: Session, claim: Claim, adapter) -> dict | None:
    items, now = listed(session, claim.data)
    if not items:
        return None
    return {"text": "\n".join([
        ":hourglass: *Moderators who have not answered* (L5). They were asked, then asked again, and their lead "
        "staff moderator was told where the group has one. Please follow these up:",
        bullet_list([_line(session, i, now) for i in items]),
        "_Each of these is listed here once._",
    ])}


def _line(session: Session, item: Listed, now: datetime) -> str:
    days = (now - item.asked_at).days
    said = (f"*{escape(item.group_name)}*: {escape(item.moderator_name)} {WHAT[item.asked]}, asked on "
            f"{_day(item.asked_at)} ({days} day{'s' * (days != 1)} ago).")
    if item.answered:
        return f"{said} They have answered since."
    if not item.on_platform:
        said += " They are not on Slack: the lead staff moderator answers for them."
    lead = render.mention(session, item.lead_person_id) if item.lead_person_id else None
    return f"{said} Lead staff moderator: {lead}." if lead else f"{said} The group has no lead staff moderator on Slack."


def _day(moment: datetime) -> str:
    return long_date(local_date(moment))
