"""Authority never comes from a failure: when Slack cannot say who someone is (users.info or a user group's members
failing, nothing fresh kept), they are not taken for staff or a senior manager. They are told the app cannot
confirm their role right now, nothing changes, and the refusal is in the audit trail."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.refusals import WORDING
from flows.audit.models import AuditEntry
from flows.directory.models import DirectoryCacheEntry
from flows.directory.service import Refusal
from flows.groups.models import Group
from flows.removals.models import RemovalDecision
from flows.reports.models import UnofficialGroupCase
from flows.wizard.models import WizardDraft
from tests.abuse.support import (
    APPROVALS,
    MANAGER_2,
    MANAGERS_CHANNEL,
    OTHER_TEAM,
    add_group,
    click_payload,
    inputs,
    log_removal,
    opened_view,
    row_counts,
    settle,
    submission,
    wait_post,
)
from tests.e2e.modal import Modal
from tests.conftest import GUEST, MANAGER, MANAGERS_GROUP, SIGNING_SECRET, RunningApp, prompt_loop
from tests.harness.fake_slack import TEAM_ID
from tests.harness.signing import SlackSender, slash_command_body
from tests.harness.wsgi_server import WSGIServer
from tests.support import slack_user

UNCONFIRMED = WORDING[Refusal.ROLE_UNCONFIRMED]
FAILURES = pytest.mark.parametrize("status", [500, 429], ids=["slack down", "rate limited"])


def refused(db, action: str) -> list[tuple]:
    with db.transaction() as session:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        entries = [(e.actor, e.details.get("refused")) for e in session.scalars(query)]
    # Who was refused, as the Slack user the test workspace knows them by.
    return [(slack_user(db, actor), why) for actor, why in entries]


def records_but_the_audit_trail(db) -> dict[str, int]:
    return {table: rows for table, rows in row_counts(db, records_only=True).items() if table != "audit_entries"}


def statuses(db) -> list[str]:
    with db.transaction() as session:
        return list(session.scalars(select(RemovalDecision.status).order_by(RemovalDecision.id)))


def told_privately(app, user_id: str, since: int) -> list[str]:
    settle(app)
    return [c.args["text"] for c in app.fake.calls()[since:]
            if c.method == "chat.postEphemeral" and c.args.get("user") == user_id]


def wait_told(app, user_id: str) -> str:
    """The private note that their role cannot be confirmed (sent once Slack's rate limit has been waited out)."""
    return app.fake.wait_for("chat.postEphemeral", lambda c: c.args.get("user") == user_id
                             and UNCONFIRMED in c.args.get("text", "")).args["text"]


def awaiting_sign_off(app) -> object:
    """A permanent removal logged by a staff moderator, waiting for a senior manager; its sign-off message."""
    log_removal(app, "U0STAFF1", add_group(app.db))
    message = wait_post(app.fake, APPROVALS, "removal_approve")
    settle(app)
    return message


@FAILURES
def test_a_guest_in_the_staff_and_managers_groups_is_not_staff_while_slack_cannot_say_they_are_a_guest(app, status):
    fake = app.fake
    fake.add_usergroup(MANAGERS_GROUP, "senior-managers", [MANAGER, MANAGER_2, GUEST])
    sign_off = awaiting_sign_off(app)
    fake.respond_with_status("users.info", status, times=100, headers={"Retry-After": "0"} if status == 429 else None)
    before = records_but_the_audit_trail(app.db)

    # /newgroup: no wizard, the reason in the window that opens.
    opens = len(fake.calls("views.open"))
    assert app.sender.command("/newgroup", "Amaze Hove", user_id=GUEST).status == 200
    # The window opens at once ("Just a moment…") and then says why it can go no further.
    assert "can't confirm your role" in str(Modal.opened_by(app, GUEST, after=opens).view)
    # Approving a permanent removal: still waiting, the reason told only to them.
    assert app.sender.interact(click_payload(sign_off, "removal_approve", GUEST)).status == 200
    assert wait_told(app, GUEST) == UNCONFIRMED
    settle(app)

    assert statuses(app.db) == ["awaiting_sign_off"]
    with app.db.transaction() as session:
        assert session.scalars(select(WizardDraft)).all() == []
    assert refused(app.db, "wizard.refused") == [(GUEST, "role_unconfirmed")]
    assert refused(app.db, "removal.sign_off_refused") == [(GUEST, "role_unconfirmed")]
    assert records_but_the_audit_trail(app.db) == before


@pytest.fixture
def short_cache_app(our_settings, db, fake_slack):
    """The app trusting a looked-up answer for two seconds (DIRECTORY_CACHE_SECONDS=2)."""
    from bot.wsgi import create_wsgi_app

    settings = our_settings.model_copy(update={"directory_cache_seconds": 2})
    fake_slack.add_user(MANAGER_2, name="dana", real_name="Dana Director")
    fake_slack.add_usergroup(MANAGERS_GROUP, "senior-managers", [MANAGER, MANAGER_2])
    with WSGIServer(create_wsgi_app(settings, db)) as server, prompt_loop(settings, db):
        running = RunningApp(url=server.url, sender=SlackSender(server.url, SIGNING_SECRET), fake=fake_slack, db=db,
                             settings=settings)
        yield running
        settle(running, quiet_for=0.1)


def age_every_answer(db, seconds: float) -> None:
    """As if every looked-up answer had been fetched `seconds` ago."""
    with db.transaction() as session:
        for entry in session.scalars(select(DirectoryCacheEntry)):
            entry.fetched_at -= timedelta(seconds=seconds)


@FAILURES
def test_a_senior_manager_taken_out_of_the_group_cannot_approve_on_an_answer_older_than_the_cache(
    short_cache_app, status
):
    app, fake = short_cache_app, short_cache_app.fake
    sign_off = awaiting_sign_off(app)
    # Learnt while logging (who may see every group): MANAGER is a senior manager.
    with app.db.transaction() as session:
        assert MANAGER in session.get(DirectoryCacheEntry, f"usergroup:{MANAGERS_GROUP}").value["users"]
    fake.add_usergroup(MANAGERS_GROUP, "senior-managers", [MANAGER_2])
    fake.respond_with_status("usergroups.users.list", status, times=100,
                             headers={"Retry-After": "0"} if status == 429 else None)
    age_every_answer(app.db, 5)

    assert app.sender.interact(click_payload(sign_off, "removal_approve", MANAGER)).status == 200

    assert wait_told(app, MANAGER) == UNCONFIRMED
    settle(app)
    assert statuses(app.db) == ["awaiting_sign_off"]
    assert refused(app.db, "removal.sign_off_refused") == [(MANAGER, "role_unconfirmed")]


def test_a_senior_manager_whose_role_was_confirmed_within_the_cache_time_still_approves_while_slack_fails(app):
    fake = app.fake
    sign_off = awaiting_sign_off(app)
    # Opening the rejection's reason form looks up MANAGER_2: a fresh answer, kept for DIRECTORY_CACHE_SECONDS.
    opens = len(fake.calls("views.open"))
    app.sender.interact(click_payload(sign_off, "removal_reject", MANAGER_2))
    fake.wait_for("views.open", lambda c: len(fake.calls("views.open")) > opens)
    reason_form = fake.calls("views.open")[opens].response["view"]["id"]
    fake.wait_for("views.update", lambda c: c.args.get("view_id") == reason_form)
    settle(app)
    fake.respond_with_status("users.info", 500, times=100)
    fake.respond_with_status("usergroups.users.list", 500, times=100)
    since = len(fake.calls())

    assert app.sender.interact(click_payload(sign_off, "removal_approve", MANAGER_2)).status == 200
    # The sign-off message is closed once the decision is made.
    fake.wait_for("chat.update", lambda c: c.args.get("ts") == sign_off.response["ts"])
    settle(app)
    assert statuses(app.db) == ["approved"]
    assert UNCONFIRMED not in told_privately(app, MANAGER_2, since)


# --- SLACK_TEAM_ID unset: the bot token's own workspace, from auth.test --------------------------------------------
def newgroup_from(app, team_id: str):
    body = slash_command_body("/newgroup", "Amaze Hove Parent Carers", user_id="U0STAFF1", team_id=team_id,
                              response_url=app.fake.response_url())
    return app.sender.send(body, "application/x-www-form-urlencoded")


def test_with_no_team_id_configured_only_the_bot_tokens_own_workspace_is_served(running_app):
    app = running_app
    assert not app.settings.slack_team_id
    before = row_counts(app.db, records_only=True)

    refused_answer = newgroup_from(app, OTHER_TEAM)
    settle(app)
    assert refused_answer.status == 403 and "another workspace" in refused_answer.text
    assert app.fake.calls("views.open") == []
    assert row_counts(app.db, records_only=True) == before

    assert newgroup_from(app, TEAM_ID).status == 200
    assert "What kind of WhatsApp group" in str(Modal.opened_by(app, "U0STAFF1").view)


def test_with_no_team_id_configured_and_auth_test_failing_nothing_is_processed_and_slack_is_told_to_retry(running_app):
    app = running_app
    app.fake.respond_with_status("auth.test", 500, times=100)
    before = row_counts(app.db)

    for team_id in (OTHER_TEAM, TEAM_ID):
        answer = newgroup_from(app, team_id)
        assert answer.status == 503, answer.text
    settle(app)
    assert app.fake.calls("views.open") == []
    assert row_counts(app.db) == before


# --- the wizard: the server decides which step a form is, and re-checks every step before registering ----------
AGREEMENT_URL = "https://www.amazesussex.org.uk/groups/brighton-parents-agreement"
GOOD_MODERATORS = dict(
    staff_moderators=["U0STAFF1"], other_moderators=["U0VOLUN1"], out_of_hours="Val watches the evenings.",
    emergency_contact=MANAGER, expected_members="40",
)


def wizard_at_moderators(app) -> Modal:
    opens = len(app.fake.calls("views.open"))
    assert app.sender.command("/newgroup", "", user_id="U0STAFF1").status == 200
    modal = Modal.opened_by(app, "U0STAFF1", after=opens)
    for answer in ({"kind": "parent_carers"}, {"name": "Amaze Brighton Parent Carers Chat"},
                   {"agreement_url": AGREEMENT_URL}):
        assert modal.submit(**answer).json["response_action"] == "update"
    assert "staff_moderators" in modal.inputs()
    return modal


def groups(db) -> list[str]:
    with db.transaction() as session:
        return list(session.scalars(select(Group.name)))


def test_a_refused_moderators_step_resubmitted_as_the_final_step_registers_nothing(app):
    modal = wizard_at_moderators(app)
    refused_answer = modal.submit(
        staff_moderators=["U0VOLUN1"], other_moderators=[], out_of_hours="x" * 2500, emergency_contact="U0STAFF2",
        expected_members="40",
    )
    assert set(refused_answer.json["errors"]) >= {"staff_moderators", "out_of_hours", "emergency_contact"}

    metadata = json.loads(modal.view["private_metadata"])
    modal.view = {**modal.view, "private_metadata": json.dumps({**metadata, "step": "review"})}
    forged = modal.submit()

    assert groups(app.db) == []
    assert forged.json["response_action"] == "update"
    assert "out of date" in modal.text() and "staff_moderators" in modal.inputs()
    with app.db.transaction() as session:
        assert session.scalars(select(WizardDraft.step)).all() == ["moderators"]


def test_a_staff_moderator_who_left_the_staff_group_before_the_final_step_sends_the_wizard_back_to_moderators(app):
    modal = wizard_at_moderators(app)
    assert modal.submit(**GOOD_MODERATORS).json["response_action"] == "update"
    assert "review" in modal.view["private_metadata"]
    app.fake.add_usergroup("S0STAFF", "staff", ["U0STAFF2", MANAGER])
    age_every_answer(app.db, app.settings.directory_cache_seconds + 1)

    modal.submit()

    assert groups(app.db) == []
    assert "staff_moderators" in modal.inputs()
    assert "not in the staff user group" in str(modal.view)


def test_the_final_step_with_every_step_still_good_registers_the_group(app):
    modal = wizard_at_moderators(app)
    modal.submit(**GOOD_MODERATORS)
    assert modal.submit().json["response_action"] == "update"
    assert groups(app.db) == ["Amaze Brighton Parent Carers Chat"]


# --- removals: a review date that comes, and only one's own groups -----------------------------------------------
def removal_form(app, user_id: str) -> tuple[str, dict]:
    opens = len(app.fake.calls("views.open"))
    assert app.sender.command("/log-removal", user_id=user_id, response_url=app.fake.response_url()).status == 200
    return opened_view(app.fake, opens)


def options(view: dict, block_id: str) -> list[str]:
    element = inputs(view)[block_id]["element"] if block_id in inputs(view) else {}
    return [o["text"]["text"] for o in element.get("options", [])]


def removal_values(group_id: int, **values) -> dict:
    return {"group": str(group_id), "member_ref": "J.S.", "kind": "permanent", "breaches": ["bullying"],
            "tried_first": ["warned"], "notes": "Repeated name-calling after a warning.", **values}


@pytest.mark.parametrize("review_on", ["9999-12-31", (date.today() + timedelta(days=91)).isoformat()],
                         ids=["year 9999", "91 days"])
def test_a_temporary_removal_with_a_review_date_beyond_the_limit_is_refused_on_the_review_date(app, review_on):
    group_id = add_group(app.db)
    view_id, view = removal_form(app, "U0STAFF1")
    before = row_counts(app.db, records_only=True)

    answer = app.sender.interact(submission(view, "U0STAFF1", view_id, **removal_values(
        group_id, kind="temporary", review_on=review_on)))

    assert answer.json["response_action"] == "errors"
    assert set(answer.json["errors"]) == {"review_on"}
    assert "within 90 days" in answer.json["errors"]["review_on"]
    assert row_counts(app.db, records_only=True) == before


def test_a_temporary_removal_reviewed_on_the_last_day_allowed_is_logged(app):
    group_id = add_group(app.db)
    log_removal(app, "U0STAFF1", group_id, kind="temporary",
                review_on=(date.today() + timedelta(days=app.settings.removal_review_max_days)).isoformat())
    assert statuses(app.db) == ["recorded"]


def test_staff_see_and_log_removals_only_for_the_groups_they_moderate_and_senior_managers_for_all(app):
    ours = add_group(app.db)
    theirs = add_group(app.db, name="Amaze Hastings Parent Carers",
                       moderators=[("Priya Shah", "staff", "U0PCF001", True)])
    log_removal(app, "U0PCF001", theirs, member_ref="K.L.")
    settle(app)

    view_id, view = removal_form(app, "U0STAFF2")
    assert options(view, "group") == ["Amaze Brighton Parent Carers"]
    assert "K.L." not in json.dumps(view)
    before = records_but_the_audit_trail(app.db)
    crafted = app.sender.interact(submission(view, "U0STAFF2", view_id, **removal_values(theirs)))
    assert crafted.json["response_action"] == "errors" and set(crafted.json["errors"]) == {"group"}
    assert records_but_the_audit_trail(app.db) == before
    assert refused(app.db, "removal.log_refused") == [("U0STAFF2", "not_their_group")]

    _, managers_view = removal_form(app, MANAGER)
    assert options(managers_view, "group") == ["Amaze Brighton Parent Carers", "Amaze Hastings Parent Carers"]
    assert "K.L." in json.dumps(managers_view)
    assert ours != theirs


def test_taking_on_an_unofficial_group_report_is_refused_while_slack_cannot_say_who_clicked(app):
    fake = app.fake
    opens = len(fake.calls("views.open"))
    assert app.sender.command("/report-unofficial-group", user_id="U0STAFF1").status == 200
    view_id, view = opened_view(fake, opens)
    app.sender.interact(submission(view, "U0STAFF1", view_id, name="Amaze Mums Hove", where_seen="whatsapp",
                                   how_found="Saw it on Facebook."))
    message = wait_post(fake, MANAGERS_CHANNEL, "report_approach")
    settle(app)
    fake.respond_with_status("users.info", 500, times=100)

    assert app.sender.interact(click_payload(message, "report_approach", "U0STAFF2")).status == 200

    assert wait_told(app, "U0STAFF2") == UNCONFIRMED
    settle(app)
    with app.db.transaction() as session:
        case = session.scalars(select(UnofficialGroupCase)).one()
        assert (case.state, case.owner_id) == ("reported", None)
    assert refused(app.db, "unofficial_group.act_refused") == [("U0STAFF2", "role_unconfirmed")]


def test_a_picked_staff_moderator_whom_slack_cannot_confirm_is_not_taken_for_staff(app):
    modal = wizard_at_moderators(app)
    app.fake.respond_with_status("users.info", 500, times=100)

    answer = modal.submit(**{**GOOD_MODERATORS, "staff_moderators": ["U0STAFF2"], "other_moderators": []})

    assert answer.json["response_action"] == "errors"
    assert list(answer.json["errors"].values()) == [UNCONFIRMED]
    assert groups(app.db) == []
    with app.db.transaction() as session:
        [draft] = session.scalars(select(WizardDraft)).all()
        assert draft.step == "moderators" and "moderators" not in draft.data
    assert refused(app.db, "wizard.moderators_refused") == [("U0STAFF1", "role_unconfirmed")]
