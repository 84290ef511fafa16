"""The Procfile's web: line as production runs it, on loopback: several instances on one machine, hostile clients."""
from __future__ import annotations

import shlex
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import SIGNING_SECRET, STAFF_GROUP
from tests.test_running import ROOT, clean_env, free_port


def web_command() -> list[str]:
    line = next(entry for entry in (ROOT / "Procfile").read_text().splitlines() if entry.startswith("web:"))
    return shlex.split(line.split(":", 1)[1].strip())


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def web_process(tmp_path: Path, fake_slack, database: Path | None = None, **extra: str):
    """The web: line with its settings in the environment; yields (url, process) once /healthz answers."""
    port = free_port()
    env = clean_env(
        PORT=str(port), WEB_CONCURRENCY="2", DATABASE_URL=f"sqlite:///{database or tmp_path / 'app.db'}",
        SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake_slack.url,
        STAFF_USERGROUP=STAFF_GROUP, GUNICORN_CMD_ARGS=f"--bind 127.0.0.1:{port}", **extra,
    )
    log = open(tmp_path / f"web-{port}.log", "w+")
    server = subprocess.Popen(web_command(), cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 40
        while not healthy(url):
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"gunicorn did not come up: {log.read()[-3000:]}")
            time.sleep(0.2)
        yield url, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def test_two_instances_on_one_machine_leave_each_other_alone(tmp_path, fake_slack):
    home = tmp_path / "home"
    home.mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    same_home = {"HOME": str(home), "XDG_RUNTIME_DIR": ""}
    with web_process(tmp_path / "a", fake_slack, **same_home) as (first, _):
        with web_process(tmp_path / "b", fake_slack, **same_home) as (second, _):
            assert healthy(first) and healthy(second)
        # The second's shutdown took nothing of the first's with it.
        assert healthy(first)
    assert not (home / ".gunicorn").exists(), "a control socket was opened in the shared HOME"
