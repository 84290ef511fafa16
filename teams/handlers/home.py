"""The home card's handlers: "home" shows it; its buttons refresh it and page through the register."""
from __future__ import annotations

from flows.home.register import RegisterFilter
from teams.cards.home import home_card
from teams.services import TeamsServices


def show(services: TeamsServices, person_id: str, argument: str = ""):
    return _card(services, person_id, RegisterFilter())


def refresh(services: TeamsServices, person_id: str, data: dict):
    return _card(services, person_id, RegisterFilter())


def page(services: TeamsServices, person_id: str, data: dict):
    # The page travels in the button: an untrusted value, read as RegisterFilter reads any.
    return _card(services, person_id, RegisterFilter.of(page=data.get("page")))


def _card(services: TeamsServices, person_id: str, chosen: RegisterFilter):
    home = services.home.home_for(person_id, chosen)
    people = {r.logged_by for r in (*home.to_agree.items, *home.to_sign_off.items)}
    return home_card(home, {p: services.name(p) for p in people})
