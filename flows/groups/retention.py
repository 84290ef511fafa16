"""P5 for a group that closed: RETENTION_CLOSED_GROUPS_DAYS after it closed (or was archived), the group and what
the app kept about running it go: its moderators and their confirmations, check-ins, vacancies and circulations,
the members welcomed, the wizard that registered it and the messages about all of these. Its removal decisions
have their own period (RETENTION_FINISHED_REMOVALS_DAYS): while one is kept, so is the group it belongs to.
Called by the daily purge (flows/privacy/retention.py); a reopened group's clock stops."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from flows.db.erasure import erased
from flows.groups.models import Group, MemberWelcome, Moderator
from flows.moderation.models import AgreementCirculation, ModeratorCheckin, ModeratorConfirmation, ModeratorVacancy
from flows.moderation.notices import CHECKIN, CIRCULATION, CONFIRMATION
from flows.removals.models import RemovalDecision
from flows.wizard.models import WizardDraft


def purge_closed_groups(session: Session, cutoff: datetime, delete_messages) -> int:
    """`delete_messages(session, subject_type, ids)` removes the notices about those records."""
    ids = list(session.scalars(select(Group.id).where(
        Group.closed_at.is_not(None), Group.closed_at < cutoff,
        Group.id.not_in(select(RemovalDecision.group_id)),
    )))
    if not ids:
        return 0
    about = {
        CONFIRMATION: ModeratorConfirmation, CHECKIN: ModeratorCheckin, CIRCULATION: AgreementCirculation,
    }
    for subject_type, model in about.items():
        rows = set(session.scalars(select(model.id).where(model.group_id.in_(ids))))
        if rows:
            delete_messages(session, subject_type, rows)
    delete_messages(session, "group", set(ids))
    moderators = set(session.scalars(select(Moderator.id).where(Moderator.group_id.in_(ids))))
    if moderators:
        delete_messages(session, "moderator", moderators)
    for model in (ModeratorConfirmation, ModeratorCheckin, ModeratorVacancy, AgreementCirculation, MemberWelcome,
                  Moderator, WizardDraft):
        session.execute(delete(model).where(model.group_id.in_(ids)).execution_options(synchronize_session=False))
    erased(session, "groups", "moderators", "member_welcomes", "moderator_confirmations", "moderator_checkins")
    return session.execute(delete(Group).where(Group.id.in_(ids)).execution_options(synchronize_session=False)).rowcount
