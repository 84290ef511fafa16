"""A permanent removal never dead-ends (R2, R3), end to end over signed HTTP with the fake Slack Web API: a staff
moderator's "I don't agree" reaches the logger with its reason and what they can do next; the logger withdraws a
log that waits; with no staff moderator on Slack the logger asks another member of staff, who agrees; and anyone
else's click changes nothing and is recorded."""
from __future__ import annotations

import pytest

from tests.conftest import GUEST, MANAGER, STAFF, STAFF_2, VOLUNTEER
from tests.e2e.test_removals import (  # noqa: F401 (the app fixture)
    APPROVALS,
    Form,
    app,
    add_group,
    buttons,
    click,
    decisions,
    ephemeral_for,
    log_removal,
    posts_to,
    trail,
    wait_post,
)
from tests.harness.signing import block_actions_payload, view_submission_payload

REASON = "Ask J.S. to change their behaviour first: they have had one warning only."


def updated(app, call):
    """The edit in place of a message the app posted."""
    where = (call.response["channel"], call.response["ts"])
    return app.fake.wait_for("chat.update", lambda c: (c.args["channel"], c.args["ts"]) == where)


def open_from(app, user, call, action_id) -> Form:
    opens = len(app.fake.calls("views.open"))
    click(app, user, call, action_id)
    return Form(app, user, opens)


def forged_submission(app, user, callback_id, decision_id, state):
    metadata = f'{{"decision": {decision_id}}}'
    payload = view_submission_payload(callback_id, state, user_id=user, private_metadata=metadata)
    response = app.sender.interact(payload)
    assert response.status == 200
    return response.json


def ask_staff(app, user, form: Form, chosen: str):
    """Submit the "Ask a member of staff" modal with a user picked in its users_select."""
    state = {"staff": {"value": {"type": "users_select", "selected_user": chosen}}}
    payload = view_submission_payload(form.view["callback_id"], state, user_id=user,
                                      private_metadata=form.view["private_metadata"], view_id=form.view_id,
                                      blocks=form.view["blocks"])
    response = app.sender.interact(payload)
    assert response.status == 200
    return response.json


@pytest.mark.e2e
def test_a_disagreement_reaches_the_logger_with_its_reason_and_what_they_can_do_next(app):
    group_id = add_group(app.db)
    log_removal(app, VOLUNTEER, group_id)
    ask_alex = wait_post(app, STAFF, "removal_disagree")
    ask_bea = wait_post(app, STAFF_2, "removal_disagree")
    assert set(buttons(ask_alex)) == {"removal_agree", "removal_disagree"}

    form = open_from(app, STAFF, ask_alex, "removal_disagree")
    assert list(form.inputs()) == ["reason"] and "J.S." in form.text()
    empty = form.submit(reason="").json
    assert empty["response_action"] == "errors" and "Say why" in empty["errors"]["reason"]
    personal = form.submit(reason="Joanne Smith says it was a joke").json
    assert "person's name" in personal["errors"]["reason"]
    assert decisions(app.db)[0].status == "awaiting_agreement"
    done = form.submit(reason=REASON).json
    assert done["response_action"] == "update" and "goes no further" in str(done["view"])

    # Both staff moderators' requests now say it was not agreed, and why, with no button left to press.
    for ask in (ask_alex, ask_bea):
        closed = updated(app, ask)
        assert "Not agreed by" in str(closed.args["blocks"]) and REASON in str(closed.args["blocks"])
        assert buttons(closed) == {}
    told = wait_post(app, VOLUNTEER, containing="did not agree")
    said = str(told.args["blocks"])
    assert f"<@{STAFF}>" in said and REASON in said
    assert "What you can do next" in said and "add them back to the group" in said
    assert "temporary removal with a review date" in said and "removal_correct" in buttons(told)
    assert "removal_withdraw" not in buttons(told)
    # R3: the group's other moderators know it was not agreed.
    assert REASON in str(wait_post(app, STAFF_2, containing="did not agree").args["blocks"])
    assert posts_to(app, APPROVALS) == []

    [decision] = decisions(app.db)
    assert (decision.status, decision.disagreement_reason) == ("not_agreed", REASON)
    assert trail(app.db)[-1] == (STAFF, "removal.not_agreed", "awaiting_agreement", "not_agreed")
    # Final for this log: a later Agree changes nothing.
    click(app, STAFF_2, ask_bea, "removal_agree")
    ephemeral_for(app, STAFF_2, "already said they don't agree")
    assert decisions(app.db)[0].status == "not_agreed"


@pytest.mark.e2e
def test_someone_elses_disagree_or_withdraw_changes_nothing_and_is_recorded(app):
    group_id = add_group(app.db)
    log_removal(app, VOLUNTEER, group_id)
    ask = wait_post(app, STAFF, "removal_disagree")
    receipt = wait_post(app, VOLUNTEER, "removal_withdraw")
    [decision] = decisions(app.db)

    # The logger's own "I don't agree", and a member of staff who is no moderator of the group: no reason asked.
    for user, said in ((VOLUNTEER, "You logged this removal"), (MANAGER, "Only a staff moderator of")):
        refused = open_from(app, user, ask, "removal_disagree")
        assert refused.inputs() == {} and said in refused.text()
    # A crafted submission of the reason form, without the button.
    crafted = forged_submission(app, MANAGER, "removal_disagree_reason", decision.id,
                                {"reason": {"value": {"type": "plain_text_input", "value": "No."}}})
    assert "Only a staff moderator of" in str(crafted["view"])
    # Someone else's Withdraw, from the logger's message.
    click(app, STAFF, receipt, "removal_withdraw")
    ephemeral_for(app, STAFF, "Only the person who logged this removal can withdraw it")
    # A crafted Withdraw for a decision that does not exist.
    forged = block_actions_payload("removal_withdraw", "999999", user_id=VOLUNTEER, response_url=None)
    assert app.sender.interact(forged).status == 200

    [after] = decisions(app.db)
    assert (after.status, after.disagreed_by, after.withdrawn_at) == ("awaiting_agreement", None, None)
    assert app.fake.calls("chat.update") == []
    assert [t for t in trail(app.db) if t[1].endswith("_refused")] == [
        (VOLUNTEER, "removal.disagree_refused", "awaiting_agreement", None),
        (MANAGER, "removal.disagree_refused", "awaiting_agreement", None),
        (MANAGER, "removal.disagree_refused", "awaiting_agreement", None),
        (STAFF, "removal.withdraw_refused", "awaiting_agreement", None),
    ]


@pytest.mark.e2e
def test_the_logger_withdraws_a_log_waiting_for_sign_off_and_the_sign_off_post_says_so(app):
    group_id = add_group(app.db)
    log_removal(app, STAFF, group_id)
    sign_off = wait_post(app, APPROVALS, "removal_approve")
    receipt = wait_post(app, STAFF, "removal_withdraw")
    [withdraw] = [e for b in receipt.args["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"] == "removal_withdraw"]
    assert withdraw["confirm"]["confirm"]["text"] == "Withdraw"

    click(app, STAFF, receipt, "removal_withdraw")
    closed = updated(app, sign_off)
    assert "Withdrawn" in str(closed.args["blocks"]) and buttons(closed) == {}
    # The message the logger pressed it in now says it is withdrawn, with nothing left to withdraw.
    own = updated(app, receipt)
    assert "You withdrew" in str(own.args["blocks"]) and "removal_withdraw" not in buttons(own)
    assert decisions(app.db)[0].status == "withdrawn"

    click(app, MANAGER, sign_off, "removal_approve")  # a post not yet edited on the manager's screen
    ephemeral_for(app, MANAGER, "already withdrawn")
    assert decisions(app.db)[0].status == "withdrawn"
    assert [t[1:] for t in trail(app.db)] == [
        ("removal.logged", None, "awaiting_sign_off"),
        ("removal.withdrawn", "awaiting_sign_off", "withdrawn"),
    ]


@pytest.mark.e2e
def test_with_no_staff_moderator_on_slack_the_logger_asks_another_member_of_staff_who_agrees(app):
    group_id = add_group(app.db, moderators=[
        ("Val Jones", "volunteer", VOLUNTEER, True), ("Pat Offline", "staff", None, False),
    ])
    logged = log_removal(app, VOLUNTEER, group_id)
    assert "none could be asked to agree" in str(logged.json["view"])
    receipt = wait_post(app, VOLUNTEER, "removal_ask_staff")
    assert "none of them is on Slack" in str(receipt.args["blocks"])
    assert {"removal_ask_staff", "removal_withdraw"} <= set(buttons(receipt))

    form = open_from(app, VOLUNTEER, receipt, "removal_ask_staff")
    assert list(form.inputs()) == ["staff"]
    assert form.inputs()["staff"]["element"]["type"] == "users_select"
    for chosen, said in ((GUEST, "aren't staff"), (VOLUNTEER, "someone else")):
        refused = ask_staff(app, VOLUNTEER, form, chosen)
        assert refused["response_action"] == "errors" and said in refused["errors"]["staff"]
    assert decisions(app.db)[0].agreement_asked_of is None
    asked = ask_staff(app, VOLUNTEER, form, STAFF_2)
    assert asked["response_action"] == "update" and f"<@{STAFF_2}>" in str(asked["view"])

    request = wait_post(app, STAFF_2, "removal_agree")
    assert "asked you, as a member of staff, to agree in their place" in str(request.args["blocks"])
    told = wait_post(app, VOLUNTEER, containing="You asked")
    assert f"<@{STAFF_2}>" in str(told.args["blocks"]) and "removal_ask_staff" not in buttons(told)
    # Asked once: the button again says so, and asks nobody else.
    again = open_from(app, VOLUNTEER, receipt, "removal_ask_staff")
    assert again.inputs() == {} and "already been asked" in again.text()

    # Someone not asked cannot agree in their place; the one asked can.
    click(app, STAFF, request, "removal_agree")
    ephemeral_for(app, STAFF, "Only a staff moderator of")
    click(app, STAFF_2, request, "removal_agree")
    sign_off = wait_post(app, APPROVALS, "removal_approve")
    assert "a member of staff asked in place of a staff moderator" in str(sign_off.args["blocks"])
    assert "Agreed by" in str(updated(app, request).args["blocks"])
    [decision] = decisions(app.db)
    assert decision.status == "awaiting_sign_off"
    assert [t[:2] for t in trail(app.db)] == [
        (VOLUNTEER, "removal.logged"), (VOLUNTEER, "removal.ask_staff_refused"),  # a guest is not staff
        (VOLUNTEER, "removal.agreement_asked"), (VOLUNTEER, "removal.ask_staff_refused"),  # asked once
        (STAFF, "removal.agree_refused"), (STAFF_2, "removal.agreed"),
    ]


@pytest.mark.e2e
def test_after_a_rejection_the_logger_is_told_what_they_can_do_next(app):
    group_id = add_group(app.db)
    log_removal(app, STAFF, group_id)
    sign_off = wait_post(app, APPROVALS, "removal_reject")
    reason_form = open_from(app, MANAGER, sign_off, "removal_reject")
    assert reason_form.submit(reason="Try a temporary removal first.").json["response_action"] == "update"
    told = wait_post(app, STAFF, containing="was rejected")
    said = str(told.args["blocks"])
    assert "What you can do next" in said and f"<@{MANAGER}>, the senior manager who rejected it" in said
    assert "add them back to the group" in said and "Log a correction" in said
    assert "removal_correct" in buttons(told) and "removal_withdraw" not in buttons(told)
