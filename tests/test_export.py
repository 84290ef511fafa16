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
                  emergency_contact_person_id=MANAGER, advice=[], created_by=STAFF, created_at=when)
    group.moderators += [
        Moderator(name="Alex Morgan", role="staff", person_id=STAFF, is_lead=True, added_by=STAFF, added_at=when),
        Moderator(name="Val Jones", role="volunteer", person_id=VOLUNTEER, added_by=STAFF, added_at=when),
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


# --- no personal data leaves in an export -------------------------------------------------------------------------
PHONE, SLASHED, EMAIL, WIDE_EMAIL = "07700 900123", "07700/900/456", "jo.bloggs@gmail.com", "sam＠hotmail.co.uk"
PERSON, NHS, STREET = "Joanne Smith", "943 476 5919", "12 Acacia Road, BN1 1AA"
LEAKS = (PHONE, SLASHED, EMAIL, WIDE_EMAIL, PERSON, NHS, STREET)
# Where names are the record itself (moderators are not members): only contact details are looked for there.
NAMES_ALLOWED = {("moderators.csv", "name"), ("groups.csv", "emergency_contact")}


def fill_with_personal_details(db) -> None:
    """Phone numbers, emails, a member's name, an address and an NHS number in every free text the export reaches,
    as rows written before the guard existed (or by hand) could hold them."""
    every = f"{PERSON} on {PHONE} or {SLASHED}, {EMAIL}, {WIDE_EMAIL}, {STREET}, NHS {NHS}"
    with db.transaction() as session:
        group = Group(
            kind="parent_carers", name=f"Amaze Hove {PHONE}", official=True, description=f"Admins: {every}",
            agreement_url="https://www.amazesussex.org.uk/a", out_of_hours=f"Sam covers, ring {PHONE}, {EMAIL}",
            emergency_contact=f"Sam Senior {PHONE}", emergency_contact_person_id=MANAGER,
            quiet_hours=f"after 8pm, ask {PERSON}", moderation_plan=f"Two moderators; {every}",
            advice=[{"rule": "M4", "message": every}], created_by=STAFF, created_at=JANUARY,
        )
        group.moderators += [
            Moderator(name=f"Alex Morgan {EMAIL}", role="staff", person_id=STAFF, is_lead=True, added_by=STAFF,
                      added_at=JANUARY, organisation=f"Mind, {PHONE}"),
        ]
        session.add(group)
        session.flush()
        session.add(RemovalDecision(
            group_id=group.id, member_ref=PERSON, kind="permanent", breaches=["language"], tried_first=[],
            notes=every, status="rejected", logged_by=STAFF, logged_at=JANUARY, submission_key="leak-1",
            rejection_reason=every, decided_by=MANAGER, decided_at=JANUARY,
        ))
        case = UnofficialGroupCase(name=f"Mums chat {EMAIL}", normalised_name="mums chat", matched_names=[],
                                   reported_by=VOLUNTEER, reported_at=JANUARY, state="no_action",
                                   resolved_by=MANAGER, resolved_at=JANUARY, resolution_reason=every)
        session.add(case)
        session.flush()
        session.add(UnofficialGroupReport(case_id=case.id, reporter_id=VOLUNTEER, reported_at=JANUARY,
                                          name=f"Mums chat {EMAIL}", matched_names=[], where_seen="facebook",
                                          how_found=every, contact=every, notes=every))
        for action, details in (
            ("unofficial_group.no_action", {"reason": every, "report_id": 1}),
            ("group.registered", {"name": f"Amaze Hove {PHONE}", "kind": "parent_carers", "moderators": 1}),
            ("removal.reject_refused", {"refused": f"{PERSON} is not a manager", "group_id": group.id}),
            ("custom.note", {"contact": PHONE, "email": EMAIL, "who": PERSON.lower(), "nhs": NHS.replace(" ", "")}),
        ):
            record(session, actor=STAFF, action=action, subject_type="group", subject_id=group.id, **details).at = (
                JANUARY
            )


def test_an_export_carries_no_phone_email_name_address_or_nhs_number_from_any_free_text(db, tmp_path):
    from flows.privacy import FieldKind, Guard
    from flows.settings import Settings

    fill_with_personal_details(db)
    done = run(db.url, "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr

    guard = Guard.from_settings(Settings(_env_file=None))
    files = sorted(tmp_path.glob("*.csv"))
    assert {"groups.csv", "audit_entries.csv", "removal_decisions.csv", "unofficial_group_reports.csv"} <= {
        f.name for f in files
    }
    refused = []
    for path in files:
        with open(path, encoding="utf-8", newline="") as file:
            for row in csv.DictReader(file):
                for column, cell in row.items():
                    kind = FieldKind.STAFF_TEXT if (path.name, column) in NAMES_ALLOWED else FieldKind.NOTE
                    verdict = guard.check(cell, kind)
                    if not verdict.ok:
                        refused.append((path.name, column, verdict.found))
    assert refused == []
    everything = "".join(path.read_text(encoding="utf-8") for path in files)
    for leak in LEAKS + ("900123", "900/456", "gmail", "hotmail", "Acacia", "4765919", "Smith"):
        assert leak not in everything

    [group] = read(tmp_path / "groups.csv")
    # What trustees need stays: that the arrangements are recorded, who the senior manager is, the group itself.
    assert (group["out_of_hours"], group["moderation_plan"]) == ("recorded", "recorded")
    assert group["emergency_contact_person_id"] == MANAGER and group["kind"] == "parent_carers"
    assert group["advice"] == '["M4"]'  # which rules advised, not the wording
    details = [json_details for json_details in (e["details"] for e in read(tmp_path / "audit_entries.csv"))]
    assert '"kind": "parent_carers"' in details[1] and '"moderators": 1' in details[1]
