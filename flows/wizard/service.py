"""The /newgroup wizard: each step's answers checked against the policy, kept in the database between steps,
and a group registered exactly once at the end. Platform-neutral: values arrive as plain dicts."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from flows import drafting
from flows.audit import service as audit
from flows.db import Database
from flows.directory.service import Directory, Role, RolesUnconfirmed
from flows.groups.models import Group, Moderator
from flows.people import new_person
from flows.policy.engine import check
from flows.policy.text import without_control_characters
from flows.policy.types import CheckResult, Finding, GroupKind, GroupProposal, ModeratorEntry, ModeratorRole
from flows.privacy import FieldKind, Guard
from flows.settings import Settings
from flows.wizard import drafts
from flows.wizard.models import WizardDraft
from flows.wizard.moderator_input import FieldError, ModeratorChoice, resolve
from flows.wizard.steps import Step, next_step, previous_step, steps_for

# Which policy fields each step owns, and the form field a finding about it is shown on.
STEP_FIELDS = {
    Step.NAME: {"name": "name"},
    Step.DESCRIPTION: {"description": "description", "agreement_url": "agreement_url"},
    Step.MODERATORS: {
        "moderators": "staff_moderators",
        "out_of_hours": "out_of_hours",
        "emergency_contact": "emergency_contact",
        "quiet_hours": "quiet_hours",
        "expected_members": "expected_members",
        "moderation_plan": "moderation_plan",
    },
}
MAX_MEMBERS = 100_000
# The longest answer each free-text field of the moderators step takes: the form's own limits, which a request
# not made by the platform's own form may exceed.
TEXT_LIMITS = {
    "offline_moderators": 2000, "out_of_hours": 2000, "quiet_hours": 200, "expected_members": 10,
    "moderation_plan": 2000,
}
# What the moderators step asks, kept as given so that registering can check it again.
MODERATOR_FIELDS = (
    "staff_moderators", "other_moderators", "offline_moderators", "lead_moderator", "expected_members",
    "out_of_hours", "emergency_contact", "quiet_hours", "moderation_plan",
)
# Called inside the registration's transaction, so that what it queues (e.g. the texts for the creator)
# exists exactly when the group does.
LINK_PLACEHOLDER = "[LINK]"
# What the personal-data guard looks for in each free-text field (flows/privacy/guard.py). Moderators are not
# members: their names may be written where moderators are described, their contact details nowhere.
GUARDED_FIELDS = {
    "name": FieldKind.GROUP_NAME,
    "description": FieldKind.PUBLISHED,
    "offline_moderators": FieldKind.STAFF_TEXT,
    "out_of_hours": FieldKind.STAFF_TEXT,
    "moderation_plan": FieldKind.STAFF_TEXT,
    "quiet_hours": FieldKind.NOTE,
}
OUT_OF_DATE_STEP = (
    "This form is out of date: the set-up has moved on in another window. Here is where it stands now."
)


EXPIRED = "This set-up was left unfinished too long ago and has expired. Type /newgroup to start again."


class WizardError(Exception):
    """A wizard that cannot go on: not found, not yours, or you may not register groups."""


@dataclass
class WizardState:
    draft_id: str
    user_id: str
    step: Step
    data: dict
    group_id: int | None = None

    @property
    def kind(self) -> GroupKind | None:
        return GroupKind(self.data["kind"]) if self.data.get("kind") else None

    def proposal(self) -> GroupProposal:
        d = self.data
        return GroupProposal(
            kind=self.kind or GroupKind.PARENT_CARERS,
            name=d.get("name", ""),
            description=d.get("description"),
            agreement_url=d.get("agreement_url"),
            moderators=tuple(
                ModeratorEntry(
                    name=m["name"], role=ModeratorRole(m["role"]),
                    person_id=m.get("person_id"), organisation=m.get("organisation"),
                )
                for m in d.get("moderators", [])
            ),
            expected_members=d.get("expected_members"),
            out_of_hours=d.get("out_of_hours"),
            emergency_contact=d.get("emergency_contact"),
            quiet_hours=d.get("quiet_hours"),
            moderation_plan=d.get("moderation_plan"),
        )


class WizardRefusal(StrEnum):
    """Why a group cannot be registered by this person."""

    NOT_STAFF = "not_staff"


@dataclass
class WizardStep:
    state: WizardState
    # Form field -> what is wrong there: plain words, or a problem the adapter words. Empty when accepted.
    errors: dict[str, FieldError] = field(default_factory=dict)
    # Why registering is not this person's to do (the adapter words it, on the review step).
    refusal: WizardRefusal | None = None
    group: Group | None = None
    # False when a repeated submission found the group already registered: nothing more is to be sent.
    newly_registered: bool = False
    # What the registration queued to be sent (outbox messages), for delivering at once after the reply.
    queued: list = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.errors and self.refusal is None


class NewGroupWizard:
    def __init__(self, db: Database, settings: Settings, directory: Directory) -> None:
        self.db = db
        self.settings = settings
        self.directory = directory

    # --- who may use it ----------------------------------------------------------------------------------------
    def may_register(self, user_id: str) -> bool:
        """Raises RolesUnconfirmed (recorded as a refusal) when whether they are staff cannot be told now."""
        try:
            return self.directory.has_role(user_id, Role.STAFF, Role.PCF_STAFF)
        except RolesUnconfirmed as error:
            self.directory.record_refusal(user_id, error, "wizard.refused")
            raise

    # --- lifecycle -------------------------------------------------------------------------------------------------
    def start(self, user_id: str, team_id: str | None, name: str | None = None) -> WizardState:
        name = clean_text(name)
        data = {"name": name.strip()} if name and name.strip() and not self._refused({"name": name}) else {}
        draft = WizardDraft(id=str(uuid.uuid4()), user_id=user_id, team_id=team_id, step=Step.KIND, data=data)
        with self.db.transaction() as session:
            session.add(draft)
        return self._state(draft)

    def unfinished(self, user_id: str, other_than: str | None = None) -> WizardState | None:
        """Their latest set-up not yet registered, past its first step and not expired: /newgroup offers to
        continue it."""
        with self.db.transaction() as session:
            draft = session.scalars(
                select(WizardDraft).where(WizardDraft.user_id == user_id, WizardDraft.group_id.is_(None),
                                          WizardDraft.id != (other_than or ""), WizardDraft.step != Step.KIND.value,
                                          WizardDraft.updated_at >= drafts.expires_before(self.settings))
                .order_by(WizardDraft.updated_at.desc(), WizardDraft.id).limit(1)
            ).first()
            return self._state(draft) if draft is not None else None

    def discard(self, draft_id: str, user_id: str) -> None:
        """A set-up not wanted any more goes (a registered one is the group's record and stays)."""
        with self.db.transaction() as session:
            draft = self._draft(session, draft_id, user_id)
            if draft.group_id is None:
                session.delete(draft)
                audit.record(session, actor=user_id, action="wizard.discarded", subject_type="wizard",
                             subject_id=draft_id, from_state=draft.step)

    def state(self, draft_id: str, user_id: str) -> WizardState:
        with self.db.transaction() as session:
            return self._state(self._draft(session, draft_id, user_id))

    def back(self, draft_id: str, user_id: str) -> WizardState:
        with self.db.transaction() as session:
            draft = self._draft(session, draft_id, user_id)
            state = self._state(draft)
            previous = previous_step(state.kind, state.step)
            if previous is not None and draft.group_id is None:
                draft.step = previous
            return self._state(draft)

    def submit(
        self, draft_id: str, user_id: str, step: Step, values: dict
    ) -> WizardStep:
        with self.db.transaction() as session:
            state = self._state(self._draft(session, draft_id, user_id))
        if state.group_id is not None:
            return self._already_registered(state)
        if step is not state.step:
            # The draft's step lives here, not in the form: a form for another step is an old (or crafted) one.
            return WizardStep(state, {"step": OUT_OF_DATE_STEP})
        values = {key: clean_text(value) for key, value in (values or {}).items()}
        refused = self._refused(values)
        if refused:
            # Refused text is kept nowhere, not even in the draft: the form still shows what was typed.
            return self._save(state, step, refused)
        handler = {
            Step.KIND: self._submit_kind,
            Step.NAME: self._submit_name,
            Step.DESCRIPTION: self._submit_description,
            Step.MODERATORS: self._submit_moderators,
            Step.REVIEW: lambda state, values: self._submit_review(state),
        }[step]
        try:
            return handler(state, values)
        except RolesUnconfirmed as error:
            # Nothing of the step is saved: the person tries again once the roles can be told.
            self.directory.record_refusal(user_id, error, f"wizard.{step.value}_refused", "wizard", draft_id)
            raise

    # --- steps ---------------------------------------------------------------------------------------------------
    def _submit_kind(self, state: WizardState, values: dict) -> WizardStep:
        try:
            kind = GroupKind(values.get("kind") or "")
        except ValueError:
            return WizardStep(state, {"kind": "Choose what kind of group this is."})
        if state.data.get("kind") != kind.value:
            # A different kind means different rules and drafts: start the later steps afresh.
            state.data = {"kind": kind.value, "name": state.data.get("name", "")}
        return self._advance(state)

    def _submit_name(self, state: WizardState, values: dict) -> WizardStep:
        state.data["name"] = (values.get("name") or "").strip()
        return self._checked(state)

    def _submit_description(self, state: WizardState, values: dict) -> WizardStep:
        url = (values.get("agreement_url") or "").strip() or None
        description = (values.get("description") or "").strip()
        if url and LINK_PLACEHOLDER in description:
            description = description.replace(LINK_PLACEHOLDER, url)
        state.data.update(description=description or None, agreement_url=url)
        return self._checked(state)

    def _submit_moderators(self, state: WizardState, values: dict) -> WizardStep:
        said_before = drafting.quiet_hours_line(state.kind, state.data.get("quiet_hours"))
        errors = self._moderator_answers(state, values)
        self._swap_quiet_hours(state, said_before)
        # Kept only as accepted by the step's own checks: a refused answer is never what registering re-checks.
        state.data.pop("moderators_form", None)
        if not errors:
            state.data["moderators_form"] = {k: values.get(k) for k in MODERATOR_FIELDS}
        return self._checked(state, errors)

    def _swap_quiet_hours(self, state: WizardState, said_before: str) -> None:
        """The description is drafted before quiet hours are asked: like [LINK], the line it says is swapped for the
        group's own answer, so the description and the agreement say the same hours."""
        said_now = drafting.quiet_hours_line(state.kind, state.data.get("quiet_hours"))
        description = state.data.get("description") or ""
        if said_before and said_now and said_before != said_now and said_before in description:
            state.data["description"] = description.replace(said_before, said_now)

    def moderator_answers(self, state: WizardState, values: dict) -> dict[str, FieldError]:
        """The moderators step's own checks on `values`, for a registered group's change too (flows/groups)."""
        return self._moderator_answers(state, values)

    def _moderator_answers(self, state: WizardState, values: dict) -> dict[str, FieldError]:
        """The moderators step's own checks (the directory's roles, the emergency contact, lengths), with what was
        given put into the draft's data; returns what is wrong, by form field."""
        kind = state.kind
        choice = ModeratorChoice(
            staff=list(values.get("staff_moderators") or []),
            others=list(values.get("other_moderators") or []),
            offline=values.get("offline_moderators") or "",
            lead=values.get("lead_moderator"),
        )
        parsed = resolve(kind, choice, self.directory)
        errors = dict(parsed.errors)
        members, members_error = _whole_number(values.get("expected_members"))
        if members_error:
            errors["expected_members"] = members_error
        for form_field, limit in TEXT_LIMITS.items():
            if len(str(values.get(form_field) or "")) > limit:
                errors.setdefault(form_field, f"Keep this to {limit:,} characters.")
        contact_id = values.get("emergency_contact")
        contact_name = None
        if contact_id:
            contact_name = self.directory.person(contact_id).name
            if self.directory.role_configured(Role.SENIOR_MANAGER) and not self.directory.has_role(
                contact_id, Role.SENIOR_MANAGER
            ):
                errors["emergency_contact"] = (
                    f"{contact_name} is not in the senior managers user group. Pick the senior manager "
                    "that moderators call in an emergency."
                )
        state.data.update(
            moderators=[
                {k: v for k, v in m.__dict__.items() if v is not None} | {"role": m.role.value}
                for m in parsed.moderators
            ],
            lead_user_id=parsed.lead_user_id,
            form_moderators={
                "staff": choice.staff, "others": choice.others, "offline": choice.offline, "lead": choice.lead,
            },
            expected_members=members,
            out_of_hours=_text(values.get("out_of_hours")),
            emergency_contact=contact_name,
            emergency_contact_person_id=contact_id,
            quiet_hours=_text(values.get("quiet_hours")),
            moderation_plan=_text(values.get("moderation_plan")),
        )
        return errors

    def _submit_review(self, state: WizardState) -> WizardStep:
        if Step.MODERATORS in steps_for(state.kind):
            # Re-run on what is stored: roles may have changed since, and the draft must hold what the step checked.
            errors = self._moderator_answers(state, state.data.get("moderators_form") or {})
            if errors:
                return self._save(state, Step.MODERATORS, errors)
        result = self.check(state)
        for step in steps_for(state.kind):
            errors = _errors_for(step, result.findings)
            if errors:
                # Something changed since that step was accepted: send the person back to it.
                return self._save(state, step, errors)
        if not self.may_register(state.user_id):
            return WizardStep(state, refusal=WizardRefusal.NOT_STAFF)
        return self._register(state, result)

    def preview_name(self, draft_id: str, user_id: str, name: str) -> tuple[WizardState, list[Finding]]:
        """What the naming rules say about a name as it is being typed. Nothing is saved."""
        state = self.state(draft_id, user_id)
        state.data["name"] = clean_text(name).strip()
        return state, [f for f in self.check(state).findings if f.field == "name"]

    # --- checking ------------------------------------------------------------------------------------------------
    def _refused(self, values: dict) -> dict[str, str]:
        """Form field -> why its text holds personal details the app does not keep."""
        guard = Guard.from_settings(self.settings)
        return guard.errors({
            field: (str(values[field]), kind) for field, kind in GUARDED_FIELDS.items() if values.get(field)
        })

    def check(self, state: WizardState) -> CheckResult:
        return check(state.proposal(), self.settings)

    def advice(self, state: WizardState) -> list[Finding]:
        """Advice on the steps done so far (shown as text, never blocking)."""
        done = steps_for(state.kind)[: steps_for(state.kind).index(state.step)] if state.step in steps_for(
            state.kind
        ) else []
        fields = {f for step in done for f in STEP_FIELDS.get(step, {})}
        return [f for f in self.check(state).findings if not f.blocks and (f.field in fields or state.step is Step.REVIEW)]

    def _checked(self, state: WizardState, errors: dict[str, FieldError] | None = None) -> WizardStep:
        errors = dict(errors or {})
        for form_field, message in _errors_for(state.step, self.check(state).findings).items():
            errors.setdefault(form_field, message)
        if errors:
            return self._save(state, state.step, errors)
        return self._advance(state)

    def _advance(self, state: WizardState) -> WizardStep:
        following = next_step(state.kind, state.step)
        if following is Step.DESCRIPTION and not state.data.get("description"):
            state.data["description"] = drafts.description(state, self.settings) or None
        return self._save(state, following or state.step, {})

    def _save(self, state: WizardState, step: Step, errors: dict[str, FieldError]) -> WizardStep:
        with self.db.transaction() as session:
            draft = self._draft(session, state.draft_id, state.user_id)
            draft.data = dict(state.data)
            # A refused step stays where it is; an accepted one moves on.
            draft.step = step
            return WizardStep(self._state(draft), errors)

    # --- registering ---------------------------------------------------------------------------------------------
    def _register(self, state: WizardState, result: CheckResult) -> WizardStep:
        kind = state.kind
        data = state.data
        try:
            with self.db.transaction() as session:
                group = Group(
                    kind=kind.value,
                    name=data["name"],
                    official=kind.official,
                    description=data.get("description") or "",
                    agreement_url=data.get("agreement_url"),
                    expected_members=data.get("expected_members"),
                    out_of_hours=data.get("out_of_hours"),
                    emergency_contact=data.get("emergency_contact"),
                    emergency_contact_person_id=data.get("emergency_contact_person_id"),
                    quiet_hours=data.get("quiet_hours"),
                    moderation_plan=data.get("moderation_plan"),
                    advice=[f.as_dict() for f in result.findings if not f.blocks],
                    created_by=state.user_id,
                    draft_id=state.draft_id,
                )
                lead = data.get("lead_user_id")
                for m in data.get("moderators", []) if kind.needs_moderators else []:
                    group.moderators.append(
                        Moderator(
                            name=m["name"], role=m["role"], person_id=m.get("person_id") or new_person(session),
                            organisation=m.get("organisation"), added_by=state.user_id,
                            is_lead=bool(lead) and m.get("person_id") == lead,
                        )
                    )
                session.add(group)
                session.flush()
                draft = self._draft(session, state.draft_id, state.user_id)
                draft.group_id, draft.step = group.id, Step.REVIEW
                audit.record(
                    session, actor=state.user_id, action="group.registered", subject_type="group",
                    subject_id=group.id, to_state="registered", kind=kind.value, name=group.name,
                    moderators=len(group.moderators), advice=[f.rule for f in result.findings],
                )
                state.group_id = group.id
                from flows.wizard.notices import registered  # it builds on this module's WizardState

                queued = registered(session, group, state)
                return WizardStep(state, {}, group=group, newly_registered=True, queued=queued)
        except IntegrityError:
            # The same wizard was submitted twice at once and the other submission won: one group, one message.
            return self._already_registered(state)

    def _already_registered(self, state: WizardState) -> WizardStep:
        with self.db.transaction() as session:
            group = session.scalars(select(Group).where(Group.draft_id == state.draft_id)).one()
            group.moderators  # load while the session is open  # noqa: B018
            state.group_id = group.id
            return WizardStep(state, {}, group=group, newly_registered=False)

    # --- helpers ---------------------------------------------------------------------------------------------------
    def _draft(self, session, draft_id: str, user_id: str) -> WizardDraft:
        draft = session.get(WizardDraft, draft_id)
        if draft is None or draft.user_id != user_id:
            raise WizardError("This set-up form has expired or belongs to someone else. Type /newgroup to start again.")
        if draft.group_id is None and drafts.expired(draft, self.settings):
            raise WizardError(EXPIRED)
        return draft

    @staticmethod
    def _state(draft: WizardDraft) -> WizardState:
        return WizardState(
            draft_id=draft.id, user_id=draft.user_id, step=Step(draft.step), data=dict(draft.data or {}),
            group_id=draft.group_id,
        )


def _errors_for(step: Step, findings: tuple[Finding, ...] | list[Finding]) -> dict[str, str]:
    fields = STEP_FIELDS.get(step, {})
    errors: dict[str, list[str]] = {}
    for finding in findings:
        if finding.blocks and finding.field in fields:
            errors.setdefault(fields[finding.field], []).append(finding.in_words())
    return {form_field: "\n".join(messages) for form_field, messages in errors.items()}


def clean_text(value):
    """Text without control characters (line breaks and tabs kept); lists cleaned item by item; the rest as is."""
    if isinstance(value, str):
        return without_control_characters(value)
    if isinstance(value, list):
        return [clean_text(item) for item in value]
    return value


def _text(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _whole_number(value: object) -> tuple[int | None, str | None]:
    text = str(value or "").strip().replace(",", "")
    if not text:
        return None, None
    if not text.isdecimal() or len(text) > 6 or not 0 < int(text) <= MAX_MEMBERS:
        return None, "Write roughly how many members you expect, as a whole number such as 40."
    return int(text), None
