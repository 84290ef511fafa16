"""M8 and M10 end to end: each moderator is asked to confirm they have read the policy and the group agreement,
those who are not staff are given the emergency contact, and the group is complete once all have confirmed, the
lead confirming for a volunteer who is not on Slack. Clicks are signed HTTP requests to the running app; what it
sends goes to the fake Slack Web API."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from flows.outbox import NoticeKind
from flows.audit.models import AuditEntry
from flows.groups.models import Moderator
from flows.moderation import confirmations_to_give, group_state, groups_needing_attention
from flows.moderation.models import ModeratorConfirmation
from flows.moderation.service import ModerationRefusal
from tests.conftest import MANAGER, STAFF, STAFF_2, STAFF_GROUP, VOLUNTEER
from tests.support import person
from tests.moderation_helpers import (
    AGREEMENT,
    audit_count,
    buttons,
    click,
    deliver,
    dms,
    put_on_register,
    updates_of,
)

CONFIRM = "I have read the policy and the group agreement"


def state(app, group_id):
    with app.db.transaction() as session:
        return group_state(session, group_id, app.settings)


def confirmation_of(app, name) -> ModeratorConfirmation:
    with app.db.transaction() as session:
        moderator = session.scalars(select(Moderator).where(Moderator.name == name)).one()
        return session.scalars(select(ModeratorConfirmation).where(ModeratorConfirmation.moderator_id == moderator.id)).one()


def ephemeral_to(app, user_id):
    return app.fake.wait_for("chat.postEphemeral", lambda c: c.args.get("user") == user_id)


@pytest.mark.e2e
def test_every_moderator_confirms_and_the_group_becomes_complete(running_app):
    app = running_app
    group_id = put_on_register(app)
    deliver(app)

    # Each moderator on Slack is asked in a direct message, with the policy and the agreement linked.
    [to_val] = dms(app, VOLUNTEER)
    [to_alex] = dms(app, STAFF)
    for message in (to_val, to_alex):
        assert app.settings.policy_url in str(message.args["blocks"]) and AGREEMENT in str(message.args["blocks"])
        assert CONFIRM in buttons(message)
    # M10: the volunteer is told whom to contact in an emergency, and that it was sent is recorded.
    assert f"<@{MANAGER}>" in str(to_val.args["blocks"]) and "Sam Senior" in str(to_val.args["blocks"])
    assert confirmation_of(app, "Val Jones").emergency_contact_sent_to == person(app.db, VOLUNTEER)
    # Sam is not on Slack: the lead is asked to confirm for him, and to pass the emergency contact on.
    assert "Confirm for Sam Patel" in buttons(to_alex)
    assert confirmation_of(app, "Sam Patel").emergency_contact_sent_to == person(app.db, STAFF)
    # A staff moderator is not sent an emergency contact for themself.
    assert confirmation_of(app, "Alex Morgan").emergency_contact_sent_at is None

    before = state(app, group_id)
    assert before.status == "incomplete"
    assert "0 of 3 moderators have confirmed they read the policy and the group agreement" in before.summary
    with app.db.transaction() as session:
        assert [(p.moderator_name, p.on_behalf) for p in confirmations_to_give(session, person(app.db, STAFF))] == [
            ("Alex Morgan", False), ("Sam Patel", True)]
        assert [s.group_id for s in groups_needing_attention(session, app.settings)] == [group_id]

    click(app, to_val, CONFIRM, VOLUNTEER)
    edited = app.fake.wait_for("chat.update", lambda c: c.args.get("ts") == to_val.response["ts"])
    assert "You confirmed you have read the policy and the group agreement" in str(edited.args["blocks"])
    assert CONFIRM not in buttons(edited)
    assert state(app, group_id).summary.startswith("1 of 3 moderators have confirmed")

    click(app, to_alex, "Confirm for Sam Patel", STAFF)
    app.fake.wait_for("chat.update", lambda c: c.args.get("ts") == to_alex.response["ts"])
    sam = confirmation_of(app, "Sam Patel")
    assert (sam.confirmed_by, sam.on_behalf) == (person(app.db, STAFF), True)

    click(app, to_alex, CONFIRM, STAFF)
    app.fake.wait_for("chat.update", lambda c: c.args.get("ts") == to_alex.response["ts"] and CONFIRM not in buttons(c))
    last = updates_of(app, to_alex)[-1]
    assert buttons(last) == {}
    assert f"Confirmed by <@{STAFF}>" in str(last.args["blocks"])

    after = state(app, group_id)
    assert after.complete and after.summary == "Complete"
    with app.db.transaction() as session:
        assert groups_needing_attention(session, app.settings) == []
        assert confirmations_to_give(session, person(app.db, STAFF)) == []
    assert audit_count(app.db, "moderator.confirmed") == 3


@pytest.mark.e2e
def test_a_double_click_records_one_confirmation(running_app):
    app = running_app
    put_on_register(app)
    deliver(app)
    [to_val] = dms(app, VOLUNTEER)
    threads = [threading.Thread(target=click, args=(app, to_val, CONFIRM, VOLUNTEER)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    app.fake.wait_for("chat.update")
    assert "already confirmed" in ephemeral_to(app, VOLUNTEER).args["text"]
    assert audit_count(app.db, "moderator.confirmed") == 1
    assert len(updates_of(app, to_val)) == 1
    assert confirmation_of(app, "Val Jones").confirmed_by == person(app.db, VOLUNTEER)


@pytest.mark.e2e
def test_someone_elses_click_changes_nothing_and_is_recorded(running_app):
    app = running_app
    group_id = put_on_register(app)
    deliver(app)
    [to_val] = dms(app, VOLUNTEER)
    [to_alex] = dms(app, STAFF)

    # A member of staff who does not moderate the group presses Val's button.
    click(app, to_val, CONFIRM, STAFF_2)
    told = ephemeral_to(app, STAFF_2)
    assert "Only Val Jones can confirm" in told.args["text"] and "nothing has changed" in told.args["text"]
    # A volunteer cannot confirm for Sam: only the lead staff moderator can.
    click(app, to_alex, "Confirm for Sam Patel", VOLUNTEER)
    assert "Only the lead staff moderator" in ephemeral_to(app, VOLUNTEER).args["text"]

    assert confirmation_of(app, "Val Jones").confirmed_at is None
    assert confirmation_of(app, "Sam Patel").confirmed_at is None
    assert app.fake.calls("chat.update") == []
    assert state(app, group_id).confirmed == 0
    with app.db.transaction() as session:
        refused = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "moderator_confirmation.refused").order_by(AuditEntry.id)
        ).all()
        assert [(e.actor, e.details["attempted"], e.details["reason"]) for e in refused] == [
            (person(app.db, STAFF_2), "confirm", ModerationRefusal.NOT_THEM),
            (person(app.db, VOLUNTEER), "confirm_for", ModerationRefusal.NOT_THE_LEAD),
        ]


@pytest.mark.e2e
def test_a_lead_who_is_no_longer_staff_cannot_confirm_for_others(running_app):
    app = running_app
    put_on_register(app)
    deliver(app)
    [to_alex] = dms(app, STAFF)
    app.fake.add_usergroup(STAFF_GROUP, "staff", [STAFF_2, MANAGER])  # Alex has left the staff user group

    click(app, to_alex, "Confirm for Sam Patel", STAFF)
    assert "Only the lead staff moderator" in ephemeral_to(app, STAFF).args["text"]
    assert confirmation_of(app, "Sam Patel").confirmed_at is None
    assert audit_count(app.db, "moderator_confirmation.refused", actor=STAFF) == 1


@pytest.mark.e2e
def test_asking_again_asks_nobody_twice(running_app):
    app = running_app
    group_id = put_on_register(app)
    from flows.moderation.notices import ask_to_confirm
    from flows.groups.models import Group

    with app.db.transaction() as session:
        assert ask_to_confirm(session, session.get(Group, group_id)) == []
    deliver(app)
    assert len(dms(app, STAFF)) == 1 and len(dms(app, VOLUNTEER)) == 1


@pytest.mark.e2e
def test_registering_through_the_wizard_asks_every_moderator_in_the_same_transaction(running_app):
    """What bot/newgroup does at registration, with the confirmation requests queued by the registration itself."""
    from slack_sdk import WebClient

    from bot.directory import SlackDirectoryBackend
    from flows.directory.service import Directory
    from flows.wizard.service import NewGroupWizard
    from flows.wizard.steps import Step

    app = running_app
    client = WebClient(token="xoxb-test-token", base_url=app.settings.slack_api_url)
    wizard = NewGroupWizard(app.db, app.settings, Directory(app.db, SlackDirectoryBackend(client, app.settings.role_sources()), app.settings))
    # The wizard takes people: the Slack users the adapter would have found behind the request and the pickers.
    alex, val, boss = (person(app.db, u) for u in (STAFF, VOLUNTEER, MANAGER))
    state = wizard.start(alex, None)
    wizard.submit(state.draft_id, alex, Step.KIND, {"kind": "parent_carers"})
    drafted = wizard.submit(state.draft_id, alex, Step.NAME, {"name": "Amaze Hove Parent Carers"}).state
    wizard.submit(state.draft_id, alex, Step.DESCRIPTION,
                  {"description": drafted.data["description"], "agreement_url": AGREEMENT})
    step = wizard.submit(state.draft_id, alex, Step.MODERATORS, {
        "staff_moderators": [alex], "other_moderators": [val], "offline_moderators": "Sam Patel, volunteer",
        "out_of_hours": "Val covers evenings and phones Alex or Sam Senior.", "emergency_contact": boss,
        "expected_members": "40",
    })
    assert step.accepted, step.errors
    result = wizard.submit(state.draft_id, alex, Step.REVIEW, {})
    assert result.group is not None
    assert [n.kind for n in result.queued].count(NoticeKind.CONFIRMATION_REQUESTED) == 2
    deliver(app)
    # Alex gets the texts to paste and, beside them, the request to confirm for Sam too.
    assert any("Confirm for Sam Patel" in buttons(m) for m in dms(app, STAFF))
    assert "Sam Senior" in str(dms(app, VOLUNTEER)[0].args["blocks"])
    assert state_summary(app, result.group.id).startswith("0 of 3 moderators have confirmed")


def state_summary(app, group_id) -> str:
    return state(app, group_id).summary
