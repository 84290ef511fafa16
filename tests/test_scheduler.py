"""Scheduled jobs run once per due time however many schedulers run, and not before they are due; the clock
process keeps going through errors and stops on SIGTERM."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select

from bot.clock import Clock
from bot.delivery import Deliverer, delivery_client
from flows.db import Database
from flows.groups.models import Group
from bot.calls import enqueue
from flows.outbox import Notice as OutboxMessage
from flows.scheduler import JobRegistry, JobRun, Scheduler, run_once
from tests.support import TestClock

ROOT = Path(__file__).resolve().parent.parent
ADMIN_CHANNEL = "C0ADMIN"


def utc(day, hour, minute=0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=timezone.utc)


# The test subject: a real job, as later workflows will write theirs. It tells the admins each morning how many
# groups are on the register.
registry = JobRegistry()


@registry.daily(time(9, 0), name="register-summary")
def register_summary(session, run):
    groups = session.scalar(select(func.count()).select_from(Group))
    enqueue(session, "chat.postMessage",
            {"channel": ADMIN_CHANNEL, "text": f"Good morning: {groups} WhatsApp groups are on the register."})


def summaries(db) -> list[str]:
    with db.transaction() as session:
        return [m.data["args"]["text"] for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def runs(db) -> list[tuple[str, str]]:
    with db.transaction() as session:
        return [(r.job, r.due_key) for r in session.scalars(select(JobRun).order_by(JobRun.id))]


def test_two_schedulers_at_the_same_due_time_run_the_job_once(db):
    clock = TestClock(utc(24, 9, 0))
    databases = [Database(db.url) for _ in range(2)]  # as two processes would have
    schedulers = [Scheduler(d, registry, clock=clock) for d in databases]
    start = threading.Barrier(2)
    ran = []

    def tick(scheduler):
        start.wait()
        ran.append(scheduler.run_due())

    threads = [threading.Thread(target=tick, args=(s,)) for s in schedulers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for d in databases:
        d.dispose()

    assert sorted(ran) == [[], ["register-summary"]]
    assert summaries(db) == ["Good morning: 0 WhatsApp groups are on the register."]
    assert runs(db) == [("register-summary", "2026-11-24")]


def test_a_daily_job_does_not_run_before_its_time_and_runs_once_that_day(db):
    clock = TestClock(utc(24, 8, 59))
    scheduler = Scheduler(db, registry, clock=clock)
    assert scheduler.run_due() == []
    assert summaries(db) == [] and runs(db) == []

    clock.set(utc(24, 9, 0))
    assert scheduler.run_due() == ["register-summary"]
    clock.set(utc(24, 17, 30))
    assert scheduler.run_due() == []
    clock.set(utc(25, 8, 0))
    assert scheduler.run_due() == []
    clock.set(utc(25, 9, 1))
    assert scheduler.run_due() == ["register-summary"]
    assert len(summaries(db)) == 2


def test_daily_times_are_uk_times(db):
    # 08:30 UTC in July is 09:30 in the UK (BST): the 9 o'clock job is due.
    clock = TestClock(datetime(2026, 7, 1, 8, 30, tzinfo=timezone.utc))
    assert Scheduler(db, registry, clock=clock).run_due() == ["register-summary"]


def test_a_periodic_job_runs_once_per_period(db):
    hourly = JobRegistry()
    checks = []

    @hourly.every(timedelta(hours=1))
    def moderator_check(session, run):
        checks.append(run.due_key)

    clock = TestClock(utc(24, 10, 15))
    scheduler = Scheduler(db, hourly, clock=clock)
    assert scheduler.run_due() == ["moderator-check"]
    clock.set(utc(24, 10, 59))
    assert scheduler.run_due() == []
    clock.set(utc(24, 11, 0))
    assert scheduler.run_due() == ["moderator-check"]
    assert checks == ["2026-11-24T10:00:00+00:00", "2026-11-24T11:00:00+00:00"]


def test_a_job_that_fails_leaves_nothing_behind_and_runs_again_next_tick(db):
    flaky = JobRegistry()
    attempts = []

    @flaky.every(3600, name="flaky")
    def flaky_job(session, run):
        enqueue(session, "chat.postMessage", {"channel": ADMIN_CHANNEL, "text": "half-done work"})
        attempts.append(run.due_key)
        if len(attempts) == 1:
            raise RuntimeError("the directory was unreachable")

    @flaky.every(3600, name="steady")
    def steady_job(session, run):
        pass

    scheduler = Scheduler(db, flaky, clock=TestClock(utc(24, 10, 0)))
    assert scheduler.run_due() == ["steady"]  # one job failing does not stop the others
    assert summaries(db) == [] and runs(db) == [("steady", "2026-11-24T10:00:00+00:00")]
    assert scheduler.run_due() == ["flaky"]
    assert summaries(db) == ["half-done work"]


def test_run_once_claims_each_key_once(db):
    with db.transaction() as session:
        assert run_once(session, "a3-circulate", "group:12:2026-11-24") is True
        assert run_once(session, "a3-circulate", "group:12:2026-11-24") is False
        assert run_once(session, "a3-circulate", "group:13:2026-11-24") is True
    with db.transaction() as session:
        assert run_once(session, "a3-circulate", "group:12:2026-11-24") is False


def test_a_clock_tick_runs_due_jobs_and_delivers_their_messages(db, fake_slack, settings):
    clock = TestClock(utc(24, 9, 0))
    ticker = Clock(Deliverer(db, delivery_client(settings), clock=clock), Scheduler(db, registry, clock=clock))
    ticker.tick()
    [posted] = fake_slack.calls("chat.postMessage")
    sent = {k: v for k, v in posted.args.items() if k != "metadata"}  # the outbox's own marker (bot/delivery.py)
    assert sent == {"channel": ADMIN_CHANNEL, "text": "Good morning: 0 WhatsApp groups are on the register."}


class Broken:
    """A database that is down: every step raises. It asks the clock to stop after a few ticks."""

    def __init__(self, stop: threading.Event, after: int) -> None:
        self.stop, self.after, self.calls = stop, after, 0

    def deliver_due(self):
        self.calls += 1
        if self.calls >= self.after:
            self.stop.set()
        raise ConnectionError("database restarting")

    run_due = deliver_due


def test_the_clock_keeps_ticking_through_errors_and_stops_when_asked():
    stop = threading.Event()
    broken = Broken(stop, after=6)
    Clock(broken, broken, interval=0).run(stop)
    assert broken.calls == 6


def test_the_clock_process_stops_cleanly_on_sigterm(tmp_path, fake_slack):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env.update(PYTHONPATH=str(ROOT), DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}", SLACK_BOT_TOKEN="xoxb-test",
               SLACK_API_URL=fake_slack.url)
    process = subprocess.Popen([sys.executable, "-m", "bot.clock"], cwd=tmp_path, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        seen = []
        for line in process.stderr:
            seen.append(line)
            if "clock started" in line:
                break
        assert any("clock started" in line for line in seen), "".join(seen)
        process.send_signal(signal.SIGTERM)
        rest = process.communicate(timeout=30)[1]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert "clock stopped" in rest and "Traceback" not in rest


def test_the_clock_process_renders_every_notice_without_importing_the_app():
    # What `python -m bot.clock` imports, in a fresh interpreter: every kind of notice the clock may deliver has its
    # Slack renderer, and what the domain records on delivery is flows/delivered.py's.
    script = (
        "import sys, bot.clock\n"
        "from bot.render import _renderers\n"
        "from flows.outbox import NoticeKind\n"
        "assert 'bot.app' not in sys.modules\n"
        "print(*sorted(k.value for k in [NoticeKind.DELIVERY_FAILED] if k not in _renderers()))\n"
        "print('end')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["end"]
