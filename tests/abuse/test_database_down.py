"""The database out of reach in the middle of the day: SQLite locked by another process, PostgreSQL stopped.
Whoever is using the app is told plainly, where they are, that nothing was saved; nothing is half-written; and when
the database is back the same requests simply work, without restarting anything."""
from __future__ import annotations

import glob
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import event, select, text

from bot.errors import DATABASE_UNAVAILABLE
from flows.db import Database
from flows.db.migrate import upgrade
from flows.groups.models import Group
from flows.removals.models import RemovalDecision
from flows.reports.models import UnofficialGroupCase
from bot.settings import SlackSettings as Settings
from flows.wizard.models import WizardDraft
from tests.abuse.support import (
    AGREEMENT,
    APPROVALS,
    MANAGER_2,
    MANAGERS_CHANNEL,
    add_group,
    assert_nothing_leaked,
    click_payload,
    inputs,
    log_removal,
    opened_view,
    row_counts,
    settle,
    submission,
    wait_post,
)
from tests.conftest import (MANAGER, MANAGERS_GROUP, SIGNING_SECRET, STAFF, STAFF_2, STAFF_GROUP, VOLUNTEER, RunningApp,
                            prompt_loop)
from tests.harness.fake_slack import TEAM_ID
from tests.harness.signing import SlackSender
from tests.harness.wsgi_server import WSGIServer

ROOT = Path(__file__).resolve().parents[2]


def settings_for(url: str, fake) -> Settings:
    return Settings(
        _env_file=None, slack_bot_token="xoxb-test-token", slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake.url, database_url=url, staff_usergroup=STAFF_GROUP, pcf_staff_usergroup="pcf-staff",
        senior_managers_usergroup=MANAGERS_GROUP, slack_team_id=TEAM_ID, approvals_channel=APPROVALS,
        managers_channel=MANAGERS_CHANNEL,
    )


@contextmanager
def serving(db: Database, fake):
    from bot.wsgi import create_wsgi_app

    fake.add_user(MANAGER_2, name="dana", real_name="Dana Director")
    fake.add_usergroup(MANAGERS_GROUP, "senior-managers", [MANAGER, MANAGER_2])
    settings = settings_for(db.url, fake)
    with WSGIServer(create_wsgi_app(settings, db)) as server, prompt_loop(settings, db):
        app = RunningApp(server.url, SlackSender(server.url, SIGNING_SECRET), fake, db, settings)
        yield app
        settle(app, quiet_for=0.1)


# --- what a person does while the database is away, and again once it is back ----------------------------------
class Day:
    """A few people mid-task: a wizard at its moderators step and another at its summary, a removal waiting for
    sign-off, the removal and report forms open."""

    def __init__(self, app) -> None:
        self.app = app
        fake = app.fake
        self.group_id = add_group(app.db)
        log_removal(app, STAFF, self.group_id)
        self.sign_off = wait_post(fake, APPROVALS, "removal_approve")
        self.wizard = self._wizard_at("moderators")
        self.summary = self._wizard_at("review")
        self.removal_form = self._open("/log-removal", STAFF_2)
        self.report_form = self._open("/report-unofficial-group", VOLUNTEER)
        settle(app)

    def _open(self, command: str, user: str):
        opens = len(self.app.fake.calls("views.open"))
        assert self.app.sender.command(command, user_id=user).status == 200
        return opened_view(self.app.fake, opens)

    def _wizard_at(self, step: str):
        view_id, view = self._open("/newgroup", STAFF)
        answers = [
            {"kind": "parent_carers"}, {"name": "Amaze Lewes Parent Carers"}, {"agreement_url": AGREEMENT},
            MODERATORS,
        ]
        for answer in answers[: 3 if step == "moderators" else 4]:
            response = self.app.sender.interact(submission(view, STAFF, view_id, **answer))
            assert response.json["response_action"] == "update", response.json
            view = response.json["view"]
        return view_id, view

    # Each returns the answer and the form it answers.
    def submit(self, form, user: str, **values):
        view_id, view = form
        response = self.app.sender.interact(submission(view, user, view_id, **values))
        assert response.status == 200, response
        return response.json, view

    def moderators_step(self):
        return self.submit(self.wizard, STAFF, **MODERATORS)

    def register(self):
        return self.submit(self.summary, STAFF)

    def log_removal(self):
        return self.submit(self.removal_form, STAFF_2, group=str(self.group_id), member_ref="K.L.",
                           kind="permanent", breaches=["language"])

    def report(self):
        return self.submit(self.report_form, VOLUNTEER, name="Amaze Parents Uckfield", where_seen="whatsapp",
                           how_found="A parent told me about it.")

    def approve(self) -> None:
        response = self.app.sender.interact(click_payload(self.sign_off, "removal_approve", MANAGER))
        assert response.status == 200


MODERATORS = {
    "staff_moderators": [STAFF], "out_of_hours": "Alex covers evenings and calls Sam if worried.",
    "emergency_contact": MANAGER, "expected_members": "30",
}


def told_on_the_form(answer: dict, view: dict) -> None:
    """The form stays as filled in, with the message on one of its fields (or on top of it, when it has none)."""
    if inputs(view):
        assert answer["response_action"] == "errors", answer
        [(field, message)] = answer["errors"].items()
        assert field in inputs(view) and message == DATABASE_UNAVAILABLE
    else:
        assert answer["response_action"] == "push", answer
        assert DATABASE_UNAVAILABLE in json.dumps(answer["view"])


def records(db) -> dict:
    with db.transaction() as session:
        return {
            "decisions": [(d.id, d.status) for d in session.scalars(select(RemovalDecision))],
            "groups": [g.name for g in session.scalars(select(Group))],
            "cases": [c.name for c in session.scalars(select(UnofficialGroupCase))],
            "drafts": sorted((d.id, d.step) for d in session.scalars(select(WizardDraft))),
        }


def while_away_and_after(app, day: Day, away, back) -> None:
    fake = app.fake
    kept, counts = records(app.db), row_counts(app.db, records_only=True)
    with away():
        calls = len(fake.calls())
        # A command: the answer comes where it was typed, only to them.
        assert app.sender.command("/newgroup", user_id=STAFF_2, response_url=fake.response_url("ng")).status == 200
        reply = fake.wait_for("response_url", lambda c: c.args.get("_name") == "ng")
        assert reply.args["text"] == DATABASE_UNAVAILABLE and reply.args.get("response_type") == "ephemeral"
        # The wizard opened at once (its trigger would not wait for the database) and says it too.
        wizard = fake.calls("views.open")[-1].response["view"]["id"]
        fake.wait_for("views.update", lambda c: c.args.get("view_id") == wizard
                      and DATABASE_UNAVAILABLE in json.dumps(c.args["view"]))
        # Forms: the message on the form, which keeps what was typed in it.
        for step in (day.moderators_step, day.register, day.log_removal, day.report):
            told_on_the_form(*step())
        # A click: a note only the clicker sees, where they clicked.
        day.approve()
        note = fake.wait_for("chat.postEphemeral", lambda c: c.args.get("user") == MANAGER)
        assert note.args["text"] == DATABASE_UNAVAILABLE
        assert note.args["channel"] == day.sign_off.response["channel"]
        settle(fake)
        told = [c for c in fake.calls()[calls:] if c.method in ("chat.postMessage", "chat.update")
                or (c.method == "views.open" and c.response.get("view", {}).get("id") != wizard)]
        assert told == [], [c.method for c in told]
        assert_nothing_leaked(fake)
    back()

    # Nothing was half-written while it was away.
    assert records(app.db) == kept
    assert row_counts(app.db, records_only=True) == counts

    # Back: the very same steps just work, in the same forms.
    calls = len(fake.calls())
    assert app.sender.command("/newgroup", user_id=STAFF_2).status == 200
    fake.wait_for("views.open", lambda c: fake.calls().index(c) >= calls and c.ok)
    assert day.moderators_step()[0]["response_action"] == "update"
    assert "is registered" in json.dumps(day.register()[0])
    assert "is logged" in json.dumps(day.log_removal()[0])
    assert "Thank you" in json.dumps(day.report()[0])
    day.approve()
    fake.wait_for("chat.update", lambda c: c.args.get("ts") == day.sign_off.response["ts"])
    with app.db.transaction() as session:
        statuses = dict(session.execute(select(RemovalDecision.id, RemovalDecision.status)).all())
    assert sorted(statuses.values()) == ["approved", "awaiting_sign_off"]
    assert [g for g in records(app.db)["groups"] if g == "Amaze Lewes Parent Carers"] == ["Amaze Lewes Parent Carers"]
    settle(app)
    assert_nothing_leaked(fake)


# --- SQLite: another process holds the write lock; or the file is out of reach ------------------------------------
@contextmanager
def sqlite_app(tmp_path, fake, wait_ms: int = 100):
    home = tmp_path / "data"
    home.mkdir()
    url = f"sqlite:///{home / 'app.db'}"
    upgrade(url)
    db = Database(url)

    @event.listens_for(db.engine, "connect")
    def _wait_briefly(dbapi_connection, _record):
        # The app waits 30 s for a lock; a test has no need to (this runs after the app's own settings).
        dbapi_connection.execute(f"PRAGMA busy_timeout={wait_ms}")

    try:
        with serving(db, fake) as app:
            yield app, home
    finally:
        db.dispose()


def sqlite_outages(app, home: Path):
    @contextmanager
    def locked():
        other = sqlite3.connect(home / "app.db", isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()

    @contextmanager
    def gone():
        # As when the disk holding it is unmounted: open connections are dropped, new ones cannot open the file.
        away = home.with_name("data-away")
        home.rename(away)
        app.db.engine.dispose()
        try:
            yield
        finally:
            away.rename(home)

    return {"locked": locked, "gone": gone}


@pytest.mark.parametrize("outage", ["locked", "gone"], ids=["locked by another process", "file out of reach"])
def test_sqlite_out_of_reach_tells_people_and_recovers_by_itself(tmp_path, fake_slack, outage):
    with sqlite_app(tmp_path, fake_slack) as (app, home):
        while_away_and_after(app, Day(app), sqlite_outages(app, home)[outage], lambda: None)


def test_when_the_database_answers_too_late_for_slack_the_person_is_still_told(tmp_path, fake_slack):
    # Slack waits three seconds for the answer to a form; the lock outlasts them.
    with sqlite_app(tmp_path, fake_slack, wait_ms=3300) as (app, home):
        opens = len(fake_slack.calls("views.open"))
        assert app.sender.command("/report-unofficial-group", user_id=VOLUNTEER).status == 200
        form = opened_view(fake_slack, opens)
        with sqlite_outages(app, home)["locked"]():
            view_id, view = form
            response = app.sender.interact(submission(view, VOLUNTEER, view_id, name="Amaze Parents Uckfield",
                                                      where_seen="whatsapp", how_found="A parent told me."))
            assert response.status < 500  # Slack shows its own "trouble connecting" in the form...
            told = fake_slack.wait_for("chat.postMessage", lambda c: c.args.get("channel") == VOLUNTEER)
            assert told.args["text"] == DATABASE_UNAVAILABLE  # ...and the app says what happened
        assert records(app.db)["cases"] == []


def test_a_form_opened_while_the_database_is_out_of_reach_says_so_instead_of_just_a_moment(tmp_path, fake_slack):
    with sqlite_app(tmp_path, fake_slack) as (app, home):
        add_group(app.db)
        with sqlite_outages(app, home)["gone"]():
            opens = len(fake_slack.calls("views.open"))
            command = app.sender.command("/log-removal", user_id=STAFF, response_url=fake_slack.response_url())
            assert command.status == 200
            fake_slack.wait_for("views.open", lambda c: len(fake_slack.calls("views.open")) > opens)
            view_id = fake_slack.calls("views.open")[opens].response["view"]["id"]
            fake_slack.wait_for(
                "views.update",
                lambda c: c.args.get("view_id") == view_id and DATABASE_UNAVAILABLE in json.dumps(c.args["view"]),
                timeout=2,
            )


# --- PostgreSQL: the server stops, then starts again ---------------------------------------------------------------
def _pg_bindir() -> str:
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return str(Path(os.path.realpath(found)).parent)
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True):
        if os.access(f"{candidate}/pg_ctl", os.X_OK):
            return candidate
    pytest.skip("pg_ctl not found")


def _pg_ctl(directory: Path, *args: str) -> None:
    command = [f"{_pg_bindir()}/pg_ctl", "-D", str(directory / "data"), *args]
    if os.geteuid() == 0:  # pg_ctl refuses to run as root; scripts/pg-test-server made the files the postgres user's
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, cwd=directory, check=True, capture_output=True, timeout=120)


def test_postgresql_stopped_mid_run_tells_people_and_recovers_by_itself(fake_slack):
    if not os.environ.get("TEST_POSTGRES_URL"):
        pytest.skip("the PostgreSQL variant runs when TEST_POSTGRES_URL is set")
    # A server of this test's own, to stop and start; its directory must be open to the postgres user, which
    # pytest's own temporary directories are not.
    directory = Path(tempfile.mkdtemp(prefix="gpa-pg-stopped-"))
    script = str(ROOT / "scripts" / "pg-test-server")
    started = subprocess.run([script, str(directory)], capture_output=True, text=True, timeout=300)
    assert started.returncode == 0, started.stderr
    url = started.stdout.strip()
    port = urlsplit(url).port
    db = None
    try:
        upgrade(url)
        db = Database(url)
        with serving(db, fake_slack) as app:
            day = Day(app)

            @contextmanager
            def stopped():
                _pg_ctl(directory, "stop", "-m", "fast", "-w")
                with pytest.raises(urllib.error.HTTPError) as unhealthy:
                    urllib.request.urlopen(f"{app.url}/healthz", timeout=5)
                assert unhealthy.value.code == 503
                yield

            def started_again():
                _pg_ctl(directory, "-l", str(directory / "postgres.log"), "-w", "-t", "60", "start", "-o",
                        f"-h 127.0.0.1 -p {port} -c fsync=off -c synchronous_commit=off -c full_page_writes=off")

            while_away_and_after(app, day, stopped, started_again)
    finally:
        if db is not None:
            db.dispose()
        subprocess.run([script, "stop", str(directory)], capture_output=True, timeout=120)
        shutil.rmtree(directory, ignore_errors=True)


# --- SQLite: the file deleted under the running app ---------------------------------------------------------------
def _health(app) -> int:
    try:
        with urllib.request.urlopen(f"{app.url}/healthz", timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_database_deleted_under_the_running_app_takes_it_out_of_service_and_saves_nothing(tmp_path, fake_slack):
    with sqlite_app(tmp_path, fake_slack) as (app, home):
        group_id = add_group(app.db)
        log_removal(app, STAFF, group_id)
        sign_off = wait_post(fake_slack, APPROVALS, "removal_approve")
        settle(app)
        assert _health(app) == 200
        for name in ("app.db", "app.db-wal", "app.db-shm"):
            (home / name).unlink(missing_ok=True)  # the app's pooled connections are still open

        # The platform's health check takes it out of service...
        assert _health(app) == 503
        # ...and whoever presses a button meanwhile is told nothing was saved, not that it was done.
        calls = len(fake_slack.calls())
        app.sender.interact(click_payload(sign_off, "removal_approve", MANAGER))
        note = fake_slack.wait_for("chat.postEphemeral", lambda c: c.args.get("user") == MANAGER)
        assert note.args["text"] == DATABASE_UNAVAILABLE
        opens = len(fake_slack.calls("views.open"))
        assert app.sender.command("/log-removal", user_id=STAFF_2).status == 200
        fake_slack.wait_for("views.open", lambda c: len(fake_slack.calls("views.open")) > opens)
        view_id = fake_slack.calls("views.open")[opens].response["view"]["id"]
        fake_slack.wait_for("views.update", lambda c: c.args.get("view_id") == view_id
                            and DATABASE_UNAVAILABLE in json.dumps(c.args["view"]))
        settle(fake_slack)
        assert [c for c in fake_slack.calls()[calls:] if c.method == "chat.update"] == []
        # No empty database took the deleted one's place, to be migrated and served as if nothing had happened.
        assert not (home / "app.db").exists()
        upgrade(f"sqlite:///{home / 'app.db'}")  # an empty database again, for the harness to wind down on


def test_health_fails_when_the_schema_is_not_the_one_this_code_was_written_for(running_app):
    assert _health(running_app) == 200
    with running_app.db.transaction() as session:
        head = session.scalar(text("SELECT version_num FROM alembic_version"))
        session.execute(text("UPDATE alembic_version SET version_num = '0001_register'"))
    try:
        assert _health(running_app) == 503
        with running_app.db.transaction() as session:
            session.execute(text("ALTER TABLE alembic_version RENAME TO alembic_version_away"))
        try:
            assert _health(running_app) == 503
        finally:
            with running_app.db.transaction() as session:
                session.execute(text("ALTER TABLE alembic_version_away RENAME TO alembic_version"))
    finally:
        with running_app.db.transaction() as session:
            session.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
    assert _health(running_app) == 200
