"""A removal's ways out of waiting, from its card: "I don't agree" (the reason typed on the card), Withdraw, and
"Ask this member of staff" when no staff moderator of the group is on Teams. flows/removals/disputes.py decides who
may, and records every refusal."""
from __future__ import annotations

from flows.removals.disputes import RemovalDisputes
from flows.removals.service import RemovalOutcome, RemovalStep
from teams.handlers.removals import _card, _shown, _str
from teams.services import TeamsServices


def disagree(services: TeamsServices, person_id: str, data: dict):
    result = RemovalDisputes(services.removals).disagree(_decision(data), person_id, _str(data.get("reason")) or "")
    return _answered(services, result, person_id)


def withdraw(services: TeamsServices, person_id: str, data: dict):
    return _answered(services, RemovalDisputes(services.removals).withdraw(_decision(data), person_id), person_id)


def ask_staff(services: TeamsServices, person_id: str, data: dict):
    result = RemovalDisputes(services.removals).ask_staff(_decision(data), person_id, _str(data.get("staff")))
    return _answered(services, result, person_id)


def _answered(services: TeamsServices, result: RemovalStep, person_id: str):
    if result.outcome is RemovalOutcome.INVALID and result.decision is not None:
        return _card(services, result.decision, errors=result.errors, viewer=person_id)
    return _shown(services, result, person_id)


def _decision(data: dict) -> str:
    return _str(data.get("decision")) or ""
