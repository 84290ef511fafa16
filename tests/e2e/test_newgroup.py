"""/newgroup end to end: signed HTTP requests to the running app, which talks to the fake Slack Web API."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from flows.audit.models import AuditEntry
from flows.groups.models import Group
from flows.wizard.models import WizardDraft
from tests.abuse.support import settle
from tests.conftest import GUEST, MANAGER, PCF_STAFF, STAFF, VOLUNTEER
from tests.e2e.modal import Modal
from flows.people import accounts_of, person_of_account

AGREEMENT = "https://www.amazesussex.org.uk/groups/brighton-parents-agreement"


def start(app, user=STAFF, text="") -> Modal:
    opened_before = len(app.fake.calls("views.open"))
    response = app.sender.command("/newgroup", text, user_id=user)
    assert response.status == 200
    return Modal.opened_by(app, user, after=opened_before)


def is_kit(call) -> bool:
    """The message that hands the creator their texts (moderators are also sent confirmation requests)."""
    return call.args.get("text", "").startswith("Registered ")


def count(db, model) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


def walk_to_review_parent_carers(app) -> Modal:
    modal = start(app)
    assert "What kind of WhatsApp group" in modal.text()
    assert modal.submit(kind="parent_carers").json["response_action"] == "update"
    assert "Amaze" in modal.text() and "N1" in modal.text()
    assert modal.submit(name="Amaze Brighton Parent Carers Chat").json["response_action"] == "update"
    # The description step comes drafted from the policy's model, waiting for the agreement's link.
    drafted = modal.inputs()["description"]["element"]["initial_value"]
    assert "phone number" in drafted and "[LINK]" in drafted
    assert modal.submit(agreement_url=AGREEMENT).json["response_action"] == "update"
    assert set(modal.inputs()) >= {"staff_moderators", "other_moderators", "offline_moderators", "out_of_hours"}
    response = modal.submit(
        staff_moderators=[STAFF],
        other_moderators=[VOLUNTEER],
        offline_moderators="Sam Patel, volunteer\nAli Khan, partner staff, Barnardo's",
        out_of_hours="Val and Sam watch the group in the evenings and phone Alex or Sam Senior if worried.",
        emergency_contact=MANAGER,
        expected_members="40",
    )
    assert response.json["response_action"] == "update", response.json
    return modal


@pytest.mark.e2e
def test_parent_carers_group_walks_through_every_step_and_is_registered(running_app):
    app = running_app
    modal = walk_to_review_parent_carers(app)

    review = modal.text()
    assert "Register group" == modal.view["submit"]["text"]
    assert AGREEMENT in review  # the link went into the description where [LINK] was
    for heading in ("Group description", "Welcome message", "Group agreement", "Settings checklist"):
        assert heading in review
    assert "Alex Morgan (staff, lead)" in review and "Val Jones (volunteer)" in review

    response = modal.submit()
    assert response.json["response_action"] == "update"
    assert "is registered" in modal.text()

    with app.db.transaction() as session:
        group = session.scalars(select(Group)).one()
        assert group.name == "Amaze Brighton Parent Carers Chat" and group.kind == "parent_carers"
        assert AGREEMENT in group.description
        roles = sorted((m.name, m.role, m.is_lead) for m in group.moderators)
        assert roles == [
            ("Alex Morgan", "staff", True), ("Ali Khan", "partner_staff", False),
            ("Sam Patel", "volunteer", False), ("Val Jones", "volunteer", False),
        ]
        assert group.emergency_contact == "Sam Senior"
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "group.registered")).one()
        assert entry.actor == person_of_account(session, "slack", STAFF) and entry.subject_id == str(group.id)
        # Every moderator is a person; Sam and Ali, on no platform, have no account.
        accounts = {m.name: accounts_of(session, m.person_id) for m in group.moderators}
        assert accounts == {"Alex Morgan": {"slack": STAFF}, "Val Jones": {"slack": VOLUNTEER},
                            "Ali Khan": {}, "Sam Patel": {}}

    # The creator is handed every text, ready to paste.
    dm = app.fake.wait_for("chat.postMessage", lambda c: c.args.get("channel") == STAFF and is_kit(c))
    sent = str(dm.args["blocks"])
    assert "Group description" in sent and "Welcome message" in sent and "Group agreement" in sent
    assert AGREEMENT in sent and "phone number" in sent
    # Staff in a user group are reminded that they speak for the organisation there (and of M11).
    assert "seen as representing Amaze, even when they are there in a personal capacity" in sent
    assert "Join with a work phone number, not a personal one (M11)" in sent
    # M8: each moderator on Slack is asked to confirm they have read the policy and the agreement.
    ask = app.fake.wait_for("chat.postMessage", lambda c: c.args.get("channel") == VOLUNTEER)
    assert "I have read the policy and the group agreement" in str(ask.args["blocks"])


@pytest.mark.e2e
def test_informal_social_group_needs_only_a_name_and_involves_no_moderator(running_app):
    app = running_app
    modal = start(app)
    modal.submit(kind="informal_social")
    assert "M7" in modal.text()
    assert modal.submit(name="Brighton Office Friends Social").json["response_action"] == "update"
    assert "No moderator is involved" in modal.text()
    bullying = "if a colleague bullies or harasses you in it, you can raise it with your manager or volunteer coordinator"
    assert bullying in modal.text()
    assert modal.submit().json["response_action"] == "update"
    # No message follows for an unofficial group, so the registered view itself says it.
    assert "unofficial" in modal.text() and bullying in modal.text() and "a senior manager" in modal.text()

    with app.db.transaction() as session:
        group = session.scalars(select(Group)).one()
        assert (group.kind, group.official, group.moderators) == ("informal_social", False, [])
    settle(app)
    assert app.fake.calls("chat.postMessage") == []


@pytest.mark.e2e
@pytest.mark.parametrize(
    "kind, name, rule",
    [
        ("parent_carers", "Brighton Parents Chat", "N1"),  # an official group must carry the organisation's name
        ("informal_social", "A.M.A.Z.E social", "N2"),  # an unofficial one must not, however it is spelt
        ("informal_social", "Brighton Mums", "N3"),  # and must say it is unofficial
        ("parent_carers", "", "N5"),
    ],
)
def test_a_name_the_rules_block_comes_back_as_an_error_on_the_name_field(running_app, kind, name, rule):
    modal = start(running_app)
    modal.submit(kind=kind)
    response = modal.submit(name=name)
    assert response.status == 200
    assert response.json["response_action"] == "errors"
    assert rule in response.json["errors"]["name"]
    assert count(running_app.db, Group) == 0


@pytest.mark.e2e
def test_a_description_without_the_phone_number_consent_is_refused_on_the_description_field(running_app):
    modal = start(running_app)
    modal.submit(kind="parent_carers")
    modal.submit(name="Amaze Hove Parent Carers")
    response = modal.submit(
        description=f"This is an Amaze group. Please follow our group agreement: {AGREEMENT}. "
        "Message the group admins, marked on the participants list, if you feel unsafe.",
        agreement_url=AGREEMENT,
    )
    assert response.json["response_action"] == "errors"
    assert "D2" in response.json["errors"]["description"]
    assert "phone" in response.json["errors"]["description"]


@pytest.mark.e2e
def test_an_agreement_link_off_the_organisations_websites_is_refused_on_its_field(running_app):
    modal = start(running_app)
    modal.submit(kind="parent_carers")
    modal.submit(name="Amaze Hove Parent Carers")
    response = modal.submit(agreement_url="http://docs.google.com/our-agreement")
    assert response.json["response_action"] == "errors"
    assert "agreement_url" in response.json["errors"] or "description" in response.json["errors"]


@pytest.mark.e2e
def test_volunteers_alone_cannot_moderate_and_someone_not_in_the_staff_group_is_not_staff(running_app):
    modal = start(running_app)
    modal.submit(kind="parent_carers")
    modal.submit(name="Amaze Lewes Parent Carers")
    modal.submit(agreement_url=AGREEMENT)
    response = modal.submit(
        staff_moderators=[VOLUNTEER, GUEST],
        out_of_hours="Val covers evenings.",
        emergency_contact=MANAGER,
    )
    errors = response.json["errors"]
    assert "Val Jones" in errors["staff_moderators"] and "Gus Guest" in errors["staff_moderators"]
    assert "not in the staff user group" in errors["staff_moderators"]


@pytest.mark.e2e
def test_a_forum_group_needs_a_member_of_pcf_staff(running_app):
    modal = start(running_app, user=PCF_STAFF)
    modal.submit(kind="pcf_members")
    assert modal.submit(name="PaCC Members Chat").json["response_action"] == "update"
    modal.submit(agreement_url="https://www.pacc.org.uk/whatsapp-agreement")
    response = modal.submit(staff_moderators=[STAFF], out_of_hours="Priya covers.", emergency_contact=MANAGER)
    assert "not in the PCF staff user group" in response.json["errors"]["staff_moderators"]
    response = modal.submit(staff_moderators=[PCF_STAFF])
    assert response.json["response_action"] == "update"
    assert "Priya Shah (pcf staff, lead)" in modal.text()


@pytest.mark.e2e
def test_a_name_given_with_the_command_fills_the_name_field(running_app):
    modal = start(running_app, text="Amaze Crawley Parent Carers")
    modal.submit(kind="parent_carers")
    assert modal.inputs()["name"]["element"]["initial_value"] == "Amaze Crawley Parent Carers"


@pytest.mark.e2e
def test_back_returns_to_the_previous_step_with_the_answers_kept(running_app):
    modal = start(running_app)
    modal.submit(kind="parent_carers")
    modal.submit(name="Amaze Worthing Parent Carers")
    fake = running_app.fake
    updates = len(fake.calls("views.update"))
    assert modal.click("newgroup_back").status == 200
    update = fake.wait_for("views.update", lambda c: fake.calls("views.update").index(c) >= updates)
    assert update.args["view"]["blocks"][-2]["block_id"] == "name"
    assert update.args["view"]["blocks"][-2]["element"]["initial_value"] == "Amaze Worthing Parent Carers"


@pytest.mark.e2e
def test_people_who_are_not_staff_cannot_register_groups(running_app):
    for user in (VOLUNTEER, GUEST):  # a guest account is never staff, even in the staff user group
        modal = start(running_app, user=user)
        assert "Only staff" in modal.text()
    assert count(running_app.db, WizardDraft) == 0


@pytest.mark.e2e
def test_submitting_the_review_twice_at_once_registers_one_group_and_sends_one_message(running_app):
    app = running_app
    modal = walk_to_review_parent_carers(app)
    view = dict(modal.view)
    responses = []

    def submit():
        responses.append(Modal(app, STAFF, dict(view)).submit())

    threads = [threading.Thread(target=submit) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.status == 200 and r.json["response_action"] == "update" for r in responses)
    assert count(app.db, Group) == 1
    app.fake.wait_for("chat.postMessage", is_kit)
    settle(app)
    kits = [c for c in app.fake.calls("chat.postMessage") if c.args.get("channel") == STAFF and is_kit(c)]
    assert len(kits) == 1  # one set of texts, not one per submission


@pytest.mark.e2e
def test_a_forged_or_stale_request_gets_401_and_changes_nothing(running_app):
    app = running_app
    forged = app.sender.command("/newgroup", "Amaze Test", user_id=STAFF, secret="not-the-secret")
    stale = app.sender.command("/newgroup", "Amaze Test", user_id=STAFF, timestamp=int(time.time()) - 6 * 60)
    assert (forged.status, stale.status) == (401, 401)
    settle(app)
    assert app.fake.calls("views.open") == []
    assert count(app.db, WizardDraft) == 0


@pytest.mark.e2e
def test_health_check_answers(running_app):
    import urllib.request

    with urllib.request.urlopen(f"{running_app.url}/healthz", timeout=5) as response:
        assert response.status == 200 and b'"ok": true' in response.read()



@pytest.mark.e2e
def test_the_texts_reach_the_creator_even_when_slack_fails_at_first(running_app):
    from datetime import timedelta

    from bot.delivery import Deliverer, delivery_client
    from flows.db import utcnow

    app = running_app
    modal = walk_to_review_parent_carers(app)
    # Slack fails every post for now (the kit and the moderators' confirmation requests go out together).
    app.fake.respond_with_status("chat.postMessage", status=500, times=100)
    assert modal.submit().json["response_action"] == "update"
    failed = app.fake.wait_for("chat.postMessage", is_kit)
    assert failed.status == 500
    assert count(app.db, Group) == 1  # registered all the same
    app.fake.clear_faults("chat.postMessage")

    # The clock's next round, a few minutes later, delivers what Slack refused.
    later = Deliverer(app.db, delivery_client(app.settings), app.settings, clock=lambda: utcnow() + timedelta(minutes=5))
    later.deliver_due()
    app.fake.wait_for("chat.postMessage", lambda c: c.ok and c.args["channel"] == STAFF and is_kit(c))
    delivered = [c for c in app.fake.calls("chat.postMessage") if c.ok and c.args["channel"] == STAFF and is_kit(c)]
    assert len(delivered) == 1 and "Group description" in str(delivered[0].args["blocks"])


@pytest.mark.e2e
def test_the_name_is_checked_as_it_is_typed(running_app):
    from tests.harness.signing import block_actions_payload

    app = running_app
    modal = start(app)
    modal.submit(kind="informal_social")

    def type_name(text):
        before = len(app.fake.calls("views.update"))
        payload = block_actions_payload(
            "value", text, user_id=STAFF, block_id="name", action_type="plain_text_input",
            view={**modal.view, "id": modal.view_id},
        )
        assert app.sender.interact(payload).status == 200
        app.fake.wait_for("views.update", lambda c: len(app.fake.calls("views.update")) > before)
        shown = app.fake.calls("views.update")[before].args["view"]
        return " ".join(b.get("text", {}).get("text", "") for b in shown["blocks"] if b["type"] == "section")

    assert "(N2)" in type_name("ＡＭＡＺＥ mums")
    assert "meets the naming rules" in type_name("Hove mums social")


@pytest.mark.e2e
def test_contact_details_in_the_moderators_texts_are_refused_on_their_fields_and_kept_nowhere(running_app):
    modal = start(running_app)
    modal.submit(kind="parent_carers")
    modal.submit(name="Amaze Lewes Parent Carers")
    modal.submit(agreement_url=AGREEMENT)
    response = modal.submit(
        staff_moderators=[STAFF],
        offline_moderators="Sam Patel, volunteer, sam.patel＠gmail.com",
        out_of_hours="Val covers evenings; Val's mobile 07700/900/123",
        emergency_contact=MANAGER,
        moderation_plan="Two moderators a day, rota from 12 Acacia Road",
    )
    errors = response.json["errors"]
    assert set(errors) == {"offline_moderators", "out_of_hours", "moderation_plan"}
    assert "email address" in errors["offline_moderators"] and "phone number" in errors["out_of_hours"]
    assert "postal address" in errors["moderation_plan"]
    assert "Moderators' and staff names are fine" in errors["out_of_hours"]
    with running_app.db.transaction() as session:
        [draft] = session.scalars(select(WizardDraft)).all()
        assert not any(text in str(draft.data) for text in ("gmail", "900", "Acacia"))
    assert count(running_app.db, Group) == 0

    # Moderators' names alone are what the field is for.
    response = modal.submit(
        staff_moderators=[STAFF], offline_moderators="Sam Patel, volunteer",
        out_of_hours="Val covers evenings and calls Sam Senior through Slack.", emergency_contact=MANAGER,
        moderation_plan="",
    )
    assert response.json["response_action"] == "update", response.json


def live_check(app, modal: Modal, text: str) -> str:
    """What the name step shows after the person pauses typing `text`."""
    from tests.harness.signing import block_actions_payload

    before = len(app.fake.calls("views.update"))
    payload = block_actions_payload(
        "value", text, user_id=modal.user_id, block_id="name", action_type="plain_text_input",
        view={**modal.view, "id": modal.view_id},
    )
    assert app.sender.interact(payload).status == 200
    app.fake.wait_for("views.update", lambda c: len(app.fake.calls("views.update")) > before)
    shown = app.fake.calls("views.update")[before].args["view"]
    return " ".join(b.get("text", {}).get("text", "") for b in shown["blocks"] if b["type"] == "section")


@pytest.mark.e2e
def test_what_must_be_fixed_is_said_in_words_with_the_rule_after_it(running_app):
    app = running_app
    modal = start(app)
    modal.submit(kind="informal_social")
    assert "Must fix: The name uses" in live_check(app, modal, "ＡＭＡＺＥ mums")
    response = modal.submit(name="A.M.A.Z.E social")
    error = response.json["errors"]["name"]
    assert error.startswith("Must fix: The name uses") and error.endswith("(N2)")
    assert count(app.db, Group) == 0


@pytest.mark.e2e
def test_a_suggestion_is_called_a_suggestion_in_the_name_check_and_in_the_steps_that_follow(running_app):
    app = running_app
    modal = start(app)
    modal.submit(kind="work_staff")
    shown = live_check(app, modal, "Amaze Brighton")
    assert "Suggestion: The name does not make clear that this is a work group." in shown and "(N4)" in shown
    assert modal.submit(name="Amaze Brighton").json["response_action"] == "update"
    text = modal.text()
    assert "Suggestions so far" in text and "Suggestion: The name does not make clear" in text


def step_line(modal: Modal) -> str:
    return modal.view["blocks"][0]["elements"][0]["text"]


@pytest.mark.e2e
@pytest.mark.parametrize("kind, total", [("parent_carers", 5), ("work_staff", 4), ("informal_social", 3)])
def test_the_step_count_once_given_stays_the_same_to_the_end(running_app, kind, total):
    modal = start(running_app)
    # The kind decides how many steps there are, so the first step promises no count it might have to take back.
    assert step_line(modal).startswith("Step 1: *Kind*") and " of " not in step_line(modal)
    modal.submit(kind=kind)
    seen = [step_line(modal)]
    answers = {
        "parent_carers": [dict(name="Amaze Brighton Parent Carers Chat"), dict(agreement_url=AGREEMENT), dict(
            staff_moderators=[STAFF], other_moderators=[VOLUNTEER], emergency_contact=MANAGER,
            out_of_hours="Val watches the group in the evenings and phones Sam Senior if worried.")],
        "work_staff": [dict(name="Amaze Brighton office team"), dict()],
        "informal_social": [dict(name="Brighton Office Friends Social")],
    }[kind]
    for answer in answers:
        assert modal.submit(**answer).json["response_action"] == "update", modal.text()
        seen.append(step_line(modal))
    assert [line.split(":")[0] for line in seen] == [f"Step {n} of {total}" for n in range(2, total + 1)]
    assert seen[-1].startswith(f"Step {total} of {total}: *Review*")


@pytest.mark.e2e
def test_a_work_groups_creator_and_members_are_told_work_standards_and_not_to_call_in_sick_here(running_app):
    app = running_app
    modal = start(app)
    modal.submit(kind="work_staff")
    modal.submit(name="Amaze Brighton office team")
    modal.submit()  # the drafted description as it is
    assert "same standards of behaviour apply in this group as in the office" in modal.text()
    assert modal.submit().json["response_action"] == "update"
    dm = app.fake.wait_for("chat.postMessage", lambda c: c.args.get("channel") == STAFF and is_kit(c))
    sent = str(dm.args["blocks"])
    assert "is misconduct here too" in sent
    assert "A WhatsApp message is no way to call in sick or raise a safeguarding concern" in sent
    # The welcome message the moderators paste says it to every member.
    assert "This group is not the way to call in sick or raise a safeguarding concern" in sent


@pytest.mark.e2e
def test_a_young_peoples_group_says_its_own_quiet_hours_in_the_description_and_the_agreement(running_app):
    app = running_app
    modal = start(app)
    modal.submit(kind="young_people")
    modal.submit(name="Amazing Futures Hove")
    drafted = modal.inputs()["description"]["element"]["initial_value"]
    assert "No messages after 8pm (people need their beauty sleep)." in drafted  # the configured hour
    modal.submit(agreement_url="https://www.amazesussex.org.uk/groups/amazing-futures-hove-agreement")
    assert "No messages after 8pm" in modal.inputs()["quiet_hours"]["hint"]["text"]
    response = modal.submit(
        staff_moderators=[STAFF], emergency_contact=MANAGER, quiet_hours="No messages after 9pm",
        out_of_hours="Alex checks the group until 9pm and phones Sam Senior if worried.",
    )
    assert response.json["response_action"] == "update", response.json
    review = modal.text()
    # One answer, said the same in the description (drafted before it was asked) and in the agreement.
    assert review.count("Quiet hours: No messages after 9pm.") == 2 and "8pm" not in review
    modal.submit()
    with app.db.transaction() as session:
        group = session.scalars(select(Group)).one()
        assert "Quiet hours: No messages after 9pm." in group.description and "8pm" not in group.description
    dm = app.fake.wait_for("chat.postMessage", lambda c: c.args.get("channel") == STAFF and is_kit(c))
    assert str(dm.args["blocks"]).count("Quiet hours: No messages after 9pm.") == 2
