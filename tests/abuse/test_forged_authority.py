"""Forged authority: genuine, signed clicks and forms from people who may not take the step, with a crafted value
naming someone else's decision (not a button anyone showed them). Refused in plain words, recorded with who tried,
and nothing changes: no decision moves, no one else is told anything."""
from __future__ import annotations

import json

from sqlalchemy import select

from flows.audit.models import AuditEntry
from flows.removals.models import RemovalDecision
from flows.reports.models import UnofficialGroupCase
from tests.abuse.support import (
    APPROVALS,
    MANAGERS_CHANNEL,
    add_group,
    assert_nothing_leaked,
    click_payload,
    log_removal,
    opened_view,
    settle,
    submission,
    wait_post,
)
from tests.conftest import GUEST, MANAGER, PCF_STAFF, STAFF, STAFF_2, VOLUNTEER
from tests.harness.signing import block_actions_payload, view_submission_payload
from tests.support import slack_user

# What a refused attempt may cause: a private note to the person who tried, their own App Home shown afresh, and
# reads of who is who.
PRIVATE = {"chat.postEphemeral", "views.publish", "views.open", "views.update", "users.info", "usergroups.list",
           "usergroups.users.list", "auth.test"}


def decision_rows(db) -> list[tuple]:
    with db.transaction() as session:
        return [
            (d.id, d.status, d.agreed_by, d.decided_by, d.rejection_reason)
            for d in session.scalars(select(RemovalDecision).order_by(RemovalDecision.id))
        ]


def refusals(db, action: str) -> list[tuple]:
    with db.transaction() as session:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        entries = [(e.actor, e.subject_id, e.from_state, e.to_state) for e in session.scalars(query)]
    # Who was refused, as the Slack user the test workspace knows them by.
    return [(slack_user(db, actor), *rest) for actor, *rest in entries]


def crafted_click(action_id: str, value: str, user_id: str) -> dict:
    # Sent from the person's own direct message with the app, where no such button was ever posted.
    return block_actions_payload(action_id, value, user_id=user_id, channel_id=f"D{user_id}",
                                 message_ts="1700000000.000100", response_url=None)


def settled_calls(app) -> int:
    """How many calls Slack has had, once what earlier steps set going (the clock's prompt loop publishing their
    Homes, sending their messages) has landed."""
    settle(app)
    return len(app.fake.calls())


def only_private_answers_to(app, user_id: str, calls_before: int) -> list:
    settle(app)
    new = app.fake.calls()[calls_before:]
    assert {c.method for c in new} <= PRIVATE, [c.method for c in new]
    for call in new:
        if call.method == "chat.postEphemeral":
            assert call.args["user"] == user_id
        if call.method == "views.publish":
            assert call.args["user_id"] == user_id
    return [c for c in new if c.method == "chat.postEphemeral"]


def test_a_staff_members_crafted_approve_of_another_groups_removal_is_refused_and_recorded(app):
    ours = add_group(app.db)
    add_group(app.db, name="Amaze Hastings Parent Carers", moderators=[("Priya Shah", "staff", PCF_STAFF, True)])
    log_removal(app, STAFF, ours)
    wait_post(app.fake, APPROVALS, "removal_approve")
    settle(app)
    [(decision_id, *_)] = before = decision_rows(app.db)
    calls = settled_calls(app)

    for forger in (STAFF_2, PCF_STAFF, VOLUNTEER, GUEST):
        assert app.sender.interact(crafted_click("removal_approve", str(decision_id), forger)).status == 200
        notes = only_private_answers_to(app, forger, calls)
        assert any("Only a senior manager" in n.args["text"] for n in notes), forger
        calls = settled_calls(app)

    assert decision_rows(app.db) == before
    assert refusals(app.db, "removal.approve_refused") == [
        (who, str(decision_id), "awaiting_sign_off", None) for who in (STAFF_2, PCF_STAFF, VOLUNTEER, GUEST)
    ]
    assert_nothing_leaked(app.fake)


def test_a_crafted_agree_from_someone_not_a_staff_moderator_of_the_group_is_refused_and_recorded(app):
    group_id = add_group(app.db)
    log_removal(app, VOLUNTEER, group_id)
    wait_post(app.fake, STAFF, "removal_agree")
    settle(app)
    [(decision_id, *_)] = before = decision_rows(app.db)
    calls = settled_calls(app)

    # A senior manager is not a moderator of this group; nor is a member of PCF staff.
    for forger in (MANAGER, PCF_STAFF, GUEST):
        assert app.sender.interact(crafted_click("removal_agree", str(decision_id), forger)).status == 200
        notes = only_private_answers_to(app, forger, calls)
        assert any("Only a staff moderator" in n.args["text"] for n in notes), forger
        calls = settled_calls(app)

    assert decision_rows(app.db) == before
    assert [r[0] for r in refusals(app.db, "removal.agree_refused")] == [MANAGER, PCF_STAFF, GUEST]


def test_a_crafted_rejection_with_a_reason_from_someone_not_a_senior_manager_is_refused_and_recorded(app):
    group_id = add_group(app.db)
    log_removal(app, STAFF, group_id)
    wait_post(app.fake, APPROVALS, "removal_reject")
    settle(app)
    [(decision_id, *_)] = before = decision_rows(app.db)
    calls = settled_calls(app)

    # The reason form, never opened for them, submitted as if it had been.
    payload = view_submission_payload(
        "removal_reject_reason", {"reason": {"value": {"type": "plain_text_input", "value": "Not needed."}}},
        user_id=STAFF_2, private_metadata=json.dumps({"decision": decision_id}),
        blocks=[{"type": "input", "block_id": "reason", "label": {"type": "plain_text", "text": "Why?"},
                 "element": {"type": "plain_text_input", "action_id": "value"}}],
    )
    response = app.sender.interact(payload)
    assert response.status == 200
    assert response.json["response_action"] == "update"
    assert "Only a senior manager" in json.dumps(response.json["view"])
    only_private_answers_to(app, STAFF_2, calls)
    assert decision_rows(app.db) == before
    assert refusals(app.db, "removal.reject_refused") == [(STAFF_2, str(decision_id), "awaiting_sign_off", None)]


def test_a_genuine_sign_off_button_pressed_by_someone_else_is_refused_too(app):
    group_id = add_group(app.db)
    log_removal(app, STAFF, group_id)
    sign_off = wait_post(app.fake, APPROVALS, "removal_approve")
    settle(app)
    before, calls = decision_rows(app.db), settled_calls(app)

    assert app.sender.interact(click_payload(sign_off, "removal_approve", VOLUNTEER)).status == 200
    [note] = only_private_answers_to(app, VOLUNTEER, calls)
    assert note.args["channel"] == sign_off.response["channel"]
    assert decision_rows(app.db) == before
    assert [r[0] for r in refusals(app.db, "removal.approve_refused")] == [VOLUNTEER]


def test_a_crafted_report_button_from_someone_not_staff_is_refused_and_recorded(app):
    opens = len(app.fake.calls("views.open"))
    assert app.sender.command("/report-unofficial-group", user_id=STAFF).status == 200
    view_id, view = opened_view(app.fake, opens)
    app.sender.interact(submission(view, STAFF, view_id, name="Amaze Mums Hove", where_seen="whatsapp",
                                   how_found="Saw it on Facebook."))
    wait_post(app.fake, MANAGERS_CHANNEL, "report_approach")
    settle(app)
    with app.db.transaction() as session:
        case_id = session.scalars(select(UnofficialGroupCase.id)).one()
    calls = settled_calls(app)

    for forger, action_id in ((VOLUNTEER, "report_approach"), (GUEST, "report_renamed"), (GUEST, "report_closed")):
        assert app.sender.interact(crafted_click(action_id, str(case_id), forger)).status == 200
        notes = only_private_answers_to(app, forger, calls)
        assert any("Only staff" in n.args["text"] for n in notes), forger
        calls = settled_calls(app)

    with app.db.transaction() as session:
        case = session.get(UnofficialGroupCase, case_id)
        assert (case.state, case.owner_id, case.resolved_by) == ("reported", None, None)
    assert [r[0] for r in refusals(app.db, "unofficial_group.refused")] == [VOLUNTEER, GUEST, GUEST]
