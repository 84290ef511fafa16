"""All configuration in one place, read from the environment and an optional `.env` file.

Protected names, website domains and thresholds are settings, not code: each deployment (Amaze, a forum)
lists its own.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.orm import Session

from flows.destinations import Destination

# Comma-separated in the environment ("Amaze,PaCC"), a list in code.
CommaList = Annotated[list[str], NoDecode]


def _project_root() -> Path:
    """The folder holding pyproject.toml (and README.md, .env): whatever folder a command is run from, the same
    .env and the same database. Installed without it (a wheel), the current folder, as before."""
    checkout = Path(__file__).resolve().parent.parent
    return checkout if (checkout / "pyproject.toml").is_file() else Path.cwd()


PROJECT_ROOT = _project_root()
# sqlite:///relative.db, sqlite:////absolute.db (not sqlite:// in memory, not :memory: or file: URIs).
_SQLITE_FILE = re.compile(r"^(?P<scheme>sqlite(?:\+\w+)?):///(?P<path>(?!:memory:|file:)[^?]+)(?P<query>\?.*)?$")


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite DATABASE_URL names, or None for other databases."""
    match = _SQLITE_FILE.match(url)
    return Path(match["path"]) if match else None
# GROUP_POLICY_ENV_FILE names another file (tests give os.devnull, so a developer's own .env cannot leak in).
ENV_FILE = os.environ.get("GROUP_POLICY_ENV_FILE") or PROJECT_ROOT / ".env"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=ENV_FILE, env_file_encoding="utf-8", extra="ignore")

    # --- Storage and serving -----------------------------------------------------------------------------------
    # A relative SQLite path is relative to PROJECT_ROOT, like the default, not to the folder a command runs in.
    database_url: str = "sqlite:///group-policy-assistant.db"
    port: int = 3000
    web_concurrency: int = 2
    # Chat platforms send a few kB (a full form is well under 100 kB): anything larger is refused unread.
    max_request_bytes: int = 1024 * 1024
    # A request's headers and body must have arrived within this; slower senders are cut off.
    request_read_timeout_seconds: float = 10.0
    # Threads per worker that run the adapter's listeners (each acknowledges, then does its work).
    listener_threads: int = 32

    # --- Who is who ----------------------------------------------------------------------------------------------
    # How long a looked-up user group or user profile is trusted before the platform is asked again. Past it, when
    # the platform cannot answer, nobody's role is confirmed: what needs a role is refused until it answers.
    directory_cache_seconds: int = 300
    # The latest review date a temporary removal may have, in days from today (R4): a review that never comes
    # would make it a permanent removal without R2's agreement and sign-off.
    removal_review_max_days: int = Field(default=90, ge=1, le=3650)

    # --- Delivery of the app's own messages (the outbox) and the clock ----------------------------------------------
    outbox_max_attempts: int = 6
    outbox_base_backoff_seconds: float = 2.0
    outbox_max_backoff_seconds: float = 300.0
    # How long a worker may hold a message it is sending before another worker may take it over.
    outbox_lease_seconds: float = 60.0
    clock_interval_seconds: float = 5.0

    # --- The policy's reminders (A3, M9) ---------------------------------------------------------------------------
    agreement_circulation_interval_days: int = 365
    moderator_check_interval_days: int = 182
    # Decisions and reports waiting longer than this are escalated to the managers' channel.
    escalate_decisions_after_days: float = 3
    escalate_reports_after_days: float = 7
    # L5: days after an M8 confirmation or M9 check-in was asked, unanswered: the moderator is asked again, then
    # the group's lead is told, then the managers (in this order, so each must be later than the one before).
    chase_again_after_days: int = Field(default=3, ge=1)
    chase_lead_after_days: int = Field(default=7, ge=1)
    chase_managers_after_days: int = Field(default=14, ge=1)

    # --- Retention (P5): how long records are kept, in days, before the clock's daily purge -----------------------
    # Unofficial-group reports, counted from the day their case was closed (renamed, closed down or no action).
    retention_closed_reports_days: int = 730
    # Removal decisions, from their outcome (signed off or rejected; a temporary removal from its review date).
    retention_finished_removals_days: int = 1095
    # /newgroup wizards never finished, from their last step.
    retention_drafts_days: int = 30
    # Closed or archived groups, with their moderators' records and the members welcomed, from the day they closed.
    retention_closed_groups_days: int = 730
    # Audit entries keep who did what and when for good; their details are stripped after this.
    retention_audit_details_days: int = 365

    # --- The organisation's names (N1, N2, U3) --------------------------------------------------------------------
    # Names that mark an Amaze group: the charity and its projects and services.
    organisation_names: CommaList = Field(default_factory=lambda: ["Amaze", "Amazing Futures"])
    # Names that mark a Parent Carer Forum group: short and long forms.
    forum_names: CommaList = Field(
        default_factory=lambda: ["PaCC", "ESPCF", "Parent Carers Council", "East Sussex Parent Carer Forum"]
    )
    # Words that make an unofficial group's status clear (N3).
    unofficial_markers: CommaList = Field(
        default_factory=lambda: ["social", "informal", "unofficial", "not official", "non-official", "friends"]
    )
    # Words that make an official work group's purpose clear (N4).
    work_markers: CommaList = Field(
        default_factory=lambda: ["team", "staff", "volunteer", "volunteers", "work", "colleagues", "office", "rota"]
    )

    # --- Links and contacts used in drafts (D3, D5, A2) ------------------------------------------------------------
    organisation_domains: CommaList = Field(
        default_factory=lambda: ["amazesussex.org.uk", "pacc.org.uk", "espcf.org.uk"]
    )
    contact_email: str = "info@amazesussex.org.uk"
    policy_url: str = "https://www.amazesussex.org.uk/policies/whatsapp-group-policy"
    safeguarding_policy_url: str = "https://www.amazesussex.org.uk/policies/safeguarding"
    equalities_policy_url: str = "https://www.amazesussex.org.uk/policies/equalities"
    privacy_statement_url: str = "https://www.amazesussex.org.uk/privacy"

    # --- Personal data (R1, S4) --------------------------------------------------------------------------------------
    # What a Charity Log reference looks like (a regular expression for the whole reference): with the default,
    # "CL-12345", "CL12345", "CL/12345" or the digits alone. A removal's member is these or initials, nothing more.
    charity_log_reference_pattern: str = r"(?:[A-Za-z]{1,6}[-/#]?)?\d[\d/-]*"

    # --- Group size (M4) ---------------------------------------------------------------------------------------------
    # Above this many members per moderator the app asks for more moderators or a written plan (advice).
    members_per_moderator: int = 40
    # Above this many members a written moderation plan is required (block).
    plan_required_above: int = 150

    # --- WhatsApp's own limits (N5, D6) ------------------------------------------------------------------------------
    whatsapp_subject_limit: int = 100
    whatsapp_description_limit: int = 2048

    @field_validator(
        "organisation_names", "forum_names", "unofficial_markers", "work_markers", "organisation_domains",
        mode="before",
    )
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("database_url")
    @classmethod
    def _sqlite_file_in_the_project(cls, value: str) -> str:
        match = _SQLITE_FILE.match(value)
        if not match or Path(match["path"]).is_absolute():
            return value
        return f"{match['scheme']}:///{PROJECT_ROOT / match['path']}{match['query'] or ''}"

    @model_validator(mode="after")
    def _chasing_in_order(self) -> Settings:
        if not self.chase_again_after_days < self.chase_lead_after_days < self.chase_managers_after_days:
            raise ValueError("CHASE_AGAIN_AFTER_DAYS, CHASE_LEAD_AFTER_DAYS and CHASE_MANAGERS_AFTER_DAYS must each "
                             "be more than the one before (L5)")
        return self

    @property
    def protected_names(self) -> list[str]:
        return [*self.organisation_names, *self.forum_names]

    def destination(self, destination: Destination) -> str | None:
        """Where a named destination is, as the adapter addresses it; None when it is not set. Only an adapter's
        settings know (the domain's alone set none)."""
        return None

    def line_manager(self, session: Session, person_id: str) -> str | None:
        """The person's own manager (U2), a person id; None when the adapter's settings name none."""
        return None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    # Settings are read once per process; they are configuration, not state.
    return Settings()
