"""Data-protection rights (P4): what the app holds about one person (subject access), and erasing it.

A person is found by one of three handles:
- a person id (p…) or the id of their account on a chat platform (staff, volunteers, managers: everyone who uses
  the app);
- a name (moderators on no chat platform are known only by name), optionally within one group;
- a member reference (initials or a Charity Log reference) within one group: a member who was removed.

Erasure removes what nothing requires keeping and replaces with a pseudonym ("erased-<8 hex>") what a record needs
to stay whole: a removal decision keeps its outcome and the fact that distinct people logged, agreed and signed it
off (R2, R5), without saying who. The pseudonym is random, so it cannot be worked back from the person's id.
"""
from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Text, cast, delete, or_, select, update
from sqlalchemy.orm import Session

from flows.audit import service as audit
from flows.audit.models import AuditEntry
from flows.db.base import utcnow
from flows.db.erasure import erased
from flows.directory.models import DirectoryCacheEntry
from flows.groups.models import Group, MemberWelcome, Moderator
from flows.moderation.models import AgreementCirculation, ModeratorCheckin, ModeratorConfirmation, ModeratorVacancy
from flows.outbox.models import Notice, OutboxStatus
from flows.people.models import Person as PersonRow
from flows.people.models import PlatformAccount
from flows.removals.models import RemovalDecision
from flows.reports.models import UnofficialGroupCase, UnofficialGroupReport
from flows.wizard.models import WizardDraft

# A person id, or an account id as the chat platform writes it.
USER_ID = re.compile(r"^(?:p[0-9a-f]{16}|[UW][A-Z0-9]{2,31})$")
ERASED_TEXT = "(erased at the person's request)"
# Who the audit trail names for an erasure done from the command line.
ERASER = "data-protection"
# Nobody waits on the erase command but the person running it: the scrub may wait for other connections.
ERASE_WAIT_SECONDS = 30.0


@dataclass(frozen=True)
class Person:
    user_id: str | None = None
    name: str | None = None
    member_ref: str | None = None
    group_id: int | None = None

    @classmethod
    def parse(cls, person: str | None, member: str | None = None, group: int | None = None) -> Person:
        if member is not None:
            if person is not None or group is None:
                raise ValueError("a member reference needs its group (--member REF --group ID) and nothing else")
            ref = " ".join(member.split())
            if not ref:
                raise ValueError("the member reference is empty")
            return cls(member_ref=ref, group_id=group)
        text = " ".join((person or "").split())
        if not text:
            raise ValueError("say whose data: an account id (U…) or person id (p…), a name, or --member REF --group ID")
        if USER_ID.match(text):
            if group is not None:
                raise ValueError("an account or person id covers every group; --group goes with a name or a member")
            return cls(user_id=text)
        return cls(name=text, group_id=group)

    @property
    def kind(self) -> str:
        return "account" if self.user_id else "member" if self.member_ref else "name"

    def describe(self) -> str:
        if self.user_id:
            return f"account {self.user_id}"
        if self.member_ref:
            return f"member {self.member_ref} of group {self.group_id}"
        return f"{self.name}" + (f" (group {self.group_id})" if self.group_id else "")


@dataclass
class Section:
    title: str
    note: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)


# --- matching a person inside free text and JSON ------------------------------------------------------------------
def _pattern(person: Person) -> re.Pattern | None:
    needle = person.user_id or person.name
    if not needle:
        return None
    # A whole word (or id) only: "Sam" must not match "Sample".
    return re.compile(rf"(?<![\w]){re.escape(needle)}(?![\w])", 0 if person.user_id else re.IGNORECASE)


def _like(column, needle: str):
    """A cheap first filter in SQL (the JSON may hold the needle escaped); the exact test is done in Python."""
    forms = {needle, json.dumps(needle)[1:-1]}
    text = cast(column, Text)
    return or_(*(text.ilike(f"%{_escape_like(f)}%", escape="\\") for f in forms))


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _mentions(value: Any, pattern: re.Pattern) -> bool:
    if isinstance(value, str):
        return bool(pattern.search(value))
    if isinstance(value, dict):
        return any(_mentions(k, pattern) or _mentions(v, pattern) for k, v in value.items())
    if isinstance(value, list):
        return any(_mentions(v, pattern) for v in value)
    return False


def _replace(value: Any, pattern: re.Pattern, replacement: str) -> Any:
    if isinstance(value, str):
        return pattern.sub(replacement, value)
    if isinstance(value, dict):
        return {k: _replace(v, pattern, replacement) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, pattern, replacement) for v in value]
    return value


def _cell(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _row(obj: Any, columns: Iterable[str], **extra: Any) -> dict[str, Any]:
    row = {c: _cell(getattr(obj, c)) for c in columns}
    row.update(extra)
    return {k: v for k, v in row.items() if v not in (None, "", [], {})}


# --- subject access -------------------------------------------------------------------------------------------------
def subject_access(session: Session, person: Person) -> list[Section]:
    """Everything the app holds about `person`, in sections a person can read."""
    if person.member_ref:
        return _member_sections(session, person)
    return _person_sections(session, _as_person_id(session, person))


def _as_person_id(session: Session, person: Person) -> Person:
    """The rows hold the app's own person ids; an account id given on the command line leads to its person."""
    if not person.user_id:
        return person
    owner = session.scalars(select(PlatformAccount.person_id)
                            .where(PlatformAccount.account_id == person.user_id)).first()
    return replace(person, user_id=owner) if owner else person


def _moderator_rows(session: Session, person: Person) -> list[Moderator]:
    if person.user_id:
        query = select(Moderator).where(Moderator.person_id == person.user_id)
    else:
        query = select(Moderator).where(Moderator.name.ilike(_escape_like(person.name), escape="\\"))
        if person.group_id is not None:
            query = query.where(Moderator.group_id == person.group_id)
    return list(session.scalars(query.order_by(Moderator.id)))


def _group_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    ids = set(ids)
    if not ids:
        return {}
    return dict(session.execute(select(Group.id, Group.name).where(Group.id.in_(ids))).all())


def _person_sections(session: Session, person: Person) -> list[Section]:
    uid, pattern = person.user_id, _pattern(person)
    sections: list[Section] = []
    moderators = _moderator_rows(session, person)
    moderator_ids = [m.id for m in moderators]
    names = _group_names(session, [m.group_id for m in moderators])

    if uid:
        groups = session.scalars(select(Group).where(Group.created_by == uid).order_by(Group.id)).all()
        sections.append(Section("Groups you registered", rows=[
            _row(g, ("id", "name", "kind", "created_at")) for g in groups]))
    contact_query = select(Group).where(
        Group.emergency_contact_person_id == uid if uid else Group.emergency_contact.ilike(
            _escape_like(person.name), escape="\\"))
    if person.group_id is not None:
        contact_query = contact_query.where(Group.id == person.group_id)
    sections.append(Section("Groups where you are the emergency contact", rows=[
        _row(g, ("id", "name", "emergency_contact")) for g in session.scalars(contact_query.order_by(Group.id))]))
    sections.append(Section("Groups you moderate or moderated", rows=[
        _row(m, ("group_id", "name", "role", "organisation", "is_lead", "added_at", "stepped_down_at"),
             group=names.get(m.group_id)) for m in moderators]))

    def by(model, *columns):
        conditions = [getattr(model, c) == uid for c in columns if uid]
        if hasattr(model, "moderator_id") and moderator_ids:
            conditions.append(model.moderator_id.in_(moderator_ids))
        if not conditions:
            return []
        return list(session.scalars(select(model).where(or_(*conditions)).order_by(model.id)))

    sections.append(Section("Your confirmations that you read the policy and the agreement (M8, M10)", rows=[
        _row(c, ("group_id", "requested_at", "confirmed_at", "confirmed_by", "on_behalf", "emergency_contact_sent_at",
                 "emergency_contact_sent_to"))
        for c in by(ModeratorConfirmation, "confirmed_by", "emergency_contact_sent_to")]))
    sections.append(Section("Your answers to moderator check-ins (M9)", rows=[
        _row(c, ("group_id", "due_on", "asked_at", "answer", "answered_at", "answered_by", "on_behalf"))
        for c in by(ModeratorCheckin, "answered_by")]))
    sections.append(Section("Vacancies you opened or left (M9)", rows=[
        _row(v, ("group_id", "opened_at", "opened_by", "filled_at")) for v in by(ModeratorVacancy, "opened_by")]))
    if uid:
        sections.append(Section("Group agreements you circulated (A3)", rows=[
            _row(c, ("group_id", "due_on", "circulated_at")) for c in by(AgreementCirculation, "circulated_by")]))
        sections.append(Section("Moderators you added", rows=[
            _row(m, ("group_id", "role", "added_at")) for m in session.scalars(
                select(Moderator).where(Moderator.added_by == uid).order_by(Moderator.id))]))
        sections.append(_decisions_by(session, uid))
        sections.extend(_reports_by(session, uid))
    sections.append(_messages(session, person, pattern))
    if uid:
        sections.append(_directory(session, uid))
    sections.append(_drafts(session, person, pattern))
    sections.append(_audit(session, person, pattern))
    return sections


def _decisions_by(session: Session, uid: str) -> Section:
    rows = session.scalars(select(RemovalDecision).where(or_(
        RemovalDecision.logged_by == uid, RemovalDecision.agreed_by == uid, RemovalDecision.decided_by == uid,
        RemovalDecision.disagreed_by == uid, RemovalDecision.agreement_asked_of == uid,
    )).order_by(RemovalDecision.id)).all()
    names = _group_names(session, [r.group_id for r in rows])
    return Section(
        "Removal decisions you logged, agreed or signed off (R1, R2)",
        note="The member's reference and the notes are the member's data, not yours, and are left out.",
        rows=[_row(r, ("id", "kind", "status", "logged_at", "agreed_at", "decided_at"), group=names.get(r.group_id),
                   your_part=", ".join(part for part, who in (
                       ("logged", r.logged_by), ("asked to agree", r.agreement_asked_of), ("agreed", r.agreed_by),
                       ("did not agree", r.disagreed_by), ("signed off", r.decided_by)) if who == uid))
              for r in rows])


def _reports_by(session: Session, uid: str) -> list[Section]:
    reports = session.scalars(select(UnofficialGroupReport).where(UnofficialGroupReport.reporter_id == uid)
                              .order_by(UnofficialGroupReport.id)).all()
    cases = session.scalars(select(UnofficialGroupCase).where(or_(
        UnofficialGroupCase.reported_by == uid, UnofficialGroupCase.owner_id == uid,
        UnofficialGroupCase.resolved_by == uid)).order_by(UnofficialGroupCase.id)).all()
    return [
        Section("Unofficial groups you reported (U1)", rows=[
            _row(r, ("case_id", "reported_at", "name", "where_seen", "how_found", "knows_who_runs", "contact", "notes"))
            for r in reports]),
        Section("Reports you handled or reported first (U2)", rows=[
            _row(c, ("id", "name", "state", "reported_at", "approached_at", "resolved_at", "resolution_reason"),
                 your_part=", ".join(part for part, who in (("reported", c.reported_by), ("approached", c.owner_id),
                                                             ("resolved", c.resolved_by)) if who == uid))
            for c in cases]),
    ]


def _addressed(session: Session, uid: str) -> list[Notice]:
    """Messages sent to the person, and the edits of those messages."""
    found = list(session.scalars(select(Notice).where(Notice.person_id == uid).order_by(Notice.id)))
    ids = {m.id for m in found}
    frontier = set(ids)
    while frontier:
        more = session.scalars(select(Notice).where(Notice.replaces_id.in_(frontier))).all()
        frontier = {m.id for m in more} - ids
        found += [m for m in more if m.id in frontier]
        ids |= frontier
    return found


def _mentioning(session: Session, column, pattern: re.Pattern, needle: str, model):
    return [row for row in session.scalars(select(model).where(_like(column, needle)).order_by(model.id))
            if _mentions(getattr(row, column.key), pattern)]


def _message_row(m: Notice) -> dict:
    args = _args(m)
    to = m.person_id or m.destination or f"where message {m.replaces_id} went (an edit of it)"
    # A notice holds what it told and about what, not its words (those are rendered when it is delivered).
    return _row(m, ("id", "created_at", "status", "sent_at"), what=m.kind, about=f"{m.subject_type} {m.subject_id}",
                to=to, text=args.get("text"), content=" / ".join(_block_texts(args.get("blocks"))))


def _args(m: Notice) -> dict:
    """A message carried whole (queued before notices, migration 0009) holds its words; other notices hold none."""
    return dict(((m.data or {}).get("carried") or {}).get("args") or {})


def _block_texts(value: Any) -> list[str]:
    """What a message's blocks say, as plain text, in order."""
    if isinstance(value, list):
        return [t for v in value for t in _block_texts(v)]
    if isinstance(value, dict):
        own = [value["text"]] if isinstance(value.get("text"), str) else []
        return own + [t for k, v in value.items() if k != "text" or not isinstance(v, str) for t in _block_texts(v)]
    return []


def _messages(session: Session, person: Person, pattern: re.Pattern) -> Section:
    addressed = _addressed(session, person.user_id) if person.user_id else []
    seen = {m.id for m in addressed}
    mentioning = [m for m in _mentioning(session, Notice.data, pattern, person.user_id or person.name,
                                         Notice) if m.id not in seen]
    return Section(
        "Messages the app sent to you or about you",
        note="Other people's details in these messages are theirs: check before sending this file.",
        rows=[{**_message_row(m), "why": "to you"} for m in addressed]
        + [{**_message_row(m), "why": "mentions you"} for m in mentioning])


def _directory(session: Session, uid: str) -> Section:
    rows = [e for e in session.scalars(select(DirectoryCacheEntry).where(_like(DirectoryCacheEntry.value, uid)))
            if _mentions(e.value, _pattern(Person(user_id=uid)))]
    profile = session.get(DirectoryCacheEntry, f"user:{uid}")
    if profile is not None and profile not in rows:
        rows.insert(0, profile)
    return Section("What the chat platform told the app about you (kept for minutes, to check roles)", rows=[
        _row(e, ("key", "fetched_at"), value=json.dumps(e.value, ensure_ascii=False, sort_keys=True)) for e in rows])


def _drafts(session: Session, person: Person, pattern: re.Pattern) -> Section:
    own = list(session.scalars(select(WizardDraft).where(WizardDraft.user_id == person.user_id))) \
        if person.user_id else []
    ids = {d.id for d in own}
    named = [d for d in _mentioning(session, WizardDraft.data, pattern, person.user_id or person.name, WizardDraft)
             if d.id not in ids]
    return Section("/newgroup wizards you started or are named in", rows=[
        _row(d, ("id", "step", "created_at", "updated_at", "group_id"),
             data=json.dumps(d.data, ensure_ascii=False, sort_keys=True), why="yours" if d.id in ids else "names you")
        for d in own + named])


def _audit(session: Session, person: Person, pattern: re.Pattern) -> Section:
    conditions = [_like(AuditEntry.details, person.user_id or person.name)]
    if person.user_id:
        conditions += [AuditEntry.actor == person.user_id, AuditEntry.subject_id == person.user_id]
    rows = [e for e in session.scalars(select(AuditEntry).where(or_(*conditions)).order_by(AuditEntry.id))
            if e.actor == person.user_id or e.subject_id == person.user_id or _mentions(e.details, pattern)]
    return Section("The audit trail: what you did, and entries that name you", rows=[
        _row(e, ("at", "actor", "action", "subject_type", "subject_id", "from_state", "to_state"),
             details=json.dumps(e.details, ensure_ascii=False, sort_keys=True) if e.details else None)
        for e in rows])


def _member_decisions(session: Session, person: Person) -> list[RemovalDecision]:
    rows = session.scalars(select(RemovalDecision).where(RemovalDecision.group_id == person.group_id)
                           .order_by(RemovalDecision.id))
    wanted = _fold(person.member_ref)
    return [r for r in rows if _fold(r.member_ref) == wanted]


def _fold(ref: str) -> str:
    return " ".join(ref.split()).casefold()


def _member_messages(session: Session, person: Person, decision_ids: set[int]) -> list[Notice]:
    if not decision_ids:
        return []
    pattern = re.compile(re.escape(person.member_ref), re.IGNORECASE)
    about = {str(i) for i in decision_ids}
    candidates = session.scalars(select(Notice).where(or_(
        _like(Notice.data, person.member_ref),
        (Notice.subject_type == "removal") & Notice.subject_id.in_(about))).order_by(Notice.id))
    found = []
    for m in candidates:
        about_it = m.subject_type == "removal" and m.subject_id in about
        if about_it and not (m.data or {}).get("carried"):
            found.append(m)  # about the decision, holding no words to check
            continue
        # A list of several removals (the escalations) names each as "#id".
        listed = any(f"#{i}" in json.dumps(m.data) for i in decision_ids)
        if (about_it or listed) and _mentions(m.data, pattern):
            found.append(m)
    return found


def _member_welcomes(session: Session, person: Person) -> list[MemberWelcome]:
    rows = session.scalars(select(MemberWelcome).where(MemberWelcome.group_id == person.group_id)
                           .order_by(MemberWelcome.id))
    return [r for r in rows if _fold(r.member_ref) == _fold(person.member_ref)]


def _member_sections(session: Session, person: Person) -> list[Section]:
    welcomes = _member_welcomes(session, person)
    decisions = _member_decisions(session, person)
    names = _group_names(session, [person.group_id])
    messages = _member_messages(session, person, {d.id for d in decisions})
    return [
        Section(f"Removal decisions about {person.member_ref} in {names.get(person.group_id, 'this group')}",
                note="Who logged, agreed and signed off each decision is staff's data and is left out.",
                rows=[_row(d, ("id", "member_ref", "kind", "status", "breaches", "tried_first", "review_on", "notes",
                               "logged_at", "decided_at", "rejection_reason", "disagreement_reason",
                               "withdrawal_reason", "corrects_id")) for d in decisions]),
        Section("Messages the app sent to moderators about these decisions",
                rows=[_message_row(m) for m in messages]),
        Section(f"When {person.member_ref} joined and was sent the welcome message and the agreement",
                note="Which moderator recorded it is staff's data and is left out.",
                rows=[_row(w, ("id", "member_ref", "welcomed_at")) for w in welcomes]),
    ]


# --- rendering ------------------------------------------------------------------------------------------------------
def render_markdown(person: Person, sections: list[Section], now: datetime) -> str:
    held = sum(len(s.rows) for s in sections)
    lines = [
        f"# Personal data held about {person.describe()}",
        "",
        f"Produced {now:%Y-%m-%d %H:%M} UTC by the Group Policy Assistant (subject access, UK GDPR Article 15).",
        f"{held} record{'s' if held != 1 else ''} in {sum(1 for s in sections if s.rows)} of {len(sections)} "
        "places the app keeps personal data." if held else "The app holds no personal data about this person.",
        "",
    ]
    for section in sections:
        lines += [f"## {section.title} ({len(section.rows)})", ""]
        if section.note and section.rows:
            lines += [f"_{section.note}_", ""]
        if not section.rows:
            lines += ["Nothing held.", ""]
            continue
        for row in section.rows:
            first, *rest = row.items()
            lines.append(f"- **{_label(first[0])}**: {_text(first[1])}")
            lines += [f"  - {_label(k)}: {_text(v)}" for k, v in rest]
        lines.append("")
    return "\n".join(lines)


def render_json(person: Person, sections: list[Section], now: datetime) -> str:
    return json.dumps({
        "person": person.describe(), "produced_at": now.isoformat(),
        "sections": [{"title": s.title, "note": s.note, "records": s.rows} for s in sections],
    }, ensure_ascii=False, indent=2)


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return " ".join(str(value).split())


# --- erasure --------------------------------------------------------------------------------------------------------
def new_pseudonym() -> str:
    return f"erased-{uuid.uuid4().hex[:8]}"


@dataclass
class Erasure:
    pseudonym: str
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, count: int) -> None:
        if count:
            self.counts[what] = self.counts.get(what, 0) + count


def erase(session: Session, person: Person, now: datetime | None = None, actor: str = ERASER,
          pseudonym: str | None = None) -> Erasure:
    """Erase `person` in the caller's transaction; the audit trail records that it happened, under the pseudonym."""
    now = now or utcnow()
    result = Erasure(pseudonym or new_pseudonym())
    if person.member_ref:
        _erase_member(session, person, result)
    else:
        owner = _as_person_id(session, person)
        _erase_person(session, owner, result, now)
        if owner.user_id:
            # The accounts go with the person; what still names the account itself (a cached user group's
            # members, a message addressed to it) goes by that id.
            if owner != person:
                _erase_person(session, person, result, now)
            result.add("platform_accounts (deleted)", session.execute(
                delete(PlatformAccount).where(PlatformAccount.person_id == owner.user_id)
                .execution_options(synchronize_session=False)).rowcount)
            for table in _adapters_tables_of_people():
                # An adapter's own rows about the person (e.g. where Teams can reach them) go with their accounts.
                result.add(f"{table.name} (deleted)", session.execute(
                    delete(table).where(table.c.person_id == owner.user_id)).rowcount)
            # Every row that named the person now names the pseudonym: their id is no one's any more.
            session.execute(delete(PersonRow).where(PersonRow.id == owner.user_id)
                            .execution_options(synchronize_session=False))
    audit.record(session, actor=actor, action="person.erased", subject_type="person", subject_id=result.pseudonym,
                 kind=person.kind, changed=sum(result.counts.values()))
    erased(session, *[t.name for t in _adapters_tables_of_people()], "groups", "moderators", "moderator_confirmations", "moderator_checkins", "moderator_vacancies",
           "agreement_circulations", "removal_decisions", "unofficial_group_cases", "unofficial_group_reports",
           "notices", "directory_cache", "wizard_drafts", "audit_entries", "member_welcomes", "platform_accounts",
           "people",
           wait_seconds=ERASE_WAIT_SECONDS)
    return result


def _adapters_tables_of_people() -> list:
    """Tables the domain does not know that hold a person id: an adapter's own (registered on the same metadata)."""
    from flows.db.adapters import load_adapter_tables
    from flows.db.base import Base

    load_adapter_tables()  # the command line erases too, where no adapter has been imported
    domain = {m.local_table.name for m in Base.registry.mappers if m.class_.__module__.startswith("flows.")}
    return [t for t in Base.metadata.sorted_tables if "person_id" in t.c and t.name not in domain]


def _set(session: Session, model, condition, what: str, result: Erasure, **values) -> None:
    count = session.execute(update(model).where(condition).values(**values)
                            .execution_options(synchronize_session=False)).rowcount
    result.add(what, count)


def _erase_person(session: Session, person: Person, result: Erasure, now: datetime) -> None:
    uid, p, pattern = person.user_id, result.pseudonym, _pattern(person)
    moderators = _moderator_rows(session, person)
    ids = [m.id for m in moderators]
    if ids:
        # The row stays (M9: the record that the group had a moderator, and of their confirmations); who it was
        # goes. Someone erased can no longer moderate: an active moderator steps down.
        _set(session, Moderator, Moderator.id.in_(ids), "moderators", result,
             name=p, person_id=None, organisation=None)
        session.execute(update(Moderator).where(Moderator.id.in_(ids), Moderator.stepped_down_at.is_(None))
                        .values(stepped_down_at=now).execution_options(synchronize_session=False))
    contact = Group.emergency_contact_person_id == uid if uid else Group.emergency_contact.ilike(
        _escape_like(person.name), escape="\\")
    if person.group_id is not None:
        contact = contact & (Group.id == person.group_id)
    _set(session, Group, contact, "groups (emergency contact removed)", result,
         emergency_contact=None, emergency_contact_person_id=None)
    if uid:
        _erase_user_columns(session, uid, p, result)
    _erase_in_text(session, person, pattern, p, result)


# Columns that hold who did something: kept as the pseudonym, so the records stay whole.
_ACTOR_COLUMNS = (
    (Group, ("created_by",)),
    (Moderator, ("added_by",)),
    (ModeratorConfirmation, ("confirmed_by", "emergency_contact_sent_to")),
    (ModeratorCheckin, ("answered_by",)),
    (ModeratorVacancy, ("opened_by",)),
    (AgreementCirculation, ("circulated_by",)),
    (UnofficialGroupCase, ("reported_by", "owner_id", "resolved_by")),
    (AuditEntry, ("actor", "subject_id")),
)


def _erase_user_columns(session: Session, uid: str, p: str, result: Erasure) -> None:
    for model, columns in _ACTOR_COLUMNS:
        for column in columns:
            _set(session, model, getattr(model, column) == uid, model.__tablename__, result, **{column: p})
    _pseudonymise_decisions(session, uid, p, result)
    # Their own reports: the case stays (a group's name is not the reporter's data); what they wrote goes, also
    # from the messages that showed it to the managers.
    _erase_report_texts(session, uid, result)
    _set(session, UnofficialGroupReport, UnofficialGroupReport.reporter_id == uid, "unofficial_group_reports", result,
         reporter_id=p, how_found=ERASED_TEXT, contact=None, notes=None)
    drafts = session.execute(delete(WizardDraft).where(WizardDraft.user_id == uid, WizardDraft.group_id.is_(None))
                             .execution_options(synchronize_session=False)).rowcount
    result.add("wizard_drafts (deleted)", drafts)
    # A finished wizard's draft is the group's history: it stays, under the pseudonym (its text is scrubbed below).
    _set(session, WizardDraft, WizardDraft.user_id == uid, "wizard_drafts", result, user_id=p)
    profile = session.execute(delete(DirectoryCacheEntry).where(DirectoryCacheEntry.key == f"user:{uid}")
                              .execution_options(synchronize_session=False)).rowcount
    result.add("directory_cache (deleted)", profile)
    # A user group's cached members: a cache, asked again of the platform when next needed.
    pattern = _pattern(Person(user_id=uid))
    groups = [e.key for e in session.scalars(select(DirectoryCacheEntry).where(_like(DirectoryCacheEntry.value, uid)))
              if _mentions(e.value, pattern)]
    if groups:
        result.add("directory_cache (deleted)", session.execute(
            delete(DirectoryCacheEntry).where(DirectoryCacheEntry.key.in_(groups))
            .execution_options(synchronize_session=False)).rowcount)
    for message in _addressed(session, uid):
        # What it said (a carried message's words) and where it landed go; that it was sent stays.
        values: dict = {"data": {}, "person_id": p, "delivered_ref": None}
        if message.status == OutboxStatus.PENDING.value:
            # Not sent, and now never: there is nobody to send it to.
            values.update(status=OutboxStatus.FAILED.value, failed_at=utcnow(), last_error="recipient erased (P4)")
        _set(session, Notice, Notice.id == message.id, "notices", result, **values)


def _erase_report_texts(session: Session, uid: str, result: Erasure) -> None:
    reports = session.scalars(select(UnofficialGroupReport).where(UnofficialGroupReport.reporter_id == uid)).all()
    cases = {r.case_id for r in reports}
    # Messages show people's words with whitespace folded, escaped as the adapter shows them and cut short: match
    # their start.
    starts = {" ".join(t.split())[:30] for r in reports for t in (r.how_found, r.contact, r.notes) if t}
    patterns = [re.compile(re.escape(_escaped_as_shown(t)) + r"[^\n]*") for t in starts if len(t) >= 8]
    if not patterns:
        return
    rows = session.execute(select(Notice.id, Notice.data).where(
        Notice.subject_type == "unofficial_group_case", Notice.subject_id.in_([str(c) for c in cases]))).all()
    for message_id, args in rows:
        scrubbed = args
        for pattern in patterns:
            scrubbed = _replace(scrubbed, pattern, ERASED_TEXT)
        if scrubbed != args:
            _set(session, Notice, Notice.id == message_id, "notices", result, data=scrubbed)


def _escaped_as_shown(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _pseudonymise_decisions(session: Session, uid: str, p: str, result: Erasure) -> None:
    """The one lawful exception to R5 (decisions are never edited): erasure under P4. Who logged, agreed and signed
    off a decision becomes the pseudonym; the decision itself (what, why, the outcome, when) is untouched. A Core
    UPDATE on purpose: the ORM's guard (flows/removals/models.py) stays in force for everything else."""
    table = RemovalDecision.__table__
    for column in ("logged_by", "agreed_by", "decided_by", "disagreed_by", "agreement_asked_of"):
        count = session.execute(update(table).where(table.c[column] == uid).values({column: p})).rowcount
        result.add("removal_decisions", count)


def _erase_member(session: Session, person: Person, result: Erasure) -> None:
    """P4's exception to R5 again, for the member a decision is about: the outcome stays, the reference and the
    free text about them go. A Core UPDATE, as in _pseudonymise_decisions."""
    welcomes = [w.id for w in _member_welcomes(session, person)]
    if welcomes:
        _set(session, MemberWelcome, MemberWelcome.id.in_(welcomes), "member_welcomes", result,
             member_ref=result.pseudonym)
    decisions = _member_decisions(session, person)
    if not decisions:
        return
    ids = {d.id for d in decisions}
    texts = {text for d in decisions for text in (d.notes, d.rejection_reason, d.disagreement_reason,
                                                   d.withdrawal_reason) if text}
    messages = _member_messages(session, person, ids)
    table = RemovalDecision.__table__
    count = session.execute(update(table).where(table.c.id.in_(ids)).values(
        member_ref=result.pseudonym, notes=None,
        rejection_reason=None, disagreement_reason=None, withdrawal_reason=None)).rowcount
    result.add("removal_decisions", count)
    ref = re.compile(rf"(?<![\w]){re.escape(person.member_ref)}(?![\w])", re.IGNORECASE)
    for message in messages:
        data = _replace(message.data, ref, result.pseudonym)
        for text in texts:
            data = _replace(data, re.compile(re.escape(text)), ERASED_TEXT)
        _set(session, Notice, Notice.id == message.id, "notices", result, data=data)


def _erase_in_text(session: Session, person: Person, pattern: re.Pattern, p: str, result: Erasure) -> None:
    """The person named inside stored texts and JSON: replaced by the pseudonym, the rest of the text kept."""
    needle = person.user_id or person.name
    for model, column, key in (
        (Notice, Notice.data, Notice.id),
        (WizardDraft, WizardDraft.data, WizardDraft.id),
        (AuditEntry, AuditEntry.details, AuditEntry.id),
        # Keys that make a message go once name whom it went to.
        (Notice, Notice.dedupe_key, Notice.id),
        (Group, Group.description, Group.id),
        (Group, Group.out_of_hours, Group.id),
        (Group, Group.moderation_plan, Group.id),
    ):
        rows = session.execute(select(key, column).where(_like(column, needle))).all()
        for row_id, value in rows:
            if value is not None and _mentions(value, pattern):
                _set(session, model, key == row_id, model.__tablename__, result,
                     **{column.key: _replace(value, pattern, p)})


def summary(result: Erasure) -> list[str]:
    return [f"{what}: {count}" for what, count in sorted(result.counts.items())]

