"""Web links in a description: finding them and saying plainly what is wrong with one (D3)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence
from urllib.parse import urlsplit

# Links as people paste them: with a scheme, starting "www.", or a bare "site.org.uk/page".
# Brackets end a link: "[LINK](#)" left from the model, or a link inside "(...)".
_URL_CHAR = r"[^\s<>\"'`()\[\]]"
_LINK = re.compile(
    rf"(?i)(?<![@\w.-])(?:[a-z][a-z0-9+.-]*://{_URL_CHAR}+|www\.{_URL_CHAR}+|(?:[a-z0-9-]+\.)+[a-z]{{2,}}/{_URL_CHAR}*)"
)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
PLACEHOLDER_LINK = re.compile(r"(?i)\[\s*link\s*\](?:\(#\))?")
_TRAILING = ".,;:!?)]}'\""


@dataclass(frozen=True)
class Link:
    text: str
    start: int


def find_links(text: str) -> list[Link]:
    return [Link(m.group().rstrip(_TRAILING), m.start()) for m in _LINK.finditer(text)]


def _split(url: str) -> tuple[str, str | None, str]:
    """Scheme ('' when missing), host (None when it cannot be read) and path-with-query of a link."""
    candidate = url if "://" in url else f"//{url}"
    try:
        parts = urlsplit(candidate)
        host = parts.hostname or None
    except ValueError:
        return "", None, ""
    return parts.scheme.lower(), host, parts.path + (f"?{parts.query}" if parts.query else "")


def on_domains(host: str, domains: Sequence[str]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == d.lower() or host.endswith("." + d.lower()) for d in domains)


def link_problem(url: str, domains: Sequence[str]) -> str | None:
    """What is wrong with a link for the group agreement, in words for the person who typed it; None if fine."""
    url = url.strip()
    sites = " or ".join(domains) if domains else "the organisation's website"
    if PLACEHOLDER_LINK.fullmatch(url) or url in ("#", "(#)"):
        return "still has the model's [LINK] placeholder instead of a web address"
    scheme, host, _ = _split(url)
    if host is None:
        return f"'{_shown(url)}' is not a web address that can be opened"
    problems = []
    if scheme == "http":
        problems.append("starts with http://, which is not secure; it must start with https://")
    elif scheme != "https":
        problems.append("must be a full web address starting with https://")
    if not on_domains(host, domains):
        problems.append(f"is on {host}; the agreement must be on the organisation's own website ({sites})")
    return f"'{_shown(url)}' " + ", and ".join(problems) if problems else None


def _shown(url: str, limit: int = 80) -> str:
    """A link as quoted back to the person: enough to recognise it (a pasted essay is not repeated whole)."""
    return url if len(url) <= limit else url[: limit - 1] + "…"


@lru_cache(maxsize=1024)
def same_link(a: str, b: str) -> bool:
    """Whether two links point at the same page, ignoring 'www.', a trailing slash and the case of the host."""
    def key(url: str) -> tuple[str, str]:
        _, host, path = _split(url.strip().rstrip(_TRAILING))
        return (host or "").lower().removeprefix("www."), path.rstrip("/")
    return key(a) == key(b)
