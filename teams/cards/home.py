"""The "home" card: what waits for the person, their groups, and for staff the register a page at a time (the
Slack App Home's content)."""
from __future__ import annotations

from flows.home.service import Home
from flows.moderation.queries import GroupState
from teams.cards import groups, removals, reports, wizard
from teams.cards.common import HOME, buttons, card, execute, heading, note, plain, section

PAGE = "home.page"
CONFIRM, STILL_ABLE, STEP_DOWN, CIRCULATED = ("moderation.confirm", "moderation.still_able", "moderation.step_down",
                                              "moderation.circulated")


def home_card(home: Home, names: dict[str, str], banner: str = ""):
    body = [heading("Home")]
    if banner:
        body.append(plain(banner))
    body.append(note(f"**{home.waiting} waiting for you**" if home.waiting else "Nothing waits for you."))
    waiting = []
    for r in home.to_agree.items:
        waiting.append(_row(f"Agree to a permanent removal from {r.group_name} ({r.member_ref}), logged by "
                            f"{names.get(r.logged_by, 'someone')}", "Open", removals.OPEN, {"decision": r.decision_id}))
    for r in home.to_sign_off.items:
        waiting.append(_row(f"Sign off a permanent removal from {r.group_name} ({r.member_ref})", "Open",
                            removals.OPEN, {"decision": r.decision_id}))
    for r in home.reports.items:
        waiting.append(_row(f"Unofficial group “{r.name}”: {reports.STATE_WORDS[r.state]} ({r.report_count} "
                            f"report{'s' if r.report_count != 1 else ''})", "Open", reports.OPEN, {"case": r.case_id}))
    for c in home.confirmations.items:
        who = f" for {c.moderator_name}, who told you so" if c.on_behalf else ""
        waiting.append(_row(f"Confirm{who} that the policy and the group agreement of {c.group_name} have been read "
                            "(M8)", "Confirm", CONFIRM, {"confirmation": c.confirmation_id}))
    for c in home.checkins.items:
        who = c.moderator_name if c.on_behalf else "you"
        waiting.append(section(plain(f"Say whether {who} can go on moderating {c.group_name} (M9)"), buttons(
            execute("Still able", STILL_ABLE, {"checkin": c.checkin_id}),
            execute("Step down", STEP_DOWN, {"checkin": c.checkin_id}, style="destructive"))))
    for c in home.circulations.items:
        waiting.append(_row(f"Record that the agreement of {c.group_name} was circulated to its members (A3)",
                            "Circulated", CIRCULATED, {"circulation": c.circulation_id}))
    more = sum(x.more for x in (home.to_agree, home.to_sign_off, home.reports, home.confirmations, home.checkins,
                                home.circulations))
    if more:
        waiting.append(note(f"…and {more} more.", subtle=True))
    if waiting:
        body.append(section(*waiting))
    if home.undelivered:
        body.append(note(f"{home.undelivered} message(s) could not be delivered after every try.", subtle=True))
    if home.drafts.items:
        body.append(section(note("**Unfinished set-ups**"), *(_row(
            f"{d.name or 'A new group'}: stopped at {wizard.STEP_WORDS.get(d.step, 'a step')}", "Continue",
            wizard.CONTINUE, {"draft": d.draft_id}) for d in home.drafts.items)))
    body.append(section(note("**Your groups**"), *(_own_group(g) for g in home.my_groups.items)
                        or [note("You moderate no group.", subtle=True)]))
    actions = [execute("Refresh", HOME)]
    if home.register is not None:
        page = home.register.page
        lines = [_group(g) for g in home.register.groups] or [note("The register is empty.", subtle=True)]
        where = f"{page.first}–{page.last} of {page.total}" if page.total else "none yet"
        body.append(section(note(f"**The register** ({where}; page {page.filter.page + 1} of {page.pages})"), *lines))
        if page.has_previous:
            actions.append(execute("Previous page", PAGE, {"page": page.filter.page - 1}))
        if page.has_next:
            actions.append(execute("Next page", PAGE, {"page": page.filter.page + 1}))
    return card(body, actions, fallback=f"Home: {home.waiting} waiting for you")


def _group(state: GroupState):
    return plain(state.summary, label=state.name)


def _own_group(state: GroupState):
    return section(*groups.group_row(state))


def _row(text: str, title: str, verb: str, data: dict):
    return section(plain(text), buttons(execute(title, verb, data)))
