"""The labelled corpus: texts the guard must refuse in a note, and ordinary notes it must let through."""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent / "corpus"
# At most this share of ordinary notes may be refused.
FALSE_REFUSALS_ALLOWED = 0.01


def read(name: str) -> list[str]:
    """One text a line; lines starting with # are comments."""
    lines = (HERE / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def refused() -> list[str]:
    return read("refused.txt")


def passed() -> list[str]:
    return read("passed.txt")
