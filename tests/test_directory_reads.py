"""A person's roles cost one short read of the answers kept, whatever roles are asked about: the database is not
opened once per role on every click. What is kept and fresh is not asked of Slack again; what is missing is."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from bot.app import make_client
from bot.directory import SlackDirectoryBackend
from flows.directory.service import Directory, Role
from tests.support import people_by_their_id
from tests.conftest import GUEST, MANAGER, STAFF, VOLUNTEER


@contextmanager
def reads(db):
    """Statements and transactions begun while inside."""
    seen = {"statements": 0, "transactions": 0}

    def statement(*args):
        seen["statements"] += 1

    def begun(*args):
        seen["transactions"] += 1

    event.listen(db.engine, "before_cursor_execute", statement)
    event.listen(db.engine, "begin", begun)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)
        event.remove(db.engine, "begin", begun)


def directory(db, settings) -> Directory:
    people_by_their_id(db, STAFF, MANAGER, VOLUNTEER)
    return Directory(db, SlackDirectoryBackend(make_client(settings), settings.role_sources()), settings)


def test_roles_already_known_are_read_in_one_statement_and_slack_is_not_asked(db, settings, fake_slack):
    people = directory(db, settings)
    assert people.roles_of(MANAGER) == {Role.STAFF, Role.SENIOR_MANAGER}
    asked = len(fake_slack.calls())
    with reads(db) as seen:
        assert people.roles_of(MANAGER) == {Role.STAFF, Role.SENIOR_MANAGER}
        assert people.has_role(MANAGER, Role.SENIOR_MANAGER)
        assert not people.has_role(MANAGER, Role.PCF_STAFF)
    # One short read for each of the three questions: the person's account, then the answers kept.
    assert seen == {"statements": 6, "transactions": 3}
    assert len(fake_slack.calls()) == asked


def test_what_is_not_kept_yet_is_asked_for_and_then_kept(db, settings, fake_slack):
    people = directory(db, settings)
    assert people.roles_of(STAFF) == {Role.STAFF}
    assert {c.method for c in fake_slack.calls()} >= {"users.info", "usergroups.users.list"}
    # Someone else: their own profile is asked for, the user groups' members are already kept.
    before = [c.method for c in fake_slack.calls()]
    assert people.roles_of(VOLUNTEER) == set()
    after = [c.method for c in fake_slack.calls()][len(before):]
    assert after == ["users.info"]


def test_a_guest_is_no_one_s_staff_however_the_roles_are_read(db, settings, fake_slack):
    people = directory(db, settings)
    assert people.roles_of(GUEST) == set()  # in the staff user group, but a guest
    assert not people.has_role(GUEST, Role.STAFF)
