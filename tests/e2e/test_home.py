"""The App Home end to end: Slack's app_home_opened event and clicks on the Home arrive as signed HTTP requests; the
app publishes the Home to the fake Slack Web API, which checks every view against Block Kit's limits."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from slack_sdk.models.views import View

from bot.home import views
from bot.moderation.messages import CONFIRM_ACTION, CONFIRM_FOR_ACTION
from bot.removals.messages import APPROVE_ACTION, REJECT_ACTION
from bot.removals.views import LOG_ACTION
from bot.reports.messages import ACTION_IDS as REPORT_ACTIONS
from bot.wsgi import create_wsgi_app
from flows.directory.service import Role
from flows.groups.models import Group, Moderator
from flows.home import Home, Listing, Register, RegisterFilter, RegisterPage
from flows.home.waiting import (
    CheckinToAnswer,
    CirculationToRecord,
    ConfirmationToGive,
    RemovalToDecide,
    ReportToActOn,
)
from flows.moderation.queries import GroupState, Standing
from flows.outbox.models import Notice as OutboxMessage, OutboxStatus
from flows.policy.findings import block
from flows.policy.types import GroupKind
from flows.removals.models import RemovalDecision, RemovalKind
from flows.reports.models import CaseState, UnofficialGroupCase, UnofficialGroupReport
from flows.reports.service import Action
from tests.conftest import (
    MANAGER,
    SIGNING_SECRET,
    STAFF,
    STAFF_2,
    VOLUNTEER,
    RunningApp,
    prompt_loop,
)
from tests.harness.signing import SlackSender, block_actions_payload
from tests.harness.wsgi_server import WSGIServer
from tests.moderation_helpers import put_on_register
from tests.test_home_queries import bulk_register
from tests.support import slack_person

APPROVALS = "C0APPROVE"
ADMINS = "C0ADMINS"
PAGE = 20


@pytest.fixture
def app(settings, db, fake_slack):
    ours = settings.model_copy(update={"approvals_channel": APPROVALS, "admin_channel": ADMINS})
    with WSGIServer(create_wsgi_app(ours, db)) as server, prompt_loop(ours, db):
        yield RunningApp(
            url=server.url, sender=SlackSender(server.url, SIGNING_SECRET), fake=fake_slack, db=db, settings=ours
        )
    # Every Home and message the app sent was one Slack accepts (at most 100 blocks, texts within their limits).
    refused = [(c.method, c.response) for c in fake_slack.calls() if not c.ok]
    assert refused == []


# --- reading the Home as Slack shows it ------------------------------------------------------------------------------
class Homes:
    """The Homes the app published for one person, newest last."""

    def __init__(self, app, user_id: str) -> None:
        self.app, self.user_id = app, user_id

    def published(self) -> list:
        return [c for c in self.app.fake.calls("views.publish") if c.args.get("user_id") == self.user_id]

    def next_after(self, do) -> dict:
        """Do something, then wait for the Home it makes the app publish."""
        seen = {id(c) for c in self.published()}
        do()
        call = self.app.fake.wait_for(
            "views.publish", lambda c: c.args.get("user_id") == self.user_id and id(c) not in seen
        )
        assert call.ok, call.response
        return call.response["view"]

    def open(self) -> dict:
        event = {"type": "app_home_opened", "user": self.user_id, "channel": f"D{self.user_id}", "tab": "home"}
        return self.next_after(lambda: self.app.sender.event(event))

    def click(self, home: dict, action_id: str, value: str | None = None, **action) -> dict:
        payload = block_actions_payload(action_id, value, user_id=self.user_id, view=home, **action)
        return self.next_after(lambda: self.app.sender.interact(payload))


def text_of(home: dict) -> str:
    return str(home["blocks"])


def buttons(home: dict) -> list[tuple[str, str, str]]:
    """(text, action_id, value) of every button on the Home, top to bottom."""
    found = []
    for b in home["blocks"]:
        for element in (b.get("elements", []) if b["type"] == "actions" else [b.get("accessory") or {}]):
            if element.get("type") == "button":
                found.append((element["text"]["text"], element["action_id"], element.get("value")))
    return found


def section_after(home: dict, header: str) -> list[dict]:
    """The blocks under a header, up to the next divider."""
    blocks, inside = [], False
    for b in home["blocks"]:
        if b["type"] == "header":
            inside = b["text"]["text"] == header
        elif b["type"] == "divider":
            inside = False
        elif inside:
            blocks.append(b)
    return blocks


def register_rows(home: dict) -> list[str]:
    """The first line of each group on the register's page."""
    return [b["text"]["text"].split("\n")[0] for b in section_after(home, "The register") if b["type"] == "section"]


def my_groups(home: dict) -> list[str]:
    return [b["text"]["text"] for b in section_after(home, "Your groups") if b["type"] == "section"]


# --- the register's contents, put there as the workflows do -----------------------------------------------------------
def add_group(db, name: str, moderators, created_by=STAFF, kind="parent_carers") -> int:
    with db.transaction() as session:
        group = Group(kind=kind, name=name, official=True, description="",
                      created_by=slack_person(session, created_by), emergency_contact="Sam Senior")
        group.moderators = [Moderator(name=n, role=role, person_id=slack_person(session, user), is_lead=lead,
                                      added_by=slack_person(session, STAFF))
                            for n, role, user, lead in moderators]
        session.add(group)
        session.flush()
        return group.id


def awaiting_sign_off(db, group_id: int, member_ref="J.S.") -> int:
    """A permanent removal logged by a volunteer and agreed by a staff moderator: it waits for a senior manager."""
    with db.transaction() as session:
        decision = RemovalDecision(
            group_id=group_id, member_ref=member_ref, kind="permanent", breaches=["bullying"], tried_first=["warned"],
            status="awaiting_sign_off", logged_by=slack_person(session, VOLUNTEER),
            agreed_by=slack_person(session, STAFF), agreed_at=datetime.now(UTC),
            submission_key=uuid.uuid4().hex,
        )
        session.add(decision)
        session.flush()
        return decision.id


def status_of(db, decision_id: int) -> str:
    with db.transaction() as session:
        return session.get(RemovalDecision, decision_id).status


STAFF_LEAD = ("Alex Morgan", "staff", STAFF, True)
VOLUNTEER_MOD = ("Val Jones", "volunteer", VOLUNTEER, False)


# --- a senior manager ---------------------------------------------------------------------------------------------------
@pytest.mark.e2e
def test_a_senior_manager_approves_a_removal_from_the_home_and_the_home_refreshes(app):
    group_id = add_group(app.db, "Amaze Brighton Parent Carers", [STAFF_LEAD, VOLUNTEER_MOD])
    first = awaiting_sign_off(app.db, group_id, "J.S.")
    second = awaiting_sign_off(app.db, group_id, "K.T.")
    with app.db.transaction() as session:
        session.add(OutboxMessage(kind="removal.decision_shared", subject_type="removal", subject_id="1",
                                  person_id="U0GONE",
                                  status=OutboxStatus.FAILED.value, last_error="channel_not_found",
                                  failed_at=datetime.now(UTC)))
    manager = Homes(app, MANAGER)

    home = manager.open()
    waiting = text_of(home)
    assert "Permanent removal to sign off" in waiting and "J.S." in waiting and "K.T." in waiting
    assert ("Approve", APPROVE_ACTION, str(first)) in buttons(home)
    assert ("Reject", REJECT_ACTION, str(first)) in buttons(home)
    # Senior managers hear about messages that could not be delivered.
    assert "1 message could not be delivered" in waiting and f"<#{ADMINS}>" in waiting

    # Approve, on the Home, goes through the removals' own handler; the Home is published again once it is done.
    after = manager.click(home, APPROVE_ACTION, str(first))
    assert status_of(app.db, first) == "approved"
    assert (APPROVE_ACTION, str(first)) not in [(a, v) for _, a, v in buttons(after)]
    assert ("Approve", APPROVE_ACTION, str(second)) in buttons(after)
    # The person who logged it is told, as when Approve is pressed in the approvals channel.
    app.fake.wait_for("chat.postMessage", lambda c: c.args.get("channel") == VOLUNTEER and "approved" in str(c.args))


@pytest.mark.e2e
def test_the_removals_own_rules_apply_to_a_click_on_the_home(app):
    group_id = add_group(app.db, "Amaze Brighton Parent Carers", [STAFF_LEAD, VOLUNTEER_MOD])
    decision = awaiting_sign_off(app.db, group_id)
    staff = Homes(app, STAFF_2)

    home = staff.open()
    assert "to sign off" not in text_of(home)  # not a senior manager: not theirs to see
    # A forged Approve from their Home changes nothing: the handler asks who clicked, not what the button says.
    staff.click(home, APPROVE_ACTION, str(decision))
    assert status_of(app.db, decision) == "awaiting_sign_off"


# --- staff and the register -------------------------------------------------------------------------------------------
@pytest.mark.e2e
def test_staff_page_and_filter_a_register_of_five_thousand_groups_within_slacks_limits(app):
    bulk_register(app.db, 5000, created_by=STAFF_2)
    staff = Homes(app, STAFF)

    home = staff.open()
    assert len(home["blocks"]) <= 100
    assert "1–20 of 5,000 groups · page 1 of 250" in text_of(home)
    first_page = register_rows(home)
    assert len(first_page) == PAGE and first_page[0].startswith("*Bulk group 00000*")
    # The lead (Alex) answers for each group's helper who is not on Slack: a few are shown, the rest counted.
    assert "…and 4,997 more confirmations to give" in text_of(home)
    assert [a for _, a, _ in buttons(home)].count(CONFIRM_FOR_ACTION) == 3
    assert "Previous" not in [t for t, _, _ in buttons(home)]
    [(_, _, next_value)] = [b for b in buttons(home) if b[1] == views.NEXT_ACTION]

    second = staff.click(home, views.NEXT_ACTION, next_value)
    assert len(second["blocks"]) <= 100
    assert "21–40 of 5,000 groups · page 2 of 250" in text_of(second)
    assert not set(register_rows(second)) & set(first_page)
    assert register_rows(second)[0].startswith("*Bulk group 00020*")
    assert {"Previous", "Next"} <= {t for t, _, _ in buttons(second)}

    young = staff.click(second, views.KIND_ACTION, action_type="static_select",
                        action={"selected_option": {"value": GroupKind.YOUNG_PEOPLE.value}})
    rows = register_rows(young)
    assert len(rows) == PAGE and all(GroupKind.YOUNG_PEOPLE.label in row for row in rows)
    assert "1–20 of 1,666 groups (filtered) · page 1 of 84" in text_of(young)
    # The filter is carried on: the next page is of young people's groups too.
    [(_, _, next_value)] = [b for b in buttons(young) if b[1] == views.NEXT_ACTION]
    assert all(GroupKind.YOUNG_PEOPLE.label in row for row in register_rows(staff.click(young, views.NEXT_ACTION,
                                                                                          next_value)))
    # Each group on the register can have a removal logged from it.
    assert ("Log a removal", LOG_ACTION, None) not in buttons(home)
    assert [a for _, a, _ in buttons(home)].count(LOG_ACTION) >= PAGE


@pytest.mark.e2e
def test_staff_see_open_reports_with_their_owner_and_state_and_can_act_on_them(app):
    with app.db.transaction() as session:
        case = UnofficialGroupCase(name="Amaze Mums Chat", normalised_name="amaze mums chat",
                                   matched_names=[{"name": "Amaze", "strength": "exact", "matched_text": "Amaze"}],
                                   state=CaseState.REPORTED.value, reported_by=slack_person(session, VOLUNTEER))
        session.add(case)
        session.flush()
        session.add(UnofficialGroupReport(case_id=case.id, reporter_id=slack_person(session, VOLUNTEER), name="Amaze Mums Chat",
                                          where_seen="whatsapp", how_found="A friend added me"))
        case_id = case.id
    staff = Homes(app, STAFF)

    home = staff.open()
    assert "Amaze Mums Chat" in text_of(home) and "Nobody has taken it on yet" in text_of(home)
    assert ("I'll approach them", REPORT_ACTIONS[Action.APPROACH], str(case_id)) in buttons(home)

    after = staff.click(home, REPORT_ACTIONS[Action.APPROACH], str(case_id))
    assert f"<@{STAFF}> is approaching them" in text_of(after) and "Being approached" in text_of(after)
    assert {a for _, a, _ in buttons(after)} >= {REPORT_ACTIONS[Action.RENAMED], REPORT_ACTIONS[Action.CLOSED]}

    # A volunteer does not act on reports: nothing of them on their Home.
    assert "Amaze Mums Chat" not in text_of(Homes(app, VOLUNTEER).open())


# --- moderators ---------------------------------------------------------------------------------------------------------
@pytest.mark.e2e
def test_a_volunteer_sees_their_own_groups_and_tasks_and_not_the_register(app):
    theirs = put_on_register(app)  # Alex (staff lead), Val (the volunteer) and Sam (not on Slack) are asked
    add_group(app.db, "Someone else's group", [("Bea Hughes", "staff", STAFF_2, True)], created_by=STAFF_2)
    volunteer = Homes(app, VOLUNTEER)

    home = volunteer.open()
    assert [g.split("*")[1] for g in my_groups(home)] == ["Amaze Brighton Parent Carers Chat"]
    assert "The register" not in text_of(home) and "Someone else's group" not in text_of(home)
    assert "to sign off" not in text_of(home) and "could not be delivered" not in text_of(home)
    [(_, _, value)] = [b for b in buttons(home) if b[1] == CONFIRM_ACTION]
    assert ("Log a removal", LOG_ACTION, str(theirs)) in buttons(home)

    # Confirming on the Home is confirming: the moderation handler records it, and the Home shows it done.
    after = volunteer.click(home, CONFIRM_ACTION, value)
    assert CONFIRM_ACTION not in [a for _, a, _ in buttons(after)]
    assert "1 of 3 moderators have confirmed they read the policy and the group agreement" in my_groups(after)[0]


@pytest.mark.e2e
def test_a_group_with_unconfirmed_moderators_says_how_many_have_confirmed(app):
    put_on_register(app)
    lead = Homes(app, STAFF)

    home = lead.open()
    [group] = [g for g in my_groups(home) if "Amaze Brighton Parent Carers Chat" in g]
    assert ":warning: Incomplete: 0 of 3 moderators have confirmed they read the policy and the group agreement" in group
    # The lead confirms for Sam, who is not on Slack, from the Home.
    [(label, _, value)] = [b for b in buttons(home) if b[1] == CONFIRM_FOR_ACTION]
    assert label == "Confirm for Sam Patel"
    after = lead.click(home, CONFIRM_FOR_ACTION, value)
    [group] = [g for g in my_groups(after) if "Amaze Brighton Parent Carers Chat" in g]
    assert "1 of 3 moderators have confirmed" in group


@pytest.mark.e2e
def test_a_volunteers_forged_page_button_shows_them_their_own_home_and_no_register(app):
    put_on_register(app)
    volunteer = Homes(app, VOLUNTEER)
    home = volunteer.open()
    for value in ('{"kind":"young_people","page":3}', '{"kind":["x"],"status":{},"page":"9"}', "not json"):
        forged = volunteer.click(home, views.NEXT_ACTION, value)
        assert "The register" not in text_of(forged)
        assert "Amaze Brighton Parent Carers Chat" in my_groups(forged)[0]


# --- Slack's limits, at their worst ----------------------------------------------------------------------------------
def test_the_fullest_home_stays_within_slacks_100_blocks_and_3000_characters(settings):
    now = datetime.now(UTC)
    long = "A very long group name " * 9  # 200 characters
    removal = RemovalToDecide(1, 1, long, "CL-12345", RemovalKind.PERMANENT, ("bullying", "language"), STAFF, now,
                              STAFF_2)
    state = GroupState(
        group_id=1, name=long, kind=GroupKind.PARENT_CARERS, status=Standing.BLOCKED, moderators=40, confirmed=0,
        unconfirmed=tuple(f"Moderator {i}" for i in range(40)), needs_moderator=True,
        findings=(block("M1", "x" * 500, "y" * 500),), missing=tuple("z" * 300 for _ in range(40)),
        to_do=("An A3 reminder " * 20, "An M9 reminder " * 20), agreement_due_on=now.date(), check_due_on=now.date(),
    )

    def full(item) -> Listing:
        return Listing((item,) * 3, 1000)

    home = Home(
        user_id=MANAGER, roles=frozenset(Role),
        to_agree=full(removal), to_sign_off=full(removal),
        reports=full(ReportToActOn(1, long, CaseState.APPROACHED, STAFF, now, 12)),
        confirmations=full(ConfirmationToGive(1, 1, long, "Sam " * 50, True, "https://example.org/" + "a" * 400)),
        checkins=full(CheckinToAnswer(1, 1, long, "Sam " * 50, now.date(), True)),
        circulations=full(CirculationToRecord(1, 1, long, now.date(), "https://example.org/" + "a" * 400)),
        my_groups=Listing((state,) * 5, 5000), undelivered=12,
        register=Register(
            RegisterPage(RegisterFilter(GroupKind.PARENT_CARERS, Standing.BLOCKED, True, 3), (1,) * PAGE, 9000),
            (state,) * PAGE,
        ),
    )
    published = views.home_view(home, settings)
    [agree, *_] = [b["accessory"] for b in published["blocks"] if b.get("accessory", {}).get("text", {}).get(
        "text") == "Agree"]
    # The confirm dialog keeps within Slack's 300 characters and still says who, where and why.
    said = agree["confirm"]["text"]["text"]
    assert len(said) <= 300 and "CL-12345" in said and "A very long group name" in said and "Bullying" in said
    assert len(published["blocks"]) < 80  # everything at its cap, as bot/home/views.py counts it
    View(**published).to_dict()  # raises if any text, button or option is over Slack's limits

