"""The Teams front end's settings, read like the app's own (environment, then the same `.env`), all named TEAMS_*.

Teams is off until TEAMS_APP_ID is set: a deployment on Slack alone needs none of these."""
from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from flows.settings import ENV_FILE

CommaList = Annotated[list[str], NoDecode]
BOT_FRAMEWORK_OPENID = "https://login.botframework.com/v1/.well-known/openidconfiguration"


class TeamsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=ENV_FILE, env_file_encoding="utf-8", extra="ignore")

    # --- The bot's identity (the Entra app registration) -------------------------------------------------------------
    # The bot's Microsoft App ID (the app registration's client id): the audience of every token Teams sends.
    teams_app_id: str | None = None
    # The registration's client secret, for the tokens the bot sends with its own messages and Graph calls.
    teams_app_password: SecretStr | None = None
    # The organisation's Entra tenant (directory) id: a single-tenant bot, and the tenant whose groups give roles.
    teams_tenant_id: str | None = None
    # Where the keys that sign incoming activities are published. Tests point it at a local key server.
    teams_openid_metadata_url: str = BOT_FRAMEWORK_OPENID
    # Only for trying the app out with the local Agents Playground: accept activities without a token, and then
    # only from loopback addresses. Logged loudly at start-up.
    teams_allow_unauthenticated: bool = False
    # The try-out's people's names ("object id=Name", comma-separated): without Graph, nothing else can say them.
    teams_try_out_names: CommaList = Field(default_factory=list)

    # --- Who is who: Microsoft Entra ID groups (object ids), members counted transitively ---------------------------
    teams_staff_group_id: str | None = None
    teams_pcf_staff_group_id: str | None = None
    teams_senior_managers_group_id: str | None = None
    # Entra object ids of people who hold a role whatever the groups say (a fallback while the groups are set up).
    teams_staff_ids: CommaList = Field(default_factory=list)
    teams_pcf_staff_ids: CommaList = Field(default_factory=list)
    teams_senior_manager_ids: CommaList = Field(default_factory=list)
    # Microsoft Graph's base address. Tests point it at a local fake.
    teams_graph_url: str = "https://graph.microsoft.com/v1.0"
    # How long one call to Graph or to the Bot Connector may take before it counts as failed.
    teams_timeout_seconds: float = 10.0

    # --- Where sign-off requests go ----------------------------------------------------------------------------------
    # The Teams channel (its conversation id, 19:...@thread.tacv2) where senior managers sign off permanent
    # removals (R2). Empty: each senior manager is asked in their 1:1 chat with the app.
    teams_approvals_conversation_id: str | None = None
    # The Bot Connector address for messages the app starts itself (a person's first 1:1 chat, the approvals
    # channel) when no activity has told it one yet.
    teams_service_url: str = "https://smba.trafficmanager.net/teams/"

    @field_validator("teams_staff_ids", "teams_pcf_staff_ids", "teams_senior_manager_ids", "teams_try_out_names",
                     mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    def try_out_names(self) -> dict[str, str]:
        return dict(pair.partition("=")[::2] for pair in self.teams_try_out_names if "=" in pair)

    @property
    def enabled(self) -> bool:
        return bool(self.teams_app_id) or self.teams_allow_unauthenticated


@lru_cache(maxsize=1)
def get_teams_settings() -> TeamsSettings:
    return TeamsSettings()
