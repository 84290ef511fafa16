"""Checks every card the Teams app sends: the Adaptive Card 1.5 schema, and what Teams itself refuses."""
from __future__ import annotations

import functools
import importlib.resources
import json

import jsonschema

# Teams refuses a message over about 28 KB; a card must leave room for the activity around it.
TEAMS_MESSAGE_BYTES = 28 * 1024
# Teams renders up to version 1.5 in every client (desktop, web, mobile).
TEAMS_CARD_VERSION = "1.5"


@functools.cache
def _validator():
    schema = json.loads(importlib.resources.files("adaptive_cards").joinpath("schemas/schema-1.5.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def problems(card: dict) -> list[str]:
    """What is wrong with the card for Teams; empty when nothing is."""
    found = [_said(e) for e in _validator().iter_errors(card)]
    if card.get("version") != TEAMS_CARD_VERSION:
        found.append(f"version {card.get('version')!r}, not {TEAMS_CARD_VERSION}")
    size = len(json.dumps(card).encode("utf-8"))
    if size > TEAMS_MESSAGE_BYTES - 2048:
        found.append(f"{size} bytes: too large for a Teams message")
    ids = [e["id"] for e in _elements(card) if isinstance(e, dict) and e.get("id")]
    if len(ids) != len(set(ids)):
        found.append(f"input ids repeat: {ids}")
    for action in _actions(card):
        if action.get("type") == "Action.Submit":
            found.append("Action.Submit does not update a card in place: use Action.Execute")
        if action.get("type") == "Action.Execute" and not action.get("verb"):
            found.append(f"Action.Execute {action.get('title')!r} has no verb")
    return found


def _said(error) -> str:
    # The card schema is anyOf upon anyOf: the deepest, most relevant cause is the one worth reading.
    while error.context:
        error = jsonschema.exceptions.best_match(error.context)
    return f"{'/'.join(map(str, error.absolute_path))}: {error.message[:300]}"


def _elements(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _elements(value)
    elif isinstance(node, list):
        for value in node:
            yield from _elements(value)


def _actions(card: dict):
    return [e for e in _elements(card) if isinstance(e, dict) and str(e.get("type", "")).startswith("Action.")]


def texts(card: dict) -> str:
    """Everything the card says, as one string (text blocks, text runs, labels, choices, button titles)."""
    parts = []
    for e in _elements(card):
        if e.get("type") == "RichTextBlock":  # its runs read as one line
            parts.append("".join(run.get("text", "") for run in e.get("inlines") or []))
            continue
        if e.get("type") == "TextRun":
            continue
        for key in ("text", "label", "title", "placeholder"):
            if isinstance(e.get(key), str):
                parts.append(e[key])
    return "\n".join(parts)


def inputs(card: dict) -> dict[str, dict]:
    return {e["id"]: e for e in _elements(card) if str(e.get("type", "")).startswith("Input.") and e.get("id")}


def actions(card: dict) -> dict[str, dict]:
    """Execute actions by title."""
    return {a["title"]: a for a in _actions(card) if a.get("type") == "Action.Execute"}
