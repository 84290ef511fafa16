"""Keeping personal data out of removal records (R1, S4): the policy allows initials or Charity Log references
and nothing more. Pure functions: text in, the reason it is refused (or None) out.

The messages never quote the refused text: it must not be stored or logged anywhere, not even in an error.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

WHAT_TO_WRITE = "Write initials like J.S. or a Charity Log reference"
REFERENCE_MAX = 40

EMAIL = re.compile(r"[\w.%+'-]+@[\w-]+(?:\.[\w-]+)+")
# A run of digits with the separators people type in phone numbers. A digit run glued to letters (CL-12345,
# CL12345) is a reference, not a phone number.
PHONE_RUN = re.compile(r"(?<![^\W\d_])(?<![^\W\d_]-)(?:\+|\(\s*\+?)?\d[\d\s().\-]*\d")
# Dates and times are taken out first, so that "12-03-2025 10.30" is not read as one long number.
DATE_OR_TIME = re.compile(r"\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b|\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[.:]\d{2}\b")
# UK numbers have 10 or 11 digits, 9 without the leading 0.
PHONE_DIGITS = 9
INTERNATIONAL_DIGITS = 8
WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
INITIALS = re.compile(r"^(?:[^\W\d_]\.){1,4}$|^(?:[^\W\d_]\.){1,3}[^\W\d_]$|^[A-Z]{1,4}$")
REFERENCE = re.compile(r"^[A-Za-z]{0,6}[-/#]?\d[\d\-/]*$")
# What may stand between initials and references: "J.S. / CL-12345", "JS (CL-12345)", "J.S. and A.B.".
CONNECTORS = {"and", "&", "ref", "ref.", "no", "no.", "cl"}
REFERENCE_SPLIT = re.compile(r"[\s,;/()&]+")

# Capitalised words that are not names: sentence openers, days, months, and the words of the policy's world.
# They are never part of a full name ("On Monday", "The Council", "Asked J.S."); titles are ("Mrs Jones").
COMMON_WORDS = frozenset(
    """
    a an the this that these those he she they we i it you his her their our my your its there here then
    when after before during on in at by to from for of with about as if but and or so because while since
    until yes no not please also again today yesterday tomorrow later earlier morning afternoon evening night
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    asked told warned removed posted said sent messaged called rang spoke gave deleted shared reminded agreed
    left joined added returned
    whatsapp slack amaze pacc espcf forum forums parent parents carer carers council school schools academy
    college hospital nhs camhs gp team teams service services group groups agreement policy safeguarding
    staff volunteer volunteers moderator moderators admin admins member members charity log reference
    social worker workers officer send sendco senco ehcp local authority county city east west north south
    sussex brighton hove young people futures amazing chat message messages post posts
    """.split()
)


def check_member_reference(text: str) -> str | None:
    """Why this member reference cannot be stored, or None when it is initials or a Charity Log reference."""
    value = (text or "").strip()
    if not value:
        return f"Who was removed? {WHAT_TO_WRITE}."
    problem = _contact_details(value)
    if problem:
        return f"{problem} This app never stores members' contact details. {WHAT_TO_WRITE}."
    if len(value) > REFERENCE_MAX:
        return f"That is longer than a reference. {WHAT_TO_WRITE}."
    tokens = [t for t in REFERENCE_SPLIT.split(value) if t]
    if any(_is_wordlike(t) for t in tokens):
        return f"That looks like a name. The policy keeps personal details to a minimum. {WHAT_TO_WRITE}."
    if not all(_is_reference_part(t) for t in tokens):
        return f"{WHAT_TO_WRITE} such as CL-12345."
    return None


def check_free_text(text: str, allowed_phrases: Iterable[str] = ()) -> str | None:
    """Why these notes (or this reason) cannot be stored, or None. `allowed_phrases` are names that are not
    people's: the organisation's protected names, e.g. "Amazing Futures"."""
    value = text or ""
    problem = _contact_details(value)
    if problem:
        return (
            f"{problem} Take it out: this app never stores members' contact details. "
            f"{WHAT_TO_WRITE} when you mention someone."
        )
    if _has_full_name(_without(value, allowed_phrases)):
        return (
            "This looks like it includes a person's full name. The policy keeps personal details to a minimum. "
            f"{WHAT_TO_WRITE} when you mention someone."
        )
    return None


def _contact_details(text: str) -> str | None:
    if EMAIL.search(text):
        return "That looks like an email address."
    for match in PHONE_RUN.finditer(DATE_OR_TIME.sub(" ; ", text)):
        run = match.group()
        digits = sum(c.isdigit() for c in run)
        international = run.lstrip("( ").startswith(("+", "00"))
        if digits >= PHONE_DIGITS or (international and digits >= INTERNATIONAL_DIGITS):
            return "That looks like a phone number."
    return None


def _is_wordlike(token: str) -> bool:
    """A word of two or more letters that is not initials: "Sarah", "smith", "O'Brien"."""
    if INITIALS.match(token) or token.lower() in CONNECTORS or REFERENCE.match(token):
        return False
    letters = sum(c.isalpha() for c in token)
    return letters >= 2 and any(c.islower() for c in token)


def _is_reference_part(token: str) -> bool:
    return bool(INITIALS.match(token) or REFERENCE.match(token) or token.lower() in CONNECTORS)


def _capitalised(word: str) -> bool:
    return word[0].isupper() and any(c.islower() for c in word[1:])


def _has_full_name(text: str) -> bool:
    """Two or more capitalised words side by side ("Sarah Jones", "Mrs Jones"), everyday words not counted."""
    run, previous_end = 0, None
    for match in WORD.finditer(text):
        word = match.group()
        joined = previous_end is not None and text[previous_end : match.start()].strip(" \t") == ""
        previous_end = match.end()
        if _capitalised(word) and word.lower() not in COMMON_WORDS:
            run = run + 1 if joined else 1
            if run >= 2:
                return True
        else:
            run = 0
    return False


def _without(text: str, phrases: Iterable[str]) -> str:
    for phrase in phrases:
        if phrase.strip():
            text = re.sub(re.escape(phrase.strip()), " ", text, flags=re.IGNORECASE)
    return text
