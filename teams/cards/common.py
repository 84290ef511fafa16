"""Small builders every card shares. What people typed is shown as plain text runs, never as markdown, so a name
with asterisks or brackets is shown as written."""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from microsoft_teams.cards import (
    ActionSet,
    AdaptiveCard,
    Container,
    ExecuteAction,
    RichTextBlock,
    TextBlock,
    TextRun,
)

VERSION = "1.5"
# Teams refuses a message larger than about 28 KB; a card is kept well inside it with room for the activity.
CARD_BYTES_LIMIT = 26_000
TEXT_RUN_LIMIT = 4000
# The home card's verb: every card can lead back to it.
HOME = "home.open"


def card(body: Sequence, actions: Sequence = (), fallback: str = "") -> AdaptiveCard:
    made = AdaptiveCard(version=VERSION, body=list(body), actions=list(actions) or None,
                        fallback_text=fallback or None)
    size = len(as_json(made).encode("utf-8"))
    if size > CARD_BYTES_LIMIT:
        raise CardTooLarge(size)
    return made


class CardTooLarge(ValueError):
    """A card Teams would refuse: the builder that made it splits its content instead."""

    def __init__(self, size: int) -> None:
        super().__init__(f"card of {size} bytes is over {CARD_BYTES_LIMIT}")
        self.size = size


def as_dict(made: AdaptiveCard) -> dict:
    return json.loads(as_json(made))


def as_json(made: AdaptiveCard) -> str:
    return made.model_dump_json(by_alias=True, exclude_none=True)


def heading(text: str) -> RichTextBlock:
    return RichTextBlock(inlines=[TextRun(text=text[:TEXT_RUN_LIMIT], size="Medium", weight="Bolder")])


def note(text: str, subtle: bool = False) -> TextBlock:
    """App-written text (may use **bold**); never what a person typed."""
    return TextBlock(text=text, wrap=True, is_subtle=subtle or None)


def warning(text: str) -> RichTextBlock:
    return RichTextBlock(inlines=[TextRun(text=text[:TEXT_RUN_LIMIT], color="Attention")])


def good(text: str) -> RichTextBlock:
    return RichTextBlock(inlines=[TextRun(text=text[:TEXT_RUN_LIMIT], color="Good")])


def plain(text: str, *, label: str | None = None, monospace: bool = False) -> RichTextBlock:
    """A person's text exactly as written, optionally after a bold label."""
    inlines = [TextRun(text=f"{label}: ", weight="Bolder")] if label else []
    inlines.append(TextRun(text=(text or "")[:TEXT_RUN_LIMIT], font_type="Monospace" if monospace else None))
    return RichTextBlock(inlines=inlines)


def bullets(lines: Iterable[str]) -> RichTextBlock:
    return RichTextBlock(inlines=[TextRun(text="\n".join(f"• {line}" for line in lines)[:TEXT_RUN_LIMIT])])


def facts(pairs: Iterable[tuple[str, str]]) -> Container:
    """Label: value lines; values are people's text, so plain runs rather than a FactSet (which renders markdown)."""
    return Container(items=[plain(value, label=title) for title, value in pairs])


def execute(title: str, verb: str, data: dict | None = None, style: str | None = None) -> ExecuteAction:
    return ExecuteAction(title=title, verb=verb, data={"verb": verb, **(data or {})}, style=style)


def buttons(*actions: ExecuteAction) -> ActionSet:
    return ActionSet(actions=list(actions))


def section(*items) -> Container:
    return Container(items=list(items), separator=True, spacing="Medium")


def pasteable(title: str, text: str) -> list:
    """A text to copy into WhatsApp, in a monospace run so it reads exactly as it will be pasted."""
    return [RichTextBlock(inlines=[TextRun(text=title, weight="Bolder")]), plain(text or "(empty)", monospace=True)]
