"""A group's whole life end to end: a moderator steps down and the lead adds a replacement; refusals change nothing
and are recorded; a new member is welcomed and counted; a group is closed, its reminders stop, and it is reopened;
its details change and the texts come back to paste; an unfinished /newgroup is resumed after its modal was closed.
Clicks and form submissions are signed HTTP requests to the running app; what it sends goes to the fake Slack."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bot.groups.ids import ActionId, CallbackId
from bot.moderation.messages import STEP_DOWN_ACTION
from bot.newgroup.views import DraftAction
from flows.audit.models import AuditEntry
from flows.db import utcnow
from flows.groups.models import Group, MemberWelcome, Moderator
from flows.home.register import RegisterFilter, register_page
from flows.moderation import group_state
from flows.moderation.models import ModeratorCheckin, ModeratorConfirmation, ModeratorVacancy
from flows.outbox import NoticeKind, Subject, notices_about
from flows.wizard.models import WizardDraft
from flows.people import PlatformAccount, person_of_account
from tests.conftest import MANAGER, STAFF, STAFF_2, VOLUNTEER
from tests.e2e.modal import Modal
from tests.e2e.test_home import Homes, buttons
from tests.harness.signing import block_actions_payload, view_submission_payload
from tests.moderation_helpers import AGREEMENT, NAME, audit_count, click, deliver, dms, put_on_register
from tests.test_reminders import CHECK_DUE, REGISTERED, STILL_MODERATING, reminders  # noqa: F401 -- a fixture

VIC = "U0VOLUN2"
CONFIRM = "I have read the policy and the group agreement"


# --- driving the forms as a person does -----------------------------------------------------------------------------
def from_home(app, user_id: str, action: ActionId, group_id: int) -> Modal:
    """Press a button on the person's App Home: the modal it opens, once filled in."""
    home = Homes(app, user_id).open()
    assert (action.value, str(group_id)) in {(a, v) for _, a, v in buttons(home)}, buttons(home)
    before = len(app.fake.calls("views.open"))
    payload = block_actions_payload(action.value, str(group_id), user_id=user_id, view=home)
    assert app.sender.interact(payload).status == 200
    return Modal.opened_by(app, user_id, after=before)


def press(modal: Modal, action) -> Modal:
    """Press a button inside the modal: the view it is updated to."""
    seen = {id(c) for c in modal.app.fake.calls("views.update")}
    assert modal.click(action.value).status == 200
    call = modal.app.fake.wait_for("views.update", lambda c: id(c) not in seen and c.args.get("view_id") == modal.view_id)
    assert call.ok, call.response
    return Modal(modal.app, modal.user_id, call.args["view"], view_id=modal.view_id)


def crafted_submit(app, user_id: str, callback: CallbackId, group_id: int, state: dict):
    payload = view_submission_payload(callback.value, state, user_id=user_id, private_metadata=f'{{"group_id": {group_id}}}')
    return app.sender.interact(payload)


def shown(response) -> str:
    return str(response.json.get("view", {}).get("blocks")) if response.json else ""


def home_where(app, user_id: str, shows) -> str:
    """Open the App Home and wait for the Home it publishes that `shows` (a refresh after an earlier click may be
    published in between, showing the moment before)."""
    seen = {id(c) for c in app.fake.calls("views.publish")}
    event = {"type": "app_home_opened", "user": user_id, "channel": f"D{user_id}", "tab": "home"}
    app.sender.event(event)
    call = app.fake.wait_for("views.publish", lambda c: id(c) not in seen and c.args.get("user_id") == user_id
                             and shows(str(c.args["view"])))
    assert call.ok, call.response
    return str(call.args["view"])


def told(app, user_id: str, containing: str):
    """The direct message the app sent someone, containing this (sent after the reply, so waited for)."""
    return app.fake.wait_for("chat.postMessage", lambda c: c.ok and c.args.get("channel") == user_id
                             and containing in str(c.args))


def state(app, group_id):
    with app.db.transaction() as session:
        return group_state(session, group_id, app.settings)


def confirm_everyone(app, group_id) -> None:
    with app.db.transaction() as session:
        session.execute(update(ModeratorConfirmation).where(ModeratorConfirmation.group_id == group_id)
                        .values(confirmed_at=utcnow(), confirmed_by=STAFF))


def active_names(app, group_id) -> list[str]:
    with app.db.transaction() as session:
        return list(session.scalars(select(Moderator.name).where(
            Moderator.group_id == group_id, Moderator.stepped_down_at.is_(None)).order_by(Moderator.id)))


def refusals(app) -> list[tuple[str, str, str]]:
    with app.db.transaction() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action == "group.change_refused")
                               .order_by(AuditEntry.id)).all()
        actors = {a: p for a, p in session.execute(select(PlatformAccount.person_id, PlatformAccount.account_id))}
        return [(actors.get(e.actor, e.actor), e.details["attempted"], e.details["reason"]) for e in rows]


# --- moderators -----------------------------------------------------------------------------------------------------
@pytest.mark.e2e
def test_a_moderator_steps_down_the_lead_adds_a_replacement_and_the_group_is_complete_again(running_app):
    app = running_app
    app.fake.add_user(VIC, name="vic", real_name="Vic Lane")
    group_id = put_on_register(app)
    deliver(app)
    confirm_everyone(app, group_id)
    assert state(app, group_id).complete

    # Val steps down in answer to the M9 check: the group needs a new moderator.
    with app.db.transaction() as session:
        val = session.scalars(select(Moderator).where(Moderator.name == "Val Jones")).one()
        checkin = ModeratorCheckin(group_id=group_id, moderator_id=val.id, due_on=utcnow().date(), on_behalf=False)
        session.add(checkin)
        session.flush()
        checkin_id = checkin.id
    payload = block_actions_payload(STEP_DOWN_ACTION, str(checkin_id), user_id=VOLUNTEER, channel_id=None,
                                    response_url=None)
    assert app.sender.interact(payload).status == 200
    app.fake.wait_for("chat.postMessage", lambda c: "stepped down" in str(c.args))
    stepped = state(app, group_id)
    assert stepped.needs_moderator and not stepped.complete
    assert any("Val Jones stepped down" in line for line in stepped.missing)

    # The lead opens "Change this group" on the group in their App Home and adds Vic in Val's place.
    menu = from_home(app, STAFF, ActionId.CHANGE, group_id)
    form = press(menu, ActionId.MODERATORS)
    assert form.inputs()["staff_moderators"]["element"]["initial_users"] == [STAFF]
    assert "Sam Patel, volunteer" in form.inputs()["offline_moderators"]["element"]["initial_value"]
    response = form.submit(other_moderators=[VIC])
    assert response.json["response_action"] == "update", response.json
    assert "Added as moderators: Vic Lane" in shown(response)

    assert active_names(app, group_id) == ["Alex Morgan", "Sam Patel", "Vic Lane"]
    with app.db.transaction() as session:
        assert session.scalars(select(ModeratorVacancy.filled_at)).one() is not None
    assert audit_count(app.db, "group.moderators_changed", actor=STAFF) == 1
    # Vic is asked to confirm (M8) and given the emergency contact (M10); until then the group is not complete.
    request = told(app, VIC, CONFIRM)
    assert "Sam Senior" in str(request.args["blocks"])
    assert told(app, VIC, "changed")  # and told of the change, as every moderator is
    with app.db.transaction() as session:
        # One notice for each moderator on Slack but the lead who made the change (Sam is not on Slack).
        shared = notices_about(session, NoticeKind.GROUP_CHANGED, Subject("group", group_id))
        assert [n.person_id for n in shared] == [person_of_account(session, "slack", VIC)]
        assert shared[0].data["added"] == ["Vic Lane"]
    assert not state(app, group_id).complete
    click(app, request, CONFIRM, VIC)
    app.fake.wait_for("chat.update", lambda c: c.args.get("ts") == request.response["ts"])
    after = state(app, group_id)
    assert after.complete and not after.needs_moderator and after.moderators == 3


@pytest.mark.e2e
def test_partner_staff_stay_partner_staff_and_the_lead_and_emergency_contact_change(running_app):
    app = running_app
    group_id = put_on_register(app, moderators=(("Alex Morgan", "staff", STAFF, True),
                                                 ("Bea Hughes", "staff", STAFF_2, False),
                                                 ("Val Jones", "volunteer", VOLUNTEER, False)))
    form = press(from_home(app, STAFF, ActionId.CHANGE, group_id), ActionId.MODERATORS)
    response = form.submit(other_moderators=[], partner_moderators=[VOLUNTEER], lead_moderator=STAFF_2,
                           offline_moderators="Ali Khan, partner staff, Barnardo's", emergency_contact=None)
    assert response.json["response_action"] == "update", response.json
    with app.db.transaction() as session:
        rows = {m.name: (m.role, m.organisation, m.is_lead) for m in session.scalars(
            select(Moderator).where(Moderator.stepped_down_at.is_(None)))}
        group = session.get(Group, group_id)
        assert (group.emergency_contact, group.emergency_contact_person_id) == (None, None)
    assert rows["Val Jones"][0] == "partner_staff" and rows["Ali Khan"] == ("partner_staff", "Barnardo's", False)
    assert rows["Bea Hughes"][2] and not rows["Alex Morgan"][2]
    # With moderators who are not staff and no emergency contact, the group says what is missing (M10).
    assert any("M10" in line for line in state(app, group_id).missing)

    # Picked again among the volunteers, Val is still partner staff; the new emergency contact is a senior manager.
    form = press(from_home(app, STAFF_2, ActionId.CHANGE, group_id), ActionId.MODERATORS)
    response = form.submit(partner_moderators=[], other_moderators=[VOLUNTEER], emergency_contact=MANAGER)
    assert response.json["response_action"] == "update", response.json
    with app.db.transaction() as session:
        val = session.scalars(select(Moderator).where(Moderator.name == "Val Jones",
                                                      Moderator.stepped_down_at.is_(None))).one()
        assert val.role == "partner_staff"
        assert session.get(Group, group_id).emergency_contact_person_id == person_of_account(session, "slack", MANAGER)
    assert not any("M10" in line for line in state(app, group_id).missing)


@pytest.mark.e2e
def test_a_volunteer_cannot_change_moderators_and_a_change_leaving_no_staff_moderator_is_refused(running_app):
    app = running_app
    group_id = put_on_register(app)
    # Val moderates the group, so the menu opens, offering her only what a volunteer may do.
    menu = from_home(app, VOLUNTEER, ActionId.CHANGE, group_id)
    assert "Only the group's staff moderators and senior managers" in menu.text()
    assert ActionId.MODERATORS.value not in str(menu.view["blocks"])
    # A crafted click on the button she was not shown, and a crafted submission of the form, change nothing.
    payload = block_actions_payload(ActionId.MODERATORS.value, str(group_id), user_id=VOLUNTEER,
                                    view={**menu.view, "id": menu.view_id})
    assert app.sender.interact(payload).status == 200
    refused_view = app.fake.wait_for("views.update", lambda c: c.args.get("view_id") == menu.view_id
                                     and "Nothing has changed" in str(c.args["view"]))
    assert refused_view.ok
    response = crafted_submit(app, VOLUNTEER, CallbackId.MODERATORS, group_id, {
        "staff_moderators": {"value": {"type": "multi_users_select", "selected_users": [VOLUNTEER]}}})
    assert "Nothing has changed" in shown(response)

    # The lead tries to leave the group to volunteers: M1 and M2 say no, on the field, as the wizard does.
    form = press(from_home(app, STAFF, ActionId.CHANGE, group_id), ActionId.MODERATORS)
    response = form.submit(staff_moderators=[], lead_moderator=None)
    assert response.json["response_action"] == "errors"
    assert "(M1)" in response.json["errors"]["staff_moderators"]
    assert "Must fix" in response.json["errors"]["staff_moderators"]

    assert active_names(app, group_id) == ["Alex Morgan", "Val Jones", "Sam Patel"]
    assert audit_count(app.db, "group.moderators_changed") == 0
    assert refusals(app) == [(VOLUNTEER, "moderators", "not_staff_moderator"),
                             (VOLUNTEER, "moderators", "not_staff_moderator"),
                             (STAFF, "moderators", "would_break_rules")]
    with app.db.transaction() as session:
        last = session.scalars(select(AuditEntry).where(AuditEntry.action == "group.change_refused")
                               .order_by(AuditEntry.id.desc())).first()
        assert "M1" in last.details["rules"]


@pytest.mark.e2e
def test_a_senior_manager_may_change_any_group_and_staff_who_do_not_moderate_it_may_not(running_app):
    app = running_app
    group_id = put_on_register(app)
    response = crafted_submit(app, STAFF_2, CallbackId.DETAILS, group_id, {
        "name": {"value": {"type": "plain_text_input", "value": "Amaze Hove Parent Carers Chat"}}})
    assert "Nothing has changed" in shown(response)
    response = crafted_submit(app, MANAGER, CallbackId.DETAILS, group_id, {
        "name": {"value": {"type": "plain_text_input", "value": "Amaze Hove Parent Carers Chat"}}})
    assert "Saved the changes" in shown(response), shown(response)
    with app.db.transaction() as session:
        assert session.get(Group, group_id).name == "Amaze Hove Parent Carers Chat"
    assert refusals(app) == [(STAFF_2, "details", "not_staff_moderator")]


# --- details ---------------------------------------------------------------------------------------------------------
@pytest.mark.e2e
def test_details_are_checked_by_the_same_rules_and_a_new_description_comes_back_to_paste(running_app):
    app = running_app
    group_id = put_on_register(app)
    form = press(from_home(app, STAFF, ActionId.CHANGE, group_id), ActionId.DETAILS)
    assert form.inputs()["name"]["element"]["initial_value"] == NAME
    response = form.submit(name="Brighton Parents Chat", agreement_url="https://example.com/agreement",
                           expected_members="lots")
    assert response.json["response_action"] == "errors"
    errors = response.json["errors"]
    assert "(N1)" in errors["name"] and "Must fix" in errors["name"]
    assert "whole number" in errors["expected_members"]
    # Contact details in the out-of-hours arrangement are refused and kept nowhere.
    response = form.submit(name=NAME, agreement_url=AGREEMENT, expected_members="60",
                           out_of_hours="Ring Val on 07700 900123")
    assert response.json["response_action"] == "errors" and "phone number" in response.json["errors"]["out_of_hours"]
    with app.db.transaction() as session:
        assert "07700" not in str(session.scalars(select(AuditEntry.details)).all())
        assert session.get(Group, group_id).expected_members == 40

    description = form.inputs()["description"]["element"]["initial_value"]
    new_description = (
        "This is an official Amaze group for parent carers in Brighton. By joining you agree your phone number is "
        f"seen by other members. Read the group agreement: {AGREEMENT}. The moderators are Alex, Val and Sam. If "
        "you are worried about a message, contact a moderator or email info@amazesussex.org.uk.")
    response = form.submit(name=NAME, agreement_url=AGREEMENT, expected_members="60", out_of_hours=None,
                           description=new_description)
    assert response.json["response_action"] in ("update", "errors"), response.json
    if response.json["response_action"] == "errors":
        pytest.fail(f"the description was refused: {response.json['errors']} (started from {description!r})")
    view = shown(response)
    assert "Paste these into WhatsApp again" in view and "Welcome message (S3)" in view
    assert "the description" in view and "the expected size" in view
    with app.db.transaction() as session:
        group = session.get(Group, group_id)
        assert group.description == new_description and group.expected_members == 60
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "group.details_changed")).one()
        assert sorted(entry.details["fields"]) == ["description", "expected_members"]
    assert told(app, VOLUNTEER, "the description")  # the other moderators are told


# --- new members -----------------------------------------------------------------------------------------------------
@pytest.mark.e2e
def test_a_new_member_is_welcomed_with_the_texts_to_paste_and_counted_on_the_register(running_app):
    app = running_app
    group_id = put_on_register(app)
    form = from_home(app, VOLUNTEER, ActionId.WELCOME, group_id)
    # A name is not what the app keeps: refused on the field, stored nowhere.
    response = form.submit(member="Jane Smith")
    assert response.json["response_action"] == "errors" and "initials" in response.json["errors"]["member"]
    response = form.submit(member="J.S.")
    assert response.json["response_action"] == "update", response.json
    view = shown(response)
    assert "Recorded: J.S. joined" in view and "Welcome message (S3)" in view and AGREEMENT in view
    with app.db.transaction() as session:
        [welcome] = session.scalars(select(MemberWelcome)).all()
        assert (welcome.member_ref, welcome.welcomed_by, welcome.group_id) == (
            "J.S.", person_of_account(session, "slack", VOLUNTEER), group_id)
        assert abs(welcome.welcomed_at - utcnow()) < timedelta(minutes=1)
        assert "Jane" not in str(session.scalars(select(AuditEntry.details)).all())
    assert told(app, STAFF, "welcomed a new member")
    # The register shows it, per group, for this year.
    home_where(app, STAFF, lambda home: "1 new member welcomed this year" in home)
    # Someone who does not moderate the group records nobody.
    response = crafted_submit(app, STAFF_2, CallbackId.WELCOME, group_id,
                              {"member": {"value": {"type": "plain_text_input", "value": "K.L."}}})
    assert "Only the group's own moderators" in shown(response)
    with app.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(MemberWelcome)) == 1
    assert refusals(app) == [(STAFF_2, "welcomed", "not_a_moderator")]


# --- closing ---------------------------------------------------------------------------------------------------------
@pytest.mark.e2e
def test_a_closed_group_gets_no_reminders_leaves_the_register_and_can_be_reopened(running_app, reminders):  # noqa: F811
    app = running_app
    group_id = put_on_register(app, created_at=REGISTERED, ask_to_confirm=False)
    form = press(from_home(app, STAFF, ActionId.CHANGE, group_id), ActionId.CLOSE)
    response = form.submit(closed_as="closed", reason="")
    assert response.json["response_action"] == "errors" and "reason" in response.json["errors"]
    response = form.submit(closed_as="closed", reason="The group has moved to the forum's own list")
    assert response.json["response_action"] == "update"
    assert "is now closed" in shown(response)
    with app.db.transaction() as session:
        assert session.get(Group, group_id).closed_at is not None
        assert register_page(session, RegisterFilter(), app.settings).total == 0
    assert audit_count(app.db, "group.closed", actor=STAFF) == 1
    assert told(app, VOLUNTEER, "moved to the forum")
    home_where(app, STAFF, lambda home: "Closed on" in home)

    # The M9 check falls due: nobody in a closed group is asked.
    reminders(CHECK_DUE + timedelta(days=1))
    assert dms(app, VOLUNTEER, STILL_MODERATING) == [] and dms(app, STAFF, STILL_MODERATING) == []
    # Closed, it changes only by being reopened.
    response = crafted_submit(app, STAFF, CallbackId.DETAILS, group_id,
                              {"name": {"value": {"type": "plain_text_input", "value": "Amaze Hove"}}})
    assert "is closed" in shown(response)

    menu = from_home(app, STAFF, ActionId.CHANGE, group_id)
    reopened = press(menu, ActionId.REOPEN)
    assert "open again" in reopened.text()
    with app.db.transaction() as session:
        assert session.get(Group, group_id).closed_at is None
        assert register_page(session, RegisterFilter(), app.settings).total == 1
    reminders(CHECK_DUE + timedelta(days=2))
    assert dms(app, VOLUNTEER, STILL_MODERATING)
    assert audit_count(app.db, "group.reopened", actor=STAFF) == 1
    assert refusals(app) == [(STAFF, "details", "closed")]


# --- resumable drafts ------------------------------------------------------------------------------------------------
def newgroup(app, user=STAFF) -> Modal:
    before = len(app.fake.calls("views.open"))
    assert app.sender.command("/newgroup", "", user_id=user).status == 200
    return Modal.opened_by(app, user, after=before)


@pytest.mark.e2e
def test_an_unfinished_set_up_is_offered_again_listed_in_the_home_and_expires(running_app):
    app = running_app
    modal = newgroup(app)
    assert "unfinished set-up" not in modal.text()
    modal.submit(kind="parent_carers")
    modal.submit(name="Amaze Lewes Parent Carers")
    assert "description" in modal.inputs()
    # The modal is closed here; later the person types /newgroup again and is offered to carry on.
    offer = newgroup(app)
    assert "unfinished set-up of “Amaze Lewes Parent Carers”" in str(offer.view["blocks"])
    assert "kind" in offer.inputs()  # or to start a new one on the same form
    again = press(offer, DraftAction.CONTINUE)
    assert "description" in again.inputs() and "Step 3 of 5" in again.text()
    assert "phone number" in again.inputs()["description"]["element"]["initial_value"]  # as drafted before
    with app.db.transaction() as session:
        # The new set-up the offer came with is thrown away: one set-up, the one carried on, its answers kept.
        assert [d.data["name"] for d in session.scalars(select(WizardDraft))] == ["Amaze Lewes Parent Carers"]
    home_where(app, STAFF, lambda home: "Unfinished set-up" in home and "Amaze Lewes Parent Carers" in home)

    # Untouched for longer than RETENTION_DRAFTS_DAYS, a set-up has expired: not offered, not listed, not continued.
    with app.db.transaction() as session:
        session.execute(update(WizardDraft).values(
            updated_at=utcnow() - timedelta(days=app.settings.retention_drafts_days + 1)))
    fresh = newgroup(app)
    assert "What kind of WhatsApp group" in fresh.text() and "unfinished set-up" not in str(fresh.view["blocks"])
    home_where(app, STAFF, lambda home: "Unfinished set-up" not in home)
    response = again.submit(agreement_url=AGREEMENT)
    assert "expired" in str(response.json)


@pytest.mark.e2e
@pytest.mark.parametrize("callback, state", [
    (CallbackId.DETAILS, {"name": {"value": {"type": "plain_text_input", "value": "Amaze " + "x" * 5000}}}),
    (CallbackId.DETAILS, {"expected_members": {"value": {"type": "plain_text_input", "value": "about 12-ish"}}}),
    (CallbackId.MODERATORS, {"staff_moderators": {"value": {"type": "multi_users_select",
                                                            "selected_users": ["not a user", STAFF]}},
                             "lead_moderator": {"value": {"type": "users_select", "selected_user": VOLUNTEER}}}),
    (CallbackId.MODERATORS, {"offline_moderators": {"value": {"type": "plain_text_input",
                                                              "value": "Sam Patel, volunteer, 07700 900123"}}}),
    (CallbackId.CLOSE, {"closed_as": {"value": {"type": "radio_buttons", "selected_option": {"value": "deleted"}}}}),
    (CallbackId.WELCOME, {"member": {"value": {"type": "plain_text_input", "value": "jo@example.com"}}}),
])
def test_odd_answers_get_a_clear_answer_and_change_nothing(running_app, callback, state):
    app = running_app
    group_id = put_on_register(app)
    response = crafted_submit(app, STAFF, callback, group_id, state)
    assert response.status == 200 and response.json["response_action"] in ("errors", "update")
    if response.json["response_action"] == "errors":
        assert all(isinstance(message, str) and message for message in response.json["errors"].values())
    else:
        assert "Saved" not in shown(response) and "Recorded" not in shown(response)
    with app.db.transaction() as session:
        group = session.get(Group, group_id)
        assert (group.name, group.closed_at, group.expected_members) == (NAME, None, 40)
        assert session.scalar(select(func.count()).select_from(MemberWelcome)) == 0
        assert "07700" not in str(session.scalars(select(AuditEntry.details)).all())
    assert active_names(app, group_id) == ["Alex Morgan", "Val Jones", "Sam Patel"]


@pytest.mark.e2e
def test_the_welcome_form_opened_from_the_groups_menu_replaces_the_menu(running_app):
    app = running_app
    group_id = put_on_register(app)
    menu = from_home(app, VOLUNTEER, ActionId.CHANGE, group_id)
    opened = len(app.fake.calls("views.open"))
    form = press(menu, ActionId.WELCOME)
    assert "member" in form.inputs() and len(app.fake.calls("views.open")) == opened
    assert form.submit(member="A.B.").json["response_action"] == "update"
    with app.db.transaction() as session:
        assert session.scalars(select(MemberWelcome.member_ref)).all() == ["A.B."]
