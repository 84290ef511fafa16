"""Reading a proposed group from JSON or a CSV row, with one clear sentence when the input is wrong.

The CLI and the chat adapters both read proposals here, so a person sees the same words for the same mistake.
"""
from __future__ import annotations

import csv
import io
import json
import re
from typing import Any, Mapping

from flows.policy.types import GroupKind, GroupProposal, ModeratorEntry, ModeratorRole


class ProposalError(ValueError):
    """Input that cannot be read as a group proposal. str() is one line saying what is wrong."""


TEXT_FIELDS = ("description", "agreement_url", "out_of_hours", "emergency_contact", "quiet_hours", "moderation_plan")
FIELDS = ("kind", "name", *TEXT_FIELDS[:2], "moderators", "expected_members", *TEXT_FIELDS[2:])
MODERATOR_FIELDS = ("name", "role", "organisation", "person_id")
CSV_COLUMNS = (
    "kind", "name", "description", "agreement_url", "moderators", "expected_members", "out_of_hours",
    "emergency_contact", "moderation_plan",
)
CSV_OPTIONAL_COLUMNS = ("quiet_hours",)
KNOWN_KINDS = ", ".join(k.value for k in GroupKind)
KNOWN_ROLES = ", ".join(r.value for r in ModeratorRole)


def _what(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _short(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _key(value: str) -> str:
    # "PCF staff", "pcf-staff" and "Parent-Carers" are what people type for pcf_staff and parent_carers.
    return re.sub(r"[\s-]+", "_", value.strip().lower())


def parse_kind(value: Any) -> GroupKind:
    if not isinstance(value, str):
        raise ProposalError(f"'kind' must be text, one of: {KNOWN_KINDS} (got {_what(value)}).")
    try:
        return GroupKind(_key(value))
    except ValueError:
        raise ProposalError(f"Unknown kind {_short(value)}; known kinds: {KNOWN_KINDS}.") from None


def parse_role(value: Any, who: str = "a moderator") -> ModeratorRole:
    if not isinstance(value, str):
        raise ProposalError(f"The role of {who} must be text, one of: {KNOWN_ROLES} (got {_what(value)}).")
    try:
        return ModeratorRole(_key(value))
    except ValueError:
        raise ProposalError(f"Unknown role {_short(value)} for {who}; known roles: {KNOWN_ROLES}.") from None


def parse_members(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    if number is None or number < 0:
        raise ProposalError(f"'expected_members' must be a whole number such as 40, not {_short(value)}.")
    return number


def _moderator(value: Any, position: int) -> ModeratorEntry:
    if not isinstance(value, dict):
        raise ProposalError(
            f"Moderator {position} must be an object like {{\"name\": \"Sam\", \"role\": \"staff\"}}, "
            f"not {_what(value)}.")
    unknown = [k for k in value if k not in MODERATOR_FIELDS]
    if unknown:
        raise ProposalError(f"Moderator {position} has unknown field {_short(unknown[0])}; "
                            f"known fields: {', '.join(MODERATOR_FIELDS)}.")
    name = value.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ProposalError(f"Moderator {position} needs a 'name' (text).")
    for optional in ("organisation", "person_id"):
        if value.get(optional) is not None and not isinstance(value[optional], str):
            raise ProposalError(f"Moderator {position}'s '{optional}' must be text, not {_what(value[optional])}.")
    if "role" not in value:
        raise ProposalError(f"Moderator {position} ({_short(name)}) needs a 'role', one of: {KNOWN_ROLES}.")
    role = parse_role(value["role"], f"moderator {position} ({_short(name)})")
    return ModeratorEntry(name.strip(), role, value.get("person_id"), value.get("organisation"))


def proposal_from_dict(data: Any) -> GroupProposal:
    """A GroupProposal from a decoded JSON object (fields a kind does not need may be left out)."""
    if not isinstance(data, Mapping):
        raise ProposalError(f"The input must be a JSON object like {{\"kind\": ..., \"name\": ...}}, not {_what(data)}.")
    unknown = [k for k in data if k not in FIELDS]
    if unknown:
        raise ProposalError(f"Unknown field {_short(unknown[0])}; known fields: {', '.join(FIELDS)}.")
    if "kind" not in data or data["kind"] is None:
        raise ProposalError(f"The group's 'kind' is missing; known kinds: {KNOWN_KINDS}.")
    kind = parse_kind(data["kind"])
    name = data.get("name")
    if name is None:
        raise ProposalError("The group's 'name' is missing.")
    if not isinstance(name, str):
        raise ProposalError(f"'name' must be text, not {_what(name)}.")
    texts = {}
    for field in TEXT_FIELDS:
        value = data.get(field)
        if value is not None and not isinstance(value, str):
            raise ProposalError(f"'{field}' must be text, not {_what(value)}.")
        texts[field] = value
    moderators = data.get("moderators") or []
    if not isinstance(moderators, list):
        raise ProposalError(f"'moderators' must be a list of {{\"name\", \"role\"}} objects, not {_what(moderators)}.")
    return GroupProposal(
        kind=kind, name=name,
        moderators=tuple(_moderator(m, i) for i, m in enumerate(moderators, start=1)),
        expected_members=parse_members(data.get("expected_members")),
        **texts,
    )


def proposal_from_json(text: str) -> GroupProposal:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ProposalError(f"The input is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}.") from None
    except (ValueError, RecursionError) as e:  # huge integers, absurd nesting
        raise ProposalError(f"The input is not valid JSON: {str(e).splitlines()[0] if str(e) else 'too deeply nested'}.") from None
    return proposal_from_dict(data)


_MODERATOR_CELL = re.compile(r"^(?P<name>[^()]*?)\s*\((?P<role>[^()]*)\)$")


def parse_moderators_cell(cell: str | None) -> tuple[ModeratorEntry, ...]:
    """Moderators from a CSV cell: "Sam Jones (staff); Ali (volunteer)"."""
    entries = []
    for position, chunk in enumerate((c.strip() for c in (cell or "").split(";") if c.strip()), start=1):
        match = _MODERATOR_CELL.match(chunk)
        if not match or not match.group("name").strip():
            raise ProposalError(
                f"Moderator {_short(chunk)} must be written 'Name (role)', for example 'Sam Jones (staff)'; "
                f"roles: {KNOWN_ROLES}.")
        name = match.group("name").strip()
        entries.append(ModeratorEntry(name, parse_role(match.group("role"), f"moderator {_short(name)}")))
    return tuple(entries)


def _blank_to_none(value: str | None) -> str | None:
    return value if value and value.strip() else None


def proposal_from_csv_row(row: Mapping[str, str | None]) -> GroupProposal:
    if not (row.get("kind") or "").strip():
        raise ProposalError(f"The 'kind' is empty; known kinds: {KNOWN_KINDS}.")
    return GroupProposal(
        kind=parse_kind(row["kind"]),
        name=row.get("name") or "",
        moderators=parse_moderators_cell(row.get("moderators")),
        expected_members=parse_members(row.get("expected_members")),
        **{field: _blank_to_none(row.get(field)) for field in TEXT_FIELDS},
    )


def proposals_from_csv(text: str) -> list[tuple[int, GroupProposal]]:
    """(spreadsheet row number, proposal) for each row; the header is row 1, as in a spreadsheet."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise ProposalError(f"The CSV file is empty; it needs a header row: {','.join(CSV_COLUMNS)}.")
        columns = [h.strip().lower() for h in header]
        missing = [c for c in CSV_COLUMNS if c not in columns]
        if missing:
            raise ProposalError(f"The CSV is missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}.")
        proposals = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            row = {column: (cells[i] if i < len(cells) else None) for i, column in enumerate(columns)}
            try:
                proposals.append((number, proposal_from_csv_row(row)))
            except ProposalError as e:
                raise ProposalError(f"Row {number}: {e}") from None
        return proposals
    except csv.Error as e:
        raise ProposalError(f"The CSV cannot be read near line {reader.line_num}: {e}.") from None
