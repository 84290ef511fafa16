"""What a group's registration tells people, queued with the registration itself (a group is never registered
without them): the creator gets the ready-to-paste texts (the group kit), and every moderator with an account is
asked to confirm they have read the policy and the agreement (M8)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from flows.groups.models import Group
from flows.moderation.notices import ask_to_confirm
from flows.outbox import Notice, NoticeKind, Subject, queue
from flows.wizard.service import WizardState


def registered(session: Session, group: Group, state: WizardState) -> list[Notice]:
    if not state.kind.official:
        return []
    return [group_kit(session, group, state.user_id, part=0)] + ask_to_confirm(session, group)


def group_kit(session: Session, group: Group, person_id: str, part: int) -> Notice:
    """One part of the kit (an adapter that cannot show it all at once asks for the next part)."""
    return queue(session, NoticeKind.GROUP_KIT, Subject("group", group.id), person_id, data={"part": part},
                 dedupe_key=f"group:{group.id}:kit:{part}")
