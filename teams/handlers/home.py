"""The home card's handlers: "home" shows it; its buttons refresh it and page through the register."""
from __future__ import annotations

from flows.home.register import RegisterFilter
from teams import refusals
from teams.cards.home import CIRCULATED, CONFIRM, STEP_DOWN, STILL_ABLE, home_card
from teams.services import TeamsServices


def show(services: TeamsServices, person_id: str, argument: str = ""):
    return _card(services, person_id, RegisterFilter())


def refresh(services: TeamsServices, person_id: str, data: dict):
    return _card(services, person_id, RegisterFilter())


def page(services: TeamsServices, person_id: str, data: dict):
    # The page travels in the button: an untrusted value, read as RegisterFilter reads any.
    return _card(services, person_id, RegisterFilter.of(page=data.get("page")))


def answer(services: TeamsServices, person_id: str, data: dict):
    """A moderator's duty answered from the home card (M8, M9, A3): flows decides who may; the card says so."""
    service = services.moderation
    verb = data.get("verb")
    act, field = {
        CONFIRM: (service.confirm, "confirmation"), STILL_ABLE: (service.still_able, "checkin"),
        STEP_DOWN: (service.step_down, "checkin"), CIRCULATED: (service.circulated, "circulation"),
    }[verb]
    done = act(data.get(field), person_id)
    said = refusals.moderation(done.action, done.refusal) if done.refusal else done.explanation
    return _card(services, person_id, RegisterFilter(), banner=said)


def _card(services: TeamsServices, person_id: str, chosen: RegisterFilter, banner: str = ""):
    home = services.home.home_for(person_id, chosen)
    people = {r.logged_by for r in (*home.to_agree.items, *home.to_sign_off.items)}
    return home_card(home, {p: services.name(p) for p in people}, banner=banner)
