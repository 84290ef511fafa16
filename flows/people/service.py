"""Finding the person behind a platform account, and the accounts of a person."""
from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.db.base import utcnow
from flows.outbox.once import insert_once
from flows.people.models import Person, PlatformAccount

PERSON_ID_PREFIX = "p"


def new_person(session: Session) -> str:
    """A person with no account yet (a volunteer named in the wizard, who is on no platform)."""
    person_id = PERSON_ID_PREFIX + secrets.token_hex(8)
    session.add(Person(id=person_id, created_at=utcnow()))
    session.flush()
    return person_id


def person_of_account(session: Session, platform: str, account_id: str) -> str | None:
    query = select(PlatformAccount.person_id).where(
        PlatformAccount.platform == platform, PlatformAccount.account_id == account_id
    )
    return session.scalars(query).first()


def person_for_account(session: Session, platform: str, account_id: str) -> str:
    """The person with this account, made on first sight. Two workers seeing a new account at once agree on one
    person: the account's unique constraint decides, and the loser's person row is left unused."""
    known = person_of_account(session, platform, account_id)
    if known is not None:
        return known
    candidate = new_person(session)
    insert_once(
        session, PlatformAccount,
        {"person_id": candidate, "platform": platform, "account_id": account_id, "created_at": utcnow()},
        unique=["platform", "account_id"],
    )
    person_id = person_of_account(session, platform, account_id)
    if person_id != candidate:
        session.delete(session.get(Person, candidate))
    return person_id


def add_account(session: Session, person_id: str, platform: str, account_id: str) -> None:
    """Link an account to an existing person (e.g. the same member of staff, now on Teams too)."""
    session.add(PlatformAccount(person_id=person_id, platform=platform, account_id=account_id, created_at=utcnow()))
    session.flush()


def account_of(session: Session, person_id: str, platform: str) -> str | None:
    query = select(PlatformAccount.account_id).where(
        PlatformAccount.person_id == person_id, PlatformAccount.platform == platform
    )
    return session.scalars(query).first()


def accounts_of(session: Session, person_id: str) -> dict[str, str]:
    """{platform: account id}, in the order the accounts were made."""
    query = (select(PlatformAccount.platform, PlatformAccount.account_id)
             .where(PlatformAccount.person_id == person_id).order_by(PlatformAccount.id))
    return dict(session.execute(query).all())
