"""What the abuse tests share: the app set up as in production (one workspace, approval and managers' channels),
a count of every table's rows, and readers of what the app sent to Slack."""
from __future__ import annotations

import json
import time
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from bot import background
from bot.errors import SOMETHING_WENT_WRONG
from flows.db import Base, Database
from flows.groups.models import Group, Moderator
from flows.home.models import HomeRefresh
from flows.outbox.models import Notice as OutboxMessage
from flows.people import new_person, person_for_account
from tests.conftest import STAFF, STAFF_2, VOLUNTEER
from tests.harness.signing import Response, block_actions_payload, view_submission_payload

APPROVALS = "C0APPROVE"
MANAGERS_CHANNEL = "C0MANAGERS"
MANAGER_2 = "U0MANAG2"
OTHER_TEAM = "T0OTHER"
GROUP_NAME = "Amaze Brighton Parent Carers"
AGREEMENT = "https://www.amazesussex.org.uk/groups/brighton-parents-agreement"
# A form would never show these to a person: each is a sign of an unhandled error.
NEVER_SHOWN = ("Traceback", "Exception", "Error:", "sqlalchemy", "psycopg")


# Answers looked up from Slack and kept for a few minutes: a copy of what Slack says, not a record of the app's;
# the people the app has met (a Slack user is a person from their first request, whatever it asked); and whose
# Home to publish again, a queue the clock empties within a fraction of a second.
CACHE = "directory_cache"
NOT_RECORDS = {CACHE, "people", "platform_accounts", "home_refreshes"}


def row_counts(db: Database, records_only: bool = False) -> dict[str, int]:
    """Every table's number of rows (with records_only, leaving out the directory cache, the people met and the
    Home refreshes queued)."""
    with db.transaction() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
            if not (records_only and table.name in NOT_RECORDS)
        }


def add_group(db: Database, name: str = GROUP_NAME, moderators=None) -> int:
    """A registered parent carers' group: two staff moderators on Slack, a volunteer on Slack, one not on Slack."""
    rows = moderators or [
        ("Alex Morgan", "staff", STAFF, True),
        ("Val Jones", "volunteer", VOLUNTEER, False),
        ("Bea Hughes", "staff", STAFF_2, False),
        ("Sam Patel", "volunteer", None, False),
    ]
    with db.transaction() as session:
        def person(user):  # the person Slack's user is in the app (or a volunteer on no platform)
            return person_for_account(session, "slack", user) if user else new_person(session)

        group = Group(kind="parent_carers", name=name, official=True, description="", created_by=person(STAFF))
        group.moderators = [
            Moderator(name=n, role=role, person_id=person(user), is_lead=lead, added_by=person(STAFF))
            for n, role, user, lead in rows
        ]
        session.add(group)
        session.flush()
        return group.id


def everything_sent(fake) -> str:
    """Every text, view and message the app sent to Slack (and to response URLs), as one string."""
    return json.dumps([c.args for c in fake.calls()], ensure_ascii=False, default=str)


def assert_nothing_leaked(fake, *responses: Response, generic_answer_allowed: bool = False) -> None:
    """No stack trace or error's name shown to anyone; nor, for input a person could type, the answer the app
    gives only when a listener failed unexpectedly (a payload Slack would never send may get it)."""
    shown = everything_sent(fake) + "".join(r.text for r in responses)
    for sign in NEVER_SHOWN + (() if generic_answer_allowed else (SOMETHING_WENT_WRONG,)):
        assert sign not in shown, f"{sign!r} was shown to someone"


def settle(where, quiet_for: float = 0.15, limit: float = 5.0) -> None:
    """Wait until the app has stopped calling Slack (it sends after acknowledging, some of it on other threads):
    given the running app, also until nothing it has queued is still waiting for its first try."""
    fake = getattr(where, "fake", where)
    db = getattr(where, "db", None)
    deadline = time.monotonic() + limit
    seen = len(fake.calls())
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = len(fake.calls())
        if now != seen:
            seen, quiet_since = now, time.monotonic()
        elif (
            time.monotonic() - quiet_since >= quiet_for
            and not background.busy()
            and not (db is not None and _queued_untried(db))
        ):
            return


def _queued_untried(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(
            select(func.count()).select_from(OutboxMessage)
            .where(OutboxMessage.status == "pending", OutboxMessage.attempts == 0)
        ) + session.scalar(select(func.count()).select_from(HomeRefresh))


# --- forms -------------------------------------------------------------------------------------------------------
def state_for(element: dict, value: Any) -> dict:
    """Slack's state for one input element holding `value` (whatever its type: the tests send odd ones too)."""
    kind = element["type"]
    if kind in ("static_select", "radio_buttons"):
        return {"type": kind, "selected_option": None if value is None else {"value": value}}
    if kind in ("multi_static_select", "checkboxes"):
        return {"type": kind, "selected_options": [{"value": v} for v in (value or [])]}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": list(value or [])}
    if kind == "users_select":
        return {"type": kind, "selected_user": value}
    if kind == "datepicker":
        return {"type": kind, "selected_date": value}
    return {"type": kind, "value": value}


def initial_of(element: dict) -> Any:
    if "initial_option" in element:
        return element["initial_option"]["value"]
    if "initial_options" in element:
        return [o["value"] for o in element["initial_options"]]
    for key in ("initial_users", "initial_user", "initial_value", "initial_date"):
        if key in element:
            return element[key]
    return None


def inputs(view: dict) -> dict[str, dict]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def submission(view: dict, user_id: str, view_id: str, **values: Any) -> dict:
    """The payload of submitting `view` with `values`; fields not given keep what the app filled in."""
    state = {}
    for block_id, block in inputs(view).items():
        element = block["element"]
        value = values.pop(block_id) if block_id in values else initial_of(element)
        if value is not None:
            state[block_id] = {element["action_id"]: state_for(element, value)}
    assert not values, f"the form has no fields {sorted(values)}"
    return view_submission_payload(
        view["callback_id"], state, user_id=user_id, private_metadata=view.get("private_metadata", ""),
        view_id=view_id, blocks=view["blocks"],
    )


def opened_view(fake, after_opens: int) -> tuple[str, dict]:
    """The form opened by the (after_opens+1)-th views.open: (view id, the view), following a views.update that
    put the real form in place of a placeholder."""
    fake.wait_for("views.open", lambda c: len(fake.calls("views.open")) > after_opens)
    opened = fake.calls("views.open")[after_opens]
    view_id = opened.response["view"]["id"]
    if opened.args["view"].get("callback_id"):
        return view_id, opened.args["view"]
    update = fake.wait_for("views.update", lambda c: c.args.get("view_id") == view_id)
    return view_id, update.args["view"]


def check_answer(response: Response, submitted_view: dict) -> str:
    """What a person sees after submitting a form, checked against Slack's rules: never a 5xx; either a field
    error on a field of the submitted form, a view put in place (or on top), or the form closing."""
    assert response.status < 500, response.text
    assert response.status == 200, response.text
    if not response.text:
        return "closed"
    answer = response.json
    assert isinstance(answer, dict), response.text
    action = answer.get("response_action")
    if action == "errors":
        errors = answer["errors"]
        assert errors and set(errors) <= set(inputs(submitted_view)), (errors, sorted(inputs(submitted_view)))
        assert all(isinstance(m, str) and m.strip() for m in errors.values())
        return "errors"
    assert action in ("update", "push"), answer
    assert answer["view"]["blocks"], answer
    assert_fits_slack(answer["view"])
    return action


def assert_fits_slack(view: dict) -> None:
    """Limits Slack enforces on a view that slack_sdk does not check: an input's initial text within its
    max_length, private_metadata within 3000 characters."""
    assert len(view.get("private_metadata") or "") <= 3000
    for block in view.get("blocks", []):
        element = block.get("element") or {}
        if "initial_value" in element and "max_length" in element:
            assert len(element["initial_value"]) <= element["max_length"], block["block_id"]


# --- removals ----------------------------------------------------------------------------------------------------
def buttons(call) -> dict[str, str]:
    return {
        element["action_id"]: element.get("value")
        for block in call.args.get("blocks") or [] if block["type"] == "actions"
        for element in block["elements"]
    }


def wait_post(fake, channel: str, action_id: str | None = None, containing: str | None = None):
    return fake.wait_for(
        "chat.postMessage",
        lambda c: c.args.get("channel") == channel and c.ok
        and (action_id is None or action_id in buttons(c))
        and (containing is None or containing in json.dumps(c.args)),
    )


def click_payload(call, action_id: str, user_id: str, response_url: str | None = None) -> dict:
    """Pressing a button of a message the app posted, as `user_id`."""
    return block_actions_payload(
        action_id, buttons(call)[action_id], user_id=user_id, channel_id=call.response["channel"],
        message_ts=call.response["ts"], response_url=response_url,
    )


def log_removal(app, user_id: str, group_id: int, kind: str = "permanent", **values) -> Response:
    opens = len(app.fake.calls("views.open"))
    assert app.sender.command("/log-removal", user_id=user_id, response_url=app.fake.response_url()).status == 200
    view_id, view = opened_view(app.fake, opens)
    fields = {
        "group": str(group_id), "member_ref": "J.S.", "kind": kind, "breaches": ["bullying"],
        "tried_first": ["warned"], "notes": "Repeated name-calling after a warning.",
    }
    if kind == "temporary":
        fields["review_on"] = (date.today() + timedelta(days=14)).isoformat()
    fields.update(values)
    response = app.sender.interact(submission(view, user_id, view_id, **fields))
    assert response.status == 200 and response.json["response_action"] == "update", response.text
    return response
