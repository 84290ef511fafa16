"""Keeping the conversation references Teams sends (installationUpdate, conversationUpdate, any message), so that the
app can write first later on."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from flows.db import Database, utcnow
from teams.models import TeamsConversation


@dataclass(frozen=True)
class Reference:
    conversation_id: str
    service_url: str
    teams_user_id: str | None = None
    tenant_id: str | None = None


def remember(db: Database, conversation_id: str, conversation_type: str, service_url: str, *,
             tenant_id: str | None = None, person_id: str | None = None, teams_user_id: str | None = None) -> None:
    """Keep (or bring up to date) a conversation's reference. A person's 1:1 chat replaces any older one of theirs."""
    personal = conversation_type == "personal"
    values = dict(conversation_type=conversation_type, service_url=service_url, tenant_id=tenant_id,
                  person_id=person_id if personal else None, teams_user_id=teams_user_id if personal else None,
                  updated_at=utcnow())
    for _ in range(2):
        try:
            with db.transaction() as session:
                if personal and person_id:
                    for older in session.scalars(select(TeamsConversation).where(
                            TeamsConversation.person_id == person_id,
                            TeamsConversation.conversation_id != conversation_id)):
                        session.delete(older)
                    session.flush()
                row = session.get(TeamsConversation, conversation_id)
                if row is None:
                    session.add(TeamsConversation(conversation_id=conversation_id, **values))
                else:
                    for key, value in values.items():
                        setattr(row, key, value)
            return
        except IntegrityError:
            # Another worker stored the same chat at the same moment: the next round updates theirs.
            continue


def personal_chat(db: Database, person_id: str) -> Reference | None:
    with db.transaction() as session:
        row = session.scalars(select(TeamsConversation).where(TeamsConversation.person_id == person_id)).first()
        return _reference(row)


def conversation(db: Database, conversation_id: str) -> Reference | None:
    with db.transaction() as session:
        return _reference(session.get(TeamsConversation, conversation_id.split(";")[0]))


def _reference(row: TeamsConversation | None) -> Reference | None:
    if row is None:
        return None
    return Reference(row.conversation_id, row.service_url, row.teams_user_id, row.tenant_id)
