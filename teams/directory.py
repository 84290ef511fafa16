"""The Teams side of `flows.directory`: roles from Microsoft Entra ID groups, read through Microsoft Graph.

flows.directory asks about people (flows.people) and hands this backend their Teams accounts, Entra object ids; the
moderator picker's lists are turned back into people here. A group's members are counted transitively (nested groups
count), so an organisation can make "senior managers" a member of "staff". Every failure to ask Graph (down,
throttled, not allowed, a group id that does not exist) is DirectoryUnavailable: flows.directory then keeps the
last fresh answer or refuses, never guesses.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from flows.db import Database
from flows.destinations import Destination
from flows.directory.service import DirectoryUnavailable, Person, Role, RoleSource
from flows.people import person_for_account
from flows.settings import Settings
from teams.settings import TeamsSettings

log = logging.getLogger(__name__)

PLATFORM = "teams"
# What the sign-off and managers' destinations are when no approvals conversation is set.
SENIOR_MANAGERS_CHATS = "senior managers' 1:1 chats"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
_PAGE = 999  # Graph's largest page for directory objects
_MAX_PAGES = 100  # 99,900 members: past that a group is not a role
# (scope, tenant id) -> an access token. The SDK takes the same shape for the Bot Connector's tokens.
TokenProvider = Callable[..., str]


@dataclass(frozen=True)
class Member:
    person_id: str
    name: str


class Graph:
    """The few Graph calls the app makes, with an app-only token."""

    def __init__(self, base_url: str, token: TokenProvider, tenant_id: str | None, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.tenant_id = tenant_id
        self.timeout = timeout

    def get(self, url: str, params: dict | None = None) -> dict | None:
        """The JSON answer; None for 404; DirectoryUnavailable for anything else that is not a success."""
        try:
            token = self.token(GRAPH_SCOPE, self.tenant_id)
            response = httpx.get(url if url.startswith("http") else self.base_url + url, params=params,
                                 headers={"Authorization": f"Bearer {token}"}, timeout=self.timeout)
        except Exception as error:  # a token that cannot be had is as good as Graph being down
            raise DirectoryUnavailable(f"Graph not reached: {type(error).__name__}") from error
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise DirectoryUnavailable(f"Graph answered {response.status_code} for {url.split('?')[0]}")
        return response.json()

    def users_in(self, group_id: str) -> list[dict]:
        """Every user in the group, nested groups expanded, page by page."""
        url: str | None = f"/groups/{group_id}/transitiveMembers/microsoft.graph.user"
        params: dict | None = {"$select": "id,displayName,userType,accountEnabled", "$top": str(_PAGE)}
        users: list[dict] = []
        for _ in range(_MAX_PAGES):
            page = self.get(url, params)
            if page is None:
                # A group id that names nothing is a configuration mistake: nobody is confirmed by it.
                raise DirectoryUnavailable(f"Entra group {group_id} not found")
            users += [u for u in page.get("value") or [] if isinstance(u, dict) and u.get("id")]
            url, params = page.get("@odata.nextLink"), None
            if not url:
                return users
        raise DirectoryUnavailable(f"Entra group {group_id} has more members than a role can have")


class TeamsSettingsForFlows(Settings):
    """flows' settings as the Teams adapter sees them. The sign-off and managers' destinations are reached on Teams
    through the approvals conversation, or else through each senior manager's 1:1 chat (teams/notices.py), so they
    exist whenever one of those does; the admins' destination is Slack's alone."""

    teams_approvals_conversation_id: str | None = None
    teams_senior_managers_listed: bool = False

    def destination(self, destination: Destination) -> str | None:
        if destination not in (Destination.SIGN_OFF, Destination.MANAGERS):
            return None
        if self.teams_approvals_conversation_id:
            return self.teams_approvals_conversation_id
        return SENIOR_MANAGERS_CHATS if self.teams_senior_managers_listed else None


def role_sources(teams: TeamsSettings) -> list[RoleSource]:
    """Each role's Entra group and the Entra object ids that hold it whatever the groups say."""
    return [
        (Role.STAFF, teams.teams_staff_group_id, list(teams.teams_staff_ids)),
        (Role.PCF_STAFF, teams.teams_pcf_staff_group_id, list(teams.teams_pcf_staff_ids)),
        (Role.SENIOR_MANAGER, teams.teams_senior_managers_group_id, list(teams.teams_senior_manager_ids)),
    ]


def directory_settings(settings: Settings, teams: TeamsSettings) -> TeamsSettingsForFlows:
    """The app's settings as flows sees them from Teams (the domain's own fields, whatever adapter's class they
    were read with)."""
    domain = {name: getattr(settings, name) for name in Settings.model_fields}
    senior_managers = bool(teams.teams_senior_managers_group_id or teams.teams_senior_manager_ids)
    return TeamsSettingsForFlows.model_construct(
        **domain, teams_approvals_conversation_id=teams.teams_approvals_conversation_id,
        teams_senior_managers_listed=senior_managers,
    )


class _TeamsBackend:
    """What both backends share: Teams' accounts (Entra object ids) and the roles' sources from TEAMS_* settings."""

    platform = PLATFORM

    def __init__(self, db: Database, roles: list[RoleSource]) -> None:
        self.db = db
        self.roles = roles

    def role_sources(self) -> list[RoleSource]:
        return self.roles

    def source_of(self, role: Role) -> tuple[str | None, list[str]]:
        for r, group_id, listed in self.roles:
            if r is role:
                return group_id, listed
        return None, []

    def people(self, object_ids: list[str]) -> list[str]:
        """The people behind these Entra object ids, made on first sight."""
        if not object_ids:
            return []
        with self.db.transaction() as session:
            return [person_for_account(session, PLATFORM, i) for i in object_ids]


class GraphDirectoryBackend(_TeamsBackend):
    """A `DirectoryBackend` over Entra groups: accounts in and out are Entra object ids."""

    def __init__(self, db: Database, graph: Graph, roles: list[RoleSource] | None = None) -> None:
        super().__init__(db, roles or [])
        self.graph = graph

    def usergroup_members(self, usergroup: str) -> list[str]:
        return [u["id"] for u in self._may_hold_roles(usergroup)]

    def members(self, group_id: str) -> list[Member]:
        """The group's members who may hold a role (guests and disabled accounts left out) as people, with their
        names."""
        users = self._may_hold_roles(group_id)
        with self.db.transaction() as session:
            return [Member(person_for_account(session, PLATFORM, u["id"]), u.get("displayName") or "")
                    for u in users]

    def _may_hold_roles(self, group_id: str) -> list[dict]:
        return [u for u in self.graph.users_in(group_id)
                if u.get("userType") != "Guest" and u.get("accountEnabled") is not False]

    def person(self, account_id: str) -> Person:
        user = self.graph.get(f"/users/{account_id}", {"$select": "id,displayName,userType,accountEnabled"})
        if user is None:
            return Person(user_id=account_id, name=account_id, deleted=True)
        return Person(
            user_id=account_id,
            name=user.get("displayName") or account_id,
            # Entra B2B guests are never staff, whatever group they are put in.
            is_guest=user.get("userType") == "Guest",
            deleted=user.get("accountEnabled") is False,
        )

    def own_team(self) -> str:
        if not self.graph.tenant_id:
            raise DirectoryUnavailable("TEAMS_TENANT_ID is not set")
        return self.graph.tenant_id


class TryOutBackend(_TeamsBackend):
    """The local try-out only (TEAMS_ALLOW_UNAUTHENTICATED without an app registration, e.g. the Agents Playground):
    there is no Graph to ask, so roles come from the TEAMS_*_IDS lists alone and nobody is taken for a guest. It is
    as trusting as that mode is; it never serves a request from outside this machine (teams/http.py)."""

    def usergroup_members(self, usergroup: str) -> list[str]:
        # A group named in settings cannot be read without Graph: it confirms nobody.
        return []

    def members(self, group_id: str) -> list[Member]:
        return []

    def __init__(self, db: Database, roles: list[RoleSource], names: dict[str, str] | None = None) -> None:
        super().__init__(db, roles)
        # Without Graph there is nobody to ask for names: TEAMS_TRY_OUT_NAMES gives the playground's people theirs.
        self.names = names or {}

    def person(self, account_id: str) -> Person:
        return Person(user_id=account_id, name=self.names.get(account_id) or f"try-out person {account_id[-4:]}")

    def own_team(self) -> str:
        return "try-out"
