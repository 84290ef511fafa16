"""L5: an M8 confirmation or M9 check-in left unanswered is chased: the moderator is asked again, then the group's
lead is told, then the managers, each stage some days (settings) after the request was asked.

Each stage of each request is claimed once (flows.scheduler.run_once, keyed by request and stage) in the
transaction that queues its notices, so however many clocks run it happens once. A request moves on one stage per
run: one that has waited long already (the clock was down, or chasing is new) reaches the managers over a few
mornings, after the moderator was asked again, not all at once. Nothing is chased in a closed group, for a
moderator who has stepped down, or once it is answered; of check-ins, only the latest round's.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.audit import service as audit
from flows.escalations.service import MAX_PER_MESSAGE, Escalations
from flows.groups.models import Group, Moderator
from flows.moderation.models import ModeratorCheckin, ModeratorConfirmation
from flows.moderation.queries import acting_lead
from flows.outbox import Notice
from flows.scheduler import JobRun, run_once
from flows.settings import Settings

CHASE_JOB = "moderation-chase"


class ChaseStage(StrEnum):
    """In the order they are taken."""

    AGAIN = "again"
    LEAD = "lead"
    MANAGERS = "managers"


class Asked(StrEnum):
    """What a moderator was asked and has not answered."""

    CONFIRMATION = "confirmation"  # M8
    CHECKIN = "checkin"  # M9


@dataclass(frozen=True)
class ChaseTiming:
    """How long after it was asked an unanswered request reaches each stage."""

    again: timedelta
    lead: timedelta
    managers: timedelta

    @classmethod
    def of(cls, settings: Settings) -> ChaseTiming:
        return cls(timedelta(days=settings.chase_again_after_days), timedelta(days=settings.chase_lead_after_days),
                   timedelta(days=settings.chase_managers_after_days))

    def after(self, stage: ChaseStage) -> timedelta:
        return {ChaseStage.AGAIN: self.again, ChaseStage.LEAD: self.lead, ChaseStage.MANAGERS: self.managers}[stage]


def next_stage(waited: timedelta, done: frozenset[ChaseStage], possible: frozenset[ChaseStage],
               timing: ChaseTiming) -> ChaseStage | None:
    """The stage to take now, if any: the first possible one after those done, once the request has waited long
    enough for it. A stage passed over (nobody to take it to then) is not gone back to."""
    order = list(ChaseStage)
    start = max((order.index(stage) + 1 for stage in done), default=0)
    for stage in order[start:]:
        if stage in possible:
            return stage if waited >= timing.after(stage) else None
    return None


@dataclass(frozen=True)
class Unanswered:
    """One request a moderator has not answered."""

    asked: Asked
    row: ModeratorConfirmation | ModeratorCheckin
    group: Group
    moderator: Moderator

    @property
    def asked_at(self) -> datetime:
        return self.row.requested_at if self.asked is Asked.CONFIRMATION else self.row.asked_at

    def key(self, stage: ChaseStage) -> str:
        return f"{self.asked.value}:{self.row.id}:{stage.value}"

    def possible(self, lead: Moderator | None, to_managers: bool) -> frozenset[ChaseStage]:
        """Asked again: themself, or through the lead if they have no account. The lead is told about the others
        (not about themself, nor about those they answer for: they were the ones asked again)."""
        stages = set()
        if self.moderator.reachable or lead is not None:
            stages.add(ChaseStage.AGAIN)
        if lead is not None and self.moderator.reachable and lead.id != self.moderator.id:
            stages.add(ChaseStage.LEAD)
        if to_managers:
            stages.add(ChaseStage.MANAGERS)
        return frozenset(stages)


def unanswered(session: Session) -> list[Unanswered]:
    """Every unanswered confirmation, and check-in of its group's latest round, of active moderators of open
    groups, oldest first."""
    active = (Moderator.stepped_down_at.is_(None), Group.closed_at.is_(None))
    confirmations = session.execute(
        select(ModeratorConfirmation, Group, Moderator)
        .join(Moderator, Moderator.id == ModeratorConfirmation.moderator_id)
        .join(Group, Group.id == ModeratorConfirmation.group_id)
        .where(ModeratorConfirmation.confirmed_at.is_(None), *active)
        .order_by(ModeratorConfirmation.requested_at, ModeratorConfirmation.id)
    )
    latest = (select(ModeratorCheckin.group_id, func.max(ModeratorCheckin.due_on).label("due_on"))
              .group_by(ModeratorCheckin.group_id).subquery())
    checkins = session.execute(
        select(ModeratorCheckin, Group, Moderator)
        .join(latest, (latest.c.group_id == ModeratorCheckin.group_id) & (latest.c.due_on == ModeratorCheckin.due_on))
        .join(Moderator, Moderator.id == ModeratorCheckin.moderator_id)
        .join(Group, Group.id == ModeratorCheckin.group_id)
        .where(ModeratorCheckin.answer.is_(None), *active)
        .order_by(ModeratorCheckin.asked_at, ModeratorCheckin.id)
    )
    return ([Unanswered(Asked.CONFIRMATION, row, group, moderator) for row, group, moderator in confirmations]
            + [Unanswered(Asked.CHECKIN, row, group, moderator) for row, group, moderator in checkins])


def _done(session: Session, items: list[Unanswered]) -> dict[str, frozenset[ChaseStage]]:
    """The stages already taken, by request (its key without the stage)."""
    keys = [item.key(stage) for item in items for stage in ChaseStage]
    taken: dict[str, set[ChaseStage]] = {}
    for start in range(0, len(keys), 500):
        for key in session.scalars(select(JobRun.due_key).where(JobRun.job == CHASE_JOB,
                                                                JobRun.due_key.in_(keys[start:start + 500]))):
            request, _, stage = key.rpartition(":")
            taken.setdefault(request, set()).add(ChaseStage(stage))
    return {request: frozenset(stages) for request, stages in taken.items()}


def chase(session: Session, now: datetime, settings: Settings) -> list[Notice]:
    """Take each unanswered request's next stage that is due, claimed once; returns the notices queued."""
    from flows.moderation import chase_notices  # its notices are for what this module finds

    timing = ChaseTiming.of(settings)
    destination = Escalations(settings).decisions_destination
    items = unanswered(session)
    done = _done(session, items)
    due: dict[ChaseStage, list[Unanswered]] = {stage: [] for stage in ChaseStage}
    for item in items:
        possible = item.possible(acting_lead(item.group), destination is not None)
        request = item.key(ChaseStage.AGAIN).rpartition(":")[0]
        stage = next_stage(now - item.asked_at, done.get(request, frozenset()), possible, timing)
        if stage is None or (stage is ChaseStage.MANAGERS and len(due[stage]) >= MAX_PER_MESSAGE):
            continue  # the managers' rest are claimed, and listed, on the next run
        if run_once(session, CHASE_JOB, item.key(stage)):
            due[stage].append(item)
            audit.record(session, actor="app", action=f"moderator_{item.asked.value}.chased",
                         subject_type=f"moderator_{item.asked.value}", subject_id=item.row.id, stage=stage.value,
                         group_id=item.group.id, moderator_id=item.moderator.id, asked_at=item.asked_at.isoformat(),
                         to=destination.value if stage is ChaseStage.MANAGERS else None)
    return [
        *chase_notices.ask_again(session, due[ChaseStage.AGAIN]),
        *chase_notices.tell_leads(session, due[ChaseStage.LEAD], now),
        *chase_notices.tell_managers(session, due[ChaseStage.MANAGERS], destination, now),
    ]
