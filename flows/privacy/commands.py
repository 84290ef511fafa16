"""`python -m flows subject-access …` and `python -m flows erase …`: the data protection lead's commands (P4)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

WHO = """PERSON is an account id on the chat platform (U0123ABCD), a person id (p…) or a name (a moderator on no chat
platform; quote it: "Sam Patel").
A removed member is named by their reference and group: --member J.S. --group 12."""

ERASE_HELP = f"""{WHO}

What is erased: the person's id, their accounts and name wherever they are stored (the register, moderators, confirmations,
check-ins, reports, removal decisions, queued and sent messages, wizard drafts, the directory cache, the audit
trail). Unfinished wizard drafts, cached profiles and what they wrote in their reports (how they found a
group, contact details, notes) are deleted. Messages waiting to be sent to them are cancelled.

What is kept, and why:
- Records the policy needs stay whole, under a random pseudonym (erased-1a2b3c4d) in place of the person: a removal
  decision keeps its outcome and that distinct people logged, agreed and signed it off (R2, R5: decisions are
  never deleted); a group keeps that it had a moderator (M9) and their confirmations; an unofficial-group case
  keeps who handled it as the pseudonym.
- A moderator who is erased steps down: someone nobody can name cannot moderate. A group whose emergency contact
  is erased has none until a new one is named.
- For a member: each decision about them keeps its kind, breaches, what was tried first, dates and outcome; their
  reference becomes the pseudonym and the notes and rejection reason (free text about them) are removed.
- The audit trail records that an erasure happened ("person.erased", the pseudonym, how many records changed),
  never what was erased. It is not findable by the person's id afterwards: that would itself be their data.
- Names match whole words, case-insensitively; with a common name, add --group to erase one moderator. For
  someone on a chat platform, give their account id: a name finds only the places where the name itself is written.
Afterwards SQLite's write-ahead log is checkpointed and deleted content overwritten (PostgreSQL: the tables are
vacuumed), so the erased text is not left on disk."""


def add_commands(commands) -> None:
    """The `subject-access` and `erase` subcommands, for flows/cli.py's parser."""
    access = commands.add_parser(
        "subject-access", help="write everything the app holds about one person (P4)",
        description="Write everything the app holds about one person, for a subject access request (P4).",
        epilog=WHO, formatter_class=argparse.RawDescriptionHelpFormatter)
    _person_arguments(access)
    access.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    access.add_argument("--json", action="store_true", help="JSON instead of Markdown")
    access.set_defaults(run=run_subject_access)

    erase = commands.add_parser(
        "erase", help="erase one person's data where nothing requires keeping it (P4)",
        description="Erase one person's data where nothing requires keeping it (P4).",
        epilog=ERASE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    _person_arguments(erase)
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    erase.set_defaults(run=run_erase)


def _person_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("person", nargs="?", metavar="PERSON", help="an account id (U…), a person id (p…) or a name")
    parser.add_argument("--member", metavar="REF", help="a removed member's initials or Charity Log reference")
    parser.add_argument("--group", type=int, metavar="ID", help="the group (needed with --member)")


def _person(args: argparse.Namespace):
    from flows.privacy.rights import Person

    try:
        return Person.parse(args.person, args.member, args.group)
    except ValueError as error:
        print(f"Error: {error}.", file=sys.stderr)
        return None


def _database():
    from flows.db import Database
    from flows.settings import get_settings

    return Database(get_settings().database_url)


def run_subject_access(args: argparse.Namespace) -> int:
    from flows.db import utcnow
    from flows.privacy.rights import render_json, render_markdown, subject_access

    person = _person(args)
    if person is None:
        return EXIT_BAD_INPUT
    db = _database()
    try:
        with db.transaction() as session:
            sections = subject_access(session, person)
    except Exception as error:  # a database that cannot be reached is an operator's problem, not a bug
        print(f"Error: could not read the database: {' '.join(str(error).split())}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        db.dispose()
    text = (render_json if args.json else render_markdown)(person, sections, utcnow())
    held = sum(len(s.rows) for s in sections)
    if not args.out:
        print(text)
        return EXIT_OK
    try:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    except OSError as error:
        print(f"Error: cannot write {args.out}: {error.strerror or error}.", file=sys.stderr)
        return EXIT_FAILED
    print(f"Wrote {held} record{'s' if held != 1 else ''} about {person.describe()} to {args.out}.")
    return EXIT_OK


def run_erase(args: argparse.Namespace) -> int:
    from flows.privacy.rights import erase, subject_access, summary

    person = _person(args)
    if person is None:
        return EXIT_BAD_INPUT
    db = _database()
    try:
        with db.transaction() as session:
            held = sum(len(s.rows) for s in subject_access(session, person))
        if not held:
            print(f"The app holds nothing about {person.describe()}; nothing erased.")
            return EXIT_OK
        if not args.yes and not _confirmed(person, held):
            print("Nothing erased.")
            return EXIT_FAILED
        with db.transaction() as session:
            result = erase(session, person)
    except Exception as error:  # as above; the transaction rolled back whole
        print(f"Error: could not erase: {' '.join(str(error).split())}. Nothing was changed.", file=sys.stderr)
        return EXIT_FAILED
    finally:
        db.dispose()
    print(f"Erased {person.describe()}; records that are kept now say {result.pseudonym}.")
    for line in summary(result):
        print(f"  {line}")
    return EXIT_OK


def _confirmed(person, held: int) -> bool:
    if not sys.stdin.isatty():
        print("Refusing to erase without confirmation: run it in a terminal, or add --yes.", file=sys.stderr)
        return False
    answer = input(f"Erase {person.describe()} ({held} records)? This cannot be undone. Type 'erase' to go on: ")
    return answer.strip().lower() == "erase"
