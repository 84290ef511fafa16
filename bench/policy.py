"""The policy engine's throughput: `python -m flows audit` on a CSV of generated groups, timed as a command
(interpreter start-up and printing included) and in this process (parsing and checking, apart)."""
from __future__ import annotations

import csv
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.servers import REPO
from flows.policy.engine import check
from flows.policy.parse import CSV_COLUMNS, proposals_from_csv
from flows.settings import Settings

KINDS = ["parent_carers", "young_people", "pcf_members", "work_volunteers", "work_staff", "pcf_steering",
         "informal_social", "pcf_informal"]
TOWNS = ["Hastings", "Eastbourne", "Brighton", "Hove", "Lewes", "Crawley", "Worthing", "Bexhill"]
NAMES = [
    "Amaze {town} parent carers {n}", "PaCC {town} members {n}", "{town} mums social {n}",
    "A.M.A.Z.E {town} friends {n}", "Amazing Futures {town} youth {n}", "ESPCF steering group {n}",
    "{town} volunteers team {n}", "Amaze staff rota {town} {n}",
]
DESCRIPTION = (
    "This group is for parent carers of children and young people with SEND in {town}, run by Amaze. "
    "Moderators: Sam Jones and Ali Khan. Please read the group agreement: https://www.amazesussex.org.uk/"
    "agreement. Contact info@amazesussex.org.uk. Messages are not monitored out of hours; in an emergency call "
    "999. We follow the WhatsApp Group Policy."
)


def write_csv(path: Path, count: int) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow([*CSV_COLUMNS, "quiet_hours"])
        for n in range(count):
            town = TOWNS[n % len(TOWNS)]
            writer.writerow([
                KINDS[n % len(KINDS)], NAMES[(n // len(KINDS)) % len(NAMES)].format(town=town, n=n),
                DESCRIPTION.format(town=town) if n % 5 else "", "https://www.amazesussex.org.uk/agreement",
                "Sam Jones (staff); Ali Khan (volunteer)" if n % 3 else "Ali Khan (volunteer)",
                str(20 + n % 300), "Not monitored after 6pm" if n % 4 else "", "Jo Senior" if n % 2 else "",
                "A written plan" if n % 7 == 0 else "", "No messages after 8pm" if n % 2 else "",
            ])
    return path


@dataclass
class Throughput:
    groups: int
    command_seconds: float
    command_exit: int
    parse_seconds: float
    check_seconds: float

    @property
    def command_rate(self) -> float:
        return self.groups / self.command_seconds

    @property
    def check_rate(self) -> float:
        return self.groups / self.check_seconds


def measure(workdir: Path, count: int, env: dict[str, str], time_limit: float = 300.0) -> Throughput:
    path = write_csv(workdir / "groups.csv", count)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "flows", "audit", str(path)], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=time_limit, check=False)
    command_seconds = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise RuntimeError(f"python -m flows audit exited {result.returncode}: {result.stderr.decode()[-500:]}")
    settings = Settings(_env_file=None)
    start = time.perf_counter()
    proposals = proposals_from_csv(path.read_text(encoding="utf-8"))
    parse_seconds = time.perf_counter() - start
    start = time.perf_counter()
    for _, proposal in proposals:
        check(proposal, settings)
    check_seconds = time.perf_counter() - start
    return Throughput(len(proposals), command_seconds, result.returncode, parse_seconds, check_seconds)
