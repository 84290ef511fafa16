"""The seam between flows/ (the domain) and bot/ (the Slack adapter) stays where it is put: what has moved out of
flows/ does not creep back: the outbox holds notices (what happened, about what, for whom), never Web API calls."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

FLOWS = Path(__file__).resolve().parent.parent / "flows"
# The migrations describe old schemas (Slack columns among them); their environment is code like any other.
SOURCES = sorted(p for p in FLOWS.rglob("*.py") if "migrations" not in p.parts) + [FLOWS / "db/migrations/env.py"]

SLACK_IN_THE_DOMAIN = {
    "a Slack mention or channel link": re.compile(r"<(?:@[A-Z{]|#[A-Z{]|!(?:date|here|channel|everyone))"),
    "a queued Web API call (the adapter queues every message)": re.compile(r"(?<!def )\benqueue\(\s*session"),
    "the Slack SDK or Bolt": re.compile(r"^\s*(?:from|import)\s+(?:slack_sdk|slack_bolt|bot|teams|microsoft_teams)\b", re.MULTILINE),
    "a job registered by importing its module": re.compile(r"^register_jobs\(", re.MULTILINE),
    # The outbox holds notices; only an adapter knows its platform's calls and where a message landed.
    "a Web API method name": re.compile(r"\b(?:chat|views|conversations|users|usergroups)\.[a-z][A-Za-z]+\b"),
    "a Slack message's ts or channel as a field or key": re.compile(
        r"""["'](?:ts|channel)["']|\.(?:ts|channel)\b|\b(?:ts|channel)\s*=(?!=)|result_(?:ts|channel)"""),
    "a placeholder filled from a Slack answer": re.compile(r"\$from"),
    "a delivery hook registered by import": re.compile(r"\bon_delivered\b"),
    # People are the app's own ids (flows.people); Slack user ids are read in bot/ alone.
    "a slack_ name (a Slack user id column, field or setting)": re.compile(r"slack_", re.IGNORECASE),
    "Slack named in the domain's words": re.compile(r"\bSlack\b", re.IGNORECASE),
    "a Slack user id kept in the domain (U0123…)": re.compile(r"""["']U[0-9A-Z]{6,}["']"""),
}


# The outbox still stores Web API calls, and says so, until it queues notices instead (issue 11).
NOT_YET = {"Slack named in the domain's words": {FLOWS / "outbox"}}


@pytest.mark.parametrize("what", sorted(SLACK_IN_THE_DOMAIN))
def test_flows_holds_no_slack_formatting_calls_or_imports(what):
    pattern = SLACK_IN_THE_DOMAIN[what]
    read = [p for p in SOURCES if not any(folder in p.parents for folder in NOT_YET.get(what, ()))]
    found = [f"{p.relative_to(FLOWS.parent)}:{p.read_text().count(chr(10), 0, m.start()) + 1}"
             for p in read for m in pattern.finditer(p.read_text())]
    assert found == [], f"{what} in flows/: {found}"


def test_the_check_reads_the_domain():
    assert FLOWS / "jobs.py" in SOURCES and len(SOURCES) > 50


def test_the_checks_for_people_would_catch_a_slack_user_id_column():
    # What the domain held before people (migration 0010), as each check reads it.
    before = 'slack_user_id: Mapped[str | None]  # "a moderator not on Slack", e.g. "U0STAFF1"'
    caught = {what for what, pattern in SLACK_IN_THE_DOMAIN.items() if pattern.search(before)}
    assert caught == {"a slack_ name (a Slack user id column, field or setting)", "Slack named in the domain's words",
                      "a Slack user id kept in the domain (U0123…)"}


def test_slack_listeners_are_module_level_functions_that_register_only_binds():
    """A register(app) binds module-level listeners; it is no long closure holding them (issue 11)."""
    import ast

    long = []
    for path in sorted((FLOWS.parent / "bot").rglob("listeners.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.name == "register":
                if node.end_lineno - node.lineno + 1 > 40:
                    long.append(f"{path.relative_to(FLOWS.parent)}: {node.end_lineno - node.lineno + 1} lines")
    assert long == [], long
