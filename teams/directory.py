"""The Teams side of `flows.directory`: roles from Microsoft Entra ID groups, read through Microsoft Graph.

The domain speaks of people (flows.people): this backend is handed person ids and answers with person ids, and only
here are they turned into Entra object ids and back. A group's members are counted transitively (nested groups
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
from flows.directory.service import DirectoryUnavailable, Person
from flows.people import account_of, person_for_account
from flows.settings import Settings
from teams.settings import TeamsSettings

log = logging.getLogger(__name__)

PLATFORM = "teams"
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


class GraphDirectoryBackend:
    """A `DirectoryBackend` over Entra groups. User ids in and out are person ids."""

    def __init__(self, db: Database, graph: Graph) -> None:
        self.db = db
        self.graph = graph

    def usergroup_members(self, usergroup: str) -> list[str]:
        return [m.person_id for m in self.members(usergroup)]

    def members(self, group_id: str) -> list[Member]:
        """The group's members who may hold a role (guests and disabled accounts left out), with their names."""
        users = [u for u in self.graph.users_in(group_id)
                 if u.get("userType") != "Guest" and u.get("accountEnabled") is not False]
        with self.db.transaction() as session:
            return [Member(person_for_account(session, PLATFORM, u["id"]), u.get("displayName") or "")
                    for u in users]

    def person(self, user_id: str) -> Person:
        with self.db.transaction() as session:
            aad_object_id = account_of(session, user_id, PLATFORM)
        if aad_object_id is None:
            # Not on Teams: nothing here can vouch for them.
            return Person(user_id=user_id, name=user_id, deleted=True)
        user = self.graph.get(f"/users/{aad_object_id}", {"$select": "id,displayName,userType,accountEnabled"})
        if user is None:
            return Person(user_id=user_id, name=user_id, deleted=True)
        return Person(
            user_id=user_id,
            name=user.get("displayName") or user_id,
            # Entra B2B guests are never staff, whatever group they are put in.
            is_guest=user.get("userType") == "Guest",
            deleted=user.get("accountEnabled") is False,
        )

    def own_team(self) -> str:
        if not self.graph.tenant_id:
            raise DirectoryUnavailable("TEAMS_TENANT_ID is not set")
        return self.graph.tenant_id


class TryOutBackend:
    """The local try-out only (TEAMS_ALLOW_UNAUTHENTICATED without an app registration, e.g. the Agents Playground):
    there is no Graph to ask, so roles come from the TEAMS_*_IDS lists alone and nobody is taken for a guest. It is
    as trusting as that mode is; it never serves a request from outside this machine (teams/http.py)."""

    def usergroup_members(self, usergroup: str) -> list[str]:
        return []

    def members(self, group_id: str) -> list[Member]:
        return []

    def person(self, user_id: str) -> Person:
        return Person(user_id=user_id, name=f"try-out person {user_id[-4:]}")

    def own_team(self) -> str:
        return "try-out"


def directory_settings(settings: Settings, teams: TeamsSettings, db: Database) -> Settings:
    """The app's settings as flows sees them from Teams: the roles' groups are Entra groups, the fallback lists are
    the people behind the Entra object ids given, and sign-off requests go to the Teams approvals channel."""
    with db.transaction() as session:
        def people(object_ids: list[str]) -> list[str]:
            return [person_for_account(session, PLATFORM, i) for i in object_ids]

        return settings.model_copy(update={
            "staff_usergroup": teams.teams_staff_group_id,
            "pcf_staff_usergroup": teams.teams_pcf_staff_group_id,
            "senior_managers_usergroup": teams.teams_senior_managers_group_id,
            "staff_user_ids": people(teams.teams_staff_ids),
            "pcf_staff_user_ids": people(teams.teams_pcf_staff_ids),
            "senior_manager_user_ids": people(teams.teams_senior_manager_ids),
            "approvals_channel": teams.teams_approvals_conversation_id,
        })
