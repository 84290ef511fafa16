"""What a newcomer trips over first: the commands the README gives, run as a person runs them."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEADER = "kind,name,description,agreement_url,moderators,expected_members,out_of_hours,emergency_contact,moderation_plan"


def flows_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env["PYTHONPATH"] = str(ROOT)
    env["GROUP_POLICY_ENV_FILE"] = os.devnull
    env.update(extra)
    return env


def test_audit_piped_into_head_stops_quietly(tmp_path):
    rows = [f'informal_social,Amaze mums {n},,,"Claire Smith (staff); Dev (volunteer)",,,,' for n in range(5000)]
    big = tmp_path / "big.csv"
    big.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    audit = subprocess.Popen([sys.executable, "-m", "flows", "audit", str(big)], cwd=tmp_path, env=flows_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        first = audit.stdout.readline()
        audit.stdout.close()  # what `| head -1` does after its line
        stderr = audit.stderr.read().decode()
        audit.wait(timeout=60)
    finally:
        if audit.poll() is None:
            audit.kill()
            audit.wait()
    assert first.split() == [b"Row", b"Name", b"Kind", b"Registrable", b"Blocking", b"Advice"]
    assert stderr == ""
    assert audit.returncode in (0, 141)


def test_the_example_csv_audits_without_a_read_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "flows", "audit", str(ROOT / "examples" / "groups.csv")],
                          cwd=tmp_path, env=flows_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode in (0, 1), done.stderr
    assert "Checked 3 groups: 2 registrable, 1 blocked." in done.stdout


def test_audit_help_names_every_column_and_how_moderators_are_written(tmp_path):
    from flows.policy.parse import CSV_COLUMNS, CSV_OPTIONAL_COLUMNS

    done = subprocess.run([sys.executable, "-m", "flows", "audit", "--help"], cwd=tmp_path, env=flows_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    listed = {line.split()[0] for line in done.stdout.splitlines() if line.startswith("  ") and line.split()}
    assert set(CSV_COLUMNS) <= listed
    assert all(column in done.stdout for column in CSV_OPTIONAL_COLUMNS)
    assert '"Name (role); Name (role)"' in done.stdout and "examples/groups.csv" in done.stdout


def configuration_table() -> set[str]:
    """The setting names in the first column of the README's Configuration table."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", line.split("|")[1]))
    return names


@pytest.mark.parametrize("settings_class", ["flows.settings:Settings", "bot.settings:SlackSettings",
                                            "teams.settings:TeamsSettings"])
def test_every_setting_is_in_the_readme_configuration_table(settings_class):
    import importlib

    module, _, name = settings_class.partition(":")
    fields = getattr(importlib.import_module(module), name).model_fields
    missing = sorted(field.upper() for field in fields if field.upper() not in configuration_table())
    assert missing == [], f"add these to README.md's Configuration table: {', '.join(missing)}"


def test_the_domain_settings_hold_nothing_of_slack():
    from bot.settings import SlackSettings
    from flows.settings import Settings

    slack_only = {"slack_bot_token", "slack_signing_secret", "slack_app_token", "slack_api_url", "slack_team_id",
                  "slack_timeout_seconds", "staff_usergroup", "pcf_staff_usergroup", "senior_managers_usergroup",
                  "staff_user_ids", "pcf_staff_user_ids", "senior_manager_user_ids", "approvals_channel",
                  "managers_channel", "admin_channel", "line_managers"}
    assert slack_only <= set(SlackSettings.model_fields)
    assert slack_only & set(Settings.model_fields) == set()


def test_env_example_names_the_channels_the_workflows_need():
    from dotenv import dotenv_values

    example = dotenv_values(ROOT / ".env.example")
    assert {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "APPROVALS_CHANNEL", "MANAGERS_CHANNEL", "ADMIN_CHANNEL"} <= set(example)


def test_make_run_starts_the_app_and_the_clock_and_ctrl_c_stops_both(tmp_path, fake_slack):
    import signal
    import socket
    import threading
    import time
    import urllib.request

    from tests.conftest import SIGNING_SECRET
    from tests.test_running import clean_env, free_port

    port = free_port()
    env = clean_env(PORT=str(port), WEB_CONCURRENCY="1", DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}",
                    SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake_slack.url,
                    CLOCK_INTERVAL_SECONDS="0.2")
    # What `make run` runs, in a session of its own so Ctrl-C can go to the whole group as a terminal sends it.
    run = subprocess.Popen([sys.executable, "-m", "bot"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(run.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        served = False
        while time.monotonic() < deadline and run.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    served = response.status == 200
            except OSError:
                pass
            if served and any("clock started" in line for line in output):
                break
            time.sleep(0.2)
        assert served, "".join(output)
        assert any("clock started" in line for line in output), "".join(output)
        os.killpg(run.pid, signal.SIGINT)
        run.wait(timeout=30)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    reader.join(timeout=10)
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):
        os.killpg(run.pid, 0)  # nothing of the group is left running
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    assert "Traceback" not in "".join(output)



# CI has ../shared/ beside the clone; elsewhere CHECK_MANIFEST may name the checker.
CHECK_MANIFEST = Path(os.environ.get("CHECK_MANIFEST") or ROOT.parent / "shared" / "tools" / "check-manifest")
MANIFESTS = ("manifest.yml", "manifest.socket-mode.yml")


def without_mode(manifest: dict) -> dict:
    """The manifest less what only one way of reaching the app needs: request URLs and the Socket Mode switch."""
    import copy

    rest = copy.deepcopy(manifest)
    for command in rest["features"]["slash_commands"]:
        command.pop("url", None)
    for section in ("event_subscriptions", "interactivity"):
        rest["settings"][section].pop("request_url", None)
    rest["settings"].pop("socket_mode_enabled")
    return rest


def test_the_http_and_socket_mode_manifests_differ_only_in_how_slack_reaches_the_app():
    import yaml

    http, socket_mode = (yaml.safe_load((ROOT / name).read_text(encoding="utf-8")) for name in MANIFESTS)
    assert http["settings"]["socket_mode_enabled"] is False
    assert socket_mode["settings"]["socket_mode_enabled"] is True
    urls = [c["url"] for c in http["features"]["slash_commands"]] + [
        http["settings"][s]["request_url"] for s in ("event_subscriptions", "interactivity")]
    assert set(urls) == {"https://YOUR-HOST/slack/events"}  # the path bot/wsgi.py serves Slack on
    assert without_mode(http) == without_mode(socket_mode)


@pytest.mark.parametrize("name", MANIFESTS)
def test_each_manifest_passes_slacks_manifest_schema(name):
    if not CHECK_MANIFEST.is_file():
        pytest.skip(f"Slack's manifest checker is not beside the clone ({CHECK_MANIFEST})")
    pytest.importorskip("jsonschema", reason="the checker's jsonschema is not installed (pip install -e '.[test]')")
    done = subprocess.run([sys.executable, str(CHECK_MANIFEST), str(ROOT / name)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_new_migration_is_generated_against_the_newest_schema_without_a_database_of_ones_own(tmp_path):
    from alembic.script import ScriptDirectory
    from sqlalchemy import Column, Integer, Table

    from flows.db import Base
    from flows.db.migrate import alembic_config, revision

    (head,) = ScriptDirectory.from_config(alembic_config()).get_heads()
    probe = Table("papercut_probe", Base.metadata, Column("id", Integer, primary_key=True))
    try:
        written = revision("add the papercut probe", into=tmp_path)
    finally:
        Base.metadata.remove(probe)
    assert [p.name for p in tmp_path.iterdir()] == [written.name]
    assert written.name.endswith("_add_the_papercut_probe.py") and written.name[:4].isdigit()
    text = written.read_text()
    # Compared with a database at the newest migration: only the change is in it, not the whole schema again.
    assert "op.create_table('papercut_probe'" in text and "'groups'" not in text
    assert f"down_revision = {head!r}" in text


def test_the_migration_command_as_the_readme_gives_it_needs_a_message(tmp_path):
    done = subprocess.run([sys.executable, "-m", "flows.db.migrate"], cwd=tmp_path, env=flows_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Usage" in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_relative_database_path_means_the_projects_folder_whatever_folder_a_command_runs_in(tmp_path):
    from flows.db import Database
    from flows.db.migrate import upgrade
    from tests.test_export import JANUARY, add_group

    kept = tmp_path / "kept" / "app.db"
    kept.parent.mkdir()
    upgrade(f"sqlite:///{kept}")
    db = Database(f"sqlite:///{kept}")
    with db.transaction() as session:
        add_group(session, "Amaze Hove Parent Carers", JANUARY)
    db.dispose()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    relative = os.path.relpath(kept, ROOT)  # as a .env beside README.md would say it
    done = subprocess.run([sys.executable, "-m", "flows", "export", "--out", "out"], cwd=elsewhere,
                          env=flows_env(DATABASE_URL=f"sqlite:///{relative}"), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "groups.csv: 1 row" in done.stdout
    assert sorted(p.name for p in elsewhere.iterdir()) == ["out"]  # no empty database made here


def test_the_default_database_and_env_file_are_the_projects(tmp_path, monkeypatch):
    from flows import settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert settings.Settings(_env_file=None).database_url == f"sqlite:///{ROOT / 'group-policy-assistant.db'}"
    assert settings.PROJECT_ROOT == ROOT
    env = {k: v for k, v in flows_env().items() if k != "GROUP_POLICY_ENV_FILE"}
    done = subprocess.run([sys.executable, "-c", "from flows.settings import ENV_FILE; print(ENV_FILE)"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == str(ROOT / ".env"), done.stderr


def test_export_from_a_database_that_is_not_there_says_where_it_looked(tmp_path):
    missing = tmp_path / "no-such.db"
    done = subprocess.run([sys.executable, "-m", "flows", "export", "--out", str(tmp_path / "out")], cwd=tmp_path,
                          env=flows_env(DATABASE_URL=f"sqlite:///{missing}"), capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    assert f"there is no database at {missing}" in done.stderr and "Wrote" not in done.stdout
    assert not missing.exists()
