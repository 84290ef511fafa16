"""`python -m flows export` run as a real process against the test database: one CSV per table, the date range
applied to when each row was created, no contact details, and a clear error for a date it cannot read."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

from flows.audit.service import record
from flows.groups.models import Group, Moderator
from flows.moderation.models import ModeratorConfirmation
from flows.removals.models import RemovalDecision
from flows.reports.models import UnofficialGroupCase, UnofficialGroupReport
from tests.conftest import MANAGER, STAFF, VOLUNTEER

ROOT = Path(__file__).resolve().parent.parent
JANUARY = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)
# 23:30 on 31 January UTC is still 31 January in the UK (GMT): inside a range ending that day.
LATE_JANUARY = datetime(2026, 1, 31, 23, 30, tzinfo=timezone.utc)
MARCH = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
CONTACT = "call Jo on 07700 900123"


def run(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env["DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, "-m", "flows", "export", *args], capture_output=True, cwd=ROOT, env=env,
                          timeout=120, text=True)


def read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def add_group(session, name: str, when: datetime) -> Group:
    group = Group(kind="parent_carers", name=name, official=True, description="This is an Amaze group",
                  agreement_url="https://www.amazesussex.org.uk/a", emergency_contact="Sam Senior",
                  emergency_contact_user_id=MANAGER, advice=[], created_by=STAFF, created_at=when)
    group.moderators += [
        Moderator(name="Alex Morgan", role="staff", slack_user_id=STAFF, is_lead=True, added_by=STAFF, added_at=when),
        Moderator(name="Val Jones", role="volunteer", slack_user_id=VOLUNTEER, added_by=STAFF, added_at=when),
    ]
    session.add(group)
    session.flush()
    record(session, actor=STAFF, action="group.registered", subject_type="group", subject_id=group.id).at = when
    return group


def fill(db) -> None:
    with db.transaction() as session:
        hove = add_group(session, "Amaze Hove Parent Carers", JANUARY)
        add_group(session, "Amaze Lewes Parent Carers", LATE_JANUARY)
        crawley = add_group(session, "Amaze Crawley Parent Carers", MARCH)
        session.add(ModeratorConfirmation(moderator_id=hove.moderators[0].id, group_id=hove.id, requested_at=JANUARY,
                                          confirmed_at=JANUARY, confirmed_by=STAFF))
        for group, when in ((hove, JANUARY), (crawley, MARCH)):
            session.add(RemovalDecision(
                group_id=group.id, member_ref="JB", kind="temporary", breaches=["language"], tried_first=[],
                review_on=date(2026, 4, 1), notes="Her son was upset", status="recorded", logged_by=STAFF,
                logged_at=when, submission_key=f"key-{group.id}",
            ))
        case = UnofficialGroupCase(name="Amaze Mums Chat", normalised_name="amaze mums chat", matched_names=[],
                                   reported_by=VOLUNTEER, reported_at=JANUARY)
        session.add(case)
        session.flush()
        session.add(UnofficialGroupReport(case_id=case.id, reporter_id=VOLUNTEER, reported_at=JANUARY,
                                          name="Amaze Mums Chat", matched_names=[], where_seen="facebook",
                                          how_found="my neighbour Jo told me", contact=CONTACT))


def test_export_writes_each_table_as_csv_with_the_date_range_applied(db, tmp_path):
    fill(db)
    out = tmp_path / "export"
    done = run(db.url, "--out", str(out), "--from", "2026-01-01", "--to", "2026-01-31")
    assert done.returncode == 0, done.stderr
    assert "groups.csv: 2 rows" in done.stdout

    groups = read(out / "groups.csv")
    assert [g["name"] for g in groups] == ["Amaze Hove Parent Carers", "Amaze Lewes Parent Carers"]
    assert groups[0]["created_at"] == "2026-01-15T12:00:00+00:00"  # ISO, UTC
    assert [m["name"] for m in read(out / "moderators.csv")] == ["Alex Morgan", "Val Jones"] * 2
    assert [e["action"] for e in read(out / "audit_entries.csv")] == ["group.registered"] * 2
    assert read(out / "moderator_confirmations.csv")[0]["confirmed_by"] == STAFF

    [removal] = read(out / "removal_decisions.csv")
    assert (removal["member_ref"], removal["review_on"], removal["breaches"]) == ("JB", "2026-04-01", '["language"]')
    [report] = read(out / "unofficial_group_reports.csv")
    assert report["name"] == "Amaze Mums Chat" and report["where_seen"] == "facebook"
    assert [c["name"] for c in read(out / "unofficial_group_cases.csv")] == ["Amaze Mums Chat"]

    everything = "".join(path.read_text(encoding="utf-8") for path in out.glob("*.csv"))
    # Free text that may describe a family, and contact details, stay in the app.
    for personal in (CONTACT, "07700", "Her son was upset", "my neighbour Jo"):
        assert personal not in everything
    assert "contact" not in read(out / "unofficial_group_reports.csv")[0]


def test_export_without_a_range_writes_everything(db, tmp_path):
    fill(db)
    done = run(db.url, "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert len(read(tmp_path / "groups.csv")) == 3 and len(read(tmp_path / "removal_decisions.csv")) == 2
    assert len(read(tmp_path / "moderators.csv")) == 6


def test_a_date_it_cannot_read_is_a_clear_error(db, tmp_path):
    for args, said in (
        (("--from", "31/01/2026"), "--from must be a date written as YYYY-MM-DD"),
        (("--to", "2026-02-30"), "--to must be a date written as YYYY-MM-DD"),
        (("--from", "2026-02-01", "--to", "2026-01-01"), "is after --to"),
    ):
        done = run(db.url, "--out", str(tmp_path / "out"), *args)
        assert done.returncode == 2
        assert said in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()
