"""A group's life in Teams, from the group's row on the home card: a moderator welcomes a new member and gets the
texts to paste (L1); a staff moderator closes the group with a reason and reopens it (L4); the other moderators are
told; a volunteer's close and an outsider's welcome change nothing and are recorded."""
from __future__ import annotations

from sqlalchemy import select

from flows.groups.models import Group, MemberWelcome, Moderator
from flows.outbox import NoticeKind
from tests.teams.chat import says
from tests.teams.conftest import GUEST, STAFF, STAFF_2, VOLUNTEER
from tests.teams.support import add_group, audit, count, person
from tests.teams.test_notices import cards_in, chat_of, deliver, queued, with_channel  # noqa: F401 -- fixtures


def test_a_moderator_welcomes_a_new_member_and_gets_the_texts_to_paste(with_channel, chat, deliver):  # noqa: F811
    teams_app = with_channel
    add_group(teams_app.db)
    form = chat.click(VOLUNTEER, chat.say(VOLUNTEER, "home"), "Welcome a new member")
    assert says(form, "A new member of Amaze Lewes Parents", "Initials or a Charity Log reference only")
    # A name is refused on its field and kept nowhere.
    refused = chat.click(VOLUNTEER, form, "Record and get the texts", member="Jane Smith")
    assert says(refused, "initials") and count(teams_app.db, MemberWelcome) == 0
    done = chat.click(VOLUNTEER, form, "Record and get the texts", member="J.S.")
    assert says(done, "Recorded: J.S. joined Amaze Lewes Parents", "Welcome message (S3)", "phone number")
    with teams_app.db.transaction() as session:
        [welcome] = session.scalars(select(MemberWelcome)).all()
        assert (welcome.member_ref, welcome.welcomed_by) == ("J.S.", person(teams_app.db, VOLUNTEER))
    # The other moderators hear of it, without the member's reference.
    deliver()
    told = [c for c in cards_in(teams_app.connector, chat_of(teams_app.connector, STAFF)) if says(c, "welcomed a new member")]
    assert told and not says(told[0], "J.S.")


def test_someone_who_does_not_moderate_the_group_records_nobody(teams_app, chat):
    group_id = add_group(teams_app.db)
    crafted = {"actions": [{"type": "Action.Execute", "title": "Record", "verb": "groups.welcome",
                            "data": {"verb": "groups.welcome", "group": group_id}}]}
    said = chat.click(GUEST, crafted, "Record", member="K.L.")
    assert says(said, "Only the group's own moderators record new members")
    assert count(teams_app.db, MemberWelcome) == 0
    assert [e.details["reason"] for e in audit(teams_app.db, "group.change_refused")] == ["not_a_moderator"]


def test_a_staff_moderator_closes_the_group_with_a_reason_and_reopens_it(with_channel, chat, deliver):  # noqa: F811
    teams_app = with_channel
    group_id = add_group(teams_app.db)
    form = chat.click(STAFF, chat.say(STAFF, "home"), "Close or archive")
    missing = chat.click(STAFF, form, "Close it", closed_as="closed")
    assert says(missing, "Say why, in a few words")
    with teams_app.db.transaction() as session:
        assert session.get(Group, group_id).closed_at is None
    closed = chat.click(STAFF, form, "Close it", closed_as="closed", reason="The families moved to the forum's group")
    assert says(closed, "Amaze Lewes Parents is now closed", "reminders have stopped")
    with teams_app.db.transaction() as session:
        group = session.get(Group, group_id)
        assert (group.closed_as, group.closed_by) == ("closed", person(teams_app.db, STAFF))
    deliver()
    assert any(says(c, "marked Amaze Lewes Parents as closed", "moved to the forum")
               for c in cards_in(teams_app.connector, chat_of(teams_app.connector, VOLUNTEER)))

    home = chat.say(STAFF, "home")
    assert says(home, "Closed on") and "Welcome a new member" not in str(home)
    reopened = chat.click(STAFF, home, "Reopen")
    assert says(reopened, "open again")
    with teams_app.db.transaction() as session:
        assert session.get(Group, group_id).closed_at is None
    assert len(queued(teams_app.db, NoticeKind.GROUP_REOPENED)) == 2  # Bea and Val


def test_a_volunteer_cannot_close_the_group_and_the_attempt_is_recorded(teams_app, chat):
    group_id = add_group(teams_app.db)
    home = chat.say(VOLUNTEER, "home")
    said = chat.click(VOLUNTEER, home, "Close or archive")
    assert says(said, "Only the group's staff moderators and senior managers")
    crafted = {"actions": [{"type": "Action.Execute", "title": "Close it", "verb": "groups.close",
                            "data": {"verb": "groups.close", "group": group_id}}]}
    chat.click(VOLUNTEER, crafted, "Close it", closed_as="closed", reason="No longer needed")
    with teams_app.db.transaction() as session:
        assert session.get(Group, group_id).closed_at is None
    assert [e.details["reason"] for e in audit(teams_app.db, "group.change_refused")] == ["not_staff_moderator"]


def test_a_staff_moderator_changes_the_details_checked_by_the_same_rules_and_gets_the_texts_again(teams_app, chat):
    group_id = add_group(teams_app.db)
    form = chat.click(STAFF, chat.say(STAFF, "home"), "Change details")
    assert says(form, "Change Amaze Lewes Parents", "Group description")
    # A name the naming rules block comes back on its field, and nothing is saved (N1).
    refused = chat.click(STAFF, form, "Save the changes", name="Lewes Parents Chat")
    assert says(refused, "Must fix") and "Lewes Parents Chat" in str(refused)
    with teams_app.db.transaction() as session:
        assert session.get(Group, group_id).name == "Amaze Lewes Parents"
    saved = chat.click(STAFF, form, "Save the changes", name="Amaze Lewes Parent Carers", expected_members="60")
    assert says(saved, "Saved: the name, the expected size", "paste them into WhatsApp again", "Welcome message (S3)")
    with teams_app.db.transaction() as session:
        group = session.get(Group, group_id)
        assert (group.name, group.expected_members) == ("Amaze Lewes Parent Carers", 60)
    assert audit(teams_app.db, "group.details_changed")[0].details["fields"] == ["name", "expected_members"]
    # A volunteer moderator is told it is not theirs to change.
    said = chat.click(VOLUNTEER, chat.say(VOLUNTEER, "home"), "Change details")
    assert says(said, "Only the group's staff moderators and senior managers")


def test_the_lead_replaces_a_volunteer_and_a_change_leaving_no_staff_moderator_is_refused(with_channel, chat,
                                                                                          deliver):  # noqa: F811
    teams_app = with_channel
    group_id = add_group(teams_app.db)
    # A volunteer moderator is told it is not theirs to change.
    assert says(chat.click(VOLUNTEER, chat.say(VOLUNTEER, "home"), "Moderators"),
                "Only the group's staff moderators and senior managers")
    form = chat.click(STAFF, chat.say(STAFF, "home"), "Moderators")
    assert says(form, "Moderators of Amaze Lewes Parents", "Volunteers who use this app")
    # Taking out both staff moderators would leave the group without one (M1): refused, nothing saved, recorded.
    alex, bea = person(teams_app.db, STAFF), person(teams_app.db, STAFF_2)
    refused = chat.click(STAFF, form, "Save the moderators", staff_moderators="", lead_moderator="")
    assert says(refused, "Must fix", "M1")
    assert [e.details["reason"] for e in audit(teams_app.db, "group.change_refused")] == ["would_break_rules"]
    # Val is replaced by Sam, a volunteer who does not use the app.
    saved = chat.click(STAFF, form, "Save the moderators", staff_moderators=f"{alex},{bea}", other_moderators="",
                       offline_moderators="Sam Patel, volunteer")
    assert says(saved, "Added as moderators: Sam Patel", "No longer moderators: Val Jones")
    with teams_app.db.transaction() as session:
        names = session.scalars(select(Moderator.name).where(Moderator.group_id == group_id,
                                                             Moderator.stepped_down_at.is_(None))).all()
    assert sorted(names) == ["Alex Morgan", "Bea Hughes", "Sam Patel"]
    deliver()
    assert any(says(c, "changed Amaze Lewes Parents", "New moderators: Sam Patel")
               for c in cards_in(teams_app.connector, chat_of(teams_app.connector, STAFF_2)))
