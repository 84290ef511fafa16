"""`python -m flows check|audit` run as real processes: exit codes, JSON shape, no tracebacks."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hyp_settings, strategies as st

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "kind": "parent_carers",
    "name": "Amaze Hove parent carers",
    "description": (
        "This is an Amaze group. When you join the group, you are agreeing to share your phone number with all "
        "other group members and to stick to our group agreement: https://www.amazesussex.org.uk/agreements/hove\n"
        "The group admins are marked on the participants list. Let us know if a member breaks the agreement or "
        "makes you feel unsafe by messaging the group admins, or email info@amazesussex.org.uk"
    ),
    "agreement_url": "https://www.amazesussex.org.uk/agreements/hove",
    "moderators": [{"name": "Claire Smith", "role": "staff"}, {"name": "Dev Patel", "role": "volunteer"}],
    "expected_members": 40,
    "out_of_hours": "Dev covers evenings and calls Claire or the on-call manager",
    "emergency_contact": "Jo Senior",
    "quiet_hours": "after 9pm",
}
HEADER = "kind,name,description,agreement_url,moderators,expected_members,out_of_hours,emergency_contact,moderation_plan"


def run(*args: str, stdin: str | bytes = "", tmp: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-m", "flows", *args], input=stdin.encode() if isinstance(stdin, str) else stdin,
        capture_output=True, cwd=tmp or ROOT, env=env, timeout=60,
    )


def test_check_registrable_exits_0_with_json(tmp_path):
    done = run("check", "-", stdin=json.dumps(GOOD), tmp=tmp_path)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["registrable"] is True
    assert all(set(f) == {"rule", "severity", "message", "field"} and f["severity"] == "advice"
               for f in out["findings"])


def test_check_blocked_exits_1_and_names_the_rule(tmp_path):
    bad = {**GOOD, "description": GOOD["description"].replace("you are agreeing to share your phone number with "
                                                              "all other group members and ", "")}
    done = run("check", "-", stdin=json.dumps(bad), tmp=tmp_path)
    assert done.returncode == 1
    out = json.loads(done.stdout)
    d2 = [f for f in out["findings"] if f["rule"] == "D2"]
    assert out["registrable"] is False and d2[0]["severity"] == "block" and "phone number" in d2[0]["message"]


def test_check_reads_a_file(tmp_path):
    path = tmp_path / "group.json"
    path.write_text(json.dumps({"kind": "informal_social", "name": "A.M.A.Z.E mums"}), encoding="utf-8")
    done = run("check", str(path), tmp=tmp_path)
    assert done.returncode == 1
    assert {f["rule"] for f in json.loads(done.stdout)["findings"]} == {"N2", "N3"}


@pytest.mark.parametrize("stdin,says", [
    ('{"kind": "parent_carers",\n  "name": "x",,}', "line 2, column"),
    ("[1, 2]", "JSON object"),
    ('{"kind": "parents", "name": "x"}', "parent_carers, young_people, pcf_members"),
    ('{"kind": "parent_carers", "name": "x", "moderators": [{"name": "S", "role": "boss"}]}',
     "staff, pcf_staff, volunteer"),
    ('{"kind": "parent_carers", "name": "x", "expected_members": "lots"}', "whole number"),
    ('{"kind": "parent_carers"}', "'name' is missing"),
    ('{"kind": "parent_carers", "name": "x", "out_of_hours": 5}', "'out_of_hours' must be text"),
    (b"\xff\xfe{", "not UTF-8"),
    ("", "not valid JSON"),
])
def test_check_unreadable_input_exits_2_with_one_clear_line(stdin, says, tmp_path):
    done = run("check", "-", stdin=stdin, tmp=tmp_path)
    assert done.returncode == 2
    err = done.stderr.decode()
    assert says in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert done.stdout == b""


def test_check_missing_file_exits_2(tmp_path):
    done = run("check", str(tmp_path / "nope.json"), tmp=tmp_path)
    assert done.returncode == 2 and b"Cannot read" in done.stderr


def write_csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "groups.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


GOOD_ROW = ('work_staff,Amaze staff team,"Amaze staff team. Use initials or Charity Log references only. '
            'Report sickness by email, not here.",,,12,,,')
BAD_ROW = 'informal_social,Amaze mums,,,"Claire Smith (staff); Dev (volunteer)",,,,'


def test_audit_table_and_summary(tmp_path):
    done = run("audit", str(write_csv(tmp_path, GOOD_ROW, BAD_ROW)), tmp=tmp_path)
    assert done.returncode == 1, done.stderr
    out = done.stdout.decode()
    lines = out.splitlines()
    assert lines[0].split() == ["Row", "Name", "Kind", "Registrable", "Blocking", "Advice"]
    row3 = next(line for line in lines if line.startswith("3 "))
    assert "Amaze mums" in row3 and " no " in row3 and "N2, N3, M7" in row3
    assert "Checked 2 groups: 1 registrable, 1 blocked." in out


def test_audit_all_registrable_exits_0_and_json(tmp_path):
    done = run("audit", str(write_csv(tmp_path, GOOD_ROW)), "--json", tmp=tmp_path)
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)
    assert row["row"] == 2 and row["kind"] == "work_staff" and row["registrable"] is True
    assert {f["rule"] for f in row["findings"]} <= {"N4", "M11", "W1", "W2"}


def test_audit_missing_columns_exit_2_naming_them(tmp_path):
    path = tmp_path / "groups.csv"
    path.write_text("kind,name,description\nwork_staff,Amaze staff,\n", encoding="utf-8")
    done = run("audit", str(path), tmp=tmp_path)
    assert done.returncode == 2
    assert b"agreement_url, moderators, expected_members" in done.stderr and b"Traceback" not in done.stderr


def test_audit_bad_role_exit_2_naming_the_row(tmp_path):
    done = run("audit", str(write_csv(tmp_path, GOOD_ROW, 'parent_carers,Amaze x,,,"Sam (boss)",,,,')), tmp=tmp_path)
    assert done.returncode == 2 and done.stderr.startswith(b"Error: Row 3:") and b"known roles" in done.stderr


@hyp_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(["name", "description", "agreement_url", "out_of_hours", "kind", "quiet_hours"]),
       value=st.one_of(st.text(), st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)),
                       st.text(min_size=1, max_size=20).map(lambda s: (s * 10_000)[:10_000])))
def test_any_text_in_a_json_string_field_never_gives_a_traceback(tmp_path_factory, field, value):
    done = run("check", "-", stdin=json.dumps({**GOOD, field: value}), tmp=tmp_path_factory.getbasetemp())
    assert done.returncode in (0, 1, 2), done.stderr
    assert b"Traceback" not in done.stderr
    if done.returncode in (0, 1):
        assert set(json.loads(done.stdout)) == {"registrable", "findings"}


def test_migrate_brings_a_new_database_up_to_date(tmp_path):
    pytest.importorskip("flows.db.migrate")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'gpa.db'}"
    done = subprocess.run([sys.executable, "-m", "flows", "migrate"], capture_output=True, cwd=tmp_path, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().strip() == "Database is up to date."
    assert (tmp_path / "gpa.db").exists()
