"""The one guard every free text passes before it is stored or forwarded (P1–P3, R1, S4).

    verdict = Guard.from_settings(settings).check(text, FieldKind.NOTE)
    if not verdict.ok: errors[field] = verdict.message   # says what was found and what to write instead

The message never quotes the text: refused text is stored nowhere, logged nowhere, sent nowhere, not even inside
an error. Callers keep the refused value out of drafts, audit details and log lines too.

Field kinds, what each refuses, and where each is used (the callers keep a GUARDED_FIELDS table of their own:
flows/reports/service.py, flows/wizard/service.py; flows/removals/service.py checks its three fields in place):
- MEMBER_REFERENCE: who was removed. Only initials ("J.S.", "JS", "J S", one to three letters, several people's
  joined by "and", "/" or ",") or a Charity Log reference (the setting charity_log_reference_pattern, default
  "CL-12345", "CL12345" or digits). Anything else is refused, a name or a number in disguise first.
- NOTE: what a moderator or manager writes about members and groups (removal notes, a rejection's reason, a
  report's "how found", notes and no-action reason, quiet hours). Refuses phone numbers, email addresses, people's
  names, postal addresses and postcodes, NHS numbers. Schools, services and places are not names.
- STAFF_TEXT: texts in which moderators and staff name each other (moderators on no chat platform, out-of-hours cover,
  the moderation plan): moderators are not members, so names pass; phones, emails, addresses and NHS numbers do not.
- PUBLISHED: the group description members read in WhatsApp. It names the admins and gives the organisation's
  email (D4, D5): names and emails on the organisation's own domains pass; other emails, phone numbers, addresses
  and NHS numbers do not.
- GROUP_NAME: a group's name (a new group's, or an unofficial one as reported): no phone, email, address or NHS
  number.
- CONTACT: the report's "who runs it, and how to reach them". It is contact details by design: it is marked
  personal, never exported, shown only to the person approaching the group and erased when the case ends. Only an
  NHS number is refused there.
Not free text, so not guarded here: the agreement link (an https page on the organisation's sites, D3) and the
expected number of members (a whole number). flows/export.py puts every cell it writes through the guard too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from flows.privacy import contact, names

WHAT_TO_WRITE = "Write initials like J.S. or a Charity Log reference"
DEFAULT_REFERENCE_PATTERN = r"(?:[A-Za-z]{1,6}[-/#]?)?\d[\d/-]*"
REFERENCE_MAX = 40


class Found(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    PERSON_NAME = "person_name"
    ADDRESS = "address"
    NHS_NUMBER = "nhs_number"
    # A member reference that is neither initials nor a Charity Log reference.
    NOT_A_REFERENCE = "not_a_reference"

    @property
    def words(self) -> str:
        return {
            Found.PHONE: "a phone number",
            Found.EMAIL: "an email address",
            Found.PERSON_NAME: "a person's name",
            Found.ADDRESS: "a postal address or postcode",
            Found.NHS_NUMBER: "an NHS number",
            Found.NOT_A_REFERENCE: "something other than initials or a Charity Log reference",
        }[self]


class FieldKind(StrEnum):
    MEMBER_REFERENCE = "member_reference"
    NOTE = "note"
    STAFF_TEXT = "staff_text"
    PUBLISHED = "published"
    GROUP_NAME = "group_name"
    CONTACT = "contact"


CONTACT_DETAILS = (Found.NHS_NUMBER, Found.PHONE, Found.EMAIL, Found.ADDRESS)
LOOKS_FOR: dict[FieldKind, tuple[Found, ...]] = {
    FieldKind.MEMBER_REFERENCE: (*CONTACT_DETAILS, Found.PERSON_NAME),
    FieldKind.NOTE: (*CONTACT_DETAILS, Found.PERSON_NAME),
    FieldKind.STAFF_TEXT: CONTACT_DETAILS,
    FieldKind.PUBLISHED: CONTACT_DETAILS,
    FieldKind.GROUP_NAME: CONTACT_DETAILS,
    FieldKind.CONTACT: (Found.NHS_NUMBER,),
}
INSTEAD = {
    FieldKind.MEMBER_REFERENCE: f"{WHAT_TO_WRITE} like CL-12345, nothing more.",
    FieldKind.NOTE: f"{WHAT_TO_WRITE} like CL-12345 when you mention someone; contact details belong on "
    "Charity Log, not here.",
    FieldKind.STAFF_TEXT: "Moderators' and staff names are fine, but leave out phone numbers, email addresses, "
    "home addresses and NHS numbers: say who covers and that they reach the manager through work chat or the "
    "office.",
    FieldKind.PUBLISHED: "Give the organisation's own email address instead, and no phone numbers or addresses.",
    FieldKind.GROUP_NAME: "Type the group's name without contact details.",
    FieldKind.CONTACT: "Give who runs it and how to reach them, but never an NHS number.",
}
@dataclass(frozen=True)
class Verdict:
    kind: FieldKind
    found: tuple[Found, ...] = ()
    message: str | None = None

    @property
    def ok(self) -> bool:
        return not self.found


@dataclass(frozen=True)
class Guard:
    # Names of the organisation, its projects and forums: never a person's ("Amazing Futures").
    not_names: tuple[str, ...] = ()
    # Email domains of the organisation, allowed in published text.
    own_domains: tuple[str, ...] = ()
    reference_pattern: str = DEFAULT_REFERENCE_PATTERN

    @classmethod
    def from_settings(cls, settings) -> Guard:
        return cls(
            not_names=tuple(settings.protected_names), own_domains=tuple(settings.organisation_domains),
            reference_pattern=settings.charity_log_reference_pattern,
        )

    def check(self, text: str | None, kind: FieldKind) -> Verdict:
        if kind is FieldKind.MEMBER_REFERENCE:
            return self._member_reference(contact.fold(text or ""))
        # An invisible character may hide inside a word ("Sa\u200brah") or stand between two ("Sarah\u200bJones").
        variants = {contact.fold(text or ""), contact.fold(text or "", invisible=" ")}
        found = tuple(f for f in LOOKS_FOR[kind] if any(self._finds(f, v, kind) for v in variants))
        return _verdict(kind, found)

    def errors(self, fields: dict[str, tuple[str | None, FieldKind]]) -> dict[str, str]:
        """Form field -> message, for each field whose text is refused."""
        verdicts = {name: self.check(text, kind) for name, (text, kind) in fields.items()}
        return {name: v.message for name, v in verdicts.items() if not v.ok}

    def _finds(self, found: Found, text: str, kind: FieldKind) -> bool:
        if found is Found.PHONE:
            return contact.has_phone(text)
        if found is Found.NHS_NUMBER:
            return contact.has_nhs_number(text)
        if found is Found.ADDRESS:
            return contact.has_address(text)
        if found is Found.EMAIL:
            if kind is FieldKind.PUBLISHED:
                return any(not self._own(email) for email in contact.emails_in(text))
            return contact.has_email(text)
        return names.has_person_name(text, self.not_names)

    def _own(self, email: str) -> bool:
        domain = email.rpartition("@")[2].lower()
        return any(domain == d.lower() or domain.endswith("." + d.lower()) for d in self.own_domains)

    def _member_reference(self, text: str) -> Verdict:
        kind = FieldKind.MEMBER_REFERENCE
        value = text.strip()
        if not value:
            return Verdict(kind, (Found.NOT_A_REFERENCE,), f"Who was removed? {WHAT_TO_WRITE} like CL-12345.")
        found = tuple(f for f in LOOKS_FOR[kind] if self._finds(f, value, kind))
        if found:
            return _verdict(kind, found)
        if len(value) > REFERENCE_MAX or not (self._reference(value) or all(
            self._reference_part(t) or all(self._reference_part(p) for p in t.split("/") if p) for t in _parts(value)
        )):
            return _verdict(kind, (Found.NOT_A_REFERENCE,))
        return Verdict(kind)

    def _reference(self, value: str) -> bool:
        return bool(re.fullmatch(self.reference_pattern, value))

    def _reference_part(self, token: str) -> bool:
        if token.lower() in CONNECTORS or self._reference(token):
            return True
        letters = token.replace(".", "")
        if not (INITIALS.fullmatch(token) and 1 <= len(letters) <= 3):
            return False
        if "." not in token and not letters.isupper():
            return False  # "mum", "the": undotted initials are capitals
        # Undotted letters that spell a first name ("ANN", "JO") are a name, not initials.
        return "." in token or letters.lower() not in names.first_names() | names.EVERYDAY_NAMES


# Initials: "J.S.", "JS", "j.s", one to three letters, full stops optional.
INITIALS = re.compile(r"(?:[^\W\d_]\.?){1,3}")
# What may stand between initials and references: "J.S. / CL-12345", "JS (CL-12345)", "J.S. and A.B.".
CONNECTORS = frozenset({"and", "&", "ref", "ref.", "no", "no.", "cl", "/"})
SPLIT = re.compile(r"[\s,;()&]+")


def _parts(value: str) -> list[str]:
    return [t for t in SPLIT.split(value) if t]


def _verdict(kind: FieldKind, found: tuple[Found, ...]) -> Verdict:
    if not found:
        return Verdict(kind)
    if found == (Found.NOT_A_REFERENCE,):
        return Verdict(kind, found, f"That is not initials or a Charity Log reference. {INSTEAD[kind]}")
    what = [f.words for f in found]
    listed = what[0] if len(what) == 1 else ", ".join(what[:-1]) + " and " + what[-1]
    return Verdict(
        kind, found,
        f"This looks like it holds {listed}, so it can't be saved: the app keeps no personal details. "
        f"{INSTEAD[kind]}",
    )
