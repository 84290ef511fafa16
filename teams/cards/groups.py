"""A group's life on Teams (flows/groups): welcoming a new member (L1) and closing or reopening a group (L4), from
the group's row on the home card. Flows decides who may; these cards say what happened in Teams' words."""
from __future__ import annotations

from microsoft_teams.cards import Choice, ChoiceSetInput, TextInput

from flows.groups.changes import ChangeResult
from flows.groups.lifecycle import REASON_LIMIT, ClosedAs
from flows.groups.models import Group
from flows.groups.snapshot import details_form as stored_details
from flows.groups.summary import fields, what_changed, what_was_done
from flows.moderation.queries import GroupState
from flows.policy.types import GroupKind
from flows.wizard.service import TEXT_LIMITS
from flows.outbox import NoticeKind
from teams.cards.common import (HOME, bullets, buttons, card, execute, good, heading, note, pasteable, plain,
                                section, warning)

WELCOME_FORM, WELCOME, CLOSE_FORM, CLOSE, REOPEN = (
    "groups.welcome_form", "groups.welcome", "groups.close_form", "groups.close", "groups.reopen")
DETAILS_FORM, DETAILS = "groups.details_form", "groups.details"
MODERATORS_FORM, MODERATORS = "groups.moderators_form", "groups.moderators"
# Teams' own limits on what is typed, the same as the Slack forms'.
LIMITS = {**TEXT_LIMITS, "name": 200, "description": 4000, "agreement_url": 500}
TITLE = "Your group"
CLOSED_WORDS = {ClosedAs.CLOSED.value: "Closed: the group no longer exists in WhatsApp",
                ClosedAs.ARCHIVED.value: "Archived: kept in WhatsApp, read-only, nobody moderating it"}


def group_row(state: GroupState) -> list:
    """The group's line on the home card, and what can be done with it (whether this person may is checked when
    they press it)."""
    data = {"group": state.group_id}
    if state.closed_on is not None:
        return [plain(f"Closed on {state.closed_on.day} {state.closed_on:%B %Y}", label=state.name),
                buttons(execute("Reopen", REOPEN, data))]
    actions = [execute("Moderators", MODERATORS_FORM, data), execute("Change details", DETAILS_FORM, data),
               execute("Close or archive", CLOSE_FORM, data)]
    if state.kind.official:
        actions.insert(0, execute("Welcome a new member", WELCOME_FORM, data))
    return [plain(state.summary, label=state.name), buttons(*actions)]


def welcome_form(group_id: int, group_name: str, errors: dict[str, str] | None = None):
    errors = errors or {}
    body = [heading(f"A new member of {group_name}"),
            note("Record who joined and get the welcome message and the agreement link to send them: the policy asks "
                 "for both when someone joins (L1). Initials or a Charity Log reference only, never a name or a "
                 "phone number."),
            TextInput(id="member", label="Who joined (initials, like J.S., or a Charity Log reference)",
                      max_length=40)]
    if errors.get("member"):
        body.append(warning(errors["member"]))
    return card(body, [execute("Record and get the texts", WELCOME, {"group": group_id}, style="positive")],
                fallback=f"A new member of {group_name}")


def welcomed_card(group_name: str, data: dict):
    body = [heading(f"A new member of {group_name}"),
            good(f"Recorded: {data['member']} joined {group_name}. Send them the welcome message below, then the "
                 "agreement (L1)."),
            *pasteable("Welcome message (S3)", data["welcome"])]
    if data.get("agreement_url"):
        body += pasteable("Group agreement (A3)", data["agreement_url"])
    return card(body, fallback=f"Recorded: {data['member']} joined {group_name}")


def close_form(group_id: int, group_name: str, errors: dict[str, str] | None = None, typed: dict | None = None):
    errors, typed = errors or {}, typed or {}
    body = [heading(f"Close or archive {group_name}"),
            note("A closed or archived group gets no more reminders and leaves the active register; its records are "
                 "kept for the retention period, then deleted (L4). It can be reopened."),
            ChoiceSetInput(id="closed_as", label="What happened to the group", style="expanded",
                           value=typed.get("closed_as") if isinstance(typed.get("closed_as"), str) else None,
                           choices=[Choice(title=words, value=value) for value, words in CLOSED_WORDS.items()])]
    if errors.get("closed_as"):
        body.append(warning(errors["closed_as"]))
    body.append(TextInput(id="reason", label="Why (the moderators are told)", is_multiline=True,
                          max_length=REASON_LIMIT))
    if errors.get("reason"):
        body.append(warning(errors["reason"]))
    return card(body, [execute("Close it", CLOSE, {"group": group_id}, style="destructive")],
                fallback=f"Close or archive {group_name}")


def moderators_form(group: Group, choices: dict[str, list[tuple[str, str]]], form: dict,
                    errors: dict[str, str] | None = None):
    """Who moderates the group, as it stands (or as chosen, when something needs fixing). ``choices``: field ->
    (person id, name) offered; volunteers and partner staff who use the app can be kept or taken out, and others are added
    by name."""
    errors = errors or {}

    def pick(field: str, label: str, multi: bool = False) -> list:
        chosen = form.get(field)
        value = ",".join(chosen) if isinstance(chosen, list) else chosen
        offered = [Choice(title=name or "(no name)", value=person) for person, name in choices.get(field, [])]
        made = ChoiceSetInput(id=field, label=label, is_multi_select=multi or None, value=value or None,
                              style=None if multi else "compact", choices=offered)
        return [made, *([warning(errors[field])] if errors.get(field) else [])] if offered else []

    body = [heading(f"Moderators of {group.name}"),
            note("Take people out, add others, or both (to replace someone). The rules are checked again before "
                 "anything is saved (M1–M5, L2), and new moderators are asked to confirm they have read the policy "
                 "and the agreement (M8)."),
            *pick("staff_moderators", "Staff moderators", multi=True),
            *pick("lead_moderator", "Lead staff moderator (the first staff moderator if left empty)"),
            *pick("other_moderators", "Volunteers who use this app", multi=True),
            *pick("partner_moderators", "Partner staff who use this app (they share moderating, M3, but are not staff)",
                  multi=True),
            TextInput(id="offline_moderators", label="Moderators who do not use this app", is_multiline=True,
                      max_length=LIMITS["offline_moderators"], value=form.get("offline_moderators") or None,
                      placeholder="One a line: name, role (volunteer, partner staff or steering group), and for "
                                  "partner staff their organisation. E.g. “Sam Patel, volunteer”."),
            *([warning(errors["offline_moderators"])] if errors.get("offline_moderators") else []),
            *pick("emergency_contact", "Senior manager to call in an emergency (given to moderators who are not "
                  "staff, M10)")]
    if not choices.get("staff_moderators"):
        body.insert(2, warning("I can't list the staff from Microsoft Entra right now; try again in a minute."))
    return card(body, [execute("Save the moderators", MODERATORS, {"group": group.id}, style="positive")],
                fallback=f"Moderators of {group.name}")


def moderators_saved(result: ChangeResult):
    if not result.changed:
        return message("Nothing was different, so nothing has changed.")
    lines = what_was_done(result)
    body = [heading(result.group_name), good(f"Saved. {' '.join(lines)} The moderators are told.")]
    if result.follow_ups:
        body.append(section(note("**Still to do**"), bullets(f.in_words() for f in result.follow_ups)))
    return card(body, [execute("Back to home", HOME)], fallback=f"Saved the moderators of {result.group_name}")


def details_form(group: Group, errors: dict[str, str] | None = None, typed: dict | None = None):
    """The group's name and what it says, as stored (or as typed, when something needs fixing)."""
    values, kind, errors = {**stored_details(group), **(typed or {})}, GroupKind(group.kind), errors or {}

    def field(name: str, label: str, multiline: bool = False) -> list:
        value = values.get(name) if isinstance(values.get(name), str) else ""
        return [TextInput(id=name, label=label, value=value[:LIMITS[name]] or None, max_length=LIMITS[name],
                          is_multiline=multiline or None), *([warning(errors[name])] if errors.get(name) else [])]

    body = [heading(f"Change {group.name}"),
            note("The same rules as when it was set up are checked (L3); if the description or the agreement changes "
                 "you get the texts to paste again."), *field("name", "Group name (as it appears in WhatsApp)")]
    if kind.official:
        body += [*field("description", "Group description (the Group Info text)", multiline=True),
                 *field("agreement_url", "Link to the group agreement (a page on the organisation's own site, D3)")]
    body += field("expected_members", "Expected number of members")
    if kind.needs_moderators:
        body += [*field("out_of_hours", "Out-of-hours cover (who covers, and how they reach a manager, M5)", True),
                 *field("moderation_plan", "Moderation plan (for a large group, M4)", True)]
    if kind is GroupKind.YOUNG_PEOPLE:
        body += field("quiet_hours", "Quiet hours (e.g. no messages after 8pm)")
    return card(body, [execute("Save the changes", DETAILS, {"group": group.id}, style="positive")],
                fallback=f"Change {group.name}")


def details_saved(result: ChangeResult):
    if not result.changed:
        return message("Nothing was different, so nothing has changed.")
    body = [heading(result.group_name), good(f"Saved: {fields(result.changed)}. The moderators are told.")]
    if result.follow_ups:
        body.append(section(note("**Still to do**"), bullets(f.in_words() for f in result.follow_ups)))
    if result.kit is not None:
        body.append(note("The texts have changed: paste them into WhatsApp again."))
        for title, text in result.kit.texts(description_title="Group description (Group Info)",
                                            welcome_title="Welcome message (S3)",
                                            agreement_title="Group agreement (publish it at the agreement link)"):
            body.append(section(*pasteable(title, text)))
    return card(body, [execute("Back to home", HOME)], fallback=f"Saved the changes to {result.group_name}")


def message(text: str, title: str = TITLE, *, done: bool = False):
    return card([heading(title), good(text) if done else note(text)], [execute("Back to home", HOME)],
                fallback=text)


def news_card(kind: NoticeKind, group_name: str, moderators: list[str], data: dict, by: str):
    """What a group's moderators are told of a change to it (flows/groups/notices.py queues it)."""
    if kind is NoticeKind.GROUP_CLOSED:
        lines = [f"{by} marked {group_name} as {data.get('closed_as')}: “{data.get('reason')}”. Its reminders have "
                 "stopped and it is off the active register."]
    elif kind is NoticeKind.GROUP_REOPENED:
        lines = [f"{by} reopened {group_name}: it is back on the register and its reminders start again."]
    elif kind is NoticeKind.MEMBER_WELCOMED:
        lines = [f"{by} welcomed a new member to {group_name} and sent them the welcome message and the agreement."]
    else:
        lines = [f"{by} changed {group_name}.", *what_changed(data, moderators)]
    text = " ".join(lines)
    # Names and reasons are what people typed: plain runs, never markdown.
    return card([heading(group_name), plain(text)], [execute("Open home", HOME)], fallback=text)

