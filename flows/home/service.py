"""What each person's App Home shows, composed fresh from the database every time it is shown: what waits for
them, their groups and where each stands, and for staff the whole register, a page at a time.

Who sees what follows who they are (the Directory), as the workflows' own checks do: staff moderators agree to
removals, senior managers sign them off and hear about messages that could not be delivered, staff act on reports
and page through the register; everyone sees their own confirmations, check-ins and groups.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from flows.db import Database
from flows.directory.service import Directory, Role
from flows.groups.welcomes import welcomed_this_year
from flows.home.lifecycle import DraftToFinish, unfinished_drafts
from flows.home.listing import Listing
from flows.home.register import (
    RegisterFilter,
    RegisterPage,
    my_group_ids,
    ordered,
    register_page,
)
from flows.moderation.states import states_of
from flows.home.waiting import (
    CheckinToAnswer,
    CirculationToRecord,
    ConfirmationToGive,
    RemovalToDecide,
    ReportToActOn,
    checkins_to_answer,
    circulations_to_record,
    confirmations_to_give,
    removals_to_agree,
    removals_to_sign_off,
    reports_to_act_on,
    undelivered_count,
)
from flows.moderation.queries import GroupState, today
from flows.settings import Settings

STAFF_ROLES = frozenset({Role.STAFF, Role.PCF_STAFF})
# Who sees the whole register: anyone employed, senior managers included.
REGISTER_ROLES = STAFF_ROLES | {Role.SENIOR_MANAGER}


@dataclass(frozen=True)
class Register:
    page: RegisterPage
    groups: tuple[GroupState, ...]


@dataclass(frozen=True)
class Home:
    user_id: str
    roles: frozenset[Role]
    to_agree: Listing[RemovalToDecide] = field(default_factory=Listing)
    to_sign_off: Listing[RemovalToDecide] = field(default_factory=Listing)
    reports: Listing[ReportToActOn] = field(default_factory=Listing)
    confirmations: Listing[ConfirmationToGive] = field(default_factory=Listing)
    checkins: Listing[CheckinToAnswer] = field(default_factory=Listing)
    circulations: Listing[CirculationToRecord] = field(default_factory=Listing)
    my_groups: Listing[GroupState] = field(default_factory=Listing)
    # Senior managers only: messages given up on (None: not theirs to see).
    undelivered: int | None = None
    # Staff only.
    register: Register | None = None
    # Unfinished /newgroup set-ups, and members welcomed this year by group id (flows/home/lifecycle.py).
    drafts: Listing[DraftToFinish] = field(default_factory=Listing)
    welcomed: dict[int, int] = field(default_factory=dict)

    @property
    def waiting(self) -> int:
        return sum(x.total for x in (self.to_agree, self.to_sign_off, self.reports, self.confirmations,
                                     self.checkins, self.circulations))

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)


def compose(
    session: Session, user_id: str, roles: frozenset[Role], chosen: RegisterFilter | None = None,
    settings: Settings | None = None, on: date | None = None,
) -> Home:
    """Everything one person's Home shows, in a fixed number of queries (about twenty) whatever the register holds."""
    on = on or today()
    staff = bool(roles & STAFF_ROLES)
    manager = Role.SENIOR_MANAGER in roles
    mine, my_total = my_group_ids(session, user_id, settings, on)
    page = register_page(session, chosen or RegisterFilter(), settings, on) if roles & REGISTER_ROLES else None
    states = states_of(session, [*mine, *(page.group_ids if page else ())], settings, on)
    return Home(
        user_id=user_id,
        roles=frozenset(roles),
        to_agree=removals_to_agree(session, user_id) if staff else Listing(),
        to_sign_off=removals_to_sign_off(session, user_id) if manager else Listing(),
        reports=reports_to_act_on(session) if staff else Listing(),
        confirmations=confirmations_to_give(session, user_id),
        checkins=checkins_to_answer(session, user_id),
        circulations=circulations_to_record(session, user_id),
        my_groups=Listing(ordered(states, mine), my_total),
        undelivered=undelivered_count(session) if manager else None,
        register=Register(page, ordered(states, page.group_ids)) if page else None,
        drafts=unfinished_drafts(session, user_id, settings) if staff else Listing(),
        welcomed=welcomed_this_year(session, states, on),
    )


class HomeService:
    def __init__(self, db: Database, settings: Settings, directory: Directory,
                 clock: Callable[[], date] = today) -> None:
        self.db = db
        self.settings = settings
        self.directory = directory
        self.clock = clock

    def home_for(self, user_id: str, chosen: RegisterFilter | None = None) -> Home:
        roles = frozenset(self.directory.roles_of(user_id))
        with self.db.transaction() as session:
            return compose(session, user_id, roles, chosen, self.settings, self.clock())
