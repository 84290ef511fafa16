"""Putting things in place for the Teams tests: people as the app knows them, and groups on the register."""
from __future__ import annotations

from sqlalchemy import func, select

from flows.audit.models import AuditEntry
from flows.groups.models import Group, Moderator
from flows.people import person_for_account
from tests.teams.chat import TeamsUser
from tests.teams.conftest import STAFF, STAFF_2, VOLUNTEER


def person(db, user: TeamsUser) -> str:
    """The person behind a Teams account (made now if the app has not met them yet, as it would on first sight)."""
    with db.transaction() as session:
        return person_for_account(session, "teams", user.aad_object_id)


def add_group(db, name: str = "Amaze Lewes Parents") -> int:
    """A parent carers' group moderated by Alex (staff, lead), Bea (staff) and Val (volunteer), all on Teams."""
    alex, bea, val = person(db, STAFF), person(db, STAFF_2), person(db, VOLUNTEER)
    with db.transaction() as session:
        group = Group(kind="parent_carers", name=name, official=True, created_by=alex)
        group.moderators = [
            Moderator(name="Alex Morgan", role="staff", person_id=alex, is_lead=True, added_by=alex),
            Moderator(name="Bea Hughes", role="staff", person_id=bea, added_by=alex),
            Moderator(name="Val Jones", role="volunteer", person_id=val, added_by=alex),
        ]
        session.add(group)
        session.flush()
        return group.id


def audit(db, action: str, actor: str | None = None) -> list[AuditEntry]:
    with db.transaction() as session:
        query = select(AuditEntry).where(AuditEntry.action == action)
        if actor:
            query = query.where(AuditEntry.actor == actor)
        rows = session.scalars(query.order_by(AuditEntry.id)).all()
        session.expunge_all()
        return rows


def count(db, model) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))
