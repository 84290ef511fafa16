"""The ready-to-paste texts a registered group is handed: description, welcome message, agreement, checklist."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flows.db import utcnow

from flows import drafting
from flows.settings import Settings

if TYPE_CHECKING:
    from flows.wizard.models import WizardDraft
    from flows.wizard.service import WizardState

# Shown in the first draft until the person gives the agreement's link; the wizard swaps it in.
LINK_PLACEHOLDER = "[LINK]"


@dataclass(frozen=True)
class PasteKit:
    description: str
    welcome: str
    agreement: str
    checklist: list[tuple[str, str]]
    # What the policy says about behaviour in this kind of group, for the people who run and join it.
    conduct: tuple[str, ...] = ()

    def texts(
        self,
        description_title: str = "Group description",
        welcome_title: str = "Welcome message",
        agreement_title: str = "Group agreement",
    ) -> list[tuple[str, str]]:
        """The texts this kind of group has, titled; kinds without an agreement simply have none."""
        pairs = [(description_title, self.description), (welcome_title, self.welcome), (agreement_title, self.agreement)]
        return [(title, text) for title, text in pairs if text.strip()]


def _moderator_names(state: WizardState) -> list[str]:
    return [m["name"] for m in state.data.get("moderators", [])]


def description(state: WizardState, settings: Settings) -> str:
    kind = state.kind
    return drafting.draft_description(
        kind, state.data.get("name", ""), settings,
        agreement_url=state.data.get("agreement_url") or LINK_PLACEHOLDER,
        moderator_names=_moderator_names(state),
        contact_email=settings.contact_email,
        quiet_hours=state.data.get("quiet_hours"),
    )


def kit(state: WizardState, settings: Settings) -> PasteKit:
    kind = state.kind
    name = state.data.get("name", "")
    conduct = tuple(drafting.conduct_notes(kind, name, settings))
    if not kind.official:
        return PasteKit("", "", "", [(i.rule, i.text) for i in drafting.settings_checklist(kind)], conduct)
    moderators = _moderator_names(state)
    return PasteKit(
        description=state.data.get("description") or "",
        welcome=drafting.draft_welcome_message(
            kind, name, settings, agreement_url=state.data.get("agreement_url"), moderator_names=moderators
        ),
        agreement=drafting.draft_agreement(
            kind, name, settings, moderators, settings.contact_email, state.data.get("quiet_hours")
        ),
        checklist=[(item.rule, item.text) for item in drafting.settings_checklist(kind)],
        conduct=conduct,
    )


def expires_before(settings: Settings, now: datetime | None = None) -> datetime:
    """An unfinished set-up untouched since before this has expired: it cannot be continued, and the daily purge
    removes it (RETENTION_DRAFTS_DAYS, flows/privacy/retention.py)."""
    return (now or utcnow()) - timedelta(days=settings.retention_drafts_days)


def expired(draft: WizardDraft, settings: Settings, now: datetime | None = None) -> bool:
    return draft.updated_at is not None and draft.updated_at < expires_before(settings, now)
