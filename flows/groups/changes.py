"""Changing a registered group: its moderators, lead and emergency contact (M1-M5, M10), and its name, description,
agreement link, expected size and out-of-hours arrangement. Platform-neutral: values arrive as plain dicts.

A change is checked exactly as the wizard checks the same answers (the wizard's own moderator step, then the policy
engine on the whole group as it would be), so the field errors are the wizard's. It is then applied in one
transaction, with the audit entry and the notices it causes (the moderators told, new moderators' M8
requests). A refused change changes nothing and is recorded.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.audit import service as audit
from flows.db import Database, utcnow
from flows.directory.service import Directory
from flows.groups.access import Actor, ChangeRefusal, actor_on, record_refusal
from flows.groups.models import Group, Moderator
from flows.groups.snapshot import key_of, state_of
from flows.moderation.models import ModeratorVacancy
from flows.moderation.queries import acting_lead, active_moderators, is_employed
from flows.people import new_person
from flows.policy.engine import check
from flows.policy.types import Finding, ModeratorEntry, ModeratorRole
from flows.privacy import FieldKind, Guard
from flows.settings import Settings
from flows.wizard import drafts
from flows.wizard.service import GUARDED_FIELDS, LINK_PLACEHOLDER, TEXT_LIMITS, NewGroupWizard, WizardState
from flows.wizard.service import _whole_number as whole_number
from flows.wizard.service import clean_text


class Change(StrEnum):
    MODERATORS = "moderators"
    DETAILS = "details"
    CLOSED = "closed"
    REOPENED = "reopened"
    WELCOMED = "welcomed"


# Policy field -> the form field its findings are shown on, for each form.
MODERATOR_FIELDS = {"moderators": "staff_moderators", "emergency_contact": "emergency_contact"}
DETAIL_FIELDS = {
    "name": "name", "description": "description", "agreement_url": "agreement_url",
    "expected_members": "expected_members", "out_of_hours": "out_of_hours", "moderation_plan": "moderation_plan",
    "quiet_hours": "quiet_hours",
}
# A group's details in plain words, as every adapter says what changed.
FIELD_WORDS = {
    "name": "the name", "description": "the description", "agreement_url": "the agreement link",
    "expected_members": "the expected size", "out_of_hours": "the out-of-hours cover",
    "moderation_plan": "the moderation plan", "quiet_hours": "the quiet hours",
}
EDITABLE = ("name", "description", "agreement_url", "expected_members", "out_of_hours", "moderation_plan",
            "quiet_hours")
# What a changed detail means for the texts pasted into WhatsApp.
TEXT_FIELDS = {"name", "description", "agreement_url", "quiet_hours"}
POLICY_FIELDS = ("name", "description", "agreement_url", "moderators", "expected_members", "out_of_hours",
                 "emergency_contact", "moderation_plan", "quiet_hours")
# Findings shown on one field that another field's value decides (D3's link, D4's moderators, M4's size).
DEPENDS_ON = {"description": {"agreement_url", "moderators"}, "moderation_plan": {"expected_members"},
              "expected_members": {"moderators"}}
PICK_ONCE = "is already picked in another field: pick each person once."


@dataclass
class ChangeResult:
    change: Change
    user_id: str
    group_id: int | None
    group_name: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    refusal: ChangeRefusal | None = None
    # What changed, in the policy's own field names and the moderators' names.
    changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    # Blocking findings elsewhere that the change brings about (e.g. the description no longer names the
    # moderators, D4): the change is saved; these are what to do next.
    follow_ups: tuple[Finding, ...] = ()
    # The texts to paste again when the description, agreement or name changed.
    kit: drafts.PasteKit | None = None
    # Anything the adapter needs to word what happened (closing reason kind, the welcome's text, …).
    data: dict = field(default_factory=dict)
    queued: list = field(default_factory=list)

    @property
    def done(self) -> bool:
        return not self.errors and self.refusal is None




class GroupChanges:
    def __init__(self, db: Database, settings: Settings, directory: Directory,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.settings = settings
        self.directory = directory
        self.wizard = NewGroupWizard(db, settings, directory)
        self.clock = clock

    # --- reading --------------------------------------------------------------------------------------------------
    def actor(self, group_id: object, user_id: str) -> tuple[Group | None, Actor | None]:
        """The group (detached, moderators loaded) and what this person may do to it; (None, None) if not found."""
        with self.db.transaction() as session:
            group = _group(session, group_id)
            if group is None:
                return None, None
            group.moderators  # noqa: B018 -- loaded while the session is open
            session.expunge(group)
        return group, actor_on(group, user_id, self.directory)

    def _refuse(self, change: Change, user_id: str, group_id, reason: ChangeRefusal, name: str = "",
                **details) -> ChangeResult:
        with self.db.transaction() as session:
            record_refusal(session, user_id, group_id, change.value, reason, **details)
        return ChangeResult(change, user_id, group_id if isinstance(group_id, int) else None, name, refusal=reason)

    def may_change(self, change: Change, group_id: object, user_id: str) -> tuple[Group | None, ChangeResult | None]:
        group, actor = self.actor(group_id, user_id)
        if group is None:
            return None, self._refuse(change, user_id, str(group_id)[:64], ChangeRefusal.NOT_FOUND)
        if not actor.may_change:
            return None, self._refuse(change, user_id, group.id, ChangeRefusal.NOT_STAFF_MODERATOR, group.name)
        if group.closed_at is not None and change is not Change.REOPENED:
            return None, self._refuse(change, user_id, group.id, ChangeRefusal.CLOSED, group.name)
        return group, None

    # --- moderators, lead, emergency contact --------------------------------------------------------------------
    def change_moderators(self, group_id: object, user_id: str, values: dict) -> ChangeResult:
        group, refused = self.may_change(Change.MODERATORS, group_id, user_id)
        if refused:
            return refused
        values = {k: clean_text(v) for k, v in (values or {}).items()}
        result = ChangeResult(Change.MODERATORS, user_id, group.id, group.name)
        guard = Guard.from_settings(self.settings)
        result.errors = guard.errors({"offline_moderators": (values.get("offline_moderators"), FieldKind.STAFF_TEXT)}
                                     if values.get("offline_moderators") else {})
        if result.errors:
            return result  # refused text goes nowhere, not even into the audit trail
        before = state_of(group)
        state = state_of(group)
        kept = {k: state.data.get(k) for k in ("expected_members", "out_of_hours", "quiet_hours", "moderation_plan")}
        errors = self.wizard.moderator_answers(state, {**{k: "" if v is None else str(v) for k, v in kept.items()},
                                                       **values})
        errors.update(_partner_staff(state, group, values, self.directory))
        return self._apply_checked(result, group, before, state, errors, MODERATOR_FIELDS,
                                   lambda session, g: self._apply_moderators(session, g, state, result))

    def _apply_moderators(self, session: Session, group: Group, state: WizardState, result: ChangeResult) -> None:
        now = self.clock()
        lead_before = acting_lead(group)
        current = {key_of(m.person_id if m.reachable else None, m.name, m.role): m for m in active_moderators(group)}
        wanted = {key_of(e.get("person_id"), e["name"], e["role"]): e for e in state.data.get("moderators", [])}
        removed = [m for k, m in current.items() if k not in wanted and not (is_employed(m) and not m.reachable)]
        for moderator in removed:
            moderator.stepped_down_at = now
        added, regraded = [], []
        for k, entry in wanted.items():
            if k in current:
                moderator = current[k]
                if moderator.role != entry["role"]:
                    moderator.role = entry["role"]
                    regraded.append(moderator)
                moderator.organisation = entry.get("organisation") or moderator.organisation
                continue
            moderator = Moderator(name=entry["name"], role=entry["role"], person_id=entry.get("person_id") or new_person(session),
                                  organisation=entry.get("organisation"), added_by=result.user_id, added_at=now)
            group.moderators.append(moderator)
            added.append(moderator)
        lead = state.data.get("lead_user_id")
        for moderator in active_moderators(group):
            moderator.is_lead = bool(lead) and moderator.person_id == lead and is_employed(moderator)
        session.flush()
        filled = self._fill_vacancies(session, group, len(added), now)
        contact_changed = (group.emergency_contact_person_id != state.data.get("emergency_contact_person_id"))
        group.emergency_contact = state.data.get("emergency_contact")
        group.emergency_contact_person_id = state.data.get("emergency_contact_person_id")
        result.added = tuple(m.name for m in added)
        result.removed = tuple(m.name for m in removed)
        lead_now = acting_lead(group)
        lead_changed = (lead_before.id if lead_before else None) != (lead_now.id if lead_now else None)
        result.changed = tuple(
            name for name, did in (("moderators", added or removed or regraded), ("lead", lead_changed),
                                   ("emergency_contact", contact_changed)) if did
        )
        result.data = {"lead": lead_now.name if lead_now else None, "vacancies_filled": len(filled),
                       "emergency_contact": group.emergency_contact, "added_ids": [m.id for m in added],
                       "removed_ids": [m.id for m in removed]}
        if not result.changed:
            return
        audit.record(session, actor=result.user_id, action="group.moderators_changed", subject_type="group",
                     subject_id=group.id, added=[m.id for m in added], removed=[m.id for m in removed],
                     regraded=[m.id for m in regraded], lead=lead_now.id if lead_now else None,
                     emergency_contact_changed=contact_changed,
                     vacancies_filled=filled)

    def _fill_vacancies(self, session: Session, group: Group, how_many: int, now: datetime) -> list[int]:
        """M9: each new moderator takes the place of one who stepped down, the longest open first."""
        if not how_many:
            return []
        vacancies = session.scalars(
            select(ModeratorVacancy).where(ModeratorVacancy.group_id == group.id, ModeratorVacancy.filled_at.is_(None))
            .order_by(ModeratorVacancy.opened_at, ModeratorVacancy.id).limit(how_many)
        ).all()
        for vacancy in vacancies:
            vacancy.filled_at = now
        return [v.id for v in vacancies]

    # --- name, description, agreement, size, out of hours ------------------------------------------------------
    def change_details(self, group_id: object, user_id: str, values: dict) -> ChangeResult:
        group, refused = self.may_change(Change.DETAILS, group_id, user_id)
        if refused:
            return refused
        values = {k: clean_text(v) for k, v in (values or {}).items() if k in EDITABLE}
        result = ChangeResult(Change.DETAILS, user_id, group.id, group.name)
        guard = Guard.from_settings(self.settings)
        result.errors = guard.errors({f: (str(values[f]), GUARDED_FIELDS[f]) for f in GUARDED_FIELDS
                                      if values.get(f) and f in EDITABLE})
        if result.errors:
            return result
        before = state_of(group)
        state = state_of(group)
        errors = _read_details(state, values)
        return self._apply_checked(result, group, before, state, errors, DETAIL_FIELDS,
                                   lambda session, g: self._apply_details(session, g, before, state, result))

    def _apply_details(self, session: Session, group: Group, before: WizardState, state: WizardState,
                       result: ChangeResult) -> None:
        changed = tuple(f for f in EDITABLE if before.data.get(f) != state.data.get(f))
        for name in changed:
            setattr(group, name, state.data.get(name) if name != "description" else state.data.get(name) or "")
        result.changed = changed
        if set(changed) & TEXT_FIELDS and group.official:
            result.kit = drafts.kit(state, self.settings)
        audit.record(session, actor=result.user_id, action="group.details_changed", subject_type="group",
                     subject_id=group.id, fields=list(changed))

    # --- shared -----------------------------------------------------------------------------------------------
    def _apply_checked(self, result: ChangeResult, group: Group, before: WizardState, state: WizardState,
                       errors: dict[str, str], fields: dict[str, str],
                       apply: Callable[[Session, Group], None]) -> ChangeResult:
        findings = check(state.proposal(), self.settings).findings
        already = {(f.rule, f.field) for f in check(before.proposal(), self.settings).findings if f.blocks}
        touched = {name for name in POLICY_FIELDS if before.data.get(name) != state.data.get(name)}
        # What was already wrong with a field left as it was is not this change's to fix (it is on the group's
        # state in the App Home); whatever the change touches must pass.
        findings = tuple(f for f in findings if not (f.blocks and (f.rule, f.field) in already
                                                     and f.field not in touched and not _depends_on(f, touched)))
        blocking = field_errors(findings, fields)
        for form_field, message in blocking.items():
            errors.setdefault(form_field, message)
        if errors:
            result.errors = errors
            rules = sorted({f.rule for f in findings if f.blocks and f.field in fields})
            if rules:
                # A change the policy forbids (e.g. one leaving no staff moderator) is a refusal worth keeping.
                result.refusal = ChangeRefusal.WOULD_BREAK_RULES
                with self.db.transaction() as session:
                    record_refusal(session, result.user_id, group.id, result.change.value,
                                   ChangeRefusal.WOULD_BREAK_RULES, rules=rules, fields=sorted(errors))
            return result
        result.follow_ups = tuple(f for f in findings if f.blocks and f.field not in fields
                                  and (f.rule, f.field) not in already)
        with self.db.transaction() as session:
            _lock(session, group.id)
            live = session.get(Group, group.id)
            if live.closed_at is not None:
                record_refusal(session, result.user_id, group.id, result.change.value, ChangeRefusal.CLOSED)
                result.refusal = ChangeRefusal.CLOSED
                return result
            apply(session, live)
            if result.changed:
                result.queued = _shared(session, live, result)
            result.group_name = live.name
        return result


def _depends_on(finding: Finding, touched: set[str]) -> bool:
    return bool(DEPENDS_ON.get(finding.field, set()) & touched)


def field_errors(findings, fields: dict[str, str]) -> dict[str, str]:
    """Blocking findings on the form's own fields, in plain words, by form field (as the wizard shows them)."""
    errors: dict[str, list[str]] = {}
    for finding in findings:
        if finding.blocks and finding.field in fields:
            errors.setdefault(fields[finding.field], []).append(finding.in_words())
    return {form_field: "\n".join(messages) for form_field, messages in errors.items()}


def _partner_staff(state: WizardState, group: Group, values: dict, directory: Directory) -> dict[str, str]:
    """Partner staff stay partner staff however they are added: picked as partner staff, or among the other
    moderators when they already moderate as partner staff (the wizard's step would make them volunteers)."""
    partners = list(dict.fromkeys(values.get("partner_moderators") or []))
    was_partner = {m.person_id: m for m in active_moderators(group)
                   if m.reachable and m.role == ModeratorRole.PARTNER_STAFF.value}
    taken = set(values.get("staff_moderators") or []) | set(values.get("other_moderators") or [])
    errors = {}
    twice = [p for p in partners if p in taken]
    if twice:
        errors["partner_moderators"] = f"{', '.join(directory.person(p).name for p in twice)} {PICK_ONCE}"
    entries = state.data.get("moderators", [])
    for entry in entries:
        if entry.get("person_id") in was_partner and entry["role"] != ModeratorRole.PARTNER_STAFF.value:
            if not ModeratorRole(entry["role"]).employed:
                entry["role"] = ModeratorRole.PARTNER_STAFF.value
                entry["organisation"] = was_partner[entry["person_id"]].organisation
    for user_id in partners:
        if user_id in taken:
            continue
        before = was_partner.get(user_id)
        entry = ModeratorEntry(name=directory.person(user_id).name, role=ModeratorRole.PARTNER_STAFF,
                               person_id=user_id, organisation=before.organisation if before else None)
        entries.append({k: v for k, v in entry.__dict__.items() if v is not None} | {"role": entry.role.value})
    state.data["moderators"] = entries
    return errors


def _read_details(state: WizardState, values: dict) -> dict[str, str]:
    """The details form's answers into the group's state as the wizard would keep them; what is wrong, by field."""
    errors: dict[str, str] = {}
    for form_field, limit in TEXT_LIMITS.items():
        if form_field in values and len(str(values.get(form_field) or "")) > limit:
            errors[form_field] = f"Keep this to {limit:,} characters."
    data = state.data
    if "name" in values:
        data["name"] = (values.get("name") or "").strip()
    if "agreement_url" in values:
        data["agreement_url"] = (values.get("agreement_url") or "").strip() or None
    if "description" in values:
        description = (values.get("description") or "").strip()
        if data.get("agreement_url") and LINK_PLACEHOLDER in description:
            description = description.replace(LINK_PLACEHOLDER, data["agreement_url"])
        data["description"] = description or None
    if "expected_members" in values:
        members, error = whole_number(values.get("expected_members"))
        if error:
            errors["expected_members"] = error
        data["expected_members"] = members
    for name in ("out_of_hours", "moderation_plan", "quiet_hours"):
        if name in values:
            data[name] = str(values.get(name) or "").strip() or None
    return errors


def _group(session: Session, group_id: object) -> Group | None:
    text = str(group_id or "").strip()
    return session.get(Group, int(text)) if text.isdecimal() and len(text) < 12 else None


def _lock(session: Session, group_id: int) -> None:
    """One change to a group at a time (PostgreSQL row lock; SQLite has one writer anyway)."""
    session.execute(select(Group.id).where(Group.id == group_id).with_for_update())


def _shared(session: Session, group: Group, result: ChangeResult) -> list:
    """The moderators are told (notices) and moderators just added are asked to confirm (M8/M10, as at
    registration), in the change's transaction."""
    from flows.groups.notices import share  # here: flows.groups.notices builds on this module
    from flows.moderation.notices import ask_to_confirm

    asked = ask_to_confirm(session, group) if result.change is Change.MODERATORS and result.added else []
    return share(session, group, result) + asked
