"""Removal decisions end to end (R1-R5): signed HTTP requests to the running app, which talks to the fake Slack
Web API. Groups are put in the register directly; everything else goes through Slack's payloads."""
from __future__ import annotations

import logging
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bot.removals.views import log_removal_button
from bot.wsgi import create_wsgi_app
from flows.audit.models import AuditEntry
from flows.db import Base
from flows.groups.models import Group, Moderator
from flows.outbox import Notice as OutboxMessage
from flows.removals.models import RemovalDecision, RemovalKind
from flows.removals.service import BREACHES
from tests.conftest import (
    GUEST,
    MANAGER,
    MANAGERS_GROUP,
    SIGNING_SECRET,
    STAFF,
    STAFF_2,
    VOLUNTEER,
    RunningApp,
    prompt_loop,
)
from tests.harness.signing import (
    SlackSender,
    block_actions_payload,
    view_submission_payload,
)
from tests.abuse.support import settle
from tests.harness.wsgi_server import WSGIServer
from tests.support import slack_person, slack_user

APPROVALS = "C0APPROVE"
MANAGER_2 = "U0MANAG2"
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
GROUP_NAME = "Amaze Brighton Parent Carers"


@pytest.fixture
def app(settings, db, fake_slack):
    fake_slack.add_user(MANAGER_2, name="dana", real_name="Dana Director")
    fake_slack.add_usergroup(MANAGERS_GROUP, "senior-managers", [MANAGER, MANAGER_2])
    ours = settings.model_copy(update={"approvals_channel": APPROVALS})
    with WSGIServer(create_wsgi_app(ours, db)) as server, prompt_loop(ours, db):
        yield RunningApp(
            url=server.url, sender=SlackSender(server.url, SIGNING_SECRET), fake=fake_slack, db=db, settings=ours
        )
    # Every message and view the app sent was one Slack accepts (Block Kit limits, fields, triggers).
    refused = [(c.method, c.response) for c in fake_slack.calls() if not c.ok]
    assert refused == []


def add_group(db, name=GROUP_NAME, kind="parent_carers", moderators=None) -> int:
    """A registered group with a lead staff moderator, a volunteer, a second staff moderator and one not on Slack."""
    rows = moderators or [
        ("Alex Morgan", "staff", STAFF, True),
        ("Val Jones", "volunteer", VOLUNTEER, False),
        ("Bea Hughes", "staff", STAFF_2, False),
        ("Sam Patel", "volunteer", None, False),
    ]
    with db.transaction() as session:
        group = Group(kind=kind, name=name, official=True, description="", created_by=slack_person(session, STAFF))
        group.moderators = [
            Moderator(name=name, role=role, person_id=slack_person(session, user), is_lead=lead,
                      added_by=slack_person(session, STAFF))
            for name, role, user, lead in rows
        ]
        session.add(group)
        session.flush()
        return group.id


# --- driving the form -------------------------------------------------------------------------------------------
def _state(element: dict, value) -> dict:
    kind = element["type"]
    if kind in ("static_select", "radio_buttons"):
        return {"type": kind, "selected_option": {"value": value}}
    if kind in ("multi_static_select", "checkboxes"):
        return {"type": kind, "selected_options": [{"value": v} for v in value]}
    if kind == "datepicker":
        return {"type": kind, "selected_date": value}
    return {"type": kind, "value": value}


def _initial(element: dict):
    if "initial_option" in element:
        return element["initial_option"]["value"]
    if "initial_options" in element:
        return [o["value"] for o in element["initial_options"]]
    return element.get("initial_value") or element.get("initial_date")


class Form:
    """The modal the app opened (a moment's placeholder, then the form put in its place)."""

    def __init__(self, app, user_id: str, after_opens: int) -> None:
        self.app, self.user_id = app, user_id
        app.fake.wait_for("views.open", lambda c: len(app.fake.calls("views.open")) > after_opens)
        self.view_id = app.fake.calls("views.open")[after_opens].response["view"]["id"]
        update = app.fake.wait_for("views.update", lambda c: c.args.get("view_id") == self.view_id)
        assert update.response["ok"], update.response
        self.view = update.args["view"]

    def inputs(self) -> dict[str, dict]:
        return {b["block_id"]: b for b in self.view["blocks"] if b["type"] == "input"}

    def text(self) -> str:
        return str(self.view["blocks"])

    def options(self, block_id: str) -> dict[str, str]:
        return {o["value"]: o["text"]["text"] for o in self.inputs()[block_id]["element"]["options"]}

    def submit(self, **values):
        state = {}
        for block_id, block in self.inputs().items():
            element = block["element"]
            if block_id in values:
                value = values.pop(block_id)
            else:  # left as the app filled it in
                value = _initial(element)
            if value is not None:
                state[block_id] = {element["action_id"]: _state(element, value)}
        assert not values, f"no such fields {sorted(values)}"
        payload = view_submission_payload(
            self.view["callback_id"], state, user_id=self.user_id, private_metadata=self.view["private_metadata"],
            view_id=self.view_id, blocks=self.view["blocks"],
        )
        return self.app.sender.interact(payload)


def open_form(app, user) -> Form:
    before = len(app.fake.calls("views.open"))
    assert app.sender.command("/log-removal", user_id=user).status == 200
    return Form(app, user, before)


def log_removal(app, user, group_id, kind="permanent", **values):
    form = open_form(app, user)
    fields = {
        "group": str(group_id), "member_ref": "J.S.", "kind": kind, "breaches": ["bullying", "language"],
        "tried_first": ["asked_to_delete", "warned"], "notes": "Repeated name-calling after two warnings.",
    }
    if kind == "temporary":
        fields["review_on"] = (date.today() + timedelta(days=14)).isoformat()
    fields.update(values)
    response = form.submit(**fields)
    assert response.status == 200
    return response


# --- reading what the app sent ----------------------------------------------------------------------------------------
def posts_to(app, channel) -> list:
    return [c for c in app.fake.calls("chat.postMessage") if c.args.get("channel") == channel]


def buttons(call) -> dict[str, str]:
    return {
        element["action_id"]: element.get("value")
        for block in call.args.get("blocks") or [] if block["type"] == "actions"
        for element in block["elements"]
    }


def wait_post(app, channel, action_id=None, containing=None):
    return app.fake.wait_for(
        "chat.postMessage",
        lambda c: c.args.get("channel") == channel
        and (action_id is None or action_id in buttons(c))
        and (containing is None or containing in str(c.args)),
    )


def click(app, user, call, action_id, headers=None):
    """Press a button in a message the app posted, as `user`."""
    payload = block_actions_payload(
        action_id, buttons(call)[action_id], user_id=user, channel_id=call.response["channel"],
        message_ts=call.response["ts"], response_url=None,
    )
    response = app.sender.interact(payload, headers=headers)
    assert response.status == 200
    return response


def decisions(db) -> list[RemovalDecision]:
    with db.transaction() as session:
        return list(session.scalars(select(RemovalDecision).order_by(RemovalDecision.id)))


def trail(db, subject_id=None) -> list[tuple]:
    with db.transaction() as session:
        query = select(AuditEntry).where(AuditEntry.subject_type == "removal").order_by(AuditEntry.id)
        entries = list(session.scalars(query))
    # Who acted, as the Slack user the test workspace knows them by.
    return [(slack_user(db, e.actor), e.action, e.from_state, e.to_state) for e in entries]


def ephemeral_for(app, user, containing):
    return app.fake.wait_for(
        "chat.postEphemeral", lambda c: c.args.get("user") == user and containing in c.args.get("text", "")
    )


# --- the tests -----------------------------------------------------------------------------------------------------
@pytest.mark.e2e
def test_a_volunteers_permanent_removal_is_agreed_by_staff_signed_off_and_shared_with_every_moderator(app):
    group_id = add_group(app.db)
    add_group(app.db, name="Amaze Hastings Parent Carers", moderators=[("Bea Hughes", "staff", STAFF_2, True)])

    form = open_form(app, VOLUNTEER)
    assert form.options("group") == {str(group_id): GROUP_NAME}  # only the groups Val moderates
    assert "Write initials" not in form.text() and "Charity Log reference" in form.text()
    assert set(form.options("breaches")) >= {"confidentiality", "safeguarding", "bullying", "services", "other"}
    response = form.submit(
        group=str(group_id), member_ref="J.S.", kind="permanent", breaches=["bullying"],
        tried_first=["asked_to_delete", "asked_to_change"], notes="Asked twice, then a third post.",
    )
    assert response.json["response_action"] == "update"
    assert "is logged" in str(response.json["view"])

    # The group's two staff moderators are each asked to agree; senior managers are not asked yet.
    ask_alex = wait_post(app, STAFF, "removal_agree")
    ask_bea = wait_post(app, STAFF_2, "removal_agree")
    assert "J.S." in str(ask_alex.args["blocks"]) and GROUP_NAME in str(ask_alex.args["blocks"])
    # Agree asks first, saying what is agreed to.
    [agree] = [e for b in ask_alex.args["blocks"] if b["type"] == "actions" for e in b["elements"]
               if e["action_id"] == "removal_agree"]
    assert agree["confirm"]["text"]["text"] == (
        f"You agree to the permanent removal of J.S. from {GROUP_NAME}. Agreement breached: Bullying. "
        "It then goes to a senior manager to sign off (R2)."
    )
    assert (agree["confirm"]["confirm"]["text"], agree["confirm"]["deny"]["text"]) == ("Agree", "Not yet")
    assert posts_to(app, APPROVALS) == []
    assert [d.status for d in decisions(app.db)] == ["awaiting_agreement"]

    click(app, STAFF, ask_alex, "removal_agree")
    sign_off = wait_post(app, APPROVALS, "removal_approve")
    assert set(buttons(sign_off)) == {"removal_approve", "removal_reject"}
    assert f"<@{STAFF}>" in str(sign_off.args["blocks"])  # who agreed
    # Both staff moderators' asks now say it is agreed, with no button left to press.
    for ask in (ask_alex, ask_bea):
        where = (ask.response["channel"], ask.response["ts"])
        updated = app.fake.wait_for("chat.update", lambda c, where=where: (c.args["channel"], c.args["ts"]) == where)
        assert "Agreed by" in str(updated.args["blocks"]) and buttons(updated) == {}

    click(app, MANAGER, sign_off, "removal_approve")
    done = app.fake.wait_for("chat.update", lambda c: c.args["ts"] == sign_off.response["ts"])
    assert "Approved" in str(done.args["blocks"]) and f"<@{MANAGER}>" in str(done.args["blocks"])
    assert buttons(done) == {}
    told_val = wait_post(app, VOLUNTEER, containing="approved")
    assert f"<@{MANAGER}>" in str(told_val.args["blocks"])
    for moderator in (STAFF, STAFF_2):
        wait_post(app, moderator, containing="was approved")

    [decision] = decisions(app.db)
    assert (decision.status, slack_user(app.db, decision.agreed_by), slack_user(app.db, decision.decided_by)) == (
        "approved", STAFF, MANAGER)
    assert trail(app.db) == [
        (VOLUNTEER, "removal.logged", None, "awaiting_agreement"),
        (STAFF, "removal.agreed", "awaiting_agreement", "awaiting_sign_off"),
        (MANAGER, "removal.approved", "awaiting_sign_off", "approved"),
    ]


@pytest.mark.e2e
def test_a_staff_moderators_own_log_is_the_staff_agreement_and_a_non_managers_approve_changes_nothing(app):
    group_id = add_group(app.db)
    log_removal(app, STAFF, group_id)
    sign_off = wait_post(app, APPROVALS, "removal_approve")
    assert "staff agreement" in str(sign_off.args["blocks"])
    assert [c for c in app.fake.calls("chat.postMessage") if "removal_agree" in buttons(c)] == []

    click(app, STAFF_2, sign_off, "removal_approve")
    note = ephemeral_for(app, STAFF_2, "Only a senior manager")
    assert note.args["channel"] == sign_off.response["channel"]
    click(app, VOLUNTEER, sign_off, "removal_reject")
    refused = app.fake.wait_for("views.update", lambda c: "Only a senior manager" in str(c.args["view"]))
    assert [b for b in refused.args["view"]["blocks"] if b["type"] == "input"] == []  # no reason asked

    assert [d.status for d in decisions(app.db)] == ["awaiting_sign_off"]
    assert app.fake.calls("chat.update") == []
    refusals = [t for t in trail(app.db) if t[1].endswith("_refused")]
    assert refusals == [
        (STAFF_2, "removal.approve_refused", "awaiting_sign_off", None),
        (VOLUNTEER, "removal.reject_refused", "awaiting_sign_off", None),
    ]


@pytest.mark.e2e
def test_nobody_agrees_to_or_approves_their_own_log(app):
    group_id = add_group(app.db, moderators=[
        ("Alex Morgan", "staff", STAFF, True),
        ("Sam Senior", "staff", MANAGER, False),
        ("Val Jones", "volunteer", VOLUNTEER, False),
    ])
    log_removal(app, MANAGER, group_id)
    sign_off = wait_post(app, APPROVALS, "removal_approve")
    click(app, MANAGER, sign_off, "removal_approve")
    ephemeral_for(app, MANAGER, "You logged this removal")
    assert [d.status for d in decisions(app.db)] == ["awaiting_sign_off"]

    # A volunteer's permanent removal: a forged Agree from the volunteer themself is refused too.
    log_removal(app, VOLUNTEER, group_id, member_ref="CL-12345")
    ask = wait_post(app, STAFF, "removal_agree")
    click(app, VOLUNTEER, ask, "removal_agree")
    ephemeral_for(app, VOLUNTEER, "You logged this removal")
    assert [d.status for d in decisions(app.db)] == ["awaiting_sign_off", "awaiting_agreement"]
    assert [t[:2] for t in trail(app.db) if t[1].endswith("_refused")] == [
        (MANAGER, "removal.approve_refused"), (VOLUNTEER, "removal.agree_refused"),
    ]


@pytest.mark.e2e
def test_two_managers_at_once_and_a_redelivered_click_make_one_decision_and_one_set_of_messages(app):
    group_id = add_group(app.db)
    log_removal(app, STAFF, group_id)
    sign_off = wait_post(app, APPROVALS, "removal_approve")
    wait_post(app, STAFF, containing="gone to the senior managers")  # the logger's receipt
    posts_before = len(app.fake.calls("chat.postMessage"))

    start = threading.Barrier(2)

    def press(user):
        start.wait()
        click(app, user, sign_off, "removal_approve")

    threads = [threading.Thread(target=press, args=(u,)) for u in (MANAGER, MANAGER_2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # The one who lost is told who decided; the logger hears once.
    loser_note = app.fake.wait_for("chat.postEphemeral", lambda c: "already approved" in c.args.get("text", ""))
    [decision] = decisions(app.db)
    winner = slack_user(app.db, decision.decided_by)
    assert winner in (MANAGER, MANAGER_2) and loser_note.args["user"] == ({MANAGER, MANAGER_2} - {winner}).pop()
    assert f"<@{winner}>" in loser_note.args["text"]
    wait_post(app, STAFF, containing="approved")

    # Slack delivers the winner's click again.
    click(app, winner, sign_off, "removal_approve", headers=RETRY)
    app.fake.wait_for("chat.postEphemeral", lambda c: c.args["user"] == winner and "already approved" in c.args["text"])
    settle(app)  # the clock's prompt loop sends the messages side by side: let the last of them land

    assert [d.status for d in decisions(app.db)] == ["approved"]
    assert [t[1] for t in trail(app.db)].count("removal.approved") == 1
    after = app.fake.calls("chat.postMessage")[posts_before:]
    assert sorted(c.args["channel"] for c in after) == sorted([STAFF, VOLUNTEER, STAFF_2])  # logger + R3, once each
    assert len([c for c in app.fake.calls("chat.update") if c.args["ts"] == sign_off.response["ts"]]) == 1


@pytest.mark.e2e
def test_logging_the_same_form_twice_logs_one_removal(app):
    group_id = add_group(app.db)
    form = open_form(app, VOLUNTEER)
    fields = {"group": str(group_id), "member_ref": "J.S.", "kind": "permanent", "breaches": ["language"]}
    responses = []
    start = threading.Barrier(2)

    def submit():
        start.wait()
        responses.append(form.submit(**fields))

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    form.submit(**fields)  # and once more, later
    assert all(r.json["response_action"] == "update" for r in responses)
    wait_post(app, VOLUNTEER, containing="You logged")
    settle(app)  # the prompt loop sends the messages side by side: let the last of them land
    assert len(decisions(app.db)) == 1
    assert [t[1] for t in trail(app.db)] == ["removal.logged"]
    assert len(posts_to(app, STAFF)) == 1 and len(posts_to(app, STAFF_2)) == 1
    assert len(posts_to(app, VOLUNTEER)) == 1


PERSONAL_DETAILS = [
    ("member_ref", "07700 900123", "phone number"),
    ("member_ref", "+44 (0)1273 234-567", "phone number"),
    ("member_ref", "jo.smith@example.com", "email address"),
    ("member_ref", "Joanne Smith", "name"),
    ("member_ref", "ANN LEE", "person's name"),
    ("notes", "Joanne Smith kept posting; her number is 07700 900123", "phone number"),
    ("notes", "Joanne Smith kept posting after warnings", "person's name"),
    ("notes", "Rang her first on 07700/900/123 to talk it over", "phone number"),
]


@pytest.mark.e2e
@pytest.mark.parametrize("field, value, said", PERSONAL_DETAILS)
def test_personal_details_are_refused_on_their_field_and_nothing_of_them_is_stored(app, caplog, field, value, said):
    caplog.set_level(logging.DEBUG)
    group_id = add_group(app.db)
    form = open_form(app, VOLUNTEER)
    fields = {"group": str(group_id), "member_ref": "J.S.", "kind": "permanent", "breaches": ["bullying"], "notes": ""}
    fields[field] = value
    response = form.submit(**fields)

    assert response.json["response_action"] == "errors"
    error = response.json["errors"][field]
    assert said in error and "Write initials like J.S. or a Charity Log reference" in error
    assert list(response.json["errors"]) == [field]
    assert value not in error
    with app.db.transaction() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)).all():
                assert value not in str(row) and "Smith" not in str(row) and "example.com" not in str(row)
                assert "900123" not in str(row) and "900/123" not in str(row)
        assert session.scalar(select(func.count()).select_from(RemovalDecision)) == 0
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert value not in caplog.text and "Smith" not in caplog.text
    assert "900123" not in caplog.text and "900/123" not in caplog.text
    assert app.fake.calls("chat.postMessage") == []


@pytest.mark.e2e
def test_a_temporary_removal_is_shared_at_once_with_its_review_date(app):
    group_id = add_group(app.db)
    form = open_form(app, VOLUNTEER)
    base = {"group": str(group_id), "member_ref": "CL-12345", "kind": "temporary", "breaches": ["confidentiality"]}
    missing = form.submit(**base).json
    assert missing["response_action"] == "errors" and "review date" in missing["errors"]["review_on"]
    past = form.submit(**base, review_on=date.today().isoformat()).json
    assert "in the future" in past["errors"]["review_on"]

    review = date.today() + timedelta(days=30)
    assert form.submit(**base, review_on=review.isoformat()).json["response_action"] == "update"
    for moderator in (STAFF, STAFF_2):
        shared = wait_post(app, moderator, containing="CL-12345")
        assert f"{review.day} {review:%B %Y}" in str(shared.args["blocks"])
    wait_post(app, VOLUNTEER, containing="You logged a temporary removal")
    [decision] = decisions(app.db)
    assert (decision.status, decision.review_on) == ("recorded", review)
    assert posts_to(app, APPROVALS) == []
    assert not any("removal_agree" in buttons(c) for c in app.fake.calls("chat.postMessage"))


@pytest.mark.e2e
def test_a_rejection_asks_for_a_reason_and_the_reason_reaches_the_logger(app):
    group_id = add_group(app.db)
    log_removal(app, STAFF, group_id)
    sign_off = wait_post(app, APPROVALS, "removal_reject")
    opens = len(app.fake.calls("views.open"))
    click(app, MANAGER, sign_off, "removal_reject")
    reason_form = Form(app, MANAGER, opens)
    assert "reason" in reason_form.inputs()
    assert decisions(app.db)[0].status == "awaiting_sign_off"  # not until the reason is given

    empty = reason_form.submit(reason="").json
    assert empty["response_action"] == "errors" and "reason" in empty["errors"]
    reason = "Not enough tried first: ask J.S. to change their behaviour and review in a month."
    assert reason_form.submit(reason=reason).json["response_action"] == "update"

    done = app.fake.wait_for("chat.update", lambda c: c.args["ts"] == sign_off.response["ts"])
    assert "Rejected" in str(done.args["blocks"]) and reason in str(done.args["blocks"]) and buttons(done) == {}
    told = wait_post(app, STAFF, containing="was rejected")
    assert reason in str(told.args["blocks"]) and f"<@{MANAGER}>" in str(told.args["blocks"])
    for moderator in (VOLUNTEER, STAFF_2):
        wait_post(app, moderator, containing="was rejected")
    [decision] = decisions(app.db)
    assert (decision.status, slack_user(app.db, decision.decided_by), decision.rejection_reason) == (
        "rejected", MANAGER, reason)
    assert trail(app.db)[-1] == (MANAGER, "removal.rejected", "awaiting_sign_off", "rejected")


@pytest.mark.e2e
def test_a_correction_is_a_new_entry_pointing_to_the_earlier_one(app):
    group_id = add_group(app.db)
    log_removal(app, VOLUNTEER, group_id, kind="temporary")
    receipt = wait_post(app, VOLUNTEER, "removal_correct")
    opens = len(app.fake.calls("views.open"))
    click(app, VOLUNTEER, receipt, "removal_correct")
    form = Form(app, VOLUNTEER, opens)
    first = decisions(app.db)[0]
    # The form starts from what the earlier decision said.
    assert form.inputs()["corrects"]["element"]["initial_option"]["value"] == str(first.id)
    assert form.inputs()["group"]["element"]["initial_option"]["value"] == str(group_id)
    assert form.inputs()["member_ref"]["element"]["initial_value"] == "J.S."

    response = form.submit(kind="permanent", notes="Was logged as temporary by mistake.")
    assert response.json["response_action"] == "update"
    earlier, correction = decisions(app.db)
    assert (earlier.id, earlier.kind, earlier.status) == (first.id, "temporary", "recorded")  # untouched (R5)
    assert (correction.corrects_id, correction.kind) == (first.id, "permanent")
    ask = wait_post(app, STAFF, "removal_agree")
    assert f"decision #{first.id}" in str(ask.args["blocks"])

    # A decision in a group Val does not moderate: the button opens a blank form, showing nothing of it.
    elsewhere = add_group(app.db, name="Amaze Crawley Parents", moderators=[("Bea Hughes", "staff", STAFF_2, True)])
    log_removal(app, STAFF_2, elsewhere, member_ref="K.L.")
    hidden = decisions(app.db)[-1]
    opens = len(app.fake.calls("views.open"))
    forged = block_actions_payload("removal_correct", str(hidden.id), user_id=VOLUNTEER, response_url=None)
    assert app.sender.interact(forged).status == 200
    blank = Form(app, VOLUNTEER, opens)
    assert "K.L." not in blank.text() and "Crawley" not in blank.text()


@pytest.mark.e2e
def test_the_registers_button_opens_the_form_for_that_group(app):
    group_id = add_group(app.db)
    other = add_group(
        app.db, name="Amaze Eastbourne Parent Carers", moderators=[("Bea Hughes", "staff", STAFF_2, True)]
    )
    button = log_removal_button(other).to_dict()
    assert (button["action_id"], button["value"]) == ("log_removal", str(other))

    opens = len(app.fake.calls("views.open"))
    payload = block_actions_payload("log_removal", str(other), user_id=MANAGER, response_url=None)
    assert app.sender.interact(payload).status == 200
    form = Form(app, MANAGER, opens)
    # A senior manager may log for any group; the one whose button was pressed is chosen.
    assert set(form.options("group")) == {str(group_id), str(other)}
    assert form.inputs()["group"]["element"]["initial_option"]["value"] == str(other)


@pytest.mark.e2e
def test_someone_who_moderates_no_group_is_told_so_plainly(app):
    add_group(app.db)
    form = open_form(app, GUEST)
    assert form.inputs() == {}
    assert "no group you can log a removal for" in form.text()
    # And a forged submission for a group they do not moderate logs nothing.
    payload = view_submission_payload(
        "log_removal_form",
        {"group": {"value": {"type": "static_select", "selected_option": {"value": "1"}}},
         "member_ref": {"value": {"type": "plain_text_input", "value": "J.S."}},
         "kind": {"value": {"type": "radio_buttons", "selected_option": {"value": "temporary"}}},
         "breaches": {"value": {"type": "multi_static_select", "selected_options": [{"value": "bullying"}]}}},
        user_id=GUEST, private_metadata='{"key": "forged"}',
    )
    response = app.sender.interact(payload)
    assert response.status == 200 and decisions(app.db) == []



@pytest.mark.parametrize("group_name, breaches", [
    ("Amaze " + "Brighton " * 22, ["Bullying"]),  # a 200-character name
    (GROUP_NAME, list(BREACHES.values())),  # every breach ticked
    ("Amaze " + "Brighton " * 22, list(BREACHES.values())),
])
def test_the_agree_dialog_fits_slacks_300_characters_and_keeps_the_member_and_the_kind(group_name, breaches):
    from slack_sdk.models.blocks import ButtonElement

    from bot.removals.messages import agree_confirm

    confirm = agree_confirm(group_name, "CL-12345", RemovalKind.PERMANENT, breaches)
    said = ButtonElement(text="Agree", action_id="a", confirm=confirm).to_dict()["confirm"]["text"]["text"]
    assert len(said) <= 300
    assert said.startswith("You agree to the permanent removal of CL-12345 from Amaze ")
    assert "Agreement breached: " in said and said.endswith("to sign off (R2).")
