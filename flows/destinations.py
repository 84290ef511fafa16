"""Named destinations: where the domain sends what is for a role rather than a person. Each adapter resolves them
from its own settings to an address only it reads; flows only asks whether one is set and passes it on."""
from __future__ import annotations

from enum import StrEnum


class Destination(StrEnum):
    # Where senior managers sign off permanent removals (R2).
    SIGN_OFF = "sign_off"
    # Where managers hear of unofficial groups and of what has waited too long (U2).
    MANAGERS = "managers"
    # Who hears of the app's own messages that could not be delivered.
    ADMINS = "admins"
