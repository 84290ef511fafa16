"""Migration 0010 on a database the previous head made: every Slack user id stored becomes a person with a Slack
account, every moderator is a person (a volunteer on no platform too), and the running app still shows each
person their own things."""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, select, text

from bot.people import PERSON_ID, PLATFORM
from flows.audit.models import AuditEntry
from flows.db.migrate import upgrade
from flows.directory.models import DirectoryCacheEntry
from flows.groups.models import Group
from flows.people import PlatformAccount, account_of, accounts_of, person_of_account
from flows.removals.models import RemovalDecision
from flows.reports.models import UnofficialGroupCase, UnofficialGroupReport
from flows.wizard.models import WizardDraft
from tests.conftest import MANAGER, STAFF, STAFF_2, VOLUNTEER

WHEN = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc).isoformat(sep=" ")
DRAFT = {
    "kind": "parent_carers", "name": "Amaze Hove Parents",
    "moderators": [{"name": "Alex Morgan", "role": "staff", "slack_user_id": STAFF},
                   {"name": "Sam Patel", "role": "volunteer"}],
    "lead_user_id": STAFF, "emergency_contact": "Sam Senior", "emergency_contact_user_id": MANAGER,
    "form_moderators": {"staff": [STAFF], "others": [VOLUNTEER], "offline": "Sam Patel, volunteer", "lead": STAFF},
    "moderators_form": {"staff_moderators": [STAFF], "other_moderators": [VOLUNTEER], "lead_moderator": STAFF,
                        "emergency_contact": MANAGER},
}


def _fill(url: str) -> None:
    engine = create_engine(url)
    rows = [
        ("INSERT INTO groups (id, kind, name, official, description, advice, created_by, created_at, "
         "emergency_contact, emergency_contact_user_id) VALUES (1, 'parent_carers', 'Amaze Lewes Parents', :t, '', "
         "'[]', :staff, :when, 'Sam Senior', :manager)", {}),
        ("INSERT INTO moderators (group_id, name, role, slack_user_id, is_lead, added_by, added_at) VALUES "
         "(1, 'Alex Morgan', 'staff', :staff, :t, :staff, :when), (1, 'Val Jones', 'volunteer', :volunteer, :f, "
         ":staff, :when), (1, 'Sam Patel', 'volunteer', NULL, :f, :staff, :when)", {}),
        ("INSERT INTO removal_decisions (id, group_id, member_ref, kind, breaches, tried_first, status, logged_by, "
         "logged_at, submission_key, agreed_by, decided_by) VALUES (1, 1, 'J.S.', 'permanent', '[\"A1\"]', '[]', "
         "'signed_off', :staff, :when, 'k1', :staff2, :manager)", {}),
        ("INSERT INTO unofficial_group_cases (id, name, normalised_name, matched_names, state, reported_by, "
         "reported_at, owner_id) VALUES (1, 'Amaze Chat', 'amaze chat', '[]', 'approaching', :staff2, :when, "
         ":manager)", {}),
        ("INSERT INTO unofficial_group_reports (case_id, linked, reporter_id, reported_at, name, matched_names, "
         "where_seen, how_found) VALUES (1, :f, :staff2, :when, 'Amaze Chat', '[]', 'whatsapp', 'a parent said')", {}),
        ("INSERT INTO wizard_drafts (id, user_id, step, data, created_at, updated_at) VALUES "
         "('d1', :staff, 'review', :draft, :when, :when)", {"draft": json.dumps(DRAFT)}),
        ("INSERT INTO audit_entries (at, actor, action, subject_type, subject_id, details) VALUES "
         "(:when, :staff, 'group.registered', 'group', '1', '{}'), (:when, 'app', 'outbox.delivery_failed', "
         "'outbox_message', '7', '{}'), (:when, :volunteer, 'removal.agree_refused', 'person', :volunteer, '{}')", {}),
        ("INSERT INTO directory_cache (key, value, fetched_at) VALUES ('user:' || :staff, :profile, :when), "
         "('usergroup:S0STAFF', :members, :when)",
         {"profile": json.dumps({"user_id": STAFF, "name": "Alex Morgan", "is_guest": False, "deleted": False}),
          "members": json.dumps({"users": [STAFF, STAFF_2]})}),
    ]
    common = {"staff": STAFF, "staff2": STAFF_2, "manager": MANAGER, "volunteer": VOLUNTEER, "when": WHEN,
              "t": True, "f": False}
    with engine.begin() as connection:
        for sql, values in rows:
            connection.execute(text(sql), {**common, **values})
    engine.dispose()


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get("TEST_POSTGRES_URL") else ["sqlite"]


@pytest.fixture(params=_backends())
def database_url(request, tmp_path):
    """Here, the database the app runs on is one the previous head made and filled, then upgraded."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        base = os.environ["TEST_POSTGRES_URL"]
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS people_migration WITH (FORCE)"))
            connection.execute(text("CREATE DATABASE people_migration"))
        admin.dispose()
        url = base.rsplit("/", 1)[0] + "/people_migration"
    upgrade(url, "0008_people")
    _fill(url)
    upgrade(url)
    return url


def test_every_slack_user_id_becomes_a_person_with_a_slack_account_and_every_moderator_a_person(db):
    with db.transaction() as session:
        person = {u: person_of_account(session, PLATFORM, u) for u in (STAFF, STAFF_2, MANAGER, VOLUNTEER)}
        assert all(PERSON_ID.fullmatch(p or "") for p in person.values()) and len(set(person.values())) == 4
        group = session.get(Group, 1)
        assert (group.created_by, group.emergency_contact_person_id) == (person[STAFF], person[MANAGER])
        alex, val, sam = group.moderators
        assert (alex.person_id, val.person_id, alex.added_by) == (person[STAFF], person[VOLUNTEER], person[STAFF])
        # Sam, a volunteer on no platform, is a person too, with no account: the lead answers for them.
        assert PERSON_ID.fullmatch(sam.person_id) and accounts_of(session, sam.person_id) == {}
        assert (alex.reachable, sam.reachable) == (True, False)
        decision = session.get(RemovalDecision, 1)
        assert (decision.logged_by, decision.agreed_by, decision.decided_by) == (
            person[STAFF], person[STAFF_2], person[MANAGER])
        case = session.get(UnofficialGroupCase, 1)
        assert (case.reported_by, case.owner_id) == (person[STAFF_2], person[MANAGER])
        assert session.scalars(select(UnofficialGroupReport.reporter_id)).all() == [person[STAFF_2]]
        actors = session.scalars(select(AuditEntry.actor).order_by(AuditEntry.id)).all()
        assert actors == [person[STAFF], "app", person[VOLUNTEER]]
        assert session.scalars(select(AuditEntry.subject_id).where(AuditEntry.subject_type == "person")).all() == [
            person[VOLUNTEER]]
        draft = session.get(WizardDraft, "d1")
        assert draft.user_id == person[STAFF]
        data = draft.data
        assert [m.get("person_id") for m in data["moderators"]] == [person[STAFF], None]
        assert (data["lead_user_id"], data["emergency_contact_person_id"]) == (person[STAFF], person[MANAGER])
        assert data["form_moderators"]["others"] == [person[VOLUNTEER]]
        assert data["moderators_form"]["staff_moderators"] == [person[STAFF]]
        assert data["moderators_form"]["emergency_contact"] == person[MANAGER]
        # The profile is cached per person; a user group's members stay Slack's own ids.
        assert session.get(DirectoryCacheEntry, f"user:{person[STAFF]}") is not None
        assert session.get(DirectoryCacheEntry, "usergroup:S0STAFF").value == {"users": [STAFF, STAFF_2]}
        assert account_of(session, person[STAFF], PLATFORM) == STAFF
        assert session.scalars(select(PlatformAccount.platform).distinct()).all() == [PLATFORM]


@pytest.mark.e2e
def test_after_the_migration_the_running_app_shows_each_person_their_own_groups(running_app):
    def home_of(user_id: str) -> str:
        event = {"type": "app_home_opened", "user": user_id, "channel": f"D{user_id}", "tab": "home"}
        running_app.sender.event(event)
        call = running_app.fake.wait_for("views.publish", lambda c: c.args.get("user_id") == user_id)
        assert call.ok, call.response
        return str(call.response["view"]["blocks"])

    # Val, a volunteer on Slack, moderates the group: it is theirs, as before the migration.
    assert "Amaze Lewes Parents" in home_of(VOLUNTEER)
    # Alex created it and leads it: the Home names the lead as Slack shows them, by their Slack account.
    alex = home_of(STAFF)
    assert "Amaze Lewes Parents" in alex and PERSON_ID.search(alex) is None
    with running_app.db.transaction() as session:
        # Nobody met anew: the people the migration made are the ones the app found behind the requests.
        assert session.scalars(select(PlatformAccount.account_id).order_by(PlatformAccount.account_id)).all() == \
            sorted([STAFF, STAFF_2, MANAGER, VOLUNTEER])
