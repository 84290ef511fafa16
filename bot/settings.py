"""The Slack adapter's own settings: tokens, the workspace, the user groups that define roles and the channels that
named destinations are, read from the same environment and `.env` file as the domain's settings (the variable names
are unchanged). The app is configured with this class; the domain reads only what `flows.settings.Settings` has."""
from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr, field_validator
from sqlalchemy.orm import Session

from bot.people import PLATFORM
from flows.destinations import Destination
from flows.directory.service import Role, RoleSource
from flows.people import account_of, person_for_account
from flows.settings import CommaList, Settings


class SlackSettings(Settings):
    # --- Slack -------------------------------------------------------------------------------------------------
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    # An app-level token (xapp-…) switches the app to Socket Mode: no public URL needed.
    slack_app_token: SecretStr | None = None
    # The Web API base URL. Tests point it at a local fake of Slack.
    slack_api_url: str = "https://slack.com/api/"
    # How long one Web API call may take before it counts as failed (a retry of a post first looks for it).
    slack_timeout_seconds: float = 10.0
    # Requests from any other workspace are refused; empty accepts the one the bot token belongs to.
    slack_team_id: str | None = None

    # --- Who is who ----------------------------------------------------------------------------------------------
    # Slack user groups (ID like S0123ABC or handle like "staff") that define each role; user ids as a fallback.
    staff_usergroup: str | None = None
    pcf_staff_usergroup: str | None = None
    senior_managers_usergroup: str | None = None
    staff_user_ids: CommaList = Field(default_factory=list)
    pcf_staff_user_ids: CommaList = Field(default_factory=list)
    senior_manager_user_ids: CommaList = Field(default_factory=list)

    # --- Where decisions and reports go (the named destinations) ---------------------------------------------------
    # Channel (ID) where senior managers sign off permanent removals (R2).
    approvals_channel: str | None = None
    # Channel (ID) where managers are told of unofficial groups when the reporter has no manager configured (U2).
    managers_channel: str | None = None
    # Each person's manager, as "reporter_id:manager_id" pairs of Slack user ids (U2 sends a report to the
    # reporter's manager).
    line_managers: CommaList = Field(default_factory=list)
    # Channel (ID) told about messages that could not be delivered after every try.
    admin_channel: str | None = None

    @field_validator(
        "staff_user_ids", "pcf_staff_user_ids", "senior_manager_user_ids", "line_managers", mode="before",
    )
    @classmethod
    def _split_slack_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    def destination(self, destination: Destination) -> str | None:
        return {
            Destination.SIGN_OFF: self.approvals_channel,
            Destination.MANAGERS: self.managers_channel,
            Destination.ADMINS: self.admin_channel,
        }[destination]

    def line_manager(self, session: Session, person_id: str) -> str | None:
        account = account_of(session, person_id, PLATFORM)
        manager = self.manager_of(account) if account else None
        return person_for_account(session, PLATFORM, manager) if manager else None

    def manager_of(self, user_id: str) -> str | None:
        """The Slack user id of this Slack user's manager, from LINE_MANAGERS."""
        for pair in self.line_managers:
            person, _, manager = pair.partition(":")
            if person.strip() == user_id and manager.strip():
                return manager.strip()
        return None

    def role_sources(self) -> list[RoleSource]:
        return [
            (Role.STAFF, self.staff_usergroup, self.staff_user_ids),
            (Role.PCF_STAFF, self.pcf_staff_usergroup, self.pcf_staff_user_ids),
            (Role.SENIOR_MANAGER, self.senior_managers_usergroup, self.senior_manager_user_ids),
        ]

    def missing_for_slack(self) -> list[str]:
        """Names of the settings the Slack app cannot start without."""
        missing = []
        if not self.slack_bot_token:
            missing.append("SLACK_BOT_TOKEN")
        if not self.slack_signing_secret and not self.slack_app_token:
            missing.append("SLACK_SIGNING_SECRET")
        return missing


@lru_cache(maxsize=1)
def get_settings() -> SlackSettings:
    # Settings are read once per process; they are configuration, not state.
    return SlackSettings()
