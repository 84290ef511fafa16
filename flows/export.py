"""`python -m flows export --out DIR [--from YYYY-MM-DD] [--to YYYY-MM-DD]`: the register, the moderators' records,
the audit trail and (where their tables exist) removal decisions and unofficial-group reports, as CSV files for
trustees and auditors.

One UTF-8 file per table, with a header; dates and times in ISO 8601 (UTC). The range keeps rows created (or,
for the audit trail, events that happened) on those days, UK time, both ends included.

No personal data leaves in an export. Free text in which people may describe a family or give contact details is
left out (notes, how a group was found, who runs it, reasons) or reduced to what trustees need (an out-of-hours
arrangement or a moderation plan is "recorded"; the audit trail's details keep ids, states, dates and codes, not
sentences). Every cell that is written goes through the personal-data guard (flows/privacy) as the kind of text
it is, and a cell it refuses is written as WITHHELD: rows recorded before the guard existed cannot leak either.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flows.privacy import FieldKind, Guard

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
LOCAL = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Export:
    table: str
    # The creation or event time the date range applies to.
    dated_by: str
    # Columns never exported: free text that may hold personal details, and the app's own bookkeeping.
    leave_out: tuple[str, ...] = ()
    # Free text written only as whether there is any ("recorded" or empty).
    presence_only: tuple[str, ...] = ()


EXPORTS = (
    Export("groups", "created_at", leave_out=("draft_id",), presence_only=("out_of_hours", "moderation_plan")),
    Export("moderators", "added_at"),
    Export("moderator_confirmations", "requested_at", leave_out=("request_notice_id",)),
    Export("agreement_circulations", "reminded_at", leave_out=("reminder_notice_id",)),
    Export("moderator_checkins", "asked_at", leave_out=("request_notice_id",)),
    Export("moderator_vacancies", "opened_at"),
    Export("audit_entries", "at"),
    Export("removal_decisions", "logged_at", leave_out=("notes", "submission_key", "rejection_reason",
                                                        "disagreement_reason", "withdrawal_reason")),
    Export("unofficial_group_cases", "reported_at",
           leave_out=("normalised_name", "managers_notice_id", "resolution_reason")),
    Export("unofficial_group_reports", "reported_at", leave_out=("contact", "notes", "how_found", "submission_id")),
)
# Whatever a table grows, these are never written out.
NEVER = ("phone", "mobile", "telephone", "email", "contact_details", "address", "reason", "notes")
RECORDED = "recorded"
WITHHELD = "[withheld: may hold personal details]"
# What kind of text each exported column holds, for the guard; any other text column is checked as a note.
COLUMN_KINDS = {
    "member_ref": FieldKind.MEMBER_REFERENCE,
    "description": FieldKind.PUBLISHED,
    "emergency_contact": FieldKind.STAFF_TEXT,
}
NAME_KINDS = {"groups": FieldKind.GROUP_NAME, "moderators": FieldKind.STAFF_TEXT,
              "unofficial_group_cases": FieldKind.GROUP_NAME, "unofficial_group_reports": FieldKind.GROUP_NAME}
# An audit detail is kept when it is a number, a flag, or a code: one word with no spaces (states, kinds, dates,
# ids, rule codes), that the guard lets through. Sentences (reasons, explanations, names) are left out.
CODE = re.compile(r"[\w.:+/@-]{1,64}")


class BadRange(Exception):
    pass


def add_command(commands) -> None:
    """The `export` subcommand, for flows/cli.py's parser."""
    parser = commands.add_parser("export", help="write the register and the records as CSV files for auditors")
    parser.add_argument("--out", required=True, metavar="DIR", help="folder to write the CSV files into")
    parser.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="first day to include (UK time)")
    parser.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last day to include (UK time)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        start, end = parse_day(args.start, "--from"), parse_day(args.end, "--to")
        if start and end and start > end:
            raise BadRange(f"--from ({start}) is after --to ({end}); nothing could be in that range.")
    except BadRange as error:
        print(f"Error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(f"Error: cannot create the folder {out}: {error.strerror or error}.", file=sys.stderr)
        return EXIT_BAD_INPUT
    from flows.settings import get_settings

    url = get_settings().database_url
    missing = _missing_sqlite_file(url)
    if missing:
        # Opening it would create an empty database and report "Wrote 0 files" as if all were well.
        print(f"Error: there is no database at {missing}. Set DATABASE_URL to the app's database "
              "(see README.md, Configuration).", file=sys.stderr)
        return EXIT_FAILED
    try:
        written = export(url, out, start, end)
    except OSError as error:
        print(f"Error: cannot write into {out}: {error.strerror or error}.", file=sys.stderr)
        return EXIT_FAILED
    except Exception as error:  # a database that cannot be reached is an operator's problem, not a bug
        print(f"Error: could not read the database: {' '.join(str(error).split())}", file=sys.stderr)
        return EXIT_FAILED
    span = f" from {start or 'the start'} to {end or 'today'}" if start or end else ""
    print(f"Wrote {len(written)} files to {out}{span}:")
    for name, rows in written:
        print(f"  {name}: {rows} row{'s' if rows != 1 else ''}")
    return EXIT_OK


def _missing_sqlite_file(url: str) -> Path | None:
    from flows.settings import sqlite_file

    path = sqlite_file(url)
    return path if path is not None and not path.exists() else None


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadRange(f"{option} must be a date written as YYYY-MM-DD, for example 2026-01-31 (got {value!r}).") from None


def export(
    url: str, out: Path, start: date | None = None, end: date | None = None, settings=None
) -> list[tuple[str, int]]:
    """Write one CSV per table that exists; return (file name, rows) for each."""
    from sqlalchemy import inspect, select

    import flows.db.models  # noqa: F401  (every table on Base.metadata)
    from flows.db import Base
    from flows.db.session import make_engine
    from flows.settings import get_settings

    guard = Guard.from_settings(settings or get_settings())
    engine = make_engine(url)
    written = []
    try:
        present = inspect(engine)
        for spec in EXPORTS:
            table = Base.metadata.tables.get(spec.table)
            if table is None or not present.has_table(spec.table):
                continue
            in_database = {c["name"] for c in present.get_columns(spec.table)}
            columns = [c for c in table.columns if c.name in in_database and _exported(c.name, spec)]
            query = select(*columns).order_by(*table.primary_key.columns)
            dated = table.columns.get(spec.dated_by) if spec.dated_by in in_database else None
            if dated is not None and start:
                query = query.where(dated >= _start_of(start))
            if dated is not None and end:
                query = query.where(dated < _start_of(end + timedelta(days=1)))
            name = f"{spec.table}.csv"
            with engine.connect() as connection, open(out / name, "w", encoding="utf-8", newline="") as file:
                writer = csv.writer(file)
                writer.writerow([c.name for c in columns])
                rows = 0
                for row in connection.execute(query):
                    writer.writerow([
                        _safe_cell(guard, spec, column.name, value) for column, value in zip(columns, row)
                    ])
                    rows += 1
            written.append((name, rows))
    finally:
        engine.dispose()
    return written


def _exported(column: str, spec: Export) -> bool:
    return column not in spec.leave_out and not any(word in column for word in NEVER)


def _safe_cell(guard: Guard, spec: Export, column: str, value: object) -> str:
    if column in spec.presence_only:
        return RECORDED if value else ""
    if column == "details" and isinstance(value, dict):
        value = {key: kept for key, kept in value.items() if _is_code(guard, kept)}
    if column == "advice" and isinstance(value, list):
        # Which rules advised, not the findings' wording (which may quote what was typed).
        value = [item.get("rule") if isinstance(item, dict) else item for item in value]
    text = _cell(value)
    if not isinstance(value, (str, list, dict)):
        return text  # numbers, flags, dates and times
    if column == "name":
        kind = NAME_KINDS.get(spec.table, FieldKind.GROUP_NAME)
    else:
        kind = COLUMN_KINDS.get(column, FieldKind.NOTE)
    return text if guard.check(text, kind).ok else WITHHELD


def _is_code(guard: Guard, value: object) -> bool:
    if value is None or isinstance(value, (bool, int, float)):
        return True
    if isinstance(value, list):
        return all(_is_code(guard, item) for item in value)
    return isinstance(value, str) and bool(CODE.fullmatch(value)) and guard.check(value, FieldKind.NOTE).ok


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), LOCAL)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
