"""The new-group wizard in Teams, over HTTP: typed "new group", a card that changes in place step by step."""
from __future__ import annotations

from sqlalchemy import func, select

from flows.audit.models import AuditEntry
from flows.groups.models import Group
from flows.people import person_of_account
from flows.wizard.models import WizardDraft
from tests.teams.cards import inputs
from tests.teams.chat import choice, says
from tests.teams.conftest import GUEST, MANAGER, STAFF, VOLUNTEER

AGREEMENT = "https://www.amazesussex.org.uk/groups/brighton-parents-agreement"
NAME = "Amaze Brighton Parent Carers Chat"


def person(app, user) -> str | None:
    with app.db.transaction() as session:
        return person_of_account(session, "teams", user.aad_object_id)


def groups(app) -> int:
    with app.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Group))


def to_moderators(chat, user=STAFF):
    card = chat.say(user, "new group")
    assert says(card, "What kind of WhatsApp group", "Step 1")
    card = chat.click(user, card, "Next", kind="parent_carers")
    assert says(card, "Step 2 of 5", "N1")
    card = chat.click(user, card, "Next", name=NAME)
    drafted = inputs(card)["description"]["value"]
    assert "phone number" in drafted and "[LINK]" in drafted, "the description comes drafted from the policy"
    card = chat.click(user, card, "Next", agreement_url=AGREEMENT)
    assert says(card, "Step 4 of 5", "Staff moderators")
    return card


def test_the_whole_wizard_registers_a_group_with_its_texts_to_paste(teams_app, chat):
    card = to_moderators(chat)
    # The people offered are the Entra groups' members: staff for moderators, senior managers for emergencies.
    staff_titles = [c["title"] for c in inputs(card)["staff_moderators"]["choices"]]
    assert set(staff_titles) == {"Alex Morgan", "Bea Hughes", "Sam Senior", "Mo Manager"}, "the guest is never staff"
    card = chat.click(
        STAFF, card, "Next",
        staff_moderators=choice(card, "staff_moderators", "Alex Morgan"),
        offline_moderators="Sam Patel, volunteer\nAli Khan, partner staff, Barnardo's",
        out_of_hours="Sam watches the group in the evenings and phones Alex or Sam Senior if worried.",
        emergency_contact=choice(card, "emergency_contact", "Sam Senior"),
        expected_members="40",
    )
    assert says(card, "Step 5 of 5", "Review", "Alex Morgan (staff, lead)", "Sam Patel (volunteer)", AGREEMENT)
    card = chat.click(STAFF, card, "Register group")
    assert says(card, f"Registered: {NAME}", "Settings checklist", "Group agreement", "Welcome message")
    assert groups(teams_app) == 1

    with teams_app.db.transaction() as session:
        group = session.scalars(select(Group)).one()
        assert group.name == NAME and AGREEMENT in group.description
        assert group.created_by == person(teams_app, STAFF), "the group is the person's, not their Teams account's"
        assert group.emergency_contact == "Sam Senior"
        assert group.emergency_contact_person_id == person(teams_app, MANAGER)
        assert sorted((m.name, m.role, m.is_lead) for m in group.moderators) == [
            ("Alex Morgan", "staff", True), ("Ali Khan", "partner_staff", False), ("Sam Patel", "volunteer", False)]
        lead = next(m for m in group.moderators if m.is_lead)
        assert lead.person_id == person(teams_app, STAFF)
        assert session.scalars(select(AuditEntry.action).where(AuditEntry.action == "group.registered")).all()



def test_pressing_register_twice_registers_one_group(teams_app, chat):
    card = to_moderators(chat)
    review = chat.click(STAFF, card, "Next", staff_moderators=choice(card, "staff_moderators", "Alex Morgan"),
                        out_of_hours="Alex covers evenings.", emergency_contact=choice(card, "emergency_contact",
                                                                                       "Sam Senior"))
    first = chat.click(STAFF, review, "Register group")
    second = chat.click(STAFF, review, "Register group")
    assert says(first, f"Registered: {NAME}") and says(second, f"Registered: {NAME}")
    assert groups(teams_app) == 1


def test_a_blocked_name_is_shown_under_the_name_and_the_live_check_says_why_before_next(teams_app, chat):
    card = chat.say(STAFF, "new group")
    card = chat.click(STAFF, card, "Next", kind="informal_social")
    checked = chat.click(STAFF, card, "Check the name", name="Amaze Mums Social")
    assert says(checked, "Must fix", "N2"), "the live check names the rule"
    assert inputs(checked)["name"]["value"] == "Amaze Mums Social", "what was typed stays in the field"
    refused = chat.click(STAFF, checked, "Next")
    assert says(refused, "Step 2", "N2")
    assert groups(teams_app) == 0
    fine = chat.click(STAFF, refused, "Check the name", name="Brighton Mums Social")
    assert says(fine, "This name meets the naming rules.")
    review = chat.click(STAFF, fine, "Next")
    assert says(review, "Review", "No moderator is involved")
    done = chat.click(STAFF, review, "Register group")
    assert says(done, "Registered: Brighton Mums Social", "unofficial")
    assert groups(teams_app) == 1


def test_back_returns_to_the_step_before_with_its_answers(teams_app, chat):
    card = to_moderators(chat)
    back = chat.click(STAFF, card, "Back")
    assert says(back, "Step 3 of 5", "Group description")
    assert AGREEMENT in inputs(back)["agreement_url"]["value"]
    back = chat.click(STAFF, back, "Back")
    assert inputs(back)["name"]["value"] == NAME
    with teams_app.db.transaction() as session:
        assert session.scalars(select(WizardDraft.step)).one() == "name"


def test_a_volunteer_and_a_guest_cannot_start_the_wizard(teams_app, chat):
    for user in (VOLUNTEER, GUEST):
        card = chat.say(user, "new group")
        assert says(card, "Only staff can set up an official WhatsApp group")
    with teams_app.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(WizardDraft)) == 0


def test_someone_elses_wizard_card_is_refused(teams_app, chat):
    card = chat.say(STAFF, "new group")
    refused = chat.click(VOLUNTEER, card, "Next", kind="parent_carers")
    assert says(refused, "belongs to someone else")
    with teams_app.db.transaction() as session:
        assert session.scalars(select(WizardDraft.step)).one() == "kind"


def test_when_graph_cannot_answer_nobody_is_taken_for_staff(teams_app, chat):
    teams_app.graph.respond_with_status("users.get", 503, times=10)
    card = chat.say(STAFF, "new group")
    assert says(card, "can't confirm your role", "Nothing was changed")
    with teams_app.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(WizardDraft)) == 0
        refused = session.scalars(select(AuditEntry).where(AuditEntry.action == "wizard.refused")).all()
        assert [e.actor for e in refused] == [person(teams_app, STAFF)]


def test_an_unfinished_set_up_is_offered_again_and_listed_on_the_home_card(teams_app, chat):
    card = chat.say(STAFF, "new group")
    card = chat.click(STAFF, card, "Next", kind="parent_carers")
    chat.click(STAFF, card, "Next", name=NAME)  # then Alex leaves it there
    again = chat.say(STAFF, "new group")
    assert says(again, f"You have an unfinished set-up of “{NAME}”, stopped at the description", "Step 1")
    resumed = chat.click(STAFF, again, "Continue it")
    assert says(resumed, "Step 3 of 5", "Description") and "phone number" in inputs(resumed)["description"]["value"]
    with teams_app.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(WizardDraft)) == 1  # the new one offered is gone
    home = chat.say(STAFF, "home")
    assert says(home, "Unfinished set-ups", f"{NAME}: stopped at the description")
    assert says(chat.click(STAFF, home, "Continue"), "Step 3 of 5")
    # Someone else's set-up is not theirs to continue.
    said = chat.click(VOLUNTEER, again, "Continue it")
    assert not says(said, "Step 3 of 5", NAME)
