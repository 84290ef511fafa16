"""`python -m bench.privacy [--url DATABASE_URL]`: how long the data protection commands take on a large register
(bench/data.py's: 10,000 groups, 20,000 moderators, 50,000 decisions, 200,000 audit entries, 100,000 messages).
Runs each command as the data protection lead would, as a process, and prints the figures; it asserts nothing.
Without --url it uses a throwaway SQLite file. Erasure and the purge change the database: use a throwaway one."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from bench.data import large_register
from flows.db.migrate import upgrade
from flows.db.session import make_engine
from flows.groups.models import Moderator
from flows.removals.models import RemovalDecision

ROOT = Path(__file__).resolve().parent.parent


def timed(url: str, *args: str) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env["DATABASE_URL"] = url
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "flows", *args], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=600)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr.strip()}")
    return elapsed, done.stdout.strip().splitlines()[0] if done.stdout.strip() else ""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.privacy")
    parser.add_argument("--url", help="a throwaway database (default: a new SQLite file)")
    args = parser.parse_args(argv)
    folder = tempfile.mkdtemp(prefix="bench-privacy-")
    url = args.url or f"sqlite:///{folder}/bench.db"
    upgrade(url)
    engine = make_engine(url)
    start = time.perf_counter()
    with engine.begin() as connection:
        large_register(connection)
        person = connection.scalar(select(Moderator.person_id).limit(1))
        name = connection.scalar(select(Moderator.name).limit(1))
        member, group = connection.execute(select(RemovalDecision.member_ref, RemovalDecision.group_id).limit(1)).one()
    engine.dispose()
    print(f"Large register generated in {time.perf_counter() - start:.1f} s ({url.split(':')[0]}).")
    out = f"{folder}/access.md"
    for label, command in (
        (f"subject-access {person} (a Slack user)", ("subject-access", person, "--out", out)),
        (f"subject-access '{name}' (a name)", ("subject-access", name, "--out", out)),
        (f"subject-access --member {member} --group {group}", ("subject-access", "--member", member, "--group",
                                                                  str(group), "--out", out)),
        (f"erase {person} --yes", ("erase", person, "--yes")),
        (f"erase --member {member} --group {group} --yes", ("erase", "--member", member, "--group", str(group),
                                                              "--yes")),
    ):
        elapsed, said = timed(url, *command)
        print(f"{label}: {elapsed:.2f} s  ({said})")
    from flows.db import Database
    from flows.privacy.retention import purge
    from flows.settings import Settings

    db = Database(url)
    start = time.perf_counter()
    with db.transaction() as session:
        counts = purge(session, Settings(_env_file=None, database_url=url), datetime.now(UTC))
    print(f"retention purge (everything generated is past its period): {time.perf_counter() - start:.2f} s "
          f"{counts}")
    db.dispose()


if __name__ == "__main__":
    main()
