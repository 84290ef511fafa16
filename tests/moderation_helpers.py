"""Shared by the moderation tests: a group put on the register as registration does, the moderators' direct
messages as the fake Slack received them, and clicks on their buttons."""
from __future__ import annotations

import time
from datetime import datetime, timezone

from sqlalchemy import func, or_, select

from bot.delivery import Deliverer, delivery_client
from flows.moderation import notices as moderation_notices
from flows.audit.models import AuditEntry
from flows.groups.models import Group, Moderator
from flows.people import new_person, person_for_account, person_of_account
from flows.outbox.models import Notice
from tests.conftest import MANAGER, STAFF, VOLUNTEER
from tests.harness.signing import block_actions_payload

AGREEMENT = "https://www.amazesussex.org.uk/groups/brighton-parents-agreement"
NAME = "Amaze Brighton Parent Carers Chat"
# (name, role, Slack user or None, lead)
ALEX = ("Alex Morgan", "staff", STAFF, True)
VAL = ("Val Jones", "volunteer", VOLUNTEER, False)
SAM = ("Sam Patel", "volunteer", None, False)


def put_on_register(app, moderators=(ALEX, VAL, SAM), *, created_at=None, ask_to_confirm=True, kind="parent_carers") -> int:
    """A group as /newgroup registers it; the confirmation requests are queued in the same transaction."""
    with app.db.transaction() as session:
        def person(user):  # the person Slack's user is in the app (or a volunteer on no platform)
            return person_for_account(session, "slack", user) if user else new_person(session)

        group = Group(
            kind=kind, name=NAME, official=True, description="This is an Amaze group...", agreement_url=AGREEMENT,
            expected_members=40, out_of_hours="Val watches the group in the evenings and phones Alex or Sam Senior.",
            emergency_contact="Sam Senior", emergency_contact_person_id=person(MANAGER), advice=[], created_by=person(STAFF),
            created_at=created_at or datetime.now(timezone.utc),
        )
        for name, role, user, lead in moderators:
            group.moderators.append(Moderator(name=name, role=role, person_id=person(user), is_lead=lead, added_by=person(STAFF),
                                              added_at=group.created_at))
        session.add(group)
        session.flush()
        if ask_to_confirm:
            moderation_notices.ask_to_confirm(session, group)
        return group.id


def deliver(app) -> None:
    """Deliver what is due now, and wait for what the app's prompt loop has taken meanwhile to be recorded."""
    Deliverer(app.db, delivery_client(app.settings), app.settings).deliver_due()
    deadline = time.monotonic() + 5
    while _being_sent(app.db) and time.monotonic() < deadline:
        time.sleep(0.02)


def _being_sent(db) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Notice).where(
            Notice.status == "pending", or_(Notice.attempts == 0, Notice.lease_until.is_not(None))))


def dms(app, user_id: str, containing: str = "") -> list:
    """Messages the app posted to someone, oldest first (only those that reached Slack)."""
    return [c for c in app.fake.calls("chat.postMessage")
            if c.ok and c.args.get("channel") == user_id and containing in str(c.args)]


def buttons(call) -> dict[str, str]:
    """Button text -> value, of a posted or updated message."""
    found = {}
    for block in call.args.get("blocks") or []:
        elements = block.get("elements", []) if block["type"] == "actions" else [block.get("accessory") or {}]
        for element in elements:
            if element.get("type") == "button":
                found[element["text"]["text"]] = (element["action_id"], element["value"])
    return found


def click(app, call, button: str, user_id: str):
    """Press a button on a message as `user_id` (over HTTP, signed as Slack signs it)."""
    action_id, value = buttons(call)[button]
    payload = block_actions_payload(action_id, value, user_id=user_id, channel_id=call.response["channel"],
                                    message_ts=call.response["ts"])
    response = app.sender.interact(payload)
    assert response.status == 200
    return response


def updates_of(app, call) -> list:
    return [c for c in app.fake.calls("chat.update") if c.ok and c.args.get("ts") == call.response["ts"]]


def audit_count(db, action: str, actor: str | None = None) -> int:
    query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    with db.transaction() as session:
        if actor:
            query = query.where(AuditEntry.actor == person_of_account(session, "slack", actor))
        return session.scalar(query)
