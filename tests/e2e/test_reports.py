"""/report-unofficial-group end to end: signed HTTP requests to the running app, which talks to the fake Slack
Web API. Reports go to the reporter's manager or the managers' channel, and are tracked there to the end (U1–U3)."""
from __future__ import annotations

import json
import logging
import threading

import pytest
from sqlalchemy import select

from flows.audit.models import AuditEntry
from flows.reports.models import UnofficialGroupCase, UnofficialGroupReport
from tests.conftest import GUEST, MANAGER, SIGNING_SECRET, STAFF, STAFF_2, VOLUNTEER, RunningApp, prompt_loop
from tests.e2e.modal import Modal
from tests.harness.signing import SlackSender, block_actions_payload
from tests.harness.wsgi_server import WSGIServer
from tests.support import slack_user

MANAGERS_CHANNEL = "C0MANAGERS"


@pytest.fixture
def app(settings, db, fake_slack):
    from bot.wsgi import create_wsgi_app

    # Bea (STAFF_2) has a line manager; everyone else's reports go to the managers' channel.
    configured = settings.model_copy(
        update={"managers_channel": MANAGERS_CHANNEL, "line_managers": [f"{STAFF_2}:{MANAGER}"]}
    )
    with WSGIServer(create_wsgi_app(configured, db)) as server, prompt_loop(configured, db):
        yield RunningApp(
            url=server.url, sender=SlackSender(server.url, SIGNING_SECRET), fake=fake_slack, db=db,
            settings=configured,
        )


def open_form(app, user=VOLUNTEER, text="") -> Modal:
    opened_before = len(app.fake.calls("views.open"))
    assert app.sender.command("/report-unofficial-group", text, user_id=user).status == 200
    return Modal.opened_by(app, user, after=opened_before)


def report(app, name, user=VOLUNTEER, **fields) -> Modal:
    modal = open_form(app, user)
    answers = {"name": name, "where_seen": "whatsapp", "how_found": "A parent told me about it.", **fields}
    response = modal.submit(**answers)
    assert response.status == 200 and response.json["response_action"] == "update", response.json
    return modal


def posted_case(app, channel=MANAGERS_CHANNEL, nth=0):
    """The managers' message about a case: where it is, and its text and buttons as Slack shows them."""
    def landed(c):
        return c.args.get("channel") == channel and "blocks" in c.args and c.ok

    app.fake.wait_for("chat.postMessage", landed)
    call = [c for c in app.fake.calls("chat.postMessage") if landed(c)][nth]
    return call.response["channel"], call.response["ts"], call.args["blocks"]


def buttons(blocks) -> dict[str, dict]:
    return {e["text"]["text"]: e for b in blocks if b["type"] == "actions" for e in b["elements"]}


def shown(blocks) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def click(app, user, button, channel, ts):
    payload = block_actions_payload(
        button["action_id"], button["value"], user_id=user, channel_id=channel, message_ts=ts
    )
    response = app.sender.interact(payload)
    assert response.status == 200
    return response


def updates_of(app, channel, ts, count):
    app.fake.wait_for("chat.update", lambda c: len([
        u for u in app.fake.calls("chat.update") if (u.args["channel"], u.args["ts"]) == (channel, ts)
    ]) >= count)
    return [u for u in app.fake.calls("chat.update") if (u.args["channel"], u.args["ts"]) == (channel, ts)]


def dm_to(app, user, containing):
    return app.fake.wait_for(
        "chat.postMessage", lambda c: c.args.get("channel") == user and containing in c.args.get("text", "")
    )


def whisper_to(app, user):
    return app.fake.wait_for("chat.postEphemeral", lambda c: c.args.get("user") == user)


def the_case(db) -> UnofficialGroupCase:
    """The one case, its people shown as the Slack users the test workspace knows them by (a copy, not saved)."""
    with db.transaction() as session:
        case = session.scalars(select(UnofficialGroupCase)).one()
        session.expunge(case)
    for column in ("reported_by", "owner_id", "resolved_by"):
        setattr(case, column, slack_user(db, getattr(case, column)))
    return case


def audit(db, action=None) -> list[AuditEntry]:
    with db.transaction() as session:
        query = select(AuditEntry).where(AuditEntry.subject_type == "unofficial_group_case").order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        entries = list(session.scalars(query))
        session.expunge_all()
    for entry in entries:
        entry.actor = slack_user(db, entry.actor)
    return entries


@pytest.mark.e2e
def test_a_report_is_matched_routed_to_managers_approached_renamed_and_the_reporter_told_each_time(app):
    modal = report(app, "A.M.A.Z.E parents chat")
    # It matches at once, so it is filed without a "report it anyway?" step, and says which name it uses.
    assert "Thank you" in modal.text()
    assert "*Amaze*" in modal.text() and "A.M.A.Z.E" in modal.text()
    assert f"<#{MANAGERS_CHANNEL}>" in modal.text()

    channel, ts, blocks = posted_case(app)
    assert "A.M.A.Z.E parents chat" in shown(blocks) and "*Amaze*" in shown(blocks)
    assert set(buttons(blocks)) == {"I'll approach them", "No action needed"}

    click(app, STAFF, buttons(blocks)["I'll approach them"], channel, ts)
    [first_update] = updates_of(app, channel, ts, 1)
    approached = first_update.args["blocks"]
    assert f"<@{STAFF}> is approaching the group" in shown(approached)
    assert set(buttons(approached)) == {"Renamed", "Closed down", "No action needed"}
    dm_to(app, VOLUNTEER, f"<@{STAFF}> is approaching the group")

    click(app, STAFF, buttons(approached)["Renamed"], channel, ts)
    second_update = updates_of(app, channel, ts, 2)[1]
    assert "The group has been renamed" in shown(second_update.args["blocks"])
    assert buttons(second_update.args["blocks"]) == {}  # nothing more to do
    dm_to(app, VOLUNTEER, "The group has been renamed")

    case = the_case(app.db)
    assert (case.state, case.owner_id, case.resolved_by) == ("renamed", STAFF, STAFF)
    steps = [(e.action, e.actor, e.from_state, e.to_state) for e in audit(app.db) if e.actor != "app"]
    assert steps == [
        ("unofficial_group.reported", VOLUNTEER, None, "reported"),
        ("unofficial_group.approach", STAFF, "reported", "approached"),
        ("unofficial_group.renamed", STAFF, "approached", "renamed"),
    ]


@pytest.mark.e2e
def test_a_second_report_of_the_same_group_is_linked_and_its_reporter_told_who_handles_it(app):
    report(app, "A.M.A.Z.E parents chat")
    channel, ts, blocks = posted_case(app)
    click(app, STAFF, buttons(blocks)["I'll approach them"], channel, ts)
    updates_of(app, channel, ts, 1)

    modal = report(app, "amaze parents chat", user=GUEST, where_seen="facebook")
    assert "already reported" in modal.text()
    assert f"<@{STAFF}> is approaching the group" in modal.text()

    with app.db.transaction() as session:
        cases = session.scalars(select(UnofficialGroupCase)).all()
        reports = session.scalars(select(UnofficialGroupReport).order_by(UnofficialGroupReport.id)).all()
        assert len(cases) == 1
        assert [(slack_user(app.db, r.reporter_id), r.linked, r.case_id) for r in reports] == [
            (VOLUNTEER, False, cases[0].id), (GUEST, True, cases[0].id),
        ]
    again = updates_of(app, channel, ts, 2)[1]
    assert "Reported again" in shown(again.args["blocks"]) and f"<@{GUEST}>" in shown(again.args["blocks"])
    assert len([c for c in app.fake.calls("chat.postMessage") if c.args.get("channel") == MANAGERS_CHANNEL]) == 1
    dm_to(app, STAFF, "was reported again")


@pytest.mark.e2e
def test_a_volunteers_or_guests_click_changes_nothing_and_is_recorded_as_refused(app):
    report(app, "Amaze Mums Hove")
    channel, ts, blocks = posted_case(app)

    for outsider in (VOLUNTEER, GUEST):  # a guest is never staff, even in the staff user group
        click(app, outsider, buttons(blocks)["I'll approach them"], channel, ts)
        assert "Only staff" in whisper_to(app, outsider).args["text"]

    assert the_case(app.db).state == "reported"
    assert the_case(app.db).owner_id is None
    assert app.fake.calls("chat.update") == []
    refused = audit(app.db, "unofficial_group.refused")
    assert [(e.actor, e.from_state, e.details["attempted"]) for e in refused] == [
        (VOLUNTEER, "reported", "approach"), (GUEST, "reported", "approach"),
    ]
    assert all(e.at is not None for e in refused)


@pytest.mark.e2e
def test_a_report_by_someone_with_a_line_manager_goes_to_that_managers_direct_messages(app):
    modal = report(app, "ESPCF parents together", user=STAFF_2)
    assert f"your manager, <@{MANAGER}>" in modal.text()
    channel, ts, blocks = posted_case(app, channel=MANAGER)
    assert channel == f"D{MANAGER}"  # Slack answers with the DM's own channel id: updates go there
    assert not [c for c in app.fake.calls("chat.postMessage") if c.args.get("channel") == MANAGERS_CHANNEL]

    click(app, MANAGER, buttons(blocks)["I'll approach them"], channel, ts)
    [update] = updates_of(app, channel, ts, 1)
    assert f"<@{MANAGER}> is approaching the group" in shown(update.args["blocks"])
    dm_to(app, STAFF_2, f"<@{MANAGER}> is approaching the group")


@pytest.mark.e2e
def test_a_name_matching_none_of_ours_asks_for_confirmation_before_it_is_filed(app):
    modal = open_form(app)
    response = modal.submit(name="Brighton Mums Chat", where_seen="other", how_found="Saw it on a noticeboard")
    assert response.json["response_action"] == "update"
    assert "matches none of our names" in modal.text()
    assert "Amaze" in modal.text() and "PaCC" in modal.text()  # it says which names it checked
    assert modal.view["submit"]["text"] == "Report it anyway"
    assert modal.inputs()["how_found"]["element"]["initial_value"] == "Saw it on a noticeboard"
    with app.db.transaction() as session:
        assert session.scalars(select(UnofficialGroupCase)).all() == []

    # "Report it anyway" answers for that name only: a different name is checked again.
    modal.submit(name="Hove Mums Chat")
    assert "“Hove Mums Chat” matches none of our names" in modal.text()
    with app.db.transaction() as session:
        assert session.scalars(select(UnofficialGroupCase)).all() == []

    response = modal.submit()
    assert response.json["response_action"] == "update"
    assert "Thank you" in modal.text() and "matches none of our names" in modal.text()
    _, _, blocks = posted_case(app)
    assert "matches none of our names" in shown(blocks)
    assert the_case(app.db).matched_names == []


@pytest.mark.e2e
def test_a_name_given_with_the_command_fills_the_form(app):
    modal = open_form(app, text="PaCC Parents Unofficial")
    assert modal.inputs()["name"]["element"]["initial_value"] == "PaCC Parents Unofficial"
    assert "personal data" in modal.inputs()["contact"]["hint"]["text"]


@pytest.mark.e2e
def test_a_report_without_how_it_was_found_is_refused_on_that_field(app):
    modal = open_form(app)
    response = modal.submit(name="Amaze Crawley", where_seen="whatsapp", how_found="   ")
    assert response.json["response_action"] == "errors"
    assert set(response.json["errors"]) == {"how_found"}
    with app.db.transaction() as session:
        assert session.scalars(select(UnofficialGroupCase)).all() == []


@pytest.mark.e2e
def test_two_people_clicking_ill_approach_them_at_once_make_one_owner(app):
    report(app, "Amazing Futures Parents")
    channel, ts, blocks = posted_case(app)
    approach = buttons(blocks)["I'll approach them"]
    start = threading.Barrier(3)

    def clicker(user):
        start.wait()
        click(app, user, approach, channel, ts)

    threads = [threading.Thread(target=clicker, args=(user,)) for user in (STAFF, STAFF_2, STAFF)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # The clicks are acknowledged at once and handled just after: wait for the two that lost to be told.
    app.fake.wait_for("chat.postEphemeral", lambda c: len(app.fake.calls("chat.postEphemeral")) >= 2)
    updates_of(app, channel, ts, 1)
    case = the_case(app.db)
    assert case.state == "approached" and case.owner_id in (STAFF, STAFF_2)
    assert len(audit(app.db, "unofficial_group.approach")) == 1
    notes = [c.args["text"] for c in app.fake.calls("chat.postEphemeral")]
    assert len(notes) == 2 and all("already took" in n and "Nothing was changed" in n for n in notes)
    assert all(f"<@{case.owner_id}>" in n or "You already" in n for n in notes)
    dm_to(app, VOLUNTEER, "is approaching the group")
    assert len([c for c in app.fake.calls("chat.postMessage") if c.args.get("channel") == VOLUNTEER]) == 1


@pytest.mark.e2e
def test_two_first_reports_of_one_group_at_once_make_one_case(app):
    start = threading.Barrier(2)
    modals = [open_form(app, user=user) for user in (VOLUNTEER, STAFF)]

    def submit(modal):
        start.wait()
        modal.submit(name="PaCC Chat Group", where_seen="whatsapp", how_found="I was added to it")

    threads = [threading.Thread(target=submit, args=(m,)) for m in modals]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    with app.db.transaction() as session:
        assert len(session.scalars(select(UnofficialGroupCase)).all()) == 1
        reports = session.scalars(select(UnofficialGroupReport)).all()
        assert sorted(r.linked for r in reports) == [False, True]
    posted_case(app)
    assert len([c for c in app.fake.calls("chat.postMessage") if c.args.get("channel") == MANAGERS_CHANNEL]) == 1


@pytest.mark.e2e
def test_no_action_needed_asks_for_a_reason_records_it_and_tells_the_reporter(app):
    report(app, "Amaze-ing Mums")
    channel, ts, blocks = posted_case(app)
    opened_before = len(app.fake.calls("views.open"))
    click(app, STAFF, buttons(blocks)["No action needed"], channel, ts)  # straight from reported
    reason_form = Modal.opened_by(app, STAFF, after=opened_before)
    assert set(reason_form.inputs()) == {"reason"}

    response = reason_form.submit(reason="  ")
    assert response.json["response_action"] == "errors" and "reason" in response.json["errors"]
    assert the_case(app.db).state == "reported"

    response = reason_form.submit(reason="It's a private group of two friends and has already closed.")
    assert response.json["response_action"] == "update"
    case = the_case(app.db)
    assert (case.state, case.resolved_by) == ("no_action", STAFF)
    assert case.resolution_reason == "It's a private group of two friends and has already closed."
    [entry] = audit(app.db, "unofficial_group.no_action")
    assert entry.actor == STAFF and entry.details["reason"] == case.resolution_reason

    [update] = updates_of(app, channel, ts, 1)
    assert "already closed" in shown(update.args["blocks"]) and buttons(update.args["blocks"]) == {}
    assert "already closed" in dm_to(app, VOLUNTEER, "No action was needed").args["text"]


@pytest.mark.e2e
def test_who_runs_the_group_goes_only_to_whoever_approaches_it_and_is_deleted_when_the_case_ends(app):
    report(app, "PaCC Dads", knows_who_runs="yes", contact="Jo Bloggs, 07700 900123")
    channel, ts, blocks = posted_case(app)
    assert "07700" not in shown(blocks)  # not in the managers' channel
    assert "The reporter knows" in shown(blocks)

    click(app, STAFF_2, buttons(blocks)["I'll approach them"], channel, ts)
    assert "07700 900123" in dm_to(app, STAFF_2, "who runs it").args["text"]
    approached = updates_of(app, channel, ts, 1)[0].args["blocks"]

    click(app, STAFF_2, buttons(approached)["Closed down"], channel, ts)
    updates_of(app, channel, ts, 2)
    with app.db.transaction() as session:
        assert session.scalars(select(UnofficialGroupReport.contact)).all() == [None]
    assert the_case(app.db).state == "closed"


@pytest.mark.e2e
def test_clicking_a_button_of_a_case_already_closed_changes_nothing_and_says_who_closed_it(app):
    report(app, "Amaze Chat")
    channel, ts, blocks = posted_case(app)
    click(app, STAFF, buttons(blocks)["I'll approach them"], channel, ts)
    approached = updates_of(app, channel, ts, 1)[0].args["blocks"]
    click(app, STAFF, buttons(approached)["Renamed"], channel, ts)
    updates_of(app, channel, ts, 2)

    # Bea's screen still showed the old buttons.
    click(app, STAFF_2, buttons(approached)["Closed down"], channel, ts)
    note = whisper_to(app, STAFF_2).args["text"]
    assert f"<@{STAFF}> already marked" in note and "renamed" in note and "Nothing was changed" in note
    assert the_case(app.db).state == "renamed"
    assert len(audit(app.db, "unofficial_group.closed")) == 0


@pytest.mark.e2e
def test_when_the_line_manager_cannot_be_messaged_the_report_goes_to_the_managers_channel(app):
    app.fake.fail_next("chat.postMessage", "user_not_found")
    report(app, "PaCC Parents Together", user=STAFF_2)
    channel, ts, blocks = posted_case(app)
    assert channel == MANAGERS_CHANNEL and "PaCC Parents Together" in shown(blocks)
    # Later changes update the channel's message in place.
    click(app, STAFF, buttons(blocks)["I'll approach them"], channel, ts)
    assert f"<@{STAFF}> is approaching" in shown(updates_of(app, MANAGERS_CHANNEL, ts, 1)[0].args["blocks"])


@pytest.mark.e2e
def test_a_report_that_could_not_reach_anyone_is_posted_when_the_group_is_reported_again(app):
    app.fake.fail_next("chat.postMessage", "channel_not_found")
    report(app, "Amaze Hastings Chat")
    assert "couldn't pass your report" in dm_to(app, VOLUNTEER, "couldn't pass").args["text"]

    report(app, "amaze hastings chat", user=STAFF)
    _, _, blocks = posted_case(app)
    assert "Reported again" in shown(blocks)  # one message, showing both reports


@pytest.mark.e2e
def test_a_volunteer_pressing_no_action_needed_is_told_only_staff_can_and_it_is_recorded(app):
    report(app, "Amaze Worthing")
    channel, ts, blocks = posted_case(app)
    click(app, VOLUNTEER, buttons(blocks)["No action needed"], channel, ts)
    refusal = app.fake.wait_for("views.update")
    assert "Only staff" in shown(refusal.args["view"]["blocks"])
    assert "reason" not in shown(refusal.args["view"]["blocks"])  # no form left to submit
    assert the_case(app.db).state == "reported"
    [entry] = audit(app.db, "unofficial_group.refused")
    assert (entry.actor, entry.details["attempted"]) == (VOLUNTEER, "no_action")


def stored_anywhere(db, text: str) -> list[str]:
    """The tables in which `text` appears in any row."""
    from flows.db import Base

    with db.transaction() as session:
        return [
            table.name for table in Base.metadata.sorted_tables
            if any(text in str(row) for row in session.execute(select(table)).all())
        ]


@pytest.mark.e2e
def test_a_report_whose_how_found_holds_an_email_is_refused_on_that_field_and_nothing_is_kept(app, caplog):
    caplog.set_level(logging.DEBUG)
    modal = open_form(app)
    how_found = "A parent, jo.bloggs＠gmail.com, sent me the link"
    response = modal.submit(name="Amaze Crawley Mums", where_seen="whatsapp", how_found=how_found)

    assert response.json["response_action"] == "errors"
    error = response.json["errors"]["how_found"]
    assert set(response.json["errors"]) == {"how_found"}
    assert "email address" in error and "Write initials like J.S." in error and "jo.bloggs" not in error
    assert stored_anywhere(app.db, "jo.bloggs") == [] and stored_anywhere(app.db, "Amaze Crawley Mums") == []
    assert "jo.bloggs" not in caplog.text
    assert app.fake.calls("chat.postMessage") == []


@pytest.mark.e2e
def test_a_no_action_reason_naming_someone_is_refused_and_the_case_stays_open(app, caplog):
    caplog.set_level(logging.DEBUG)
    report(app, "Amaze-ing Mums")
    channel, ts, blocks = posted_case(app)
    opened_before = len(app.fake.calls("views.open"))
    click(app, STAFF, buttons(blocks)["No action needed"], channel, ts)
    reason_form = Modal.opened_by(app, STAFF, after=opened_before)

    response = reason_form.submit(reason="Run by Mrs Okafor, ring her on 01273/234/567")
    assert response.json["response_action"] == "errors"
    assert "phone number" in response.json["errors"]["reason"] and "person's name" in response.json["errors"]["reason"]
    assert the_case(app.db).state == "reported"
    assert stored_anywhere(app.db, "Okafor") == [] and "Okafor" not in caplog.text
