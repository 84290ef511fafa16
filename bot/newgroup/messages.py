"""The direct message that hands a newly registered group's texts to the person who set it up."""
from __future__ import annotations

from slack_sdk.models.blocks import DividerBlock, HeaderBlock

from bot.blocks import bullet_list, escape, pasteable, section
from flows.groups.models import Group
from flows.wizard.drafts import PasteKit

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
