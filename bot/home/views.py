"""The App Home (Slack's Home tab): what waits for the person, their groups, and for staff the register.

Every button that does something reuses the action id of the message that asks for it (Agree, Approve, Confirm,
Circulated, ...), so the workflow's own handler does the work and decides whether this person may. The register's
filters and page travel in the buttons' values and the view's private_metadata: any worker can turn the page.

Slack allows 100 blocks in a view. This one has fewer than 90 whatever the database holds: what waits 1 + six
kinds x (at most 3 items x 2 blocks + "and N more") = 43, the person's groups 1 + 5 x 2 (the group, its "Change
this group" buttons) + 1 = 12, their unfinished set-ups 3 + 1 = 4, the undelivered note 1, the register 4 +
PAGE_SIZE (20) = 24, the intro and two dividers 3. So the register's rows keep their one button (Log a removal):
"Change this group" is on the person's own groups (those they moderate or registered).
"""
from __future__ import annotations

import json

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot import refusals
from bot.blocks import context, escape, section
from bot.home.lifecycle import drafts_blocks, group_actions, welcomed_line
from bot.moderation.messages import (
    CIRCULATED_ACTION,
    CONFIRM_ACTION,
    CONFIRM_FOR_ACTION,
    STEP_DOWN_ACTION,
    STILL_ABLE_ACTION,
)
from bot.removals.messages import AGREE_ACTION, APPROVE_ACTION, REJECT_ACTION, agree_confirm
from bot.removals.views import log_removal_button
from bot.reports.messages import ACTION_IDS as REPORT_ACTION_IDS
from bot.reports.messages import BUTTON_LABELS as REPORT_BUTTON_LABELS
from flows.home import Home, Listing, RegisterFilter, RegisterPage
from flows.home.waiting import (
    CheckinToAnswer,
    CirculationToRecord,
    ConfirmationToGive,
    RemovalToDecide,
    ReportToActOn,
)
from flows.moderation.queries import GroupState, Standing, local_date, long_date
from flows.policy.types import GroupKind
from flows.removals.service import BREACHES
from flows.reports.service import Action, actions_in
from bot.settings import SlackSettings as Settings

# The Home's own actions: they publish the Home themselves (the refresh after other clicks leaves them alone).
PREFIX = "home_"
KIND_ACTION = "home_register_kind"
STATUS_ACTION = "home_register_status"
ATTENTION_ACTION = "home_register_attention"
PREVIOUS_ACTION = "home_register_previous"
NEXT_ACTION = "home_register_next"
FILTER_ACTIONS = (KIND_ACTION, STATUS_ACTION, ATTENTION_ACTION)
ALL = "all"
NEEDS_ATTENTION = "needs_attention"
TEXT_LIMIT = 2900
BUTTON_LIMIT = 75
ICONS = {Standing.COMPLETE: ":white_check_mark:", Standing.INCOMPLETE: ":warning:", Standing.BLOCKED: ":no_entry:"}
STATUS_LABELS = {Standing.COMPLETE: "Complete", Standing.INCOMPLETE: "Incomplete", Standing.BLOCKED: "Blocked"}


def home_view(home: Home, settings: Settings) -> dict:
    chosen = home.register.page.filter if home.register else RegisterFilter()
    blocks = [
        context("What waits for you and where your groups stand, read afresh each time you open this tab."),
        *_waiting(home, settings),
        DividerBlock(),
        *_my_groups(home),
        *drafts_blocks(home.drafts),
        *_undelivered(home, settings),
    ]
    if home.register is not None:
        blocks += [DividerBlock(), *_register(home.register.page, home.register.groups, home.welcomed)]
    return View(type="home", private_metadata=write_filter(chosen), blocks=blocks).to_dict()


# --- what waits for me ------------------------------------------------------------------------------------------------
def _waiting(home: Home, settings: Settings) -> list:
    blocks: list = [HeaderBlock(text="What's waiting for you")]
    if not home.waiting:
        return blocks + [section("Nothing is waiting for you right now. :white_check_mark:")]
    approvals = f" (they are also in <#{settings.approvals_channel}>)" if settings.approvals_channel else ""
    blocks += _listed(home.to_sign_off, _sign_off, f"permanent removals to sign off{approvals}")
    blocks += _listed(home.to_agree, _agree, "permanent removals to agree to")
    blocks += _listed(home.reports, _report, "reported groups still open")
    blocks += _listed(home.confirmations, _confirmation(settings), "confirmations to give")
    blocks += _listed(home.checkins, _checkin, "check-ins to answer")
    blocks += _listed(home.circulations, _circulation, "agreements to circulate")
    return blocks


def _listed(listing: Listing, render, what: str) -> list:
    blocks = [block for item in listing.items for block in render(item)]
    if listing.more:
        blocks.append(context(f"…and {listing.more:,} more {what}."))
    return blocks


def _removal_text(d: RemovalToDecide, heading: str) -> str:
    breaches = "; ".join(BREACHES.get(code, code) for code in d.breaches) or "not given"
    agreed = f" Agreed by <@{d.agreed_by}>." if d.agreed_by and d.agreed_by != d.logged_by else ""
    return (
        f"*{heading}* (#{d.decision_id})\n*{escape(d.member_ref)}* from *{escape(d.group_name)}*. "
        f"Agreement breached: {escape(breaches)}.\nLogged by <@{d.logged_by}> on {long_date(local_date(d.logged_at))}."
        f"{agreed}"
    )


def _sign_off(d: RemovalToDecide) -> list:
    return [
        section(_fit(_removal_text(d, "Permanent removal to sign off (R2)"))),
        ActionsBlock(elements=[
            ButtonElement(
                text="Approve", action_id=APPROVE_ACTION, value=str(d.decision_id), style="primary",
                confirm=ConfirmObject(
                    title="Approve this removal?", confirm="Approve", deny="Not yet",
                    text=f"The permanent removal of {d.member_ref[:40]} is signed off and shared with the moderators.",
                ),
            ),
            ButtonElement(text="Reject", action_id=REJECT_ACTION, value=str(d.decision_id), style="danger"),
        ]),
    ]


def _agree(d: RemovalToDecide) -> list:
    ask = ("You were asked, as a member of staff, to agree in place of a staff moderator of the group (none is on "
           "Slack). Do you agree?" if d.asked_in_place else "As a staff moderator of the group, do you agree?")
    text = _removal_text(d, "Permanent removal to agree to (R2)") + "\n" + ask
    return [SectionBlock(
        text=MarkdownTextObject(text=_fit(text)),
        accessory=ButtonElement(
            text="Agree", action_id=AGREE_ACTION, value=str(d.decision_id), style="primary",
            confirm=agree_confirm(d.group_name, d.member_ref, d.kind, [BREACHES.get(c, c) for c in d.breaches]),
        ),
    )]


def _report(r: ReportToActOn) -> list:
    owner = f"<@{r.owner_id}> is approaching them" if r.owner_id else "Nobody has taken it on yet"
    reports = "1 report" if r.report_count == 1 else f"{r.report_count} reports"
    text = (f"*Unofficial group reported* (U2): “{escape(r.name)}”\n{r.state.label}. {owner}. {reports}, first on "
            f"{long_date(local_date(r.reported_at))}.")
    buttons = [_report_button(r, action) for action in actions_in(r.state)]
    return [section(_fit(text)), ActionsBlock(elements=buttons)] if buttons else [section(_fit(text))]


def _report_button(r: ReportToActOn, action: Action) -> ButtonElement:
    confirm = None
    if action in (Action.RENAMED, Action.CLOSED):
        confirm = ConfirmObject(
            title="Close this report?", confirm="Yes", deny="Not yet",
            text=f"Mark “{r.name[:200]}” as {REPORT_BUTTON_LABELS[action].lower()}? The reporter will be told.",
        )
    return ButtonElement(
        text=REPORT_BUTTON_LABELS[action], action_id=REPORT_ACTION_IDS[action], value=str(r.case_id),
        style="primary" if action is Action.APPROACH else None, confirm=confirm,
    )


def _confirmation(settings: Settings):
    def render(c: ConfirmationToGive) -> list:
        reading = f"<{settings.policy_url}|the policy>"
        if c.agreement_url:
            reading += f" and <{c.agreement_url}|the group agreement>"
        if c.on_behalf:
            text = (f"*Confirm for {escape(c.moderator_name)}* (M8) · {escape(c.group_name)}\nThey are not on Slack: "
                    f"when they tell you they have read {reading}, record it for them.")
            button = _button(f"Confirm for {c.moderator_name}", CONFIRM_FOR_ACTION, c.confirmation_id)
        else:
            text = (f"*Read and confirm* (M8) · {escape(c.group_name)}\nAs a moderator, please read {reading}, "
                    "then confirm.")
            button = _button("I have read them" if c.agreement_url else "I have read the policy", CONFIRM_ACTION,
                             c.confirmation_id, style="primary")
        return [SectionBlock(text=MarkdownTextObject(text=_fit(text)), accessory=button)]

    return render


def _checkin(c: CheckinToAnswer) -> list:
    who = escape(c.moderator_name) if c.on_behalf else "you"
    text = (f"*Still able to moderate?* (M9) · {escape(c.group_name)}\nAre {who} still able and willing to moderate? "
            f"Asked for {long_date(c.due_on)}." + (" They are not on Slack: answer for them." if c.on_behalf else ""))
    name = c.moderator_name if c.on_behalf else "You"
    confirm = ConfirmObject(
        title="Step down?", confirm="Step down", deny="Cancel", style="danger",
        text=f"{name[:80]} will no longer be a moderator of {c.group_name[:80]}. The lead staff moderator is told "
             "and the group will need a new moderator.",
    )
    label = f"{c.moderator_name}: " if c.on_behalf else ""
    return [section(_fit(text)), ActionsBlock(elements=[
        _button(f"{label}still able" if c.on_behalf else "Still able to moderate", STILL_ABLE_ACTION, c.checkin_id,
                style="primary"),
        _button(f"{label}stepping down" if c.on_behalf else "I need to step down", STEP_DOWN_ACTION, c.checkin_id,
                style="danger", confirm=confirm),
    ])]


def _circulation(c: CirculationToRecord) -> list:
    where = f" (<{c.agreement_url}|the agreement>)" if c.agreement_url else ""
    text = (f"*Circulate the group agreement* (A3) · {escape(c.group_name)}\nDue on {long_date(c.due_on)}. Post "
            f"it{where} in the group, then press Circulated.")
    return [SectionBlock(text=MarkdownTextObject(text=_fit(text)),
                         accessory=_button("Circulated", CIRCULATED_ACTION, c.circulation_id, style="primary"))]


# --- my groups ---------------------------------------------------------------------------------------------------------
def _my_groups(home: Home) -> list:
    blocks: list = [HeaderBlock(text="Your groups")]
    if not home.my_groups:
        text = "You are not a moderator of a registered group, and you have not registered one."
        if home.is_staff:
            text += " To set up a WhatsApp group the way the policy asks, type `/newgroup`."
        return blocks + [section(text)]
    for state in home.my_groups.items:
        blocks += [_group(state, home.welcomed), group_actions(state)]
    if home.my_groups.more:
        where = ": they are all in the register below" if home.register else ""
        blocks.append(context(f"…and {home.my_groups.more:,} more of your groups{where}."))
    return blocks


def _group(state: GroupState, welcomed: dict[int, int] | None = None) -> SectionBlock:
    # The summary of a blocked or complete group starts with its state; an incomplete one's says what is missing.
    summary = state.worded_summary(refusals.GAP_WORDING)
    said = f"Incomplete: {summary}" if state.status is Standing.INCOMPLETE else summary
    lines = [f"*{escape(state.name)}* · {state.kind.label}"]
    if state.closed_on is not None:
        lines.append(f":file_cabinet: Closed on {long_date(state.closed_on)}: no reminders, off the register.")
    else:
        lines.append(f"{ICONS[state.status]} {escape(said)}")
        lines += [f":bell: {escape(item)}" for item in state.to_do]
    lines += welcomed_line(state, welcomed)
    accessory = None
    if state.kind.needs_moderators and state.moderators and state.closed_on is None:
        accessory = log_removal_button(state.group_id)
    return SectionBlock(text=MarkdownTextObject(text=_fit("\n".join(lines))), accessory=accessory)


def _undelivered(home: Home, settings: Settings) -> list:
    if home.undelivered is None:
        return []
    if not home.undelivered:
        return [context(":white_check_mark: Every message the app sent on its own has been delivered.")]
    count = "1 message" if home.undelivered == 1 else f"{home.undelivered} messages"
    where = (f"Each one is listed in <#{settings.admin_channel}>." if settings.admin_channel
             else "Ask whoever runs the app to look at them.")
    return [section(f":warning: *{count} could not be delivered* after every try, so someone may not have been told "
                    f"about a decision or a request. {where}")]


# --- the register --------------------------------------------------------------------------------------------------
def _register(page: RegisterPage, groups: tuple[GroupState, ...], welcomed: dict[int, int] | None = None) -> list:
    chosen = page.filter
    blocks: list = [HeaderBlock(text="The register"), ActionsBlock(block_id="home_register_filters", elements=[
        _select(KIND_ACTION, "Kind of group",
                [(ALL, "All kinds")] + [(k.value, k.label) for k in GroupKind],
                chosen.kind.value if chosen.kind else ALL),
        _select(STATUS_ACTION, "State",
                [(ALL, "Any state")] + [(s.value, STATUS_LABELS[s]) for s in Standing],
                chosen.status.value if chosen.status else ALL),
        _select(ATTENTION_ACTION, "Attention",
                [(ALL, "All groups"), (NEEDS_ATTENTION, "Needing attention")],
                NEEDS_ATTENTION if chosen.needs_attention else ALL),
    ])]
    if not page.total:
        which = "No group matches these filters." if chosen.filtered else "No group is registered yet."
        return blocks + [section(which)]
    noun = "group" if page.total == 1 else "groups"
    blocks.append(context(
        f"{page.first:,}–{page.last:,} of {page.total:,} {noun}{' (filtered)' if chosen.filtered else ''} · "
        f"page {chosen.page + 1:,} of {page.pages:,}"
    ))
    blocks += [_group(state, welcomed) for state in groups]
    pager = []
    if page.has_previous:
        pager.append(ButtonElement(text="Previous", action_id=PREVIOUS_ACTION,
                                   value=write_filter(chosen.on_page(chosen.page - 1))))
    if page.has_next:
        pager.append(ButtonElement(text="Next", action_id=NEXT_ACTION, value=write_filter(chosen.on_page(chosen.page + 1))))
    if pager:
        blocks.append(ActionsBlock(block_id="home_register_pages", elements=pager))
    return blocks


def _select(action_id: str, placeholder: str, choices: list[tuple[str, str]], chosen: str) -> StaticSelectElement:
    options = [Option(value=value, text=label[:BUTTON_LIMIT]) for value, label in choices]
    initial = next((o for o in options if o.value == chosen), options[0])
    return StaticSelectElement(action_id=action_id, placeholder=placeholder, options=options, initial_option=initial)


# --- the register's filter, in and out of the view -----------------------------------------------------------------------
def write_filter(chosen: RegisterFilter) -> str:
    return json.dumps({
        "kind": chosen.kind.value if chosen.kind else None,
        "status": chosen.status.value if chosen.status else None,
        "attention": chosen.needs_attention,
        "page": chosen.page,
    }, separators=(",", ":"))


def read_filter(text: object) -> RegisterFilter:
    """From a button's value or the Home's private_metadata; anything unreadable is the unfiltered first page."""
    try:
        data = json.loads(text) if isinstance(text, str) and text else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    return RegisterFilter.of(data.get("kind"), data.get("status"), data.get("attention", False), data.get("page", 0))


def choose(current: RegisterFilter, action_id: str, value: object) -> RegisterFilter:
    """A filter chosen in one of the selects: the others stay, and the register starts from its first page."""
    value = value if isinstance(value, str) else ALL
    kind = current.kind.value if current.kind else None
    status = current.status.value if current.status else None
    attention = current.needs_attention
    if action_id == KIND_ACTION:
        kind = value
    elif action_id == STATUS_ACTION:
        status = value
    elif action_id == ATTENTION_ACTION:
        attention = value == NEEDS_ATTENTION
    return RegisterFilter.of(kind, status, attention, 0)


# --- small helpers -------------------------------------------------------------------------------------------------
def _button(text: str, action_id: str, value: int, style: str | None = None,
            confirm: ConfirmObject | None = None) -> ButtonElement:
    if len(text) > BUTTON_LIMIT:
        text = text[: BUTTON_LIMIT - 1] + "…"
    return ButtonElement(text=text, action_id=action_id, value=str(value), style=style, confirm=confirm)


def _fit(text: str) -> str:
    # A section holds 3000 characters; long names and many findings must not push the Home over Slack's limit.
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"
