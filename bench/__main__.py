"""python -m bench [--quick] [--database sqlite|postgresql] [--delays 0,300] [--concurrency 1,8,32] [--requests N]

Runs our app exactly as the Procfile's web: line does (gunicorn -c python:bot.gunicorn_conf bot.asgi:application)
and, beside it on the same server stack, a bare Bolt app that only acknowledges (bench/bare_app.py). Both talk to
the test harness's fake Slack Web API, answering after 0 ms or a Slack-like delay. For each request type, delay
and concurrency it sends the same signed requests to both, alternating batches (ours, bare, bare, ours, ...) so
that noise from other work on the machine falls on both alike, and prints p50/p95/p99/max acknowledgement
latency, ours / bare, peak worker memory, then the same with a large register, the query plans of the hot paths,
and the policy engine's throughput. Every loop is bounded by a count and a time limit; all traffic is loopback.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench import data, load, plans, policy
from bench.bare_app import SPEC_ENV, listener_spec
from bench.servers import (
    FakeSlackProcess,
    PostgresServer,
    Processes,
    Server,
    start_clock,
    start_gunicorn,
)

KINDS = {"newgroup": "/newgroup command", "name_step": "wizard name step", "approve": "Approve click",
         "home": "app_home_opened"}
# Each kind's path in bench/hot_paths.py, whose statements and transactions are counted.
PATHS = {"newgroup": "/newgroup", "name_step": "name step", "approve": "Approve", "home": "app_home_opened"}
# The statements of the work a kind leaves to the clock's prompt loop.
BACKGROUND_PATHS = {"home": "Home refresh (clock)", "approve": "Approve's notices (clock)"}
BATCH_TIME_LIMIT = 120.0
# Approves sent one at a time at a steady pace, well below what the machine can take, for how soon their notices
# reach Slack when it is not saturated (the closed-loop points above send back to back, which saturates it).
PACED_REQUESTS, PACED_PER_SECOND = 40, 4.0
DRAIN_TIME_LIMIT = 120.0
WARMUP_REQUESTS = 12
TARGET_RATIO, TARGET_P99, SLACK_LIMIT, TARGET_GROWTH = 1.3, 0.300, 3.0, 1.3
# issue 15: web-worker CPU per request against the bare app's; p50 at the top concurrency for the kinds that
# acknowledge before their work; worker peak memory; CPU per Home, large register against empty.
TARGET_CPU = {"newgroup": 2.0, "name_step": 2.0, "approve": 2.0, "home": 3.0}
ACK_FIRST, TARGET_ACK_FIRST_P50, TARGET_MEMORY_MIB, TARGET_HOME_GROWTH = ("newgroup", "home"), 1.5, 70, 1.3
TARGET_PUBLISHED = 1.0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run: few requests, concurrency 1 and 8")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite",
                        help="postgresql starts a throwaway server with scripts/pg-test-server")
    parser.add_argument("--delays", default="0,300", help="the fake Slack's answer delays, in ms (default 0,300)")
    parser.add_argument("--concurrency", default=None, help="concurrent senders (default 1,8,32; quick 1,8)")
    parser.add_argument("--requests", type=int, default=None,
                        help="requests per app per point (default 200; quick 16)")
    parser.add_argument("--sizes", default="empty,large", help="registers to run against (empty,large)")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"request types ({','.join(KINDS)})")
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY for both servers (default 2)")
    parser.add_argument("--policy-groups", type=int, default=None,
                        help="groups in the policy throughput CSV (default 10000; quick 2000)")
    parser.add_argument("--max-minutes", type=float, default=25.0,
                        help="stop sending after this long; the points left are listed as skipped")
    parser.add_argument("--listener-threads", type=int, default=None,
                        help="a what-if, not the Procfile: run ours with Bolt's listener pool at N threads "
                             "(bench/variant_wsgi.py; Bolt's default is 5)")
    parser.add_argument("--no-home-refresh", action="store_true",
                        help="a what-if, not the Procfile: run ours without the App Home refresh after each "
                             "interaction (bench/variant_wsgi.py)")
    parser.add_argument("--markdown", type=Path, help="also write the report, as Markdown, to this file")
    parser.add_argument("--keep", action="store_true", help="keep the working directory (logs, database)")
    args = parser.parse_args(argv)
    args.concurrency = _ints(args.concurrency or ("1,8" if args.quick else "1,8,32"))
    args.delays = _ints(args.delays)
    args.requests = args.requests or (16 if args.quick else 200)
    args.policy_groups = args.policy_groups or (2000 if args.quick else 10_000)
    args.sizes = [s for s in args.sizes.split(",") if s]
    args.kinds = [k for k in args.kinds.split(",") if k]
    unknown = [s for s in args.sizes if s not in ("empty", "large")] + [k for k in args.kinds if k not in KINDS]
    if unknown or not args.concurrency or args.requests < 1:
        parser.error(f"unknown or empty choices: {unknown or 'concurrency/requests'}")
    return args


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


# --- results ----------------------------------------------------------------------------------------------------
@dataclass
class Point:
    size: str
    delay_ms: int
    kind: str
    concurrency: int
    ours: load.Summary
    bare: load.Summary
    drain_seconds: float  # from our last acknowledgement until Slack stopped hearing from the app
    # CPU seconds (user + sys) the web workers used while serving the point's requests (ours: their work after
    # the acknowledgements included, until it was done), and the requests served.
    ours_cpu: float = 0.0
    bare_cpu: float = 0.0
    # CPU seconds of the process that does the work after the acknowledgements, when it is not a web worker.
    background_cpu: float = 0.0
    # app_home_opened: seconds from each request's sending until Slack was sent that person's Home; Approve: until
    # its first notice reached Slack.
    published_after: list[float] = field(default_factory=list)

    @property
    def ours_cpu_ms(self) -> float:
        return 1000 * self.ours_cpu / max(self.ours.count, 1)

    @property
    def bare_cpu_ms(self) -> float:
        return 1000 * self.bare_cpu / max(self.bare.count, 1)

    @property
    def background_cpu_ms(self) -> float:
        return 1000 * self.background_cpu / max(self.ours.count, 1)

    @property
    def p50_ratio(self) -> float:
        return self.ours.p50 / self.bare.p50

    @property
    def p99_ratio(self) -> float:
        return self.ours.p99 / self.bare.p99


@dataclass
class Run:
    args: argparse.Namespace
    started: datetime
    database: str
    points: list[Point] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    memory: dict[str, dict[str, list[dict]]] = field(default_factory=dict)
    background_memory: dict[str, dict[str, int]] = field(default_factory=dict)
    paced: list[tuple[str, int, list[float]]] = field(default_factory=list)  # (register, Slack delay ms, waits)
    generated: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    statements: list[plans.Statement] = field(default_factory=list)
    executed: dict[str, int] = field(default_factory=dict)  # statements each hot path ran, by label
    transactions: dict[str, int] = field(default_factory=dict)  # transactions each hot path began, by label
    indexes: dict[str, list[str]] = field(default_factory=dict)
    throughput: policy.Throughput | None = None
    seconds: float = 0.0
    source: str = ""


# --- the run ----------------------------------------------------------------------------------------------------
class Bench:
    def __init__(self, args: argparse.Namespace, workdir: Path, processes: Processes) -> None:
        self.args = args
        self.workdir = workdir
        self.processes = processes
        self.secret = secrets.token_hex(16)
        self.deadline = time.monotonic() + args.max_minutes * 60
        self.postgres: PostgresServer | None = None

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def run(self) -> Run:
        start = time.monotonic()
        args = self.args
        if args.database == "postgresql":
            _progress("starting PostgreSQL (scripts/pg-test-server)")
            # Beside the working directory, not in it: that one is private (0700) and the server runs as postgres.
            self.postgres = PostgresServer(Path(tempfile.gettempdir()) / f"{self.workdir.name}-pg")
            url = self.postgres.url
        else:
            url = f"sqlite:///{self.workdir / 'bench.db'}"
        run = Run(args, datetime.now(UTC), args.database, source=source_state())
        self.fake = FakeSlackProcess(self.processes, data.people())
        self.env = self._environment(url)
        # This process reads the same settings (the bare app's listener list, the hot paths' services).
        os.environ.update(self.env)
        from flows.db import Database
        from flows.db.migrate import upgrade
        from flows.settings import Settings

        upgrade(url)
        self.db = Database(url)
        spec = self.workdir / "bare-listeners.json"
        spec.write_text(json.dumps(listener_spec()))
        self.bare_env = {**self.env, SPEC_ENV: str(spec)}
        with self.db.engine.begin() as connection:
            self.group_id = data.bench_group(connection)

        for size in args.sizes:
            if size == "large":
                _progress("generating the large register (bulk inserts)")
                begun = time.perf_counter()
                with self.db.engine.begin() as connection:
                    data.large_register(connection)
                data.analyze(self.db.engine)
                run.generated["large"] = time.perf_counter() - begun
                _progress(f"  generated in {run.generated['large']:.1f}s")
            with self.db.engine.connect() as connection:
                run.counts = data.row_counts(connection)
            self._phase(size, run)

        self.fake.set_delay(0)
        _progress("recording the hot paths' queries and their plans")
        with self.db.engine.begin() as connection:
            draft = data.name_step_drafts(connection, 1)[0]
            decision = data.decisions_awaiting_sign_off(connection, self.group_id, 1)[0]
        from bench.hot_paths import paths

        settle = lambda: self._drain(0)
        statements, run.executed, run.transactions = plans.record(
            self.db, paths(Settings(_env_file=None), self.db, draft, decision, settle))
        run.statements = plans.explain(self.db, statements)
        run.indexes = plans.indexes(self.db, list(data.LARGE))
        _progress(f"measuring the policy engine on {args.policy_groups} groups")
        run.throughput = policy.measure(self.workdir, args.policy_groups, {**os.environ, **self.env})
        run.seconds = time.monotonic() - start
        self.db.dispose()
        return run

    def stop(self) -> None:
        fake = getattr(self, "fake", None)
        if fake is not None:
            fake.stop()
        self.processes.stop_all()
        if self.postgres is not None:
            self.postgres.stop()

    def _environment(self, url: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "SLACK_APP_TOKEN"}
        env.update({
            "DATABASE_URL": url, "SLACK_API_URL": self.fake.url, "SLACK_BOT_TOKEN": "xoxb-bench-token",
            "SLACK_SIGNING_SECRET": self.secret, "SLACK_TEAM_ID": data.TEAM_ID,
            "WEB_CONCURRENCY": str(self.args.workers), "STAFF_USERGROUP": data.STAFF_GROUP,
            "PCF_STAFF_USERGROUP": data.PCF_GROUP, "SENIOR_MANAGERS_USERGROUP": data.MANAGERS_GROUP,
            "APPROVALS_CHANNEL": data.APPROVALS_CHANNEL, "MANAGERS_CHANNEL": data.MANAGERS_CHANNEL,
            "ADMIN_CHANNEL": data.ADMIN_CHANNEL,
        })
        return env

    # --- one register size: both servers started fresh, so each worker's peak memory is this phase's -----------
    def _phase(self, size: str, run: Run) -> None:
        args = self.args
        points = len(args.delays) * len(args.concurrency)
        _progress(f"[{size}] starting both servers (gunicorn, {args.workers} workers each)")
        entry, env = "bot.asgi:application", self.env
        if args.listener_threads or args.no_home_refresh:
            entry, env = "bench.variant_wsgi:asgi_application", dict(self.env)
            if args.listener_threads:
                env["BENCH_LISTENER_THREADS"] = str(args.listener_threads)
            if args.no_home_refresh:
                env["BENCH_NO_HOME_REFRESH"] = "1"
        ours = start_gunicorn(self.processes, f"ours-{size}", "bot.gunicorn_conf", entry, env, self.workdir)
        self.background = start_clock(self.processes, f"clock-{size}", env, self.workdir)
        bare = start_gunicorn(self.processes, f"bare-{size}", "bench.bare_gunicorn_conf", "bench.bare_app:asgi_application",
                              self.bare_env, self.workdir)
        try:
            needed = args.requests * points + WARMUP_REQUESTS + PACED_REQUESTS * len(args.delays)
            with self.db.engine.begin() as connection:
                self.drafts = data.name_step_drafts(connection, needed if "name_step" in args.kinds else 0)
                self.decisions = data.decisions_awaiting_sign_off(
                    connection, self.group_id, needed if "approve" in args.kinds else 0)
            self.fake.set_delay(0)
            self._warm_up(ours, bare)
            for delay in args.delays:
                self.fake.set_delay(delay / 1000)
                for kind in args.kinds:
                    for concurrency in args.concurrency:
                        label = f"{size} register, {delay} ms, {KINDS[kind]}, {concurrency} concurrent"
                        if self.remaining() <= 0:
                            run.skipped.append(label)
                            continue
                        point = self._point(ours, bare, size, delay, kind, concurrency)
                        run.points.append(point)
                        _progress(f"  {label}: ours p50 {_ms(point.ours.p50)} p99 {_ms(point.ours.p99)} "
                                  f"max {_ms(point.ours.max)} | bare p50 {_ms(point.bare.p50)} p99 "
                                  f"{_ms(point.bare.p99)} | errors {point.ours.error_text}/{point.bare.error_text} | "
                                  f"post-ack work done {point.drain_seconds:.1f}s after the last ack")
            if "approve" in args.kinds:
                for delay in args.delays:
                    if self.remaining() > 0:
                        self.fake.set_delay(delay / 1000)
                        run.paced.append((size, delay, self._paced(ours)))
                        _progress(f"  {size} register, {delay} ms, Approve at {PACED_PER_SECOND:.0f}/s: first notice "
                                  f"p95 {load.percentile(run.paced[-1][2], 95):.2f} s")
            run.memory[size] = {"ours": _memory(ours), "bare": _memory(bare)}
            run.background_memory[size] = self.background.memory_kib()
        finally:
            self.fake.set_delay(0)
            self.processes.stop(self.background.process)
            self.processes.stop(ours.process)
            self.processes.stop(bare.process)

    def _bodies(self, kind: str, count: int) -> list[str]:
        if kind == "newgroup":
            return [load.newgroup_command(n) for n in range(count)]
        if kind == "home":
            return [load.app_home_opened(n) for n in range(count)]
        if kind == "name_step":
            taken, self.drafts = self.drafts[:count], self.drafts[count:]
            return [load.name_step(draft_id, owner) for draft_id, owner in taken]
        taken, self.decisions = self.decisions[:count], self.decisions[count:]
        return [load.approve_click(decision_id, n) for n, decision_id in enumerate(taken)]

    def _warm_up(self, ours: Server, bare: Server) -> None:
        # Each worker builds its app on its first request and asks Slack's auth.test once; the directory cache
        # fills. None of that is what a running app pays per request.
        for kind in self.args.kinds:
            bodies = self._bodies(kind, WARMUP_REQUESTS)
            for server in (ours, bare):
                load.run_batch(server.port, bodies, 4, self.secret, BATCH_TIME_LIMIT)
        self._drain(0)

    def _point(self, ours: Server, bare: Server, size: str, delay: int, kind: str, concurrency: int) -> Point:
        bodies = self._bodies(kind, self.args.requests)
        batches = max(1, min(4, len(bodies) // (3 * concurrency)))
        chunks = [bodies[i::batches] for i in range(batches)]
        samples: dict[str, list[load.Sample]] = {"ours": [], "bare": []}
        cpu = {"ours": 0.0, "bare": 0.0}
        background = 0.0
        drain = 0.0
        for n, chunk in enumerate(chunks):
            # ours, bare, bare, ours, ...: whatever else the machine is doing falls on both alike.
            order = (ours, bare) if n % 2 == 0 else (bare, ours)
            for server in order:
                name = "ours" if server is ours else "bare"
                limit = min(BATCH_TIME_LIMIT, max(self.remaining(), 1.0))
                before, before_background = server.worker_cpu_seconds(), self.background.cpu_seconds()
                batch = load.run_batch(server.port, chunk, concurrency, self.secret, limit)
                samples[name].extend(batch.samples)
                if server is ours:  # the bare app has no work after its acknowledgements
                    drain = max(drain, self._drain(delay / 1000))
                    background += self.background.cpu_seconds() - before_background
                cpu[name] += server.worker_cpu_seconds() - before
        published = (_published_after(samples["ours"], self.fake.publishes()) if kind == "home"
                     else _closed_after(samples["ours"], self.fake.updates()) if kind == "approve" else [])
        return Point(size, delay, kind, concurrency, load.Summary.of(samples["ours"]),
                     load.Summary.of(samples["bare"]), drain, cpu["ours"], cpu["bare"], background, published)

    def _paced(self, ours: Server) -> list[float]:
        bodies = self._bodies("approve", PACED_REQUESTS)
        samples = []
        start = time.monotonic()
        for n, body in enumerate(bodies):
            time.sleep(max(0.0, start + n / PACED_PER_SECOND - time.monotonic()))
            samples.append(load.send(ours.port, body, self.secret))
        self._drain(0.3)
        return _closed_after(samples, self.fake.updates())

    def _drain(self, delay: float) -> float:
        """Wait until the app has finished its work after the acknowledgements (Slack stops hearing from it), so
        that one batch's leftovers do not slow the next; return how long that work went on."""
        quiet = 0.5 + 2 * delay
        start = time.monotonic()
        last, changed = self.fake.count(), start
        while time.monotonic() - changed < quiet and time.monotonic() - start < DRAIN_TIME_LIMIT:
            time.sleep(0.1)
            count = self.fake.count()
            if count != last:
                last, changed = count, time.monotonic()
        return changed - start


def _published_after(samples: list[load.Sample], publishes: list[tuple[str, float]]) -> list[float]:
    """For each Home opened: how long after it was sent the app sent that person's Home to Slack."""
    by_user: dict[str, list[float]] = {}
    for user, at in publishes:
        by_user.setdefault(user, []).append(at)
    waits = []
    for sample in samples:
        user = json.loads(sample.body)["event"]["user"]
        after = [at for at in by_user.get(user, []) if at >= sample.started]
        waits.append(min(after) - sample.started if after else float("inf"))
    return waits


def _closed_after(samples: list[load.Sample], updates: list[tuple[str, float]]) -> list[float]:
    """For each Approve: how long after it was sent its first notice reached Slack (the sign-off request in the
    approvals channel edited to say it is approved; bench/data.py gives that post a ts naming the decision)."""
    by_decision: dict[int, list[float]] = {}
    for ts, at in updates:
        if isinstance(ts, str) and "." in ts:
            by_decision.setdefault(int(ts.split(".", 1)[1]), []).append(at)
    waits = []
    for sample in samples:
        payload = json.loads(urllib.parse.parse_qs(sample.body)["payload"][0])
        decision = int(payload["actions"][0]["value"]) % 1_000_000
        after = [at for at in by_decision.get(decision, []) if at >= sample.started]
        waits.append(min(after) - sample.started if after else float("inf"))
    return waits


def _memory(server: Server) -> list[dict]:
    return [{"pid": pid, **values} for pid, values in sorted(server.worker_memory_kib().items())]


def _progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


# --- the report ---------------------------------------------------------------------------------------------------
def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        load_average = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load_average = "unknown"
    return {"nproc": str(os.cpu_count()), "cpu": model, "memory": memory, "python": platform.python_version(),
            "kernel": platform.release(), "load average at the end": load_average}


def source_state() -> str:
    """Which code was measured: the commit, and how many files differ from it (others work in the same tree)."""
    import subprocess

    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=Path(__file__).parent, text=True,
                              capture_output=True, timeout=10, check=False).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain"], cwd=Path(__file__).parent, text=True,
                                 capture_output=True, timeout=10, check=False).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"commit {head or 'unknown'} with {len(changed)} changed or new paths in the working tree"


def report(run: Run) -> str:
    args = run.args
    out: list[str] = []
    info = machine()
    command = "python -m bench " + " ".join(sys.argv[1:])
    out.append(f"Run on {run.started:%Y-%m-%d %H:%M} UTC, {run.seconds / 60:.1f} minutes: `{command.strip()}`")
    out.append("Machine: " + "; ".join(f"{k} {v}" for k, v in info.items()))
    out.append(f"Code measured: {run.source}")
    changes = ([f"Bolt's listener pool at {args.listener_threads} threads instead of Bolt's default 5"]
               if args.listener_threads else []) + (["no App Home refresh after each interaction"]
                                                     if args.no_home_refresh else [])
    if changes:
        out.append("WHAT-IF RUN, not the Procfile's app: ours with " + " and ".join(changes)
                   + " (bench/variant_wsgi.py).")
    out.append(f"Database: {run.database}; servers: gunicorn as in the Procfile (gthread), WEB_CONCURRENCY="
               f"{args.workers}, the same settings for the bare app; {args.requests} requests per app per point, "
               "sent in alternating batches (ours, bare, bare, ours); each Approve on a different decision; each "
               "name step on a different draft.")
    out.append("")
    out.append("Acknowledgement latency in ms (time until the HTTP response arrives):")
    out.append("")
    out.append("| register | Slack delay | request | conc. | ours p50 | p95 | p99 | max | bare p50 | p95 | p99 | max "
               "| p50 ours/bare | p99 ours/bare | errors ours/bare (by HTTP status; none: no answer in 10 s) "
               "| post-ack work (s) |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for p in run.points:
        out.append(
            f"| {p.size} | {p.delay_ms} ms | {KINDS[p.kind]} | {p.concurrency} | {_ms(p.ours.p50)} | "
            f"{_ms(p.ours.p95)} | {_ms(p.ours.p99)} | {_ms(p.ours.max)} | {_ms(p.bare.p50)} | {_ms(p.bare.p95)} | "
            f"{_ms(p.bare.p99)} | {_ms(p.bare.max)} | {p.p50_ratio:.2f} | {p.p99_ratio:.2f} | "
            f"{p.ours.error_text}/{p.bare.error_text} | {p.drain_seconds:.1f} |")
    if run.skipped:
        out += ["", "Skipped (time limit): " + "; ".join(run.skipped)]
    out += ["", cpu_report(run)]
    homes = [p for p in run.points if p.published_after]
    if homes:
        out += ["", "Work after the acknowledgement, done by the clock's prompt loop (not the web workers): seconds "
                "from the request's sending until Slack was sent the person's Home (app_home_opened) or the "
                "Approve's first notice (its sign-off request edited to say approved):", "",
                "| register | Slack delay | request | conc. | p50 | p95 | max | never |",
                "|---|---|---|---|---|---|---|---|"]
        for size, delay, waits in run.paced:
            done = [w for w in waits if w != float("inf")]
            out.append(f"| {size} | {delay} ms | Approve click at a steady {PACED_PER_SECOND:.0f}/s | 1 | "
                       f"{load.percentile(done, 50):.2f} | {load.percentile(done, 95):.2f} | "
                       f"{max(done, default=float('nan')):.2f} | {len(waits) - len(done)} |")
        for p in homes:
            done = [w for w in p.published_after if w != float("inf")]
            out.append(f"| {p.size} | {p.delay_ms} ms | {KINDS[p.kind]} | {p.concurrency} | "
                       f"{load.percentile(done, 50):.2f} | "
                       f"{load.percentile(done, 95):.2f} | {max(done, default=float('nan')):.2f} | "
                       f"{len(p.published_after) - len(done)} |")
    growth = _growth(run)
    if growth:
        out += ["", "Growth: ours with the large register / ours with the empty one:", "",
                "| Slack delay | request | conc. | p50 empty | p50 large | ratio | p99 empty | p99 large | ratio |",
                "|---|---|---|---|---|---|---|---|---|"]
        for small, large in growth:
            out.append(f"| {small.delay_ms} ms | {KINDS[small.kind]} | {small.concurrency} | {_ms(small.ours.p50)} | "
                       f"{_ms(large.ours.p50)} | {large.ours.p50 / small.ours.p50:.2f} | {_ms(small.ours.p99)} | "
                       f"{_ms(large.ours.p99)} | {large.ours.p99 / small.ours.p99:.2f} |")
    out += ["", "Peak memory of each gunicorn worker (VmHWM), MiB:", ""]
    for size, apps in run.memory.items():
        cells = [f"{name}: " + ", ".join(f"{w.get('VmHWM', 0) / 1024:.0f}" for w in workers)
                 for name, workers in apps.items()]
        background = run.background_memory.get(size, {})
        out.append(f"- {size} register: " + "; ".join(cells)
                   + (f"; the clock's prompt loop (its own process): {background.get('VmHWM', 0) / 1024:.0f}"
                      if background else ""))
    if run.generated:
        out += ["", ("Large register: " + ", ".join(f"{n:,} {t}" for t, n in data.LARGE.items())
                     + f", generated in {run.generated.get('large', 0):.1f} s (Core executemany). Rows in the "
                     + "last register measured: " + ", ".join(f"{t} {n:,}" for t, n in run.counts.items()) + ".")]
    out += ["", "Targets:", ""] + [f"- {line}" for line in targets(run)]
    if run.throughput:
        t = run.throughput
        out += ["", (f"Policy engine: `python -m flows audit` on {t.groups:,} generated groups took "
                     f"{t.command_seconds:.2f} s as a command ({t.command_rate:,.0f} groups/s, start-up and "
                     f"printing included); in process, parsing {t.parse_seconds:.2f} s and checking "
                     f"{t.check_seconds:.2f} s ({t.check_rate:,.0f} checks/s).")]
    out += ["", ("Statements (transactions) each hot path runs (one request each, in this process through "
                 "create_app(), on the last register measured, INSERTs included): "
                 + "; ".join(f"{k} {v} ({run.transactions.get(k, 0)})" for k, v in run.executed.items()))]
    out += ["", ("Query plans of the hot paths (each distinct SELECT/UPDATE recorded as the app ran it, "
                 "explained with its parameters, on the final database):"), "", "```"]
    out += [plans.format_statement(s) for s in run.statements]
    big = set(data.LARGE)
    scans = [s for s in run.statements if s.full_scans(big)]
    out += ["```", "", "Whole-table reads of the large tables among them: " + (
        "; ".join(f"[{s.path}] {' '.join(s.sql.split())[:110]} -> {', '.join(s.full_scans(big))}" for s in scans)
        if scans else "none.")]
    out += ["", "Indexes on the large tables:", "", "```"]
    for table, defs in run.indexes.items():
        out.append(f"{table}:")
        out += [f"    {' '.join(d.split())}" for d in defs]
    out.append("```")
    return "\n".join(out)


def cpu_report(run: Run) -> str:
    """CPU per request of the web workers, ours beside the bare app's, point by point and then per request kind
    (every point of that kind and register together), with the statements and transactions each kind runs."""
    background = any(p.background_cpu for p in run.points)
    out = ["CPU time (user + sys) of the gunicorn web workers per request served, in ms (from /proc/<pid>/stat "
           "before and after each batch; ours until its work after the acknowledgements was done"
           + ("; \"background\": the process that does that work instead of the web workers" if background else "")
           + "):", "",
           "| register | Slack delay | request | conc. | ours CPU ms | bare CPU ms | ours/bare |"
           + (" background CPU ms |" if background else ""),
           "|---|---|---|---|---|---|---|" + ("---|" if background else "")]
    for p in run.points:
        out.append(f"| {p.size} | {p.delay_ms} ms | {KINDS[p.kind]} | {p.concurrency} | {p.ours_cpu_ms:.1f} | "
                   f"{p.bare_cpu_ms:.1f} | {p.ours_cpu_ms / max(p.bare_cpu_ms, 1e-9):.1f}x |"
                   + (f" {p.background_cpu_ms:.1f} |" if background else ""))
    out += ["", "Per request kind (all delays and concurrencies together):", "",
            "| register | request | ours CPU ms | bare CPU ms | ours/bare | target | "
            + ("background CPU ms | " if background else "") + "SQL statements (transactions) |",
            "|---|---|---|---|---|---|" + ("---|" if background else "") + "---|"]
    for (size, kind), row in cpu_by_kind(run).items():
        label = PATHS[kind]
        statements = " + ".join(
            f"{run.executed[k]} ({run.transactions.get(k, 0)}) {k.split(', ', 1)[1] if ', ' in k else ''}".strip()
            for k in run.executed if k == label or k.startswith(label + ", ")) or "-"
        if kind in BACKGROUND_PATHS and BACKGROUND_PATHS[kind] in run.executed:
            later = BACKGROUND_PATHS[kind]
            statements += f"; then in the clock {run.executed[later]} ({run.transactions.get(later, 0)})"
        out.append(f"| {size} | {KINDS[kind]} | {row['ours']:.1f} | {row['bare']:.1f} | {row['ratio']:.1f}x | "
                   f"<= {TARGET_CPU[kind]:.0f}x |" + (f" {row['background']:.1f} |" if background else "")
                   + f" {statements} |")
    return "\n".join(out)


def cpu_by_kind(run: Run) -> dict[tuple[str, str], dict[str, float]]:
    rows: dict[tuple[str, str], dict[str, float]] = {}
    for p in run.points:
        row = rows.setdefault((p.size, p.kind), {"ours_cpu": 0.0, "bare_cpu": 0.0, "background_cpu": 0.0,
                                                 "ours_n": 0, "bare_n": 0})
        row["ours_cpu"] += p.ours_cpu
        row["bare_cpu"] += p.bare_cpu
        row["background_cpu"] += p.background_cpu
        row["ours_n"] += p.ours.count
        row["bare_n"] += p.bare.count
    for row in rows.values():
        row["ours"] = 1000 * row["ours_cpu"] / max(row["ours_n"], 1)
        row["bare"] = 1000 * row["bare_cpu"] / max(row["bare_n"], 1)
        row["background"] = 1000 * row["background_cpu"] / max(row["ours_n"], 1)
        row["ratio"] = row["ours"] / max(row["bare"], 1e-9)
    return rows


def _growth(run: Run) -> list[tuple[Point, Point]]:
    empty = {(p.delay_ms, p.kind, p.concurrency): p for p in run.points if p.size == "empty"}
    return [(empty[(p.delay_ms, p.kind, p.concurrency)], p) for p in run.points
            if p.size == "large" and (p.delay_ms, p.kind, p.concurrency) in empty]


def targets(run: Run) -> list[str]:
    lines = []
    points = run.points
    over = [p for p in points if p.p50_ratio > TARGET_RATIO]
    lines.append(f"p50 ours <= {TARGET_RATIO} x bare: {'met' if not over else 'MISSED'}: met at "
                 f"{len(points) - len(over)} of {len(points)} points"
                 + (" (missed at: " + "; ".join(_where(p) + f" {p.p50_ratio:.2f}x" for p in over) + ")" if over else ""))
    top = max(run.args.concurrency)
    at_top = [p for p in points if p.concurrency == top]
    slow = [p for p in at_top if p.ours.p99 >= TARGET_P99]
    lines.append(f"p99 < {TARGET_P99 * 1000:.0f} ms at {top} concurrent: {'met' if not slow else 'MISSED'}: met at "
                 f"{len(at_top) - len(slow)} of {len(at_top)} points"
                 + (" (missed at: " + "; ".join(_where(p) + f" {_ms(p.ours.p99)} ms" for p in slow) + ")" if slow else ""))
    late = [p for p in points if p.ours.max > SLACK_LIMIT or p.ours.errors]
    worst = max(points, key=lambda p: p.ours.max) if points else None
    lines.append(f"no acknowledgement later than {SLACK_LIMIT:.0f} s: {'met' if not late else 'MISSED'}; "
                 f"slowest {_ms(worst.ours.max) if worst else '-'} ms ({_where(worst) if worst else '-'})"
                 + (" (late or failed at: " + "; ".join(f"{_where(p)} max {_ms(p.ours.max)} ms, {p.ours.late} late, "
                                                        f"{p.ours.errors} errors" for p in late) + ")" if late else ""))
    by_kind = cpu_by_kind(run)
    for (size, kind), row in by_kind.items():
        lines.append(f"web-worker CPU per request within {TARGET_CPU[kind]:.0f}x of the bare app ({size} register, "
                     f"{KINDS[kind]}): {'met' if row['ratio'] <= TARGET_CPU[kind] else 'MISSED'}: "
                     f"{row['ours']:.1f} ms against {row['bare']:.1f} ms, {row['ratio']:.1f}x")
    if ("empty", "home") in by_kind and ("large", "home") in by_kind:
        growth_cpu = by_kind[("large", "home")]["ours"] / max(by_kind[("empty", "home")]["ours"], 1e-9)
        lines.append(f"CPU per Home, large register / empty, within {TARGET_HOME_GROWTH}: "
                     f"{'met' if growth_cpu <= TARGET_HOME_GROWTH else 'MISSED'}: {growth_cpu:.2f}x")
    quick = [p for p in at_top if p.kind in ACK_FIRST]
    over_p50 = [p for p in quick if p.p50_ratio > TARGET_ACK_FIRST_P50]
    if quick:
        lines.append(f"p50 at {top} concurrent within {TARGET_ACK_FIRST_P50}x of the bare app for the kinds that "
                     f"acknowledge before their work ({', '.join(KINDS[k] for k in ACK_FIRST)}): "
                     f"{'met' if not over_p50 else 'MISSED'}: "
                     + "; ".join(f"{_where(p)} {p.p50_ratio:.2f}x" for p in quick))
    for size, delay, waits in run.paced:
        p95 = load.percentile(waits, 95)
        lines.append(f"a notice reaches Slack within {TARGET_PUBLISHED:.0f} s at the 95th percentile when the machine "
                     f"is not saturated ({size} register, Slack at {delay} ms, Approve at {PACED_PER_SECOND:.0f}/s): "
                     f"{'met' if p95 <= TARGET_PUBLISHED else 'MISSED'}: p95 {p95:.2f} s")
    for kind, what in (("home", "a Home opened"), ("approve", "an Approve's first notice")):
        for concurrency in sorted({p.concurrency for p in points}):
            waits = [w for p in points if p.kind == kind and p.concurrency == concurrency for w in p.published_after]
            if waits:
                p95 = load.percentile(waits, 95)
                lines.append(f"{what} reaches Slack within {TARGET_PUBLISHED:.0f} s at the 95th percentile, "
                             f"{concurrency} concurrent: {'met' if p95 <= TARGET_PUBLISHED else 'MISSED'}: p95 "
                             f"{p95:.2f} s over {len(waits)} requests")
    peaks = [w.get("VmHWM", 0) / 1024 for apps in run.memory.values() for w in apps.get("ours", [])]
    if peaks:
        lines.append(f"worker peak memory under {TARGET_MEMORY_MIB} MiB: "
                     f"{'met' if max(peaks) < TARGET_MEMORY_MIB else 'MISSED'}: at most {max(peaks):.0f} MiB")
    growth = _growth(run)
    grew = [(s, g) for s, g in growth if g.ours.p50 / s.ours.p50 >= TARGET_GROWTH]
    if growth:
        lines.append(f"large / empty p50 < {TARGET_GROWTH}: {'met' if not grew else 'MISSED'}: met at "
                     f"{len(growth) - len(grew)} of {len(growth)} points"
                     + (" (missed at: " + "; ".join(_where(g) + f" {g.ours.p50 / s.ours.p50:.2f}x" for s, g in grew) + ")"
                        if grew else ""))
    return lines


def _where(p: Point) -> str:
    return f"{p.size}/{p.delay_ms} ms/{p.kind}/c{p.concurrency}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    workdir = Path(tempfile.mkdtemp(prefix="gpa-bench-"))
    processes = Processes()

    def terminate(signum, frame):
        raise KeyboardInterrupt

    # Explicitly, also for SIGINT: a process started in the background may inherit SIGINT ignored.
    signal.signal(signal.SIGINT, terminate)
    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)
    bench = Bench(args, workdir, processes)
    try:
        run = bench.run()
    except KeyboardInterrupt:
        _progress("interrupted: stopping every process the benchmark started")
        return 130
    finally:
        bench.stop()
        if args.keep:
            _progress(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    text = report(run)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
