"""Requests that are not what Slack sends: unsigned, forged, stale, unreadable, half-formed, about things the app
does not know, or from another workspace. Each is answered without a 5xx and stores nothing. Those refused at the
door (401 for a signature or timestamp, 400 for a body that cannot be read, 403 for another workspace) cost not one
call to Slack, not even auth.test; those that get in but make no sense send nothing to anyone (at most the person
who clicked is told privately that nothing changed)."""
from __future__ import annotations

import json
import time
from urllib.parse import quote, urlencode

import pytest

from tests.abuse.support import NOT_RECORDS, OTHER_TEAM, add_group, assert_nothing_leaked, row_counts, settle
from tests.conftest import MANAGER, SIGNING_SECRET, STAFF
from tests.harness.fake_slack import TEAM_ID
from tests.harness.signing import (
    block_actions_payload,
    event_body,
    interaction_body,
    sign,
    slash_command_body,
    view_submission_payload,
)

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def a_command(fake, team_id=TEAM_ID, **fields):
    return slash_command_body("/newgroup", "Amaze Hove Parent Carers", user_id=STAFF, team_id=team_id,
                              response_url=fake.response_url(), **fields), FORM


def a_submission(fake, team_id=TEAM_ID):
    payload = view_submission_payload(
        "newgroup", {"kind": {"value": {"type": "radio_buttons", "selected_option": {"value": "parent_carers"}}}},
        user_id=STAFF, team_id=team_id, private_metadata=json.dumps({"draft": "x", "step": "kind"}),
    )
    return interaction_body(payload), FORM


def a_click(fake, team_id=TEAM_ID, value="1"):
    payload = block_actions_payload("removal_approve", value, user_id=MANAGER, team_id=team_id,
                                    response_url=fake.response_url())
    return interaction_body(payload), FORM


def an_event(fake, team_id=TEAM_ID):
    return event_body({"type": "app_home_opened", "user": STAFF, "channel": "D0STAFF", "tab": "home"},
                      team_id=team_id), JSON


REQUESTS = {"command": a_command, "submission": a_submission, "click": a_click, "event": an_event}


def post(app, body: str | bytes, content_type: str, headers: dict[str, str]):
    return app.sender.post_raw(body, {"Content-Type": content_type, **headers})


# Reads that tell Slack nothing: Bolt learning the bot's own identity (once per worker), and who is who; and the
# App Home of the person who clicked, published afresh after anything they do (it shows what is, to them alone).
READS = {"auth.test", "users.info", "usergroups.list", "usergroups.users.list", "views.publish"}


def refused_without_trace(app, before: dict[str, int], *responses, reads_allowed=False) -> None:
    settle(app, quiet_for=0.1)
    calls = [c.method for c in app.fake.calls() if not (reads_allowed and c.method in READS)]
    assert calls == []
    if reads_allowed:
        before = {table: count for table, count in before.items() if table not in NOT_RECORDS}
    assert row_counts(app.db, records_only=reads_allowed) == before
    assert_nothing_leaked(app.fake, *responses, generic_answer_allowed=reads_allowed)


# --- signatures and timestamps ----------------------------------------------------------------------------------
def _now() -> int:
    return int(time.time())


BAD_SIGNING = {
    "no signature headers": lambda body: {},
    "timestamp but no signature": lambda body: {"X-Slack-Request-Timestamp": str(_now())},
    "signature but no timestamp": lambda body: {"X-Slack-Signature": sign(body, SIGNING_SECRET)["X-Slack-Signature"]},
    "another app's secret": lambda body: sign(body, "not-our-signing-secret"),
    "signed for another body": lambda body: sign(body + "&x=1", SIGNING_SECRET),
    "six minutes old": lambda body: sign(body, SIGNING_SECRET, _now() - 6 * 60),
    "six minutes ahead": lambda body: sign(body, SIGNING_SECRET, _now() + 6 * 60),
    "a day old": lambda body: sign(body, SIGNING_SECRET, _now() - 86_400),
    "timestamp not a number": lambda body: {**sign(body, SIGNING_SECRET), "X-Slack-Request-Timestamp": "yesterday"},
    "timestamp empty": lambda body: {**sign(body, SIGNING_SECRET), "X-Slack-Request-Timestamp": ""},
    "signature of another version": lambda body: {
        **sign(body, SIGNING_SECRET), "X-Slack-Signature": "v1=" + sign(body, SIGNING_SECRET)["X-Slack-Signature"][3:]
    },
    "signature empty": lambda body: {**sign(body, SIGNING_SECRET), "X-Slack-Signature": ""},
    "signature not ascii": lambda body: {**sign(body, SIGNING_SECRET), "X-Slack-Signature": "v0=\u00e9\u00e9"},
}


@pytest.mark.parametrize("kind", REQUESTS)
def test_a_request_not_signed_by_slack_just_now_gets_401_and_changes_nothing(app, kind):
    add_group(app.db)
    before = row_counts(app.db)
    responses = []
    for how, headers in BAD_SIGNING.items():
        body, content_type = REQUESTS[kind](app.fake)
        responses.append(post(app, body, content_type, headers(body)))
        assert responses[-1].status == 401, how
    refused_without_trace(app, before, *responses)


def test_garbage_that_is_not_signed_either_gets_401_not_400(app):
    before = row_counts(app.db)
    for body in ("{not json", b"\xff\xfe\x00", "payload=%7Bbroken"):
        response = post(app, body, FORM, {"X-Slack-Signature": "v0=00", "X-Slack-Request-Timestamp": str(_now())})
        assert response.status == 401
    refused_without_trace(app, before)


# --- bodies that cannot be read -----------------------------------------------------------------------------------
def _payload(value) -> str:
    return "payload=" + quote(value if isinstance(value, str) else json.dumps(value))


UNREADABLE = {
    "JSON that is broken": ("{not json", JSON),
    "a form that opens like JSON": ('{"type": "view_submission",', FORM),
    "a payload that is not JSON": (_payload("{broken"), FORM),
    "a payload that is a list": (_payload([1, 2, 3]), FORM),
    "a payload that is a string": (_payload('"just words"'), FORM),
    "a payload that is a number": (_payload("42"), FORM),
    "JSON that is a list": ("[]", JSON),
    "not UTF-8": (b"payload=\xff\xfe\xfd", FORM),
    "team is a number": (_payload({"type": "block_actions", "team": 5, "user": {"id": STAFF}}), FORM),
}


def test_a_signed_body_that_cannot_be_read_gets_400_and_changes_nothing(app):
    before = row_counts(app.db)
    responses = []
    for what, (body, content_type) in UNREADABLE.items():
        responses.append(app.sender.send(body, content_type))
        assert responses[-1].status == 400, what
    refused_without_trace(app, before, *responses)


# --- payloads that can be read but make no sense ------------------------------------------------------------------
def _click(**changes):
    payload = block_actions_payload("removal_approve", "1", user_id=MANAGER, response_url=None)
    for key, value in changes.items():
        if value is ...:
            payload.pop(key)
        else:
            payload[key] = value
    return _payload(payload)


def _submission(callback_id="newgroup", view_changes=None, **changes):
    payload = view_submission_payload(
        callback_id, {"kind": {"value": {"type": "radio_buttons", "selected_option": {"value": "parent_carers"}}}},
        user_id=STAFF, private_metadata=json.dumps({"draft": "x", "step": "kind"}),
        blocks=[{"type": "input", "block_id": "kind", "label": {"type": "plain_text", "text": "Kind"},
                 "element": {"type": "radio_buttons", "action_id": "value", "options": []}}],
    )
    for key, value in (view_changes or {}).items():
        if value is ...:
            payload["view"].pop(key)
        else:
            payload["view"][key] = value
    for key, value in changes.items():
        if value is ...:
            payload.pop(key)
        else:
            payload[key] = value
    return _payload(payload)


NONSENSE = {
    # Clicks
    "a click with no actions": _click(actions=...),
    "a click with an empty list of actions": _click(actions=[]),
    "a click whose actions are an object": _click(actions={"action_id": "removal_approve"}),
    "a click with no user": _click(user=...),
    "a click whose user is a string": _click(user=MANAGER),
    "a click with no type": _click(type=...),
    # Form submissions
    "a submission with no view": _submission(view=...),
    "a submission whose view is a string": _submission(view="a view"),
    "a submission with no state": _submission(view_changes={"state": ...}),
    "a submission whose state values are a list": _submission(view_changes={"state": {"values": []}}),
    "a submission whose metadata is a number": _submission(view_changes={"private_metadata": 7}),
    "a submission whose metadata is not JSON": _submission(view_changes={"private_metadata": "{oops"}),
    "a submission naming a draft that does not exist": _submission(),
    "a submission with no user": _submission(user=...),
    "a removal form with no metadata": _submission("log_removal_form", view_changes={"private_metadata": ...}),
    "a removal form with a number for a key": _submission("log_removal_form",
                                                          view_changes={"private_metadata": '{"key": 5}'}),
    "a report form whose answers are numbers": _submission("report_unofficial_group", view_changes={
        "state": {"values": {"name": {"value": {"type": "plain_text_input", "value": 5}}}}}),
    "a reason form naming no removal": _submission("removal_reject_reason", view_changes={"private_metadata": "{}"}),
    # Commands
    "a command with no user": urlencode({"command": "/newgroup", "team_id": TEAM_ID, "text": ""}),
    "an empty form": "",
    "a form with nothing Slack sends": "hello=world",
}


def test_a_signed_payload_that_makes_no_sense_is_answered_without_a_5xx_and_changes_nothing(app):
    add_group(app.db)
    before = row_counts(app.db)
    for what, body in NONSENSE.items():
        response = app.sender.send(body, FORM)
        assert response.status in (200, 400, 403, 404), (what, response)
        try:
            refused_without_trace(app, before, response, reads_allowed=True)
        except AssertionError as failure:
            raise AssertionError(f"{what}: {failure}") from None


STALE = {
    "a decision that does not exist": "999999",
    "a decision numbered absurdly": "9" * 40,
    "a decision named by an object": {"id": 1},
    "no decision at all": None,
}


@pytest.mark.parametrize("action_id", ["removal_approve", "removal_agree", "report_approach", "report_renamed"])
def test_a_button_naming_something_that_does_not_exist_changes_nothing_and_tells_only_the_clicker(app, action_id):
    add_group(app.db)
    before = {t: n for t, n in row_counts(app.db).items() if t not in NOT_RECORDS}
    for what, value in STALE.items():
        payload = block_actions_payload(action_id, None, user_id=MANAGER, response_url=None)
        payload["actions"][0]["value"] = value
        response = app.sender.interact(payload)
        assert response.status == 200, what
        settle(app, quiet_for=0.1)
        told = [c for c in app.fake.calls() if c.method not in READS]
        # At most a private note to the person who clicked, saying that nothing changed.
        assert all(c.method == "chat.postEphemeral" and c.args["user"] == MANAGER for c in told), (what, told)
        assert row_counts(app.db, records_only=True) == before, what
        assert_nothing_leaked(app.fake, response)


UNKNOWN = {
    "a button the app never made": _payload(block_actions_payload("press_me", "1", user_id=STAFF, response_url=None)),
    "a form the app never opened": _payload(view_submission_payload("not_our_form", {}, user_id=STAFF)),
    "a closed form the app never opened": _payload({**view_submission_payload("not_our_form", {}, user_id=STAFF),
                                                    "type": "view_closed"}),
    "a shortcut": _payload({"type": "shortcut", "callback_id": "do_it", "trigger_id": "1.2.3", "team": {"id": TEAM_ID},
                            "user": {"id": STAFF, "team_id": TEAM_ID}}),
    "a command the app does not have": slash_command_body("/delete-everything", "", user_id=STAFF),
    "a type Slack has never sent": _payload({"type": "teleport", "team": {"id": TEAM_ID}, "user": {"id": STAFF}}),
}


def test_something_the_app_does_not_know_is_answered_404_and_changes_nothing(app):
    add_group(app.db)
    before = row_counts(app.db)
    responses = []
    for what, body in UNKNOWN.items():
        responses.append(app.sender.send(body, FORM))
        assert responses[-1].status == 404, what
    refused_without_trace(app, before, *responses, reads_allowed=True)


def test_an_event_the_app_does_not_listen_to_changes_nothing(app):
    before = row_counts(app.db)
    response = app.sender.event({"type": "member_joined_channel", "user": STAFF, "channel": "C1"})
    assert response.status in (200, 404)
    refused_without_trace(app, before, response, reads_allowed=True)


# --- another workspace ------------------------------------------------------------------------------------------
def test_a_request_from_another_workspace_is_refused_and_changes_nothing(app):
    add_group(app.db)
    before = row_counts(app.db)
    responses = []
    for kind, request in REQUESTS.items():
        body, content_type = request(app.fake, team_id=OTHER_TEAM)
        responses.append(app.sender.send(body, content_type))
        assert responses[-1].status == 403, kind
    refused_without_trace(app, before, *responses)


def test_a_request_naming_no_workspace_is_refused(app):
    before = row_counts(app.db)
    payload = block_actions_payload("removal_approve", "1", user_id=MANAGER, response_url=None)
    for holder in (payload, payload["user"]):
        holder.pop("team", None)
        holder.pop("team_id", None)
    response = app.sender.interact(payload)
    assert response.status == 403
    refused_without_trace(app, before, response)


def test_a_decision_cannot_be_approved_from_another_workspace_though_the_same_click_from_ours_can(app):
    from tests.abuse.support import APPROVALS, MANAGER_2, click_payload, log_removal, wait_post

    group_id = add_group(app.db)
    log_removal(app, STAFF, group_id)
    sign_off = wait_post(app.fake, APPROVALS, "removal_approve")
    settle(app)
    before, calls = row_counts(app.db), len(app.fake.calls())

    foreign = click_payload(sign_off, "removal_approve", MANAGER_2)
    for holder in (foreign["team"], foreign["user"]):
        holder.update({"id": OTHER_TEAM} if "domain" in holder else {"team_id": OTHER_TEAM})
    assert app.sender.interact(foreign).status == 403
    settle(app)
    answered = [c for c in app.fake.calls()[calls:] if MANAGER_2 in json.dumps(c.args) or c.method == "chat.update"]
    assert answered == []
    assert row_counts(app.db) == before

    # The control: the very same click from our workspace is a decision.
    assert app.sender.interact(click_payload(sign_off, "removal_approve", MANAGER_2)).status == 200
    app.fake.wait_for("chat.update", lambda c: c.args.get("ts") == sign_off.response["ts"])
    assert row_counts(app.db) != before


def test_a_click_naming_an_absurdly_large_decision_number_is_told_it_cannot_be_found(app):
    for action_id in ("removal_approve", "removal_agree"):
        before = len(app.fake.calls("chat.postEphemeral"))
        payload = block_actions_payload(action_id, "9" * 40, user_id=MANAGER, response_url=None)
        assert app.sender.interact(payload).status == 200
        note = app.fake.wait_for(
            "chat.postEphemeral", lambda c: app.fake.calls("chat.postEphemeral").index(c) >= before, timeout=1
        )
        assert "can't find" in note.args["text"]
