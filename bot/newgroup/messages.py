"""The direct message that hands a newly registered group's texts to the person who set it up."""
from __future__ import annotations

from slack_sdk.models.blocks import DividerBlock, HeaderBlock
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import render
from bot.blocks import bullet_list, escape, pasteable, section
from flows.groups.models import Group
from flows.outbox import NoticeKind
from flows.outbox.worker import Claim
from flows.settings import get_settings
from flows.wizard import drafts
from flows.wizard.drafts import PasteKit
from flows.wizard.models import WizardDraft
from flows.wizard.notices import group_kit
from flows.wizard.service import NewGroupWizard

# Slack allows 50 blocks in a message.
MESSAGE_BLOCK_LIMIT = 50


def paste_kit_messages(group: Group, kit: PasteKit) -> list[dict]:
    blocks = [
        HeaderBlock(text=f"Registered: {group.name}"[:150]),
        section(
            "Here is everything to paste into WhatsApp. Set the group up in this order: settings, description, "
            "then send the welcome message to everyone who joins, with the agreement's link."
        ),
        section("*Settings checklist*\n" + bullet_list([f"{escape(text)} ({rule})" for rule, text in kit.checklist])),
    ]
    if kit.conduct:
        blocks.append(section("*Behaviour in the group*\n" + bullet_list([escape(note) for note in kit.conduct])))
    blocks.append(DividerBlock())
    for title, text in kit.texts(
        description_title="Group description (Group Info)",
        welcome_title="Welcome message (send when the group starts and to each new member)",
        agreement_title="Group agreement (publish it at the agreement link)",
    ):
        blocks += pasteable(title, text)
    dicts = [block.to_dict() for block in blocks]
    return [
        {"text": f"Registered {group.name}: the texts to paste into WhatsApp", "blocks": dicts[i : i + MESSAGE_BLOCK_LIMIT]}
        for i in range(0, len(dicts), MESSAGE_BLOCK_LIMIT)
    ]


@render.renders(NoticeKind.GROUP_KIT)
def _render_kit(session: Session, claim: Claim, adapter):
    """The kit as the wizard left it. Slack takes 50 blocks a message: the first part asks for the others."""
    group = session.get(Group, int(claim.subject.id))
    draft = session.scalars(select(WizardDraft).where(WizardDraft.group_id == group.id)).first() if group else None
    if draft is None:
        return None
    state = NewGroupWizard._state(draft)
    parts = paste_kit_messages(group, drafts.kit(state, adapter.settings or get_settings()))
    part = int(claim.data.get("part") or 0)
    if part == 0:
        for more in range(1, len(parts)):
            group_kit(session, group, claim.person_id, part=more)
    return parts[part] if part < len(parts) else None
