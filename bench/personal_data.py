"""The personal-data guard against its labelled corpus (tests/privacy/corpus/): `python -m bench.personal_data`
prints how many of the texts holding personal details it refuses (recall), how many ordinary moderators' notes
it refuses by mistake, what it found, and how fast it checks."""
from __future__ import annotations

import time
from collections import Counter

from bench.servers import REPO
from flows.privacy import FieldKind, Guard
from flows.settings import Settings

CORPUS = REPO / "tests" / "privacy" / "corpus"
ROUNDS = 20


def read(name: str) -> list[str]:
    lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def main() -> None:
    guard = Guard.from_settings(Settings(_env_file=None))
    refused, passed = read("refused.txt"), read("passed.txt")
    caught = [guard.check(text, FieldKind.NOTE) for text in refused]
    wrongly = [text for text in passed if not guard.check(text, FieldKind.NOTE).ok]
    missed = [text for text, verdict in zip(refused, caught) if verdict.ok]
    kinds = Counter(found.value for verdict in caught for found in verdict.found)

    texts = refused + passed
    start = time.perf_counter()
    for _ in range(ROUNDS):
        for text in texts:
            guard.check(text, FieldKind.NOTE)
    per_check = (time.perf_counter() - start) / (ROUNDS * len(texts))

    print(f"Corpus: {len(refused)} texts holding personal details, {len(passed)} ordinary notes")
    print(f"Refused (recall):       {len(refused) - len(missed)}/{len(refused)} = "
          f"{(len(refused) - len(missed)) / len(refused):.1%}")
    print(f"Ordinary notes refused: {len(wrongly)}/{len(passed)} = {len(wrongly) / len(passed):.1%}")
    print("Found in the refused texts: " + ", ".join(f"{kind} {count}" for kind, count in kinds.most_common()))
    longest = " ".join(passed)[:3000]  # as long as a report's text may be
    start = time.perf_counter()
    guard.check(longest, FieldKind.NOTE)
    print(f"Time per check (a note field): {per_check * 1e6:.0f} µs; a 3,000-character text: "
          f"{(time.perf_counter() - start) * 1e3:.1f} ms")
    for text in missed:
        print(f"  missed: {text}")
    for text in wrongly:
        print(f"  wrongly refused: {text}")


if __name__ == "__main__":
    main()
