"""Each notice kind as a Teams card, rendered when it is delivered from what the notice is about as it stands then.
None: the subject is gone (erased, deleted); nothing is sent."""
from __future__ import annotations

from flows.groups.models import Group
from flows.moderation.chase_notices import listed
from flows.moderation.models import AgreementCirculation
from flows.moderation.queries import active_moderators
from flows.moderation.reminders import text_to_circulate
from flows.outbox import NoticeKind
from flows.outbox.worker import Claim
from flows.removals.models import RemovalStatus
from teams.cards import groups as group_cards
from teams.cards import moderation as moderation_cards
from teams.cards import removals as removal_cards
from teams.cards import reports as report_cards
from teams.cards.common import card, heading, note
from teams.handlers.removals import names_in, staff_to_ask
from teams.services import TeamsServices

REMOVAL_LINES = {
    NoticeKind.REMOVAL_AGREE_REQUESTED: "A permanent removal from one of your groups needs a staff moderator's "
                                        "agreement (R2).",
    NoticeKind.REMOVAL_SIGN_OFF_REQUESTED: "A permanent removal waits for a senior manager's sign-off (R2).",
    NoticeKind.REMOVAL_DECISION_SHARED: "A removal decision in one of your groups, shared with its moderators (R3).",
    NoticeKind.REMOVAL_LOGGER_TOLD: "About the removal you logged.",
    NoticeKind.REMOVAL_REVIEW_DUE: "A temporary removal is due for review (R4).",
}
# The requests to act on it: they keep their buttons while the step waits; every other card is for reading.
REQUESTS = {NoticeKind.REMOVAL_AGREE_REQUESTED: RemovalStatus.AWAITING_AGREEMENT,
            NoticeKind.REMOVAL_SIGN_OFF_REQUESTED: RemovalStatus.AWAITING_SIGN_OFF}
REMOVAL_KINDS = {*REMOVAL_LINES, NoticeKind.REMOVAL_AGREE_CLOSED, NoticeKind.REMOVAL_SIGN_OFF_CLOSED}
GROUP_NEWS = {NoticeKind.GROUP_CHANGED, NoticeKind.GROUP_CLOSED, NoticeKind.GROUP_REOPENED, NoticeKind.MEMBER_WELCOMED}
REPORT_KINDS = {NoticeKind.REPORT_MANAGERS_CARD, NoticeKind.REPORT_CHANGED, NoticeKind.REPORT_OWNER_TOLD,
                NoticeKind.REPORT_FOLLOW_UP}
PLAIN = {
    NoticeKind.CONFIRMATION_REQUESTED: "You moderate a WhatsApp group: please confirm that you have read the policy "
                                       "and the group agreement (M8). Type “home” to see it.",
    NoticeKind.CHECKIN_REQUESTED: "Time to say whether you can go on moderating your group (M9). Type “home”.",
    NoticeKind.REQUEST_ASKED_AGAIN: "I have asked about this again in a newer message (L5).",
    NoticeKind.ESCALATION: "Something has waited too long for an answer. Type “home” to see what waits.",
    NoticeKind.DELIVERY_FAILED: "A message from the app could not be delivered after every try.",
}


def render(services: TeamsServices, claim: Claim):
    kind = claim.kind
    if kind in REMOVAL_KINDS:
        return _removal(services, claim)
    if kind in REPORT_KINDS:
        return _report(services, claim)
    if kind is NoticeKind.GROUP_KIT:
        return _kit(services, claim)
    if kind in GROUP_NEWS:
        return _group_news(services, claim)
    if kind is NoticeKind.CIRCULATION_DUE:
        return _circulation(services, claim)
    if kind in (NoticeKind.UNANSWERED_TO_LEAD, NoticeKind.UNANSWERED_TO_MANAGERS):
        return _unanswered(services, claim)
    line = PLAIN.get(kind)
    if line and claim.data.get("again"):
        line = f"A reminder, as there is no answer yet (L5): {line}"
    if line is None:
        return card([heading("Group Policy Assistant"), note("There is news about your groups. Type “home” to see "
                                                             "what waits for you.")], fallback="Type home")
    return card([heading("Group Policy Assistant"), note(line)], fallback=line)


def _removal(services: TeamsServices, claim: Claim):
    decision = services.removals.decision(claim.subject.id)
    if decision is None:
        return None
    waiting_for = REQUESTS.get(claim.kind)
    # A request whose step has been taken since it was queued shows where things stand, without its buttons.
    buttons = waiting_for is not None and decision.status is waiting_for
    # The logger's own card: theirs to withdraw while it waits, and what to do next once it is turned down.
    logger = claim.kind is NoticeKind.REMOVAL_LOGGER_TOLD
    return removal_cards.decision_card(decision, names_in(services, decision), banner="",
                                       lead=REMOVAL_LINES.get(claim.kind, ""), actions=buttons or logger,
                                       for_logger=logger, staff=staff_to_ask(services, decision) if logger else None)


def _report(services: TeamsServices, claim: Claim):
    case = services.reports.case(int(claim.subject.id))
    if case is None:
        return None
    names = {p: services.name(p) for p in (case.reported_by, case.owner_id, case.resolved_by) if p}
    # The managers' card keeps the buttons of the case's state, its updates too; what others are told is to read.
    managers = claim.kind is NoticeKind.REPORT_MANAGERS_CARD or (
        claim.kind is NoticeKind.REPORT_CHANGED and claim.replaces_id is not None)
    return report_cards.case_card(case, names, actions=managers)


def _kit(services: TeamsServices, claim: Claim):
    """The group kit the domain queues for the creator at registration. On Teams the card that answered "Register
    group" holds the texts already, so this only points to it rather than pasting them all a second time."""
    with services.db.transaction() as session:
        group = session.get(Group, int(claim.subject.id))
        name = group.name if group is not None else None
    if name is None:
        return None
    line = (f"“{name}” is registered. The texts to paste into WhatsApp are on the card you got when you registered "
            "it; type “home” to see your groups.")
    return card([heading(f"Registered: {name}"), note(line)], fallback=f"Registered {name}")


def _group_news(services: TeamsServices, claim: Claim):
    with services.db.transaction() as session:
        group = session.get(Group, int(claim.subject.id)) if str(claim.subject.id).isdecimal() else None
        if group is None:
            return None
        name, moderators = group.name, [m.name for m in active_moderators(group)]
    data = claim.data or {}
    return group_cards.news_card(claim.kind, name, moderators, data, services.name(data.get("by")))
def _circulation(services: TeamsServices, claim: Claim):
    """A3: the group's own published agreement to circulate; the drafted one only while it has no link."""
    with services.db.transaction() as session:
        circulation = session.get(AgreementCirculation, int(claim.subject.id))
        group = session.get(Group, circulation.group_id) if circulation else None
        if group is None:
            return None
        pasted = text_to_circulate(group, services.settings)
        name, due_on, has_link = group.name, circulation.due_on, bool(group.agreement_url)
    return moderation_cards.circulation_card(name, due_on, pasted, has_link)


def _unanswered(services: TeamsServices, claim: Claim):
    """L5: who has not answered, for the group's lead or the managers."""
    with services.db.transaction() as session:
        items, now = listed(session, claim.data)
    if not items:
        return None
    leads = {i.lead_person_id: services.name(i.lead_person_id) for i in items if i.lead_person_id}
    return moderation_cards.unanswered_card(items, now, leads,
                                            for_managers=claim.kind is NoticeKind.UNANSWERED_TO_MANAGERS)
