"""The App Home's part in a group's life: the buttons on each of the person's groups, the members welcomed this
year, and their unfinished /newgroup set-ups."""
from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, MarkdownTextObject, SectionBlock

from bot.blocks import context, escape
from bot.groups.views import change_button, welcome_button
from bot.newgroup.views import DraftAction, step_label
from flows.home.lifecycle import DraftToFinish
from flows.home.listing import Listing
from flows.moderation.queries import GroupState, local_date, long_date


def group_actions(state: GroupState) -> ActionsBlock:
    buttons = [change_button(state.group_id)]
    if state.kind.official and state.closed_on is None and state.moderators:
        buttons.append(welcome_button(state.group_id))
    return ActionsBlock(block_id=f"group_actions_{state.group_id}", elements=buttons)


def welcomed_line(state: GroupState, welcomed: dict[int, int] | None) -> list[str]:
    if not state.kind.official:
        return []
    count = (welcomed or {}).get(state.group_id, 0)
    return [f":wave: {count} new member{'' if count == 1 else 's'} welcomed this year"]


def drafts_blocks(drafts: Listing[DraftToFinish]) -> list:
    blocks = []
    for draft in drafts.items:
        name = f"“{escape(draft.name[:150])}”" if draft.name else "A group not yet named"
        text = (f"*Unfinished set-up:* {name}\nAt {step_label(draft.step)}; last changed on "
                f"{long_date(local_date(draft.updated_at))}.")
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text[:2900]), accessory=ButtonElement(
            text="Continue", action_id=DraftAction.CONTINUE.value, value=draft.draft_id, style="primary")))
    if drafts.more:
        blocks.append(context(f"…and {drafts.more:,} more unfinished set-ups."))
    return blocks
