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


def step_number(kind: GroupKind | None, step: Step) -> tuple[int, int | None]:
    """Where a step is, and of how many; None on the kind step, since how many follow is what the kind decides.
    A count given before the kind is known would change under the person's feet once they chose it."""
    if step is Step.KIND:
        return 1, None
    steps = steps_for(kind)
    return steps.index(step) + 1, len(steps)
