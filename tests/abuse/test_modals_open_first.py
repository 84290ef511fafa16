"""A trigger_id lives three seconds and works once. With Slack slow to say who someone is, the modal still opens at
once ("Just a moment…") and becomes the form when the look-ups are done; when Slack will not open it at all, the
person is told so where they typed or clicked, never left looking at nothing."""
from __future__ import annotations

import json
import time

import pytest

from bot.modals import NOT_OPENED
from tests.abuse.support import APPROVALS, add_group, click_payload, log_removal, settle, wait_post
from tests.conftest import MANAGER, STAFF, VOLUNTEER

SLOW = 0.6  # seconds per look-up: Slack on a bad day


def test_newgroup_opens_at_once_while_slack_is_slow_to_say_who_is_staff(app):
    for method in ("users.info", "usergroups.users.list", "usergroups.list"):
        app.fake.slow_down(method, SLOW)
    sent = time.time()
    assert app.sender.command("/newgroup", user_id=STAFF).status == 200
    opened = app.fake.wait_for("views.open", timeout=5)
    assert opened.ok
    assert opened.timestamp - sent < 1.0, f"views.open came {opened.timestamp - sent:.2f}s after the command"
    view_id = opened.response["view"]["id"]
    # The look-ups (several slow calls) came after, and the loading view became the wizard's first step.
    filled = app.fake.wait_for("views.update", lambda c: c.args.get("view_id") == view_id, timeout=10)
    assert "What kind of WhatsApp group" in json.dumps(filled.args["view"])
    assert any(c.timestamp > opened.timestamp for c in app.fake.calls("usergroups.users.list"))


@pytest.mark.parametrize("command", ["/newgroup", "/log-removal", "/report-unofficial-group"])
def test_a_form_slack_will_not_open_is_said_so_in_the_channel(app, command):
    app.fake.fail_next("views.open", "expired_trigger_id")
    assert app.sender.command(command, user_id=STAFF, channel_id="C0GENERAL").status == 200
    note = app.fake.wait_for("chat.postEphemeral", lambda c: c.args.get("user") == STAFF)
    assert note.args["text"] == NOT_OPENED and note.args["channel"] == "C0GENERAL"


def test_a_reject_form_slack_will_not_open_is_said_so_and_nothing_changes(app):
    group_id = add_group(app.db)
    log_removal(app, STAFF, group_id)
    sign_off = wait_post(app.fake, APPROVALS, "removal_reject")
    settle(app)
    app.fake.respond_with_status("views.open", 500)
    assert app.sender.interact(click_payload(sign_off, "removal_reject", MANAGER)).status == 200
    note = app.fake.wait_for("chat.postEphemeral", lambda c: c.args.get("user") == MANAGER)
    assert note.args["text"] == NOT_OPENED and note.args["channel"] == sign_off.response["channel"]


def test_without_a_channel_to_answer_in_the_person_gets_a_direct_message(app):
    # A command typed in a conversation the app is not in: the whisper is refused, a direct message is not.
    app.fake.fail_next("views.open", "expired_trigger_id")
    app.fake.fail_next("chat.postEphemeral", "channel_not_found")
    assert app.sender.command("/report-unofficial-group", user_id=VOLUNTEER, channel_id="D0ELSEWHERE").status == 200
    told = app.fake.wait_for("chat.postMessage", lambda c: c.args.get("channel") == VOLUNTEER)
    assert told.args["text"] == NOT_OPENED
