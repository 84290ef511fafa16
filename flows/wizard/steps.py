"""The steps of the /newgroup wizard and which kinds of group go through which."""
from __future__ import annotations

from enum import StrEnum

from flows.policy.types import GroupKind


class Step(StrEnum):
    KIND = "kind"
    NAME = "name"
    DESCRIPTION = "description"
    MODERATORS = "moderators"
    REVIEW = "review"


def steps_for(kind: GroupKind | None) -> list[Step]:
    if kind is None:
        return [Step.KIND, Step.NAME]
    if not kind.official:
        # M7: unofficial groups only need a name that passes N2/N3; nothing else is asked of them.
        return [Step.KIND, Step.NAME, Step.REVIEW]
    if not kind.needs_moderators:
        # M6: a staff-only work group needs no moderator.
        return [Step.KIND, Step.NAME, Step.DESCRIPTION, Step.REVIEW]
    return [Step.KIND, Step.NAME, Step.DESCRIPTION, Step.MODERATORS, Step.REVIEW]


def next_step(kind: GroupKind | None, step: Step) -> Step | None:
    steps = steps_for(kind)
    index = steps.index(step)
    return steps[index + 1] if index + 1 < len(steps) else None


def previous_step(kind: GroupKind | None, step: Step) -> Step | None:
    steps = steps_for(kind)
    index = steps.index(step) if step in steps else len(steps)
    return steps[index - 1] if index > 0 else None


def step_number(kind: GroupKind | None, step: Step) -> tuple[int, int]:
    steps = steps_for(kind)
    # Before the kind is known the wizard cannot say how many steps follow; assume the longest path.
    total = len(steps) if kind is not None else 5
    return steps.index(step) + 1, total
