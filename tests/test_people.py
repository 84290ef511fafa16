"""A platform account always leads to the same person, however many workers meet it first at once."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from flows.people import PlatformAccount, account_of, accounts_of, new_person, person_for_account, person_of_account
from flows.people.service import add_account


def test_an_account_seen_twice_is_one_person_and_leads_back_to_its_account(db):
    with db.transaction() as session:
        first = person_for_account(session, "chat-a", "U1")
    with db.transaction() as session:
        assert person_for_account(session, "chat-a", "U1") == first
        assert person_for_account(session, "chat-b", "U1") != first  # same id on another platform: someone else
        assert account_of(session, first, "chat-a") == "U1"
        assert account_of(session, first, "chat-b") is None


def test_one_person_may_hold_accounts_on_two_platforms_and_a_volunteer_none(db):
    with db.transaction() as session:
        staff = person_for_account(session, "chat-a", "U2")
        add_account(session, staff, "chat-b", "29:abc")
        volunteer = new_person(session)
    with db.transaction() as session:
        assert accounts_of(session, staff) == {"chat-a": "U2", "chat-b": "29:abc"}
        assert person_of_account(session, "chat-b", "29:abc") == staff
        assert accounts_of(session, volunteer) == {}


def test_workers_meeting_a_new_account_at_once_agree_on_one_person(db):
    def meet(_):
        with db.transaction() as session:
            return person_for_account(session, "chat-a", "U3")

    with ThreadPoolExecutor(4) as pool:
        seen = set(pool.map(meet, range(8)))
    assert len(seen) == 1
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(PlatformAccount)
                              .where(PlatformAccount.account_id == "U3")) == 1
