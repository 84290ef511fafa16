"""The first few of something and how many there are in all: what a capped list on the App Home shows."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Listing(Generic[T]):
    items: tuple[T, ...] = ()
    total: int = 0

    @classmethod
    def of(cls, rows: Sequence, make) -> Listing:
        """From rows whose last column is the window count of all matching rows (count(*) OVER ())."""
        return cls(tuple(make(*row[:-1]) for row in rows), rows[0][-1] if rows else 0)

    @property
    def more(self) -> int:
        return max(self.total - len(self.items), 0)

    def __bool__(self) -> bool:
        return self.total > 0
