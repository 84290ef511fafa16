"""python -m bench.names [--throughput N]

How well N2 (protected names) and N6 (hidden characters) tell look-alikes from innocent names, measured on the
labelled corpus in tests/policy/corpus/: precision and recall of "blocked", the share of innocent names blocked,
and every name put on the wrong side. With --throughput, also the policy engine's checks per second on N
generated groups (bench/policy.py's measurement, in this process).
"""
from __future__ import annotations

import argparse
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from flows.policy.engine import check_name
from flows.policy.types import Finding, GroupKind
from flows.settings import Settings

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "policy" / "corpus"
BLOCKED = CORPUS / "n2_blocked.txt"
ALLOWED = CORPUS / "n2_allowed.txt"
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})")
NAMING_RULES = ("N2", "N6")


def read_corpus(path: Path) -> list[str]:
    """One name a line; \\uXXXX and \\UXXXXXXXX escapes stand for the character; '#' lines are comments."""
    names = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        names.append(_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), line))
    return names


def naming_blocks(name: str, settings: Settings, kind: GroupKind = GroupKind.INFORMAL_SOCIAL) -> list[Finding]:
    """The N2 and N6 blocks an unofficial group of this name gets (N3, the unofficial marker, is another matter)."""
    return [f for f in check_name(kind, name, settings) if f.rule in NAMING_RULES and f.blocks]


@dataclass
class Score:
    blocked: list[str]
    allowed: list[str]
    missed: list[str]  # should be blocked, are not
    wrongly_blocked: list[str]

    @property
    def recall(self) -> float:
        return 1 - len(self.missed) / len(self.blocked) if self.blocked else 1.0

    @property
    def precision(self) -> float:
        caught = len(self.blocked) - len(self.missed)
        flagged = caught + len(self.wrongly_blocked)
        return caught / flagged if flagged else 1.0

    @property
    def false_positive_rate(self) -> float:
        return len(self.wrongly_blocked) / len(self.allowed) if self.allowed else 0.0


def score(settings: Settings | None = None) -> Score:
    settings = settings or Settings(_env_file=None)
    blocked, allowed = read_corpus(BLOCKED), read_corpus(ALLOWED)
    return Score(
        blocked, allowed,
        missed=[n for n in blocked if not naming_blocks(n, settings)],
        wrongly_blocked=[n for n in allowed if naming_blocks(n, settings)],
    )


def _shown(name: str) -> str:
    return name.encode("unicode_escape").decode("ascii") if not name.isprintable() else name


def engine_throughput(count: int) -> tuple[int, float]:
    from bench.policy import write_csv
    from flows.policy.engine import check
    from flows.policy.parse import proposals_from_csv

    settings = Settings(_env_file=None)
    with tempfile.TemporaryDirectory() as workdir:
        proposals = proposals_from_csv(write_csv(Path(workdir) / "groups.csv", count).read_text(encoding="utf-8"))
    start = time.perf_counter()
    for _, proposal in proposals:
        check(proposal, settings)
    return len(proposals), time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.names", description=__doc__.splitlines()[2])
    parser.add_argument("--throughput", type=int, default=0, metavar="N",
                        help="also time the policy engine on N generated groups")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    result = score()
    seconds = time.perf_counter() - start
    total = len(result.blocked) + len(result.allowed)
    print(f"corpus: {len(result.blocked)} names to block, {len(result.allowed)} innocent names")
    print(f"recall (look-alikes blocked):    {result.recall:7.2%}  ({len(result.blocked) - len(result.missed)}"
          f"/{len(result.blocked)})")
    print(f"precision (blocks that were right): {result.precision:7.2%}")
    print(f"innocent names blocked:          {result.false_positive_rate:7.2%}  ({len(result.wrongly_blocked)}"
          f"/{len(result.allowed)})")
    print(f"checked {total} names in {seconds * 1000:.0f} ms ({total / seconds:,.0f} names/s, first call included)")
    for name in result.missed:
        print(f"  missed:          {_shown(name)}")
    for name in result.wrongly_blocked:
        rules = ", ".join(f"{f.rule}: {f.message}" for f in naming_blocks(name, Settings(_env_file=None)))
        print(f"  wrongly blocked: {_shown(name)}  [{rules}]")
    if args.throughput:
        groups, seconds = engine_throughput(args.throughput)
        print(f"policy engine: {groups} groups checked in {seconds:.2f} s = {groups / seconds:,.0f} checks/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
