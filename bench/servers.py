"""The processes the benchmark runs: both gunicorn servers, the fake Slack, and PostgreSQL when asked for. Each is
started in a session of its own and stopped by its own id when the benchmark ends, however it ends."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STOP_WAIT_SECONDS = 10


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn_command() -> list[str]:
    script = Path(sys.executable).parent / "gunicorn"
    return [str(script)] if script.exists() else [sys.executable, "-m", "gunicorn"]


@dataclass
class Processes:
    """Everything started, stopped in reverse order: politely first, then by force (its own process group)."""

    started: list[subprocess.Popen] = field(default_factory=list)

    def start(self, command: list[str], **kwargs) -> subprocess.Popen:
        # A session of its own: Ctrl-C reaches only the benchmark, which then stops everything in order.
        process = subprocess.Popen(command, cwd=REPO, start_new_session=True, **kwargs)
        self.started.append(process)
        return process

    def stop(self, process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
        if process.poll() is None:
            try:
                process.send_signal(sig)
                process.wait(timeout=STOP_WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # its own group: the workers it forked, nothing else
                process.wait(timeout=STOP_WAIT_SECONDS)
            except ProcessLookupError:
                pass
        if process in self.started:
            self.started.remove(process)

    def stop_all(self) -> None:
        for process in reversed(list(self.started)):
            try:
                self.stop(process)
            except Exception as error:  # noqa: BLE001  (cleanup goes on with the others, whatever one does)
                print(f"bench: could not stop process {process.pid}: {error}", file=sys.stderr)


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def worker_memory_kib(self) -> dict[int, dict[str, int]]:
        return {pid: memory_kib(pid) for pid in self.workers()}

    def worker_cpu_seconds(self) -> float:
        """User + system CPU time the workers have used so far, all their threads together."""
        return sum(cpu_seconds(pid) for pid in self.workers())


def start_gunicorn(processes: Processes, name: str, conf: str, app: str, env: dict[str, str], logs: Path) -> Server:
    port = free_port()
    env = {**env, "PORT": str(port),
           # Overrides the config file's 0.0.0.0: the benchmark's traffic stays on loopback.
           "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port}"}
    log = logs / f"{name}.log"
    with open(log, "ab") as out:
        process = processes.start([*gunicorn_command(), "-c", f"python:{conf}", app], env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
    server = Server(name, process, port, log)
    wait_healthy(server)
    return server


@dataclass
class Background:
    """The clock's prompt loop (bot/prompt.py) in a process of its own, as the Procfile's clock runs it,
    without the clock's daily jobs (which would post reminders for the whole large register mid-run)."""

    process: subprocess.Popen
    log: Path

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.process.pid)

    def memory_kib(self) -> dict[str, int]:
        return memory_kib(self.process.pid)


def start_clock(processes: Processes, name: str, env: dict[str, str], logs: Path) -> Background:
    log = logs / f"{name}.log"
    with open(log, "ab") as out:
        process = processes.start([sys.executable, "-m", "bot.prompt"], env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
    time.sleep(1.0)
    if process.poll() is not None:
        raise RuntimeError(f"{name} stopped at start; see {log}:\n{_tail(log)}")
    return Background(process, log)


def wait_healthy(server: Server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} stopped at start; see {server.log}:\n{_tail(server.log)}")
        try:
            with opener.open(server.url + "/healthz", timeout=2) as response:
                if response.status == 200 and len(server.workers()) > 0:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{server.name} did not answer /healthz within {timeout:.0f}s; see {server.log}")


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def children(pid: int) -> list[int]:
    """The processes a gunicorn master forked: its workers."""
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        found = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            except OSError:
                continue
            if int(fields.get("PPid", "0").strip()) == pid:
                found.append(int(status.parent.name))
        return found


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime from /proc/<pid>/stat (fields 14 and 15, in clock ticks): every thread of the process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    # The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    fields = text[text.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def memory_kib(pid: int) -> dict[str, int]:
    """VmHWM (the peak resident set since the process started) and VmRSS, in KiB."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                values[key] = int(rest.split()[0])
    except OSError:
        pass
    return values


class FakeSlackProcess:
    """tests/harness/fake_slack.py's FakeSlack, served by bench/fake_slack_server.py in a process of its own."""

    def __init__(self, processes: Processes, people: dict) -> None:
        self._processes = processes
        self.process = processes.start(
            [sys.executable, "-m", "bench.fake_slack_server", json.dumps(people)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )
        self.url = self._line()

    def _line(self) -> str:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the fake Slack stopped")
        return line.strip()

    def _ask(self, command: str) -> str:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self._line()

    def set_delay(self, seconds: float) -> None:
        self._ask(f"delay {seconds}")

    def count(self) -> int:
        return int(self._ask("count"))

    def calls(self) -> dict[str, int]:
        return json.loads(self._ask("calls"))

    def publishes(self) -> list[tuple[str, float]]:
        return [(user, at) for user, at in json.loads(self._ask("publishes"))]

    def updates(self) -> list[tuple[str, float]]:
        return [(ts, at) for ts, at in json.loads(self._ask("updates"))]

    def stop(self) -> None:
        try:
            self._ask("quit")
        except (OSError, RuntimeError, ValueError):
            pass
        self._processes.stop(self.process)


class PostgresServer:
    """scripts/pg-test-server: a throwaway PostgreSQL on loopback, deleted when the benchmark ends."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        result = subprocess.run([str(REPO / "scripts" / "pg-test-server"), str(directory)], cwd=REPO,
                                capture_output=True, text=True, timeout=600, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"pg-test-server failed: {result.stderr.strip()[-2000:]}")
        self.url = result.stdout.strip()

    def stop(self) -> None:
        subprocess.run([str(REPO / "scripts" / "pg-test-server"), "stop", str(self.directory)], cwd=REPO,
                       capture_output=True, timeout=120, check=False)
        shutil.rmtree(self.directory, ignore_errors=True)
