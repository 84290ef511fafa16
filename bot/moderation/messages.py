"""What moderators are sent: the M8 confirmation request (with M10's emergency contact for those who are not
staff), the A3 reminder to circulate the agreement, the M9 check-in, and the news that someone stepped down.
Each message is rendered whole from the register, so editing it in place after an answer shows every answer."""
from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.blocks import context, escape, pasteable, section
from flows.groups.models import Group, Moderator
from flows.moderation.models import AgreementCirculation, CheckinAnswer, ModeratorCheckin, ModeratorConfirmation
from flows.moderation.queries import is_employed, local_date, long_date
from flows.policy.types import Finding, ModeratorRole
from bot.settings import SlackSettings as Settings

CONFIRM_ACTION = "moderation_confirm"
CONFIRM_FOR_ACTION = "moderation_confirm_for"
CIRCULATED_ACTION = "moderation_circulated"
STILL_ABLE_ACTION = "moderation_still_able"
STEP_DOWN_ACTION = "moderation_step_down"
CONFIRM_BUTTON = "I have read the policy and the group agreement"
# Slack allows 75 characters on a button.
BUTTON_LIMIT = 75

Asked = list[tuple[Moderator, ModeratorConfirmation]]
Checked = list[tuple[Moderator, ModeratorCheckin]]


def _message(text: str, blocks: list) -> dict:
    return {"text": text, "blocks": [b.to_dict() for b in blocks]}


def _button(text: str, action_id: str, value: int, style: str | None = None, confirm: ConfirmObject | None = None):
    if len(text) > BUTTON_LIMIT:
        text = text[: BUTTON_LIMIT - 1] + "…"
    return ButtonElement(text=text, action_id=action_id, value=str(value), style=style, confirm=confirm)


def _short(text: str, limit: int = 1500) -> str:
    # A section holds 3000 characters; what people typed must not push a message over Slack's limit.
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _on(moment: datetime | None) -> str:
    return long_date(local_date(moment)) if moment else "an unknown date"


def _who(moderator: Moderator) -> str:
    role = ModeratorRole(moderator.role).label
    if moderator.organisation:
        role += f", {moderator.organisation}"
    return f"*{escape(moderator.name)}* ({escape(role)})"


def _reading(group: Group) -> str:
    return "the policy and the group agreement" if group.agreement_url else "the policy"


# --- M8 and M10 -----------------------------------------------------------------------------------------------------
def emergency_contact_text(group: Group, lead: Moderator | None, for_whom: str = "you") -> str:
    """M10: whom a moderator who is not staff contacts in an urgent issue."""
    head = (f":rotating_light: *If something urgent happens* (for example a safeguarding disclosure outside office "
            f"hours), {for_whom} should contact ")
    if group.emergency_contact or group.emergency_contact_person_id:
        name = escape(group.emergency_contact or "the senior manager on call")
        mention = f" (<@{group.emergency_contact_person_id}>)" if group.emergency_contact_person_id else ""
        text = f"{head}*{name}*{mention}."
    elif lead is not None and lead.person_id:
        text = f"{head}the lead staff moderator, <@{lead.person_id}>: no emergency contact is recorded yet."
    else:
        text = f"{head}a senior manager: no emergency contact is recorded for this group yet."
    if group.out_of_hours:
        text += f"\n*Out of hours:* {escape(_short(group.out_of_hours))}"
    return text


def confirmation_message(group: Group, recipient: Moderator, asked: Asked, settings: Settings, lead: Moderator | None) -> dict:
    """To a moderator on Slack: read and confirm. To the lead, also a button for each moderator not on Slack."""
    own = next(((m, c) for m, c in asked if m.id == recipient.id), None)
    others = [(m, c) for m, c in asked if m.id != recipient.id]
    reading = _reading(group)
    links = [f"• <{settings.policy_url}|The WhatsApp Group Policy>"]
    if group.agreement_url:
        links.append(f"• <{group.agreement_url}|The group agreement for {escape(group.name)}>")
    blocks: list = [HeaderBlock(text=f"Moderating {group.name}"[:150])]
    if own:
        blocks.append(section(
            f"You are a moderator of *{escape(group.name)}*. The WhatsApp Group Policy asks everyone who moderates "
            f"a group to read the policy and the group's agreement (M8). Please read them, then press the button.\n"
            + "\n".join(links)
        ))
        if not is_employed(recipient):
            blocks.append(section(emergency_contact_text(group, lead)))
        confirmation = own[1]
        if confirmation.confirmed_at:
            blocks.append(context(f":white_check_mark: You confirmed you have read {reading} on {_on(confirmation.confirmed_at)}."))
        else:
            blocks.append(ActionsBlock(block_id="moderation_confirm", elements=[
                _button(CONFIRM_BUTTON if group.agreement_url else "I have read the policy", CONFIRM_ACTION,
                        confirmation.id, style="primary"),
            ]))
    if others:
        blocks += [DividerBlock(), section(
            f"*Moderators who are not on Slack*\nAs lead staff moderator, please make sure each of them has read "
            f"{reading}" + ("" if own else ":\n" + "\n".join(links)) + ". When they tell you they have, press the "
            "button beside their name: that records it for them."
        )]
        if any(not is_employed(m) for m, _ in others):
            blocks.append(section(emergency_contact_text(group, lead, for_whom="they") + "\nPlease pass this on to them."))
        for moderator, confirmation in others:
            if confirmation.confirmed_at:
                blocks.append(section(f"{_who(moderator)}\n:white_check_mark: Confirmed by <@{confirmation.confirmed_by}> "
                                      f"on {_on(confirmation.confirmed_at)}."))
            else:
                blocks.append(SectionBlock(
                    text=MarkdownTextObject(text=_who(moderator)),
                    accessory=_button(f"Confirm for {moderator.name}", CONFIRM_FOR_ACTION, confirmation.id, confirm=ConfirmObject(
                        title="Confirm for them?",
                        text=f"{moderator.name[:100]} has told you they have read {reading}.",
                        confirm="Yes, they have", deny="Not yet",
                    )),
                ))
    pending = sum(1 for _, c in asked if not c.confirmed_at)
    text = (f"Please confirm you have read {reading} for {group.name}" if pending
            else f"Thank you: confirmations for {group.name} are recorded")
    return _message(text, blocks)


# --- A3 ---------------------------------------------------------------------------------------------------------------
def circulation_message(group: Group, circulation: AgreementCirculation, pasted: str, next_due_on=None) -> dict:
    """With the group's agreement link, a short message pointing to it; without one, the agreement drafted from
    the template, and how to add the link."""
    intro = (f"The policy asks for *{escape(group.name)}*'s group agreement to be circulated to all its members at "
             f"least once a year (A3); it is due on {long_date(circulation.due_on)}. ")
    if group.agreement_url:
        blocks: list = [section(intro + f"Please post the message below in the group: it points to "
                                        f"<{group.agreement_url}|the group's agreement>. Then press *Circulated*."),
                        *pasteable("Message to paste into the WhatsApp group", pasted)]
    else:
        blocks = [section(intro + f"*{escape(group.name)} has no published agreement link yet*, so here is the "
                                  "agreement drafted from the policy's template: please check it, post it in the group, "
                                  "then press *Circulated*."),
                  *pasteable("Group agreement (paste into the WhatsApp group)", pasted),
                  context("To add the group's own agreement link, open the app's Home, press *Change this group* "
                          "beside it, then *Name, description and other details*, and fill in *Link to the group "
                          "agreement*. Next year's reminder will point to it.")]
    blocks.insert(0, HeaderBlock(text=f"Time to circulate the group agreement: {group.name}"[:150]))
    if circulation.circulated_at:
        after = f" The next reminder is on {long_date(next_due_on)}." if next_due_on else ""
        blocks.append(context(f":white_check_mark: Circulated: recorded by <@{circulation.circulated_by}> on "
                              f"{_on(circulation.circulated_at)}.{after}"))
    else:
        blocks.append(ActionsBlock(block_id="moderation_circulated", elements=[
            _button("Circulated", CIRCULATED_ACTION, circulation.id, style="primary"),
        ]))
    return _message(f"Time to circulate the group agreement of {group.name} (A3)", blocks)


# --- L5 ---------------------------------------------------------------------------------------------------------------
def asked_again(message: dict, first_asked: datetime) -> dict:
    """The same request, asked again: said at the top, under its heading."""
    note = context(f":repeat: *A reminder:* I first asked on {_on(first_asked)} and have no answer yet (L5).").to_dict()
    blocks = list(message["blocks"])
    blocks.insert(1 if blocks and blocks[0]["type"] == "header" else 0, note)
    return {"text": f"Reminder: {message['text']}", "blocks": blocks}


# --- M9 ---------------------------------------------------------------------------------------------------------------
def _answered(checkin: ModeratorCheckin, whose: str) -> str:
    said = "stepping down" if checkin.answer == CheckinAnswer.STEPPING_DOWN else "still able to moderate"
    by = f" (answered by <@{checkin.answered_by}>)" if checkin.on_behalf else ""
    return f":white_check_mark: {whose}: {said}, on {_on(checkin.answered_at)}{by}."


def _step_down_confirm(group: Group, name: str) -> ConfirmObject:
    return ConfirmObject(
        title="Step down?",
        text=f"{name[:100]} will no longer be a moderator of {group.name[:100]}. The lead staff moderator is told "
             "and the group will need a new moderator.",
        confirm="Step down", deny="Cancel", style="danger",
    )


def checkin_message(group: Group, recipient: Moderator, checked: Checked, months: int, findings: list[Finding]) -> dict:
    own = next(((m, c) for m, c in checked if m.id == recipient.id), None)
    others = [(m, c) for m, c in checked if m.id != recipient.id]
    blocks: list = [HeaderBlock(text=f"Still moderating {group.name}?"[:150])]
    intro = (f"About every {months} months the lead staff moderator checks that each moderator of "
             f"*{escape(group.name)}* is still able and willing to carry on (M9).")
    if own:
        checkin = own[1]
        blocks.append(section(intro + (" Are you?" if not checkin.answer else "")))
        if checkin.answer:
            blocks.append(context(_answered(checkin, "You")))
        else:
            blocks.append(ActionsBlock(block_id="moderation_checkin", elements=[
                _button("Still able to moderate", STILL_ABLE_ACTION, checkin.id, style="primary"),
                _button("I need to step down", STEP_DOWN_ACTION, checkin.id, style="danger",
                        confirm=_step_down_confirm(group, "You")),
            ]))
    else:
        blocks.append(section(intro))
    if others:
        blocks += [DividerBlock(), section("*Moderators who are not on Slack*\nAs lead staff moderator, please ask "
                                           "each of them and answer for them here.")]
        for moderator, checkin in others:
            if checkin.answer:
                blocks.append(section(f"{_who(moderator)}\n{_answered(checkin, 'Answer')}"))
                continue
            blocks += [section(_who(moderator)), ActionsBlock(block_id=f"moderation_checkin_{checkin.id}", elements=[
                _button(f"{moderator.name}: still able", STILL_ABLE_ACTION, checkin.id),
                _button(f"{moderator.name}: stepping down", STEP_DOWN_ACTION, checkin.id, style="danger",
                        confirm=_step_down_confirm(group, moderator.name)),
            ])]
    if findings:
        blocks.append(section(blocked_text(group, findings)))
    return _message(f"Are you still able to moderate {group.name}? (M9)", blocks)


def blocked_text(group: Group, findings: list[Finding]) -> str:
    rules = " and ".join(f.rule for f in findings)
    lines = [f":no_entry: *{escape(group.name)} is blocked under {rules}* until it has moderators the policy allows:"]
    lines += [f"• {escape(f.in_words())}" for f in findings]
    return "\n".join(lines)


def stepped_down_notice(group: Group, moderator: Moderator, answered_by: str, findings: list[Finding]) -> dict:
    by = f" (<@{answered_by}> answered for them)" if moderator.person_id != answered_by else ""
    blocks = [
        section(f":warning: {_who(moderator)} has stepped down as a moderator of *{escape(group.name)}*{by}. "
                "The group needs a new moderator to take their place (M9); until then it shows as needing a "
                "moderator."),
    ]
    if findings:
        blocks.append(section(blocked_text(group, findings)))
    text = f"{moderator.name} has stepped down as a moderator of {group.name}"
    if findings:
        text += f"; the group is blocked under {' and '.join(f.rule for f in findings)}"
    return _message(text, blocks)
