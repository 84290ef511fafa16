"""The Slack side of `flows.directory`: user groups and profiles looked up through the Web API."""
from __future__ import annotations

import re

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.people import PLATFORM
from flows.directory.service import DirectoryUnavailable, Person, RoleSource

USERGROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")


class SlackDirectoryBackend:
    platform = PLATFORM

    def __init__(self, client: WebClient, roles: list[RoleSource] | None = None) -> None:
        self.client = client
        # Each role's user group and listed user ids (SlackSettings.role_sources()).
        self.roles = roles or []

    def role_sources(self) -> list[RoleSource]:
        return self.roles

    def usergroup_members(self, usergroup: str) -> list[str]:
        try:
            usergroup_id = usergroup if USERGROUP_ID.match(usergroup) else self._id_for_handle(usergroup)
            if usergroup_id is None:
                return []
            return list(self.client.usergroups_users_list(usergroup=usergroup_id)["users"])
        except (SlackApiError, SlackClientError, OSError) as error:
            raise DirectoryUnavailable(str(error)) from error

    def person(self, user_id: str) -> Person:
        try:
            user = self.client.users_info(user=user_id)["user"]
        except SlackApiError as error:
            if error.response.get("error") == "user_not_found":
                return Person(user_id=user_id, name=user_id, deleted=True)
            raise DirectoryUnavailable(str(error)) from error
        except (SlackClientError, OSError) as error:
            raise DirectoryUnavailable(str(error)) from error
        profile = user.get("profile") or {}
        name = profile.get("real_name") or user.get("real_name") or profile.get("display_name") or user.get("name")
        return Person(
            user_id=user_id,
            name=name or user_id,
            is_guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
            deleted=bool(user.get("deleted")),
        )

    def own_team(self) -> str:
        try:
            team_id = self.client.auth_test().get("team_id")
        except (SlackApiError, SlackClientError, OSError) as error:
            raise DirectoryUnavailable(str(error)) from error
        if not team_id:
            raise DirectoryUnavailable("auth.test named no workspace")
        return str(team_id)

    def _id_for_handle(self, handle: str) -> str | None:
        handle = handle.lstrip("@")
        for group in self.client.usergroups_list()["usergroups"]:
            if group.get("handle") == handle or group.get("name") == handle:
                return group["id"]
        return None
