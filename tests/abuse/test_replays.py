"""A replay: the very same signed body and headers sent again. Within Slack's five minutes it cannot be told from
Slack redelivering a request, so it is answered (200) like any request; what makes it harmless is that every
decision is taken once in the database. The second time, nothing changes and nobody is sent anything new: at
most the person who clicked is told privately that it is already done. Signed longer ago, it is refused (401).
"""
from __future__ import annotations

import time

from sqlalchemy import select

from flows.audit.models import AuditEntry
from flows.groups.models import Group
from flows.removals.models import RemovalDecision
from flows.reports.models import UnofficialGroupCase
from tests.abuse.support import (
    AGREEMENT,
    APPROVALS,
    MANAGERS_CHANNEL,
    add_group,
    assert_nothing_leaked,
    buttons,
    click_payload,
    log_removal,
    opened_view,
    row_counts,
    settle,
    submission,
    wait_post,
)
from tests.conftest import MANAGER, SIGNING_SECRET, STAFF, STAFF_2, VOLUNTEER
from tests.harness.signing import interaction_body, sign

FORM = "application/x-www-form-urlencoded"
# What a replayed click may still cause: the clicker's private "already done" note and their own App Home
# refreshed, and reads of who is who.
QUIET = {"chat.postEphemeral", "views.publish", "users.info", "usergroups.list", "usergroups.users.list", "auth.test"}


class Recording:
    """One signed request, kept byte for byte so that it can be sent again."""

    def __init__(self, app, payload: dict) -> None:
        self.app = app
        self.body = interaction_body(payload)
        self.headers = {"Content-Type": FORM, **sign(self.body, SIGNING_SECRET)}

    def send(self):
        response = self.app.sender.post_raw(self.body, self.headers)
        assert response.status == 200, response
        return response


def state_of(db) -> dict:
    """Everything the app has recorded, row by row (the directory's short-lived cache of Slack aside)."""
    from flows.db import Base

    with db.transaction() as session:
        return {
            table.name: sorted(map(repr, session.execute(select(table)).all()))
            for table in Base.metadata.sorted_tables if table.name not in ("directory_cache", "notices")
        }


def replay_changes_nothing(app, recording: Recording, clicker: str) -> None:
    settle(app)
    before, calls = state_of(app.db), len(app.fake.calls())
    outbox = row_counts(app.db)["notices"]
    response = recording.send()
    settle(app)
    assert state_of(app.db) == before
    assert row_counts(app.db)["notices"] == outbox
    new = app.fake.calls()[calls:]
    assert {c.method for c in new} <= QUIET, [c.method for c in new]
    assert all(c.args.get("user") == clicker for c in new if c.method == "chat.postEphemeral")
    assert all(c.args.get("user_id") == clicker for c in new if c.method == "views.publish")
    assert_nothing_leaked(app.fake, response)


def test_a_replayed_approve_changes_nothing_and_sends_nothing_new(app):
    group_id = add_group(app.db)
    log_removal(app, STAFF, group_id)
    sign_off = wait_post(app.fake, APPROVALS, "removal_approve")

    approve = Recording(app, click_payload(sign_off, "removal_approve", MANAGER))
    approve.send()
    app.fake.wait_for("chat.update", lambda c: c.args.get("ts") == sign_off.response["ts"])
    wait_post(app.fake, VOLUNTEER, containing="approved")

    replay_changes_nothing(app, approve, MANAGER)
    with app.db.transaction() as session:
        assert session.scalars(select(RemovalDecision.status)).all() == ["approved"]
        approvals = session.scalars(select(AuditEntry).where(AuditEntry.action == "removal.approved")).all()
        assert [e.actor for e in approvals] == [MANAGER]


def test_a_replayed_agree_changes_nothing_and_sends_nothing_new(app):
    group_id = add_group(app.db)
    log_removal(app, VOLUNTEER, group_id)
    ask = wait_post(app.fake, STAFF, "removal_agree")

    agree = Recording(app, click_payload(ask, "removal_agree", STAFF))
    agree.send()
    wait_post(app.fake, APPROVALS, "removal_approve")

    replay_changes_nothing(app, agree, STAFF)
    assert len([c for c in app.fake.calls("chat.postMessage") if c.args["channel"] == APPROVALS]) == 1


def report_a_group(app, name="A.M.A.Z.E parents chat", user=VOLUNTEER):
    opens = len(app.fake.calls("views.open"))
    assert app.sender.command("/report-unofficial-group", user_id=user).status == 200
    view_id, view = opened_view(app.fake, opens)
    payload = submission(view, user, view_id, name=name, where_seen="whatsapp", how_found="A parent told me.")
    return Recording(app, payload)


def test_a_replayed_report_button_changes_nothing_and_sends_nothing_new(app):
    report_a_group(app).send()
    case_message = wait_post(app.fake, MANAGERS_CHANNEL, "report_approach")

    approach = Recording(app, click_payload(case_message, "report_approach", STAFF))
    approach.send()
    app.fake.wait_for("chat.update", lambda c: c.args.get("ts") == case_message.response["ts"])

    replay_changes_nothing(app, approach, STAFF)
    with app.db.transaction() as session:
        case = session.scalars(select(UnofficialGroupCase)).one()
        assert (case.state, case.owner_id) == ("approached", STAFF)


def test_replayed_form_submissions_record_once(app):
    group_id = add_group(app.db)

    # A removal's log form.
    opens = len(app.fake.calls("views.open"))
    assert app.sender.command("/log-removal", user_id=STAFF_2).status == 200
    view_id, view = opened_view(app.fake, opens)
    logged = Recording(app, submission(view, STAFF_2, view_id, group=str(group_id), member_ref="K.L.",
                                       kind="permanent", breaches=["language"]))
    logged.send()
    wait_post(app.fake, APPROVALS, "removal_approve")
    replay_changes_nothing(app, logged, STAFF_2)

    # A report of an unofficial group.
    reported = report_a_group(app, name="Amaze Crawley Mums")
    reported.send()
    wait_post(app.fake, MANAGERS_CHANNEL, "report_approach")
    replay_changes_nothing(app, reported, VOLUNTEER)

    # A group's registration at the end of /newgroup.
    from tests.e2e.test_newgroup import walk_to_review_parent_carers

    modal = walk_to_review_parent_carers(app)
    registered = Recording(app, submission(modal.view, STAFF, modal.view_id))
    registered.send()
    wait_post(app.fake, STAFF, containing="Group description")
    replay_changes_nothing(app, registered, STAFF)
    with app.db.transaction() as session:
        assert len(session.scalars(select(Group)).all()) == 2  # the register's and the wizard's
    assert AGREEMENT in str([c.args for c in app.fake.calls("chat.postMessage") if c.args["channel"] == STAFF])


def test_the_same_click_signed_more_than_five_minutes_ago_is_refused(app):
    group_id = add_group(app.db)
    log_removal(app, STAFF, group_id)
    sign_off = wait_post(app.fake, APPROVALS, "removal_approve")
    settle(app)
    before, calls = state_of(app.db), len(app.fake.calls())

    body = interaction_body(click_payload(sign_off, "removal_approve", MANAGER))
    old = app.sender.post_raw(body, {"Content-Type": FORM, **sign(body, SIGNING_SECRET, int(time.time()) - 301)})
    assert old.status == 401
    settle(app, quiet_for=0.1)
    assert state_of(app.db) == before and len(app.fake.calls()) == calls
    assert buttons(sign_off)  # still waiting for a decision
