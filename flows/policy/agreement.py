"""A1-A2: the group agreement (code of conduct) the description links to."""
from __future__ import annotations

import re

from flows.policy.findings import advice, block
from flows.policy.text import fold
from flows.policy.types import Finding, GroupKind

_I = re.IGNORECASE


def a1_agreement_exists(kind: GroupKind, agreement_url: str | None) -> list[Finding]:
    if not kind.user_group or (agreement_url and agreement_url.strip()):
        return []
    return [block(
        "A1", "A group with parent carers, young people or forum members needs a group agreement online first.",
        "Publish the group agreement on the website (the app can draft it) and give its https:// link.",
        "agreement_url",
    )]


def _any(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, _I) for p in patterns)


# Each A2 topic, in the policy's words, and what in an agreement shows it is covered: every pattern must match.
A2_TOPICS: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = (
    ("confidentiality", _any(r"\bconfidential\w*")),
    ("safety and safeguarding", _any(r"\bsafeguard\w*")),
    ("equalities, discrimination and prejudice", _any(r"\b(?:equal\w*|discriminat\w*|prejudic\w*)")),
    ("inclusion", _any(r"\b(?:inclu\w*)")),
    ("bullying", _any(r"\bbull(?:y|ied|ies|ying)\b")),
    ("use of language", _any(r"\b(?:language|swear\w*|words?)\b")),
    ("mutual respect and care", _any(r"\brespect\w*", r"\b(?:care|caring|kind\w*|support\w*|look out for)\b")),
    ("a non-judgemental approach", _any(r"\b(?:non-?judge?mental|judge?mental|judg\w*)")),
    ("sharing and boundaries", _any(r"\bboundar\w*|\bpersonal information\b|\bshar\w*")),
    ("a measured approach to talking about services and professionals",
     _any(r"\b(?:services?|professionals?|schools?|teachers?|social workers?)\b")),
    ("the organisation's policies, with links", _any(r"\bpolic(?:y|ies)\b", r"https://")),
    ("what happens if someone breaks the agreement (asked to delete a message, to change their behaviour, "
     "removed for a while or for good)",
     _any(r"\b(?:delete|remove|take down)\w* (?:a |the |their |your )?(?:message|post)",
          r"\bchang\w* (?:\w+ ){0,2}behavio\w*|\bbehavio\w* (?:\w+ ){0,3}chang\w*",
          r"\bremov\w*|\btake\w* (?:them |you )?out\b", r"\b(?:temporar\w*|for a while)\b",
          r"\b(?:permanent\w*|for good)\b")),
    ("how to raise a concern (with a moderator or a member of staff)",
     _any(r"\b(?:concern\w*|worr\w*|unsafe|uncomfortable|not happy)\b",
          r"\b(?:admins?|moderators?|staff|contact|tell|message)\b")),
)


def check_agreement(text: str) -> list[Finding]:
    """A2: one piece of advice for each topic the agreement does not cover yet."""
    folded = fold(text or "")
    return [
        advice("A2", f"The group agreement does not cover {topic}.",
               f"Add a short section about {topic.split(' (')[0]}; the policy's model agreement has wording "
               "you can adapt.", "agreement")
        for topic, patterns in A2_TOPICS
        if not all(p.search(folded) for p in patterns)
    ]
