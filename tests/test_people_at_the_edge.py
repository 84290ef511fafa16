"""People at Slack's edge: what the adapter renders names people by their person ids, and what goes to Slack names
their Slack accounts (or, for someone on no platform, their name); the directory asks Slack about a person's
Slack account and about nobody else."""
from __future__ import annotations

from bot.people import PLATFORM, on_slack, person_of
from bot.settings import SlackSettings
from flows.directory.service import Directory, Role
from flows.groups.models import Group, Moderator
from flows.people import new_person
from tests.support import EveryoneByTheirId

STAFF, VOLUNTEER = "U0STAFF1", "U0VOLUN1"


def test_a_rendered_message_reaches_slack_naming_slack_users_and_a_volunteer_on_no_platform_by_name(db):
    alex, val = person_of(db, STAFF), person_of(db, VOLUNTEER)
    with db.transaction() as session:
        sam = new_person(session)
        group = Group(kind="parent_carers", name="Amaze Lewes Parents", official=True, created_by=alex)
        group.moderators = [Moderator(name="Sam Patel", role="volunteer", person_id=sam, added_by=alex)]
        session.add(group)

    sent = on_slack(db, {
        "channel": val, "text": f"Confirmed by <@{alex}> for <@{sam}>.",
        "blocks": [{"type": "input", "element": {"type": "multi_users_select", "initial_users": [alex, val]}}],
    })
    assert sent == {
        "channel": VOLUNTEER, "text": f"Confirmed by <@{STAFF}> for Sam Patel.",
        "blocks": [{"type": "input", "element": {"type": "multi_users_select", "initial_users": [STAFF, VOLUNTEER]}}],
    }
    untouched = {"channel": "C0APPROVE", "text": "Nothing about anyone"}
    assert on_slack(db, untouched) is untouched


def test_the_directory_gives_no_role_to_a_person_without_an_account_on_its_platform(db):
    settings = SlackSettings(_env_file=None, database_url=db.url, staff_user_ids=[STAFF])
    directory = Directory(db, EveryoneByTheirId(settings), settings)
    alex = person_of(db, STAFF)
    with db.transaction() as session:
        # A person on no platform, even one whose id is written where staff accounts are listed.
        nobody = new_person(session)
    settings.staff_user_ids.append(nobody)
    assert EveryoneByTheirId.platform == PLATFORM
    assert directory.has_role(alex, Role.STAFF) and directory.roles_of(alex) == {Role.STAFF}
    assert not directory.has_role(nobody, Role.STAFF) and directory.roles_of(nobody) == set()
    # The platform's account id itself is not a person: asked about it, the directory knows nobody.
    assert not directory.has_role(STAFF, Role.STAFF)
