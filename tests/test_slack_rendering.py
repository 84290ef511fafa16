"""The Slack adapter renders each notice when it is delivered, in the words bot/*/messages.py has always used: a
person is reached through their Slack account (the app's person id is not a Slack id), a destination through its
channel in the settings, and an edit in place lands on the post the replaced notice landed at."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.delivery import Deliverer, delivery_client
from bot.removals import messages
from flows.directory.service import Directory
from flows.outbox import Destination, NoticeKind, Subject, queue
from flows.people.service import add_account, new_person
from flows.removals.service import RemovalForm, RemovalService
from tests.support import EveryoneByTheirId, add_lewes_group, roles_by_id

STAFF, VOLUNTEER, MANAGER = "U0STAFF1", "U0VOLUN1", "U0MANAGR"
APPROVALS = "C0APPROVE"


@pytest.fixture
def ours(settings):
    return roles_by_id(settings).model_copy(update={"approvals_channel": APPROVALS})


@pytest.fixture
def decision(db, ours):
    group_id = add_lewes_group(db, "Amaze Lewes Parents")
    removals = RemovalService(db, ours, Directory(db, EveryoneByTheirId(), ours),
                              clock=lambda: datetime(2026, 12, 3, 10, 0, tzinfo=UTC))
    logged = removals.log(STAFF, "key-1", RemovalForm(group_id=str(group_id), member_ref="J.S.", kind="temporary",
                                                      breaches=("bullying",), review_on="2026-12-20"))
    assert logged.done
    return logged.decision


def test_a_person_is_told_through_their_slack_account_in_the_decisions_own_words(db, fake_slack, ours, decision):
    with db.transaction() as session:
        person = new_person(session)
        add_account(session, person, "slack", "U0NEWMOD")
        queue(session, NoticeKind.REMOVAL_DECISION_SHARED, Subject("removal", decision.id), person,
              data={"status": decision.status.value}, dedupe_key="test:shared")
    Deliverer(db, delivery_client(ours), ours).deliver_due()
    [post] = [c for c in fake_slack.calls("chat.postMessage") if c.args["channel"] == "U0NEWMOD"]
    expected = messages.shared(decision)
    assert post.ok and (post.args["text"], post.args["blocks"]) == (expected["text"], expected["blocks"])


def test_the_sign_off_destination_is_the_approvals_channel_and_its_close_edits_that_post(db, fake_slack, ours, decision):
    with db.transaction() as session:
        request = queue(session, NoticeKind.REMOVAL_SIGN_OFF_REQUESTED, Subject("removal", decision.id),
                        Destination.SIGN_OFF)
        queue(session, NoticeKind.REMOVAL_SIGN_OFF_CLOSED, Subject("removal", decision.id), Destination.SIGN_OFF,
              replaces=request)
    Deliverer(db, delivery_client(ours), ours).deliver_due()
    [post] = [c for c in fake_slack.calls("chat.postMessage") if c.args["channel"] == APPROVALS]
    [edit] = fake_slack.calls("chat.update")
    assert (edit.args["channel"], edit.args["ts"]) == (post.response["channel"], post.response["ts"])
    assert edit.args["text"] == messages.sign_off_done(decision)["text"]


def test_people_are_mentioned_by_their_slack_account(db, fake_slack, ours, decision):
    from sqlalchemy import update

    from flows.removals.models import RemovalDecision

    with db.transaction() as session:
        logger = new_person(session)
        add_account(session, logger, "slack", "U0LOGGER")
        # As rows hold people once they are the app's own ids (a Core UPDATE: the ORM refuses to edit a decision).
        session.execute(update(RemovalDecision.__table__).where(RemovalDecision.__table__.c.id == decision.id)
                        .values(logged_by=logger))
        queue(session, NoticeKind.REMOVAL_DECISION_SHARED, Subject("removal", decision.id), STAFF,
              data={"status": decision.status.value}, dedupe_key="test:mention")
    Deliverer(db, delivery_client(ours), ours).deliver_due()
    posts = fake_slack.calls("chat.postMessage")
    assert any("<@U0LOGGER>" in str(c.args["blocks"]) for c in posts)
    assert not any(logger in str(c.args) for c in posts)
