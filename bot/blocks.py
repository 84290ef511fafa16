"""Small Block Kit helpers shared by every view and message. Built from slack_sdk's model classes so that
Slack's limits (title length, block count, text length) are checked when a view is turned into JSON."""
from __future__ import annotations

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock

# Slack refuses a text object over 3000 characters; leave room for the code fence.
SECTION_LIMIT = 2900


def escape(text: str) -> str:
    """People's own words shown in mrkdwn must not turn into links, mentions or formatting by accident."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def chunks(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split long text at line breaks so each piece fits a section."""
    pieces, current = [], ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            pieces.append(current)
            current = ""
        current += line
    if current.strip():
        pieces.append(current)
    return pieces


def pasteable(title: str, text: str) -> list[SectionBlock]:
    """A text to copy into WhatsApp, in code blocks so Slack shows it exactly as written."""
    parts = chunks(escape(text)) or ["(empty)"]
    blocks = [section(f"*{title}*\n```{parts[0]}```")]
    blocks += [section(f"```{part}```") for part in parts[1:]]
    return blocks


def bullet_list(lines: list[str]) -> str:
    return "\n".join(f"• {line}" for line in lines)


def mention(user_id: str) -> str:
    """A person shown by their Slack id: Slack shows their name, whatever it is today."""
    return f"<@{user_id}>"
