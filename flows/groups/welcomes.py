"""New members: "When a group starts or a new member joins the group the moderators must ensure that they are sent a
welcome message". A moderator records who joined (initials or a Charity Log reference, through the personal-data
guard) and is handed the welcome message and the agreement link to paste; when is recorded. The count of members
welcomed each year is the charity's evidence of consent for those who joined after the start."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows import drafting
from flows.audit import service as audit
from flows.db import Database, utcnow
from flows.groups.access import ChangeRefusal, record_refusal
from flows.groups.changes import Change, ChangeResult, _group, _shared
from flows.groups.models import Group, MemberWelcome
from flows.moderation.queries import LOCAL, active_moderators
from flows.policy.types import GroupKind
from flows.privacy import FieldKind, Guard
from flows.settings import Settings
from flows.wizard.service import clean_text


class Welcomes:
    def __init__(self, db: Database, settings: Settings, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock

    def welcome(self, group_id: object, user_id: str, member: str
                ) -> ChangeResult:
        """Any active moderator of the group records the member; the result's data holds the texts to paste."""
        reference = " ".join((clean_text(member) or "").split())
        result = ChangeResult(Change.WELCOMED, user_id, None)
        verdict = Guard.from_settings(self.settings).check(reference, FieldKind.MEMBER_REFERENCE)
        with self.db.transaction() as session:
            group = _group(session, group_id)
            reason = _refusal(group, user_id)
            if reason is not None:
                record_refusal(session, user_id, group.id if group else str(group_id)[:64], Change.WELCOMED.value,
                               reason)
                result.refusal = reason
                return result
            result.group_id, result.group_name = group.id, group.name
            if not reference or not verdict.ok:
                # Refused text is kept nowhere: not in the record, the audit trail or any message.
                result.errors["member"] = verdict.message if reference else (
                    "Write the new member's initials (like J.S.) or their Charity Log reference.")
                return result
            row = MemberWelcome(group_id=group.id, member_ref=reference, welcomed_by=user_id, welcomed_at=self.clock())
            session.add(row)
            session.flush()
            kind = GroupKind(group.kind)
            result.changed = ("welcomed",)
            result.data = {
                "member": reference, "welcome_id": row.id, "welcomed_at": row.welcomed_at.isoformat(),
                "agreement_url": group.agreement_url,
                "welcome": drafting.draft_welcome_message(
                    kind, group.name, self.settings, agreement_url=group.agreement_url,
                    moderator_names=[m.name for m in active_moderators(group)]),
            }
            audit.record(session, actor=user_id, action="member.welcomed", subject_type="member_welcome",
                         subject_id=row.id, group_id=group.id)
            result.queued = _shared(session, group, result)
        return result


def _refusal(group: Group | None, user_id: str) -> ChangeRefusal | None:
    if group is None:
        return ChangeRefusal.NOT_FOUND
    if group.closed_at is not None:
        return ChangeRefusal.CLOSED
    if not any(m.person_id == user_id for m in active_moderators(group)):
        return ChangeRefusal.NOT_A_MODERATOR
    return None


def welcomed_this_year(session: Session, group_ids: Iterable[int], on: date) -> dict[int, int]:
    """Members welcomed since 1 January (UK time) of `on`'s year, by group id; groups with none are left out."""
    ids = list(dict.fromkeys(group_ids))
    if not ids:
        return {}
    since = datetime.combine(date(on.year, 1, 1), time(), LOCAL)
    return dict(session.execute(
        select(MemberWelcome.group_id, func.count()).where(MemberWelcome.group_id.in_(ids),
                                                           MemberWelcome.welcomed_at >= since)
        .group_by(MemberWelcome.group_id)
    ).all())
