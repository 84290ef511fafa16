"""`python -m flows check|audit|migrate|export`: the policy engine from a terminal, for staff and for scripts.

Exit codes: 0 registrable (or all registrable), 1 something blocks, 2 the input cannot be read, 3 a bug,
141 the reader of our output went away (`| head`), as for a program stopped by SIGPIPE.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from typing import Sequence

from pydantic import ValidationError

from flows import export
from flows.policy.engine import check
from flows.policy.parse import KNOWN_KINDS, KNOWN_ROLES, ProposalError, proposal_from_json, proposals_from_csv
from flows.privacy import commands as privacy_commands
from flows.policy.types import CheckResult, GroupProposal
from flows.settings import get_settings

EXIT_OK, EXIT_BLOCKED, EXIT_UNREADABLE, EXIT_BUG = 0, 1, 2, 3
# 128 + SIGPIPE: what a shell reports for `grep … | head` when grep is stopped by the closed pipe.
EXIT_PIPE_CLOSED = 141


class InputError(Exception):
    """The file cannot be read at all (missing, not UTF-8)."""


def _read(path: str) -> str:
    where = "standard input" if path == "-" else path
    try:
        data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
    except OSError as e:
        raise InputError(f"Cannot read {where}: {e.strerror or e}.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"{where} is not UTF-8 text (bad byte at position {e.start}).") from None


def _result_json(result: CheckResult) -> dict:
    return {"registrable": result.registrable, "findings": [f.as_dict() for f in result.findings]}


def _print_json(value: object) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def cmd_check(args: argparse.Namespace) -> int:
    proposal = proposal_from_json(_read(args.file))
    result = check(proposal, get_settings())
    _print_json(_result_json(result))
    return EXIT_OK if result.registrable else EXIT_BLOCKED


def _rule_ids(result: CheckResult, blocking: bool) -> list[str]:
    return list(dict.fromkeys(f.rule for f in result.findings if f.blocks is blocking))


def _cell(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def _table(rows: list[tuple[int, GroupProposal, CheckResult]]) -> str:
    header = ("Row", "Name", "Kind", "Registrable", "Blocking", "Advice")
    lines = [
        (str(number), _cell(p.name, 40) or "(no name)", p.kind.value, "yes" if r.registrable else "no",
         ", ".join(_rule_ids(r, True)) or "-", ", ".join(_rule_ids(r, False)) or "-")
        for number, p, r in rows
    ]
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip() for cells in [header, *lines])


def cmd_audit(args: argparse.Namespace) -> int:
    proposals = proposals_from_csv(_read(args.file))
    settings = get_settings()
    rows = [(number, p, check(p, settings)) for number, p in proposals]
    blocked = sum(1 for _, _, r in rows if not r.registrable)
    if args.json:
        _print_json([
            {"row": number, "name": p.name, "kind": p.kind.value, **_result_json(r)} for number, p, r in rows
        ])
    else:
        if rows:
            print(_table(rows))
            print()
        print(f"Checked {len(rows)} group{'s' if len(rows) != 1 else ''}: "
              f"{len(rows) - blocked} registrable, {blocked} blocked.")
    return EXIT_BLOCKED if blocked else EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    # Imported here: the database layer is optional for check and audit.
    try:
        from flows.db.migrate import upgrade
    except ImportError as e:
        print(f"Error: the database code is not available ({e}).", file=sys.stderr)
        return EXIT_BUG
    try:
        upgrade(get_settings().database_url)
    except Exception as e:  # a database that cannot be reached is an operator's problem, not a bug
        print(f"Error: could not update the database: {' '.join(str(e).split())}", file=sys.stderr)
        return EXIT_BLOCKED
    print("Database is up to date.")
    return EXIT_OK


def _listed(words: str) -> str:
    return textwrap.fill(words, width=88, subsequent_indent=" " * 20)


AUDIT_FORMAT = f"""\
The CSV file (UTF-8, comma-separated, a header row, one group a row; examples/groups.csv is one) has these
nine columns, in any order; empty cells mean "not given":

  kind              one of: {_listed(KNOWN_KINDS)}
  name              the group's WhatsApp name
  description       the Group Info description (a cell in double quotes may hold line breaks)
  agreement_url     the link to the group agreement
  moderators        "Name (role); Name (role)", e.g. "Sam Jones (staff); Ali (volunteer)";
                    roles: {_listed(KNOWN_ROLES)}
  expected_members  a whole number, e.g. 40
  out_of_hours      who covers outside working hours (M5)
  emergency_contact the senior manager to call in an emergency (M5)
  moderation_plan   the written moderation plan, for large groups (M4)

and optionally a tenth, quiet_hours. Other columns are ignored. Rows are numbered as in a spreadsheet (the
header is row 1).

Exit codes: 0 every group registrable, 1 at least one blocked, 2 the file cannot be read (one line says why).
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m flows", description="Check WhatsApp groups against the WhatsApp Group Policy.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check_cmd = commands.add_parser("check", help="check one proposed group given as JSON")
    check_cmd.add_argument("file", metavar="FILE", help="a JSON file, or - to read standard input")
    check_cmd.set_defaults(run=cmd_check)
    audit_cmd = commands.add_parser(
        "audit", help="check every group in a CSV file", description="Check every group in a CSV file.",
        epilog=AUDIT_FORMAT, formatter_class=argparse.RawDescriptionHelpFormatter)
    audit_cmd.add_argument("file", metavar="FILE.csv", help="a CSV file, or - to read standard input")
    audit_cmd.add_argument("--json", action="store_true", help="print JSON instead of a table")
    audit_cmd.set_defaults(run=cmd_audit)
    migrate_cmd = commands.add_parser("migrate", help="bring the database up to date")
    migrate_cmd.set_defaults(run=cmd_migrate)
    export.add_command(commands)
    privacy_commands.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Odd input (lone surrogates, a non-UTF-8 terminal) must not turn printing into a crash.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    args = build_parser().parse_args(argv)
    try:
        code = args.run(args)
        # Flushed here, not at exit: a closed pipe must show up inside this try.
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        return _pipe_closed()
    except (InputError, ProposalError) as e:
        print(f"Error: {' '.join(str(e).split())}", file=sys.stderr)
        return EXIT_UNREADABLE
    except ValidationError as e:
        print(f"Error: the app's settings (environment or .env) are not valid: {' '.join(str(e).split())}",
              file=sys.stderr)
        return EXIT_UNREADABLE
    except Exception as e:  # never a traceback for a person; still a distinct code so tests and scripts see it
        print(f"Error: unexpected {type(e).__name__}: {' '.join(str(e).split())}. Please report this.",
              file=sys.stderr)
        return EXIT_BUG


def _pipe_closed() -> int:
    """The reader stopped reading (`| head -1`): nothing is wrong, say nothing."""
    # What is still buffered would fail again at exit and print "Exception ignored"; it goes nowhere instead.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real file descriptor (stdout replaced in process)
        pass
    return EXIT_PIPE_CLOSED
