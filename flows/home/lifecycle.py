"""What the App Home adds about a group's life: the person's unfinished /newgroup set-ups, and the members welcomed
this year in each group shown (two queries, whatever the register holds). A set-up still at its first step holds
nothing worth going back to, and is not listed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.home.listing import Listing
from flows.settings import Settings
from flows.wizard import drafts
from flows.wizard.models import WizardDraft
from flows.wizard.steps import Step

DRAFTS_SHOWN = 3


@dataclass(frozen=True)
class DraftToFinish:
    draft_id: str
    name: str
    step: str
    updated_at: datetime


def unfinished_drafts(session: Session, user_id: str, settings: Settings | None) -> Listing[DraftToFinish]:
    if settings is None:
        return Listing()
    rows = session.execute(
        select(WizardDraft.id, WizardDraft.data, WizardDraft.step, WizardDraft.updated_at, func.count().over())
        .where(WizardDraft.user_id == user_id, WizardDraft.group_id.is_(None), WizardDraft.step != Step.KIND.value,
               WizardDraft.updated_at >= drafts.expires_before(settings))
        .order_by(WizardDraft.updated_at.desc(), WizardDraft.id).limit(DRAFTS_SHOWN)
    ).all()
    return Listing.of(rows, lambda draft_id, data, step, updated_at: DraftToFinish(
        draft_id, str((data or {}).get("name") or ""), step, updated_at))
