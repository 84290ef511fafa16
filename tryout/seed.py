"""The demo organisation `make try` starts with, made through the app's own services so that it is what the app
itself would have recorded: the playground's own user (Alex Wilber) is staff and a senior manager; two other
playground users moderate two registered groups with a volunteer who is on no platform; and a permanent removal,
logged by the volunteer and agreed by the staff moderator, waits for Alex's sign-off.

The people are the playground's built-in users (its default config), known to the app by their Entra object ids.
"""
from __future__ import annotations

from dataclasses import dataclass

from flows.db import Database, utcnow
from flows.groups.models import Group, Moderator
from flows.people import new_person, person_for_account
from flows.removals.service import RemovalForm, RemovalService

PLATFORM = "teams"


@dataclass(frozen=True)
class PlaygroundUser:
    name: str
    object_id: str


ALEX = PlaygroundUser("Alex Wilber", "00000000-0000-0000-0000-0000000000020")  # the playground's current user
MEGAN = PlaygroundUser("Megan Bowen", "00000000-0000-0000-0000-0000000000021")
ADELE = PlaygroundUser("Adele Vance", "00000000-0000-0000-0000-0000000000022")


@dataclass(frozen=True)
class Roles:
    """What `make try` sets as TEAMS_*_IDS: Alex is staff and a senior manager, Adele is staff."""

    staff_ids: str = f"{ALEX.object_id},{ADELE.object_id}"
    senior_manager_ids: str = ALEX.object_id
    names: str = ",".join(f"{u.object_id}={u.name}" for u in (ALEX, MEGAN, ADELE))


PLAYGROUND_USER = ALEX
ROLES = Roles()

GROUPS = (
    ("Amaze Lewes Parent Carers", "parent_carers", "https://www.amazesussex.org.uk/groups/lewes-agreement", 40),
    ("PaCC Brighton Parents", "parent_carers", "https://www.pacc.org.uk/groups/brighton-agreement", 60),
)


def seed(database_url: str) -> None:
    from flows.settings import get_settings
    from teams.services import TeamsServices
    from teams.settings import get_teams_settings

    db = Database(database_url)
    try:
        with db.transaction() as session:
            alex, megan, adele = (person_for_account(session, PLATFORM, u.object_id) for u in (ALEX, MEGAN, ADELE))
            groups = [_group(session, name, kind, url, size, alex, adele, megan) for name, kind, url, size in GROUPS]
        services = TeamsServices.build(get_settings(), get_teams_settings(), db, token=_no_token)
        _removal_waiting_for_sign_off(services.removals, groups[0], megan, adele)
    finally:
        db.dispose()


def _group(session, name: str, kind: str, agreement_url: str, size: int, alex: str, adele: str, megan: str) -> int:
    now = utcnow()
    group = Group(kind=kind, name=name, official=True, agreement_url=agreement_url, expected_members=size,
                  description=f"{name}: a peer support group for parent carers, run with Amaze.",
                  out_of_hours="Megan covers evenings and calls Adele, or Alex in an emergency.",
                  emergency_contact="Alex Wilber", emergency_contact_person_id=alex, created_by=alex,
                  created_at=now, advice=[])
    group.moderators = [
        Moderator(name=ADELE.name, role="staff", person_id=adele, is_lead=True, added_by=alex, added_at=now),
        Moderator(name=MEGAN.name, role="volunteer", person_id=megan, added_by=alex, added_at=now),
        # Many volunteers are on no chat platform: a person all the same, answered for by the lead.
        Moderator(name="Sam Patel", role="volunteer", person_id=new_person(session), added_by=alex, added_at=now),
    ]
    session.add(group)
    session.flush()
    return group.id


def _removal_waiting_for_sign_off(removals: RemovalService, group_id: int, megan: str, adele: str) -> None:
    form = RemovalForm(group_id=group_id, member_ref="J.S.", kind="permanent", breaches=("bullying",),
                       tried_first=("asked_to_change", "warned"), notes="Repeated after two warnings.")
    logged = removals.log(megan, removals.new_submission_key(), form)
    if logged.decision is None:
        raise SystemExit(f"could not seed the removal: {logged.outcome} {logged.errors}")
    agreed = removals.agree(logged.decision.id, adele)
    if not agreed.done:
        raise SystemExit(f"could not seed the removal's agreement: {agreed.outcome} {agreed.refusal}")


def _no_token(*_args, **_kwargs) -> str:
    # The try-out sends to the playground's own connector, which asks for no token.
    return ""
