"""Small helpers shared by the service-level tests: a clock the test controls, a directory that knows everyone by
their id, and the group most tests act on."""
from __future__ import annotations

from datetime import datetime, timedelta

from flows.db import utcnow
from flows.directory.service import Directory, Person
from flows.people import Person as PersonRow, PlatformAccount
from flows.groups.models import Group, Moderator

STAFF, STAFF_2, VOLUNTEER, MANAGER = "U0STAFF1", "U0STAFF2", "U0VOLUN1", "U0MANAGR"


class TestClock:
    __test__ = False  # not a test class, whatever its name

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class EveryoneByTheirId:
    """A directory backend with no user groups: roles come from the settings' user id lists alone. Its people's
    ids are their Slack account ids (see `people_by_their_id`), so the adapter's settings (user ids, line managers)
    name them as they are."""

    platform = "slack"

    def __init__(self, settings=None) -> None:
        self.settings = settings

    def role_sources(self):
        return self.settings.role_sources() if self.settings is not None else []

    def usergroup_members(self, usergroup):
        return []

    def person(self, user_id):
        return Person(user_id=user_id, name=user_id, is_guest=False)


def people_by_their_id(db, *ids: str, platform: str = EveryoneByTheirId.platform) -> None:
    """People whose person id is their account id, for services driven without a chat platform: readable ids in
    the tests, and each of them reachable."""
    with db.transaction() as session:
        for person_id in dict.fromkeys(ids):
            if session.get(PersonRow, person_id) is None:
                session.add(PersonRow(id=person_id, created_at=utcnow()))
                session.add(PlatformAccount(person_id=person_id, platform=platform, account_id=person_id,
                                            created_at=utcnow()))


def directory_by_id(db, settings, *more_people: str, backend=None):
    """A Directory over `EveryoneByTheirId` (or `backend`), with the test workspace's people known by their ids."""
    backend = backend or EveryoneByTheirId(settings)
    listed = [u for _, _, ids in settings.role_sources() for u in ids]
    managers = [part for pair in settings.line_managers for part in pair.split(":")]
    people_by_their_id(db, STAFF, STAFF_2, VOLUNTEER, MANAGER, *listed, *managers, *more_people,
                       platform=backend.platform)
    return Directory(db, backend, settings)


def add_lewes_group(db, name: str = "Amaze Lewes Parents", with_more_moderators: bool = True) -> int:
    """A parent carers' group moderated by Alex (staff, lead) and Val (volunteer); with Bea (staff) and Sam
    (volunteer, not on Slack) too unless told otherwise."""
    people_by_their_id(db, STAFF, VOLUNTEER, STAFF_2)
    with db.transaction() as session:
        group = Group(kind="parent_carers", name=name, official=True, created_by=STAFF)
        group.moderators = [
            Moderator(name="Alex", role="staff", person_id=STAFF, is_lead=True, added_by=STAFF),
            Moderator(name="Val", role="volunteer", person_id=VOLUNTEER, added_by=STAFF),
        ]
        if with_more_moderators:
            group.moderators += [
                Moderator(name="Bea", role="staff", person_id=STAFF_2, added_by=STAFF),
                Moderator(name="Sam", role="volunteer", person_id=None, added_by=STAFF),
            ]
        session.add(group)
        session.flush()
        return group.id


def roles_by_id(settings):
    """The test workspace's roles as plain id lists and its channels named, for services driven without Slack."""
    return settings.model_copy(update={
        "managers_channel": "C0MANAGERS", "approvals_channel": "C0APPROVE", "staff_user_ids": [STAFF, STAFF_2],
        "senior_manager_user_ids": [MANAGER], "staff_usergroup": None, "pcf_staff_usergroup": None,
        "senior_managers_usergroup": None,
    })


def enqueue(session, method: str, args: dict, *, dedupe_key=None, depends_on=None, reference=None, not_before=None):
    """A notice carrying a Web API call whole, as migration 0009 leaves those queued before notices: the outbox's
    machinery (retries, leases, replacements) is tested through the Slack adapter with calls of the tests' own."""
    from bot.calls import placeholders
    from flows.outbox import Notice, NoticeKind, Subject, queue

    depends_on_id = depends_on.id if isinstance(depends_on, Notice) else depends_on
    if depends_on_id is None and placeholders(args):
        raise ValueError(f"{method} args use $from placeholders but depend on no message")
    reference = reference or {}
    channel = args.get("channel")
    person = channel if isinstance(channel, str) and channel[:1] in "UW" else None
    return queue(session, NoticeKind.PLATFORM_CALL, Subject(str(reference.get("type") or "message"),
                                                            reference.get("id", "")), person,
                 data={"platform": "slack", "carried": {"method": method, "args": args}, "reference": reference},
                 dedupe_key=dedupe_key, replaces=depends_on_id, not_before=not_before)
def person(db, user_id: str) -> str:
    """The person a Slack user of the test workspace is in the app (made on first sight, as the app does)."""
    from bot.people import person_of

    return person_of(db, user_id)


def slack_user(db, person_id: str | None) -> str | None:
    """The Slack user a person id stands for; anything else ("app", None, a pseudonym) as it is."""
    from bot.people import PLATFORM
    from flows.people import account_of

    if not person_id:
        return person_id
    with db.transaction() as session:
        return account_of(session, person_id, PLATFORM) or person_id


def slack_person(session, user_id: str | None) -> str:
    """Inside a test's own transaction: the person a Slack user is in the app, or, for None, a new person on no
    platform (a volunteer named by the wizard)."""
    from bot.people import PLATFORM
    from flows.people import new_person, person_for_account

    return person_for_account(session, PLATFORM, user_id) if user_id else new_person(session)
