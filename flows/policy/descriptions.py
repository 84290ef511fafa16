"""D1-D9: what the Group Info description must say.

Descriptions are written by people, so each rule accepts the many ways of saying a thing, by looking for the
ideas it needs close together (a phone number, seeing or sharing it, agreeing, joining), never for exact wording.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

from flows.policy.findings import advice, block, quoted_list, with_article
from flows.policy.links import EMAIL, PLACEHOLDER_LINK, find_links, link_problem, same_link
from flows.policy.matcher import match_protected_names
from flows.policy.text import fold
from flows.policy.types import Finding

_I = re.IGNORECASE


@dataclass(frozen=True)
class Prose:
    """A description as sentences of plain ASCII, with links and emails replaced by markers."""

    text: str  # the description as written
    prose: str  # folded, links -> WEBLINK, emails -> EMAILADDRESS
    sentences: tuple[str, ...]

    def windows(self, size: int = 2) -> Iterable[str]:
        """Each sentence with the next ones: "You can see each other's numbers. If you join you agree to this."."""
        for i in range(len(self.sentences)):
            yield " ".join(self.sentences[i:i + size])

    def has(self, pattern: re.Pattern[str]) -> bool:
        return pattern.search(self.prose) is not None


_SENTENCE_END = re.compile(r"[.!?;\n]+")


@lru_cache(maxsize=64)
def prose_of(text: str) -> Prose:
    folded = fold(text or "")
    # Emails first: a bare "amazesussex.org.uk/x" rule would otherwise eat the end of an address.
    folded = EMAIL.sub(" EMAILADDRESS ", folded)
    for link in sorted(find_links(folded), key=lambda l: -l.start):
        folded = folded[:link.start] + " WEBLINK " + folded[link.start + len(link.text):]
    sentences = tuple(s.strip() for s in _SENTENCE_END.split(folded) if s.strip())
    return Prose(text or "", folded, sentences)


def _all(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, _I) for p in patterns)


def _window_has(prose: Prose, patterns: Sequence[re.Pattern[str]], size: int = 2) -> bool:
    return any(all(p.search(w) for p in patterns) for w in prose.windows(size))


# --- D1 ------------------------------------------------------------------------------------------------------------
# Upper-case only: a lower-case "xx" at the end of a message is a kiss, not a placeholder.
_XX = re.compile(r"(?<![A-Za-z0-9])(?:XX+|xxx+)(?![A-Za-z0-9])")


def d1_official_group(text: str, names: Sequence[str]) -> list[Finding]:
    prose = prose_of(text)
    if _XX.search(prose.prose.replace("EMAILADDRESS", "")):
        return [block("D1", "The description still has 'XX' from the model text.",
                      "Replace XX with the group's name or who the group is for.", "description")]
    if any(m.exact for m in match_protected_names(prose.prose, names, near_misses=False)):
        return []
    others = f" {quoted_list(list(names[1:]))} also count{'s' if len(names) == 2 else ''}." if len(names) > 1 else ""
    return [block(
        "D1", "The description does not say that this is an official group.",
        f"Start it with 'This is {with_article(names[0] if names else 'Amaze')} group.'{others}",
        "description",
    )]


# --- D2 / D7: phone numbers --------------------------------------------------------------------------------------
_PHONE = r"\b(?:phone|mobile|numbers?|contact details)\b"
_SEEN = r"\b(?:shar\w*|see|sees|seen|visible|available|shown|shows?|view\w*|know\w*|access)\b"
_CONSENT = r"\b(?:agree\w*|consent\w*|accept\w*|ok(?:ay)? with|fine with|happy with|permission)\b"
_JOINING = r"\b(?:join\w*|sign\w* up|being (?:in|part of|a member)|stay\w*|remain\w*|enter\w*|add\w*)\b"


_NEGATED = re.compile(r"\b(?:not|never|don't|dont|won't|cannot|can't|no one|nobody)\b", _I)
_PHONE_SEEN = _all(_PHONE, _SEEN)
_CONSENT_JOINING = _all(_CONSENT, _JOINING)


def says_phone_consent(text: str) -> bool:
    """A sentence saying the number is seen or shared (not "we never share numbers"), with consent on joining
    in it or right beside it."""
    sentences = prose_of(text).sentences
    for i, sentence in enumerate(sentences):
        if all(p.search(sentence) for p in _PHONE_SEEN) and not _NEGATED.search(sentence):
            nearby = " ".join(sentences[max(i - 1, 0):i + 2])
            if all(p.search(nearby) for p in _CONSENT_JOINING):
                return True
    return False


def d2_phone_consent(text: str) -> list[Finding]:
    if says_phone_consent(text):
        return []
    return [block(
        "D2",
        "The description does not say that joining shares your phone number with everyone in the group. "
        "This sentence is the members' consent under data protection law (GDPR), so it is required.",
        "Add a sentence saying that joining shares your phone number with everyone in the group, and that "
        "joining means agreeing to that, for example: 'When you join the group, you are agreeing to share "
        "your phone number with all other group members.'",
        "description",
    )]


# --- D3 ------------------------------------------------------------------------------------------------------------
_AGREEMENT = re.compile(r"\b(?:agreement|code of conduct|(?:group|ground|house) rules)\b", _I)
_FOLLOW = re.compile(
    r"\b(?:agree(?!ment)\w*|stick\w* (?:to|with)|follow\w*|abid\w*|keep\w* to|respect\w*|sign\w* up to|comply)\b", _I
)


def d3_agreement_link(text: str, domains: Sequence[str], agreement_url: str | None = None) -> list[Finding]:
    found: list[Finding] = []
    sites = " or ".join(domains) if domains else "the organisation's website"
    if agreement_url and agreement_url.strip():
        problem = link_problem(agreement_url, domains)
        if problem:
            found.append(block("D3", f"The group agreement link {problem}.",
                               f"Give the https:// address of the agreement's page on {sites}.", "agreement_url"))
    prose = prose_of(text)
    if not _window_has(prose, (_AGREEMENT, _FOLLOW)):
        found.append(block(
            "D3", "The description does not say that members agree to follow the group agreement.",
            "Add a sentence such as 'When you join, you agree to stick to our group agreement.'", "description"))
    wanted = agreement_url.strip() if agreement_url and agreement_url.strip() else None
    if PLACEHOLDER_LINK.search(text or ""):
        found.append(block(
            "D3", "The description still has the model's [LINK] placeholder.",
            f"Replace [LINK] with the web address of the group agreement"
            f"{f' ({wanted})' if wanted else ''}, starting https:// on {sites}.", "description"))
        return found
    links = find_links(text or "")
    if not links:
        found.append(block(
            "D3", "The description has no link to the group agreement.",
            f"Add the agreement's web address{f' ({wanted})' if wanted else ''}: it must start https:// "
            f"and be on {sites}.", "description"))
    elif wanted:
        if not any(same_link(link.text, wanted) for link in links):
            found.append(block(
                "D3", "The description does not link to the group agreement you gave.",
                f"Put {wanted} in the description.", "description"))
    elif all(link_problem(link.text, domains) for link in links):
        found.append(block("D3", f"The agreement link {link_problem(links[0].text, domains)}.",
                           f"Use the https:// address of the agreement's page on {sites}.", "description"))
    return found


# --- D4 ------------------------------------------------------------------------------------------------------------
_PLACEHOLDER_NAMES = re.compile(
    r"(?<![\w'])(?:(?:let|tell|message|contact|ask)\s+[xyz]|[xyz]\s*(?:,|or|and|&)\s*[xyz])(?![\w'])", _I
)
_ADMINS = re.compile(r"\b(?:admins?|administrators?|moderators?|group leaders?)\b", _I)
_MARKED = re.compile(
    r"\b(?:marked|shown|listed|label+ed|flagged|highlighted)\b.{0,60}?\b(?:participants?|members?|people|group info)\b"
    r"|\b(?:participants?|members?) list\b", _I)
_NAME = r"([A-Z][A-Za-z'-]+)"
_NAMING = (
    re.compile(rf"\b(?:[Ll]et|[Tt]ell|[Mm]essage|[Cc]ontact|[Aa]sk|[Ss]peak to|[Tt]alk to|[Tt]ext)\s+{_NAME}"),
    re.compile(rf"\b(?:[Aa]dmins?|[Mm]oderators?|[Ll]eaders?)(?:\s+(?:are|is))?(?:\s+currently)?\s*:?\s+{_NAME}"),
    re.compile(rf"\b(?:moderated|looked after|led) by\s+{_NAME}"),
)
# Capitalised words that follow "let"/"tell" without being anyone's name.
_NOT_NAMES = frozenset(
    "us me them him her someone somebody anyone anybody everyone the a an your our their group admins admin "
    "moderators moderator staff leaders leader people members member any one we emailaddress weblink whatsapp "
    "email info if and or please when".split()
)


_TOKEN = re.compile(r"[A-Za-z0-9]+")


def _names_in(text: str, names: Iterable[str]) -> bool:
    """Whether a moderator's first name is in the text, capitalised as they spell it ("May", not "you may")."""
    tokens = set(_TOKEN.findall(text))
    lowered = {t.lower() for t in tokens}
    for name in names:
        first = next(iter(_TOKEN.findall(fold(name))), "")
        if len(first) >= 2 and (first in tokens if first[0].isupper() else first.lower() in lowered):
            return True
    return False


def d4_admins_named(text: str, moderator_names: Sequence[str] = (), not_names: Iterable[str] = ()) -> list[Finding]:
    """not_names: capitalised words that are not people (the organisation's names: "Contact Amaze")."""
    prose = prose_of(text)
    if _PLACEHOLDER_NAMES.search(prose.prose):
        return [block("D4", "The description still has the model's 'x or y' instead of the moderators' names.",
                      "Replace x and y with the first names of the group's moderators.", "description")]
    if prose.has(_ADMINS) and prose.has(_MARKED):
        return []
    if moderator_names and _names_in(prose.prose, moderator_names):
        return []
    excluded = _NOT_NAMES | {w for n in not_names for w in re.findall(r"[a-z0-9'-]+", fold(n).lower())}
    for pattern in _NAMING:
        if any(m.group(1).lower() not in excluded for m in pattern.finditer(prose.prose)):
            return []
    return [block(
        "D4", "The description does not say who the group's moderators are.",
        "Name the moderators, or add 'The moderators are marked as admins on the participants list below.'",
        "description")]


# --- D5 ------------------------------------------------------------------------------------------------------------
_TROUBLE = re.compile(
    r"\b(?:breach\w*|break\w*|broke\w*|uncomfortable|unsafe|worr\w*|concern\w*|upset\w*|offen\w*|not happy|"
    r"unhappy|problems?|issues?|bull\w*|harass\w*|inappropriate)\b", _I)
_ACTION = re.compile(
    r"\b(?:messag\w*|tell|contact\w*|e-?mail\w*|speak|talk|report\w*|get in touch|ring|call|text|alert|inform)\b"
    r"|\blet\b.{0,60}?\bknow\b|EMAILADDRESS", _I)
_PLACEHOLDER_EMAIL = re.compile(r"(?i)\b(?:x{2,}@x{2,}[\w.]*|\[\s*e-?mail(?: address)?\s*\])")


def d5_what_to_do(text: str, contact_email: str | None = None) -> list[Finding]:
    example = f" (for example {contact_email})" if contact_email else ""
    if _PLACEHOLDER_EMAIL.search(text or ""):
        return [block("D5", "The description still has the model's placeholder email address.",
                      f"Replace xxx@xxx.org.uk with the real email address people should write to{example}.",
                      "description")]
    sentences = prose_of(text).sentences
    # "Worried about someone? Message an admin." puts the trouble and what to do in two sentences.
    if any(_TROUBLE.search(s) and any(_ACTION.search(t) for t in sentences[i:i + 2]) for i, s in enumerate(sentences)):
        return []
    return [block(
        "D5", "The description does not say what to do if someone breaks the agreement or feels unsafe.",
        "Add a sentence such as 'Let us know if a member breaks the agreement or makes you feel uncomfortable "
        f"or unsafe by messaging the moderators, or email {contact_email or 'us'}.'", "description")]


# --- D6 ------------------------------------------------------------------------------------------------------------
def d6_length(text: str, limit: int) -> list[Finding]:
    if len(text or "") <= limit:
        return []
    over = len(text) - limit
    return [block("D6", f"The description is {len(text)} characters long; WhatsApp allows {limit}.",
                  f"Shorten it by at least {over} characters.", "description")]


# --- D7 ------------------------------------------------------------------------------------------------------------
_CONFIDENTIAL = re.compile(
    r"\b(?:confidential\w*|private|privacy|(?:do not|don't|never) share\w*|not (?:be )?shared outside)\b", _I)


def d7_volunteer_group(text: str) -> list[Finding]:
    prose = prose_of(text)
    found = []
    if not says_phone_consent(text):
        found.append(block(
            "D7", "The description does not say that members consent to sharing their phone numbers.",
            "Add 'When you join, your phone number is shared with everyone in the group, and by joining you agree "
            "to this.'", "description"))
    if not prose.has(_CONFIDENTIAL):
        found.append(block(
            "D7", "The description does not ask members to keep what is said in the group confidential.",
            "Add 'Please keep everything said in this group confidential.'", "description"))
    return found


# --- D8 ------------------------------------------------------------------------------------------------------------
_STEERING = re.compile(r"\bsteering group\b", _I)
_STANDARD = re.compile(r"\b(?:meetings?|agreed|standards?|same way|same as|work together)\b", _I)


def d8_steering_standard(text: str) -> list[Finding]:
    prose = prose_of(text)
    if _window_has(prose, (_STEERING, _STANDARD), 2):
        return []
    return [block(
        "D8", "The description does not say that behaviour here is held to the same standard as steering group "
              "meetings.",
        "Add 'In our chat here we stick to the way we have agreed to work together as a Steering Group, the same "
        "as at our meetings.'", "description")]


# --- D9 ------------------------------------------------------------------------------------------------------------
_YOUNG_TOPICS = (
    ("quiet hours (for example 'No messages after 8pm')", re.compile(
        r"\b(?:after|before|past)\s+\d{1,2}(?::\d\d)?\s*(?:am|pm)?\b|\bquiet (?:hours|time)\b|\bno messages\b"
        r"|\bat night\b|\bbedtime\b", _I)),
    ("not to private message people from the group", re.compile(
        r"\bprivate(?:ly)?\b|\bdirect messag\w*|\bdms?\b", _I)),
    ("whom to tell if they are worried about anyone", re.compile(r"\b(?:worr\w*|concern\w*|unsafe|upset)\b", _I)),
)


def d9_young_people(text: str) -> list[Finding]:
    prose = prose_of(text)
    missing = [label for label, pattern in _YOUNG_TOPICS if not prose.has(pattern)]
    if not missing:
        return []
    return [advice(
        "D9", "For a young people's group the policy's model description also says: " + "; ".join(missing) + ".",
        "Consider adding these in short, friendly sentences.", "description")]
