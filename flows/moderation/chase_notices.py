"""L5's notices, queued in the chasing job's transaction (flows/moderation/chasing.py decides what is due): the
request asked again in a fresh message, the earlier one closed so that only one carries the buttons; the lead's
list of who has not answered; the managers' list. And what those lists show, for the adapters to word."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.destinations import Destination
from flows.groups.models import Group, Moderator
from flows.moderation.chasing import Asked, ChaseStage, Unanswered
from flows.moderation.models import ModeratorCheckin, ModeratorConfirmation
from flows.moderation.notices import CHECKIN, CONFIRMATION
from flows.moderation.queries import acting_lead, is_employed
from flows.outbox import Notice, NoticeKind, NoticeStatus, Subject, queue

REQUESTS = {Asked.CONFIRMATION: (NoticeKind.CONFIRMATION_REQUESTED, CONFIRMATION, ModeratorConfirmation),
            Asked.CHECKIN: (NoticeKind.CHECKIN_REQUESTED, CHECKIN, ModeratorCheckin)}
CHASED = "moderation_chase"


def ask_again(session: Session, items: list[Unanswered]) -> list[Notice]:
    """One fresh request per person asked (the lead's carries those without an account, as the first did); the
    rows now point to it, so an answer closes that one."""
    bundles: dict[tuple[int, str, Asked], list[Unanswered]] = {}
    for item in items:
        asked = item.moderator if item.moderator.reachable else acting_lead(item.group)
        if asked is not None:
            bundles.setdefault((item.group.id, asked.person_id, item.asked), []).append(item)
    queued = []
    for (group_id, person_id, what), found in bundles.items():
        bundle = _still_unanswered(session, group_id, found)
        if not bundle:
            continue
        kind, subject_type, _ = REQUESTS[what]
        first = bundle[0]
        data = {"again": True}
        if what is Asked.CONFIRMATION:
            data["emergency_contact_for"] = _contact_still_for(first.group, bundle)
        notice = queue(session, kind, Subject(subject_type, first.row.id), person_id, data=data,
                       dedupe_key=f"moderation:ask-again:{what.value}:{first.row.id}")
        earlier = {item.row.request_notice_id for item in bundle} - {None, notice.id}
        for item in bundle:
            item.row.request_notice_id = notice.id
        queued.append(notice)
        queued += [closed for notice_id in sorted(earlier) if (closed := _close_earlier(session, notice_id, notice))]
    return queued


def _still_unanswered(session: Session, group_id: int, bundle: list[Unanswered]) -> list[Unanswered]:
    """Read again under the group's lock, which answers take too: an answer given since the job looked closes the
    request it read (PostgreSQL row lock; SQLite has one writer anyway)."""
    session.execute(select(Group.id).where(Group.id == group_id).with_for_update())
    for item in bundle:
        session.refresh(item.row)
    return [i for i in bundle if (i.row.confirmed_at if i.asked is Asked.CONFIRMATION else i.row.answer) is None]


def _contact_still_for(group: Group, bundle: list[Unanswered]) -> list[int]:
    """M10: the emergency contact goes again to those it has not reached yet (their first request failed)."""
    if not (group.emergency_contact or group.emergency_contact_person_id):
        return []
    return [i.row.id for i in bundle if not is_employed(i.moderator) and i.row.emergency_contact_sent_at is None]


def _close_earlier(session: Session, notice_id: int, again: Notice) -> Notice | None:
    """The earlier request is edited to say it was asked again, without its buttons (only where it landed)."""
    earlier = session.get(Notice, notice_id)
    if earlier is None or earlier.status != NoticeStatus.SENT.value or not earlier.delivered_ref:
        return None
    return queue(session, NoticeKind.REQUEST_ASKED_AGAIN, earlier.subject, earlier.person_id,
                 data={"asked_again_in": again.id}, replaces=earlier, dedupe_key=f"moderation:asked-again:{earlier.id}")


def tell_leads(session: Session, items: list[Unanswered], now: datetime) -> list[Notice]:
    """Each group's acting lead: one list of its moderators who have not answered."""
    by_group: dict[int, list[Unanswered]] = {}
    for item in items:
        by_group.setdefault(item.group.id, []).append(item)
    queued = []
    for bundle in by_group.values():
        lead = acting_lead(bundle[0].group)
        if lead is not None:
            key = bundle[0].key(ChaseStage.LEAD)
            queued.append(queue(session, NoticeKind.UNANSWERED_TO_LEAD, Subject(CHASED, key), lead.person_id,
                                data=_listing(bundle, now), dedupe_key=f"moderation:unanswered:{key}"))
    return queued


def tell_managers(session: Session, items: list[Unanswered], destination: Destination | None,
                  now: datetime) -> list[Notice]:
    if not items or destination is None:
        return []
    key = items[0].key(ChaseStage.MANAGERS)
    return [queue(session, NoticeKind.UNANSWERED_TO_MANAGERS, Subject(CHASED, key), destination,
                  data=_listing(items, now), dedupe_key=f"moderation:unanswered:{key}")]


def _listing(items: list[Unanswered], now: datetime) -> dict:
    return {"items": [[i.asked.value, i.row.id] for i in items], "now": now.isoformat()}


# --- what the lists show -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Listed:
    """One request in a list, as it stands when the list is delivered."""

    asked: Asked
    group_name: str
    moderator_name: str
    asked_at: datetime
    answered: bool
    # Whether the moderator has an account (else their lead answers for them); who the lead is now.
    on_platform: bool
    lead_person_id: str | None


def listed(session: Session, data: dict) -> tuple[list[Listed], datetime]:
    """The requests a list was queued with (those since erased left out), and when it was made."""
    found = []
    for what, row_id in data.get("items") or []:
        asked = Asked(what)
        row = session.get(REQUESTS[asked][2], row_id)
        group = session.get(Group, row.group_id) if row else None
        moderator = session.get(Moderator, row.moderator_id) if row else None
        if group is None or moderator is None:
            continue
        lead = acting_lead(group)
        found.append(Listed(
            asked, group.name, moderator.name,
            row.requested_at if asked is Asked.CONFIRMATION else row.asked_at,
            (row.confirmed_at if asked is Asked.CONFIRMATION else row.answered_at) is not None,
            moderator.reachable, lead.person_id if lead else None,
        ))
    return found, datetime.fromisoformat(data["now"])
