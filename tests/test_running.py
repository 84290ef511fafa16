"""The app as the Procfile and the README run it: a real gunicorn process, settings from the environment."""
from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import SIGNING_SECRET, STAFF
from tests.harness.signing import SlackSender

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "STAFF_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def test_without_tokens_the_app_stops_at_once_and_says_what_is_missing(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr and "SLACK_SIGNING_SECRET" in result.stderr
    assert "manifest.yml" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_procfile_web_process_serves_slack_requests(tmp_path, fake_slack):
    command = next(
        line.split(":", 1)[1].strip() for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:")
    )
    port = free_port()
    env = clean_env(
        PORT=str(port), WEB_CONCURRENCY="2", DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}",
        SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake_slack.url,
        STAFF_USERGROUP="S0STAFF",
    )
    server = subprocess.Popen(shlex.split(command), cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not come up: {server.stderr.read() if server.poll() is not None else ''}")
                time.sleep(0.2)
        response = SlackSender(url, SIGNING_SECRET).command("/newgroup", "", user_id=STAFF)
        assert response.status == 200
        opened = fake_slack.wait_for("views.open", timeout=10)
        assert opened.args["view"]["title"]["text"] == "New WhatsApp group"
    finally:
        server.terminate()
        server.wait(timeout=15)
