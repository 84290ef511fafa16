"""Finding contact details in a text: phone numbers, email addresses, NHS numbers, postcodes and street addresses.

Every finder reads the text as people disguise it: Unicode-folded (NFKC: full-width "＠" and digits, non-breaking
spaces), look-alike letters in numbers ("O7700 9OO l23"), any separators ("07700/900/123"), spelled-out email
punctuation ("jo at gmail dot com").
"""
from __future__ import annotations

import re
import unicodedata

import phonenumbers

# Letters people type for digits inside a number.
LOOK_ALIKES = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})
# A run that may be a number: digits, look-alike letters and separators, not glued to a word on either side (so
# "CL-12345" and "CL12345" are references, and "Ollie" is a name).
NUMBER_RUN = re.compile(
    r"(?<![^\W\d_])(?<![^\W\d_]-)(?:\+|\(\s*\+?)?[0-9OoIl|](?:[0-9OoIl| \t./()\-–—_]*[0-9OoIl|])?(?![^\W\d_])"
)
# Dates and times go first, so that "12/03/2026 10.30" is not read as one long number.
DATE_OR_TIME = re.compile(
    r"\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b|\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[.:]\d{2}\b(?:\s*[ap]\.?m\b\.?)?"
)
# UK numbers have 10 or 11 digits (9 or 10 without the leading 0); an international one at least 8.
NATIONAL_DIGITS, INTERNATIONAL_DIGITS, REAL_DIGITS = 9, 8, 4

# Each starts only where a run of the characters starts, so that a long run is read once, not once a character.
EMAIL = re.compile(r"(?<![\w.%+'’-])[\w.%+'’-]+\s*@\s*[\w-]+(?:\s*\.\s*[\w-]+)+")
BRACKETED_AT = re.compile(r"\s*[(\[{<]\s*at\s*[)\]}>]\s*", re.IGNORECASE)
BRACKETED_DOT = re.compile(r"\s*[(\[{<]\s*dot\s*[)\]}>]\s*", re.IGNORECASE)
TLDS = r"(?:com|org|net|uk|co|ac|gov|nhs|edu|io|me|info|biz|email|mail)"
SPELLED_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w.+-]+\s+(?:at|@)\s+[\w-]+(?:\s*(?:\.|\bdot\b)\s*[\w-]+)*?\s*(?:\.|\bdot\b)\s*{TLDS}\b", re.IGNORECASE
)

# A full UK postcode (outward and inward code). The inward code never uses C, I, K, M, O or V, so "Y6 3pm" is not
# one; "1st" and "2nd" are ordinals.
POSTCODE = re.compile(
    r"\b(?:GIR\s*0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-HJKPSTUW\d]?\s*\d(?!st|nd|rd|th)[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
)
STREET_TYPES = (
    "road|rd|street|avenue|ave|lane|close|drive|way|crescent|place|gardens|grove|terrace|court|square|rise|mews|"
    "parade|walk|hill|row|view|park"
)
# "12 Acacia Road", "Flat 3, 7b Elm Grove": a house number, one to three words, a street type.
STREET = re.compile(
    rf"\b\d{{1,4}}[a-z]?,?\s+((?:[^\W\d_][\w'’-]*\s+){{1,3}})({STREET_TYPES})\b", re.IGNORECASE
)
# Everyday words that, between a number and "road" or "way", make it a sentence, not an address.
SENTENCE_WORDS = frozenset(
    """a an the this that of on in at by to for with from about and or but not no more times time people members
    parents messages posts links weeks days months years hours minutes way ways other same wrong right long
    different""".split()
)
# Street types strong enough to read as an address even in lower case.
STRONG_STREET_TYPES = frozenset({"road", "rd", "street", "avenue", "ave", "lane", "crescent", "gardens", "terrace",
                                 "mews", "grove", "close", "drive"})


def fold(text: str, invisible: str = "") -> str:
    """The text as a person meant it: NFKC (full-width forms, non-breaking spaces), invisible characters (zero-width
    spaces and joiners) taken out, or replaced by `invisible`."""
    folded = unicodedata.normalize("NFKC", text or "")
    return "".join(invisible if unicodedata.category(c) == "Cf" else c for c in folded)


def has_email(text: str) -> bool:
    spelled = BRACKETED_DOT.sub(".", BRACKETED_AT.sub("@", text))
    return bool(EMAIL.search(spelled) or SPELLED_EMAIL.search(spelled))


def emails_in(text: str) -> list[str]:
    """Email addresses as written (after folding), for checks that allow some domains."""
    spelled = BRACKETED_DOT.sub(".", BRACKETED_AT.sub("@", text))
    found = [m.group() for m in EMAIL.finditer(spelled)]
    found += [re.sub(r"\s+(?:at)\s+", "@", re.sub(r"\s*\bdot\b\s*", ".", m.group(), flags=re.I), flags=re.I)
              for m in SPELLED_EMAIL.finditer(spelled)]
    return [re.sub(r"\s+", "", e) for e in found]


def number_runs(text: str) -> list[str]:
    """Each run that may be a number, compacted to its digits (a leading "+" kept), dates and times left out."""
    runs = []
    for match in NUMBER_RUN.finditer(DATE_OR_TIME.sub(" ; ", text)):
        run = match.group()
        if sum(c.isdigit() for c in run) < REAL_DIGITS:
            continue  # "I", "lol" or "O.K." are words, not numbers in disguise
        digits = "".join(c for c in run.translate(LOOK_ALIKES) if c.isdigit())
        runs.append(("+" if run.lstrip("( ").startswith("+") else "") + digits)
    return runs


def has_phone(text: str) -> bool:
    """A phone number by Google's libphonenumber (UK by default), found in the runs as they were meant."""
    for run in number_runs(text):
        digits = run.lstrip("+")
        international = run.startswith("+") or digits.startswith("00")
        if len(digits) < (INTERNATIONAL_DIGITS if international else NATIONAL_DIGITS):
            continue
        if any(True for _ in phonenumbers.PhoneNumberMatcher(run, "GB", leniency=phonenumbers.Leniency.POSSIBLE)):
            return True
    return False


def has_nhs_number(text: str) -> bool:
    return any(_nhs_valid(run) for run in number_runs(text) if not run.startswith("+"))


def _nhs_valid(digits: str) -> bool:
    """Ten digits whose last is the modulus-11 check digit of the nine before it."""
    if len(digits) != 10:
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def has_address(text: str) -> bool:
    if POSTCODE.search(text):
        return True
    for match in STREET.finditer(text):
        words = match.group(1).split()
        street_type = match.group(2)
        if any(w.lower().strip("'’") in SENTENCE_WORDS for w in words):
            continue
        if street_type[0].isupper() or all(w[0].isupper() for w in words):
            return True
        if street_type.lower() in STRONG_STREET_TYPES:
            return True
    return False
