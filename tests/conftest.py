"""Shared fixtures: a real database (SQLite always, PostgreSQL when TEST_POSTGRES_URL is set), the local fake of
Slack's Web API, and the app itself served over real HTTP on a free port."""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass

# Before flows.settings is imported: a developer's own .env (tokens, channels) must not reach the tests or the
# processes they start; every test says what it sets.
os.environ["GROUP_POLICY_ENV_FILE"] = os.devnull

import pytest
from sqlalchemy import text

from flows.db import Base, Database
from flows.db.migrate import upgrade
from bot.settings import SlackSettings as Settings
from tests.harness.fake_slack import FakeSlack
from tests.harness.signing import SlackSender
from tests.harness.wsgi_server import WSGIServer

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"

# The people of the test workspace.
STAFF = "U0STAFF1"
STAFF_2 = "U0STAFF2"
PCF_STAFF = "U0PCF001"
VOLUNTEER = "U0VOLUN1"
MANAGER = "U0MANAGR"
GUEST = "U0GUEST1"
PEOPLE = {
    STAFF: "Alex Morgan",
    STAFF_2: "Bea Hughes",
    PCF_STAFF: "Priya Shah",
    VOLUNTEER: "Val Jones",
    MANAGER: "Sam Senior",
    GUEST: "Gus Guest",
}
STAFF_GROUP, PCF_GROUP, MANAGERS_GROUP = "S0STAFF", "S0PCFSTAFF", "S0MANAGERS"


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get("TEST_POSTGRES_URL") else ["sqlite"]


@pytest.fixture(scope="session")
def postgres_url():
    url = os.environ.get("TEST_POSTGRES_URL")
    if url:
        upgrade(url)
    return url


@pytest.fixture(params=_backends())
def database_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.db'}"
        upgrade(url)
        return url
    url = request.getfixturevalue("postgres_url")
    db = Database(url)
    with db.transaction() as session:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.dispose()
    return url


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def fake_slack_server():
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def fake_slack(fake_slack_server):
    fake = fake_slack_server
    fake.reset()
    for user_id, name in PEOPLE.items():
        fake.add_user(user_id, name=name.split()[0].lower(), real_name=name, is_restricted=user_id == GUEST)
    fake.add_usergroup(STAFF_GROUP, "staff", [STAFF, STAFF_2, MANAGER, GUEST])
    fake.add_usergroup(PCF_GROUP, "pcf-staff", [PCF_STAFF])
    fake.add_usergroup(MANAGERS_GROUP, "senior-managers", [MANAGER])
    return fake


@pytest.fixture
def settings(database_url, fake_slack):
    return Settings(
        _env_file=None,
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.url,
        database_url=database_url,
        staff_usergroup=STAFF_GROUP,
        pcf_staff_usergroup="pcf-staff",  # by handle: resolved through usergroups.list
        senior_managers_usergroup=MANAGERS_GROUP,
    )


@dataclass
class RunningApp:
    url: str
    sender: SlackSender
    fake: FakeSlack
    db: Database
    settings: Settings


@pytest.fixture
def running_app(settings, db, fake_slack):
    from bot.wsgi import create_wsgi_app

    with WSGIServer(create_wsgi_app(settings, db)) as server, prompt_loop(settings, db):
        yield RunningApp(
            url=server.url, sender=SlackSender(server.url, SIGNING_SECRET), fake=fake_slack, db=db, settings=settings
        )


@contextmanager
def prompt_loop(settings, db):
    """The clock's prompt loop beside the app, as the Procfile runs it: it delivers the notices and publishes the
    Homes the app queues."""
    from bot import prompt

    loop = prompt.build(settings, db)
    stop = threading.Event()
    beside = threading.Thread(target=loop.run, args=(stop, 0.02), name="prompt-loop", daemon=True)
    beside.start()
    try:
        yield loop
    finally:
        stop.set()
        beside.join(timeout=10)
        loop.close()
