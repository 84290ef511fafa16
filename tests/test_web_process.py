"""The Procfile's web: line as production runs it, on loopback: several instances on one machine, hostile clients."""
from __future__ import annotations

import select
import shlex
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import SIGNING_SECRET, STAFF_GROUP, VOLUNTEER
from tests.harness.signing import SlackSender
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


# --- hostile clients ------------------------------------------------------------------------------------------------
SLOW_SENDERS = 32
MiB = 1024 * 1024


def slow_sender(port: int) -> socket.socket:
    """A connection that announces a 1 MB body and sends 10 bytes of it, then nothing."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=5)
    conn.sendall(b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded"
                 b"\r\nContent-Length: 1000000\r\n\r\n" + b"token=abcd")
    return conn


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def test_slow_senders_cannot_hold_up_slack_requests(tmp_path, fake_slack):
    with web_process(tmp_path, fake_slack) as (url, _):
        port = int(url.rsplit(":", 1)[1])
        sender = SlackSender(url, SIGNING_SECRET, timeout=10)
        held = [slow_sender(port) for _ in range(SLOW_SENDERS)]
        try:
            time.sleep(0.5)  # they are all in, each holding whatever reads its body
            slowest = 0.0
            for _ in range(8):
                started = time.monotonic()
                response = sender.command("/report-unofficial-group", user_id=VOLUNTEER)
                slowest = max(slowest, time.monotonic() - started)
                assert response.status == 200
            assert slowest < 3.0, f"a signed command took {slowest:.2f}s with {SLOW_SENDERS} slow senders"
        finally:
            for conn in held:
                conn.close()


def test_a_huge_body_is_refused_before_it_is_read(tmp_path, fake_slack):
    with web_process(tmp_path, fake_slack) as (url, server):
        port = int(url.rsplit(":", 1)[1])
        for _ in range(6):
            assert healthy(url)  # both workers have served something: their memory is as it will stay
        workers = worker_pids(server.pid)
        before = {pid: rss_kib(pid) for pid in workers}
        conn = socket.create_connection(("127.0.0.1", port), timeout=5)
        try:
            conn.sendall(b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         b"Content-Length: " + str(100 * MiB).encode() + b"\r\n\r\n")
            chunk = b"x" * MiB
            for _ in range(100):  # a body of 100 MB, for as long as the server takes it
                readable, _, _ = select.select([conn], [], [], 0)
                if readable:
                    break
                try:
                    conn.sendall(chunk)
                except OSError:  # the server closed the connection: it will not read the rest
                    break
            answer = conn.recv(4096)
        finally:
            conn.close()
        assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
        grown = {pid: rss_kib(pid) - before[pid] for pid in workers}
        assert max(grown.values()) < 20 * 1024, f"workers' memory grew by {grown} KiB"
        assert healthy(url)
