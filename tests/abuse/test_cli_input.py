"""`python -m flows check` and `audit` given anything at all: a result (exit 0 or 1, JSON on stdout) or one clear
line saying what is wrong with the input (exit 2), never a traceback and never "a bug" (exit 3)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from flows.cli import main
from flows.policy.parse import CSV_COLUMNS, FIELDS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

ODD_TEXT = st.one_of(
    st.text(max_size=200),
    st.sampled_from([
        "", " ", "\u200b\u200d\ufeff", "\u202eezamA\u202c", "👨‍👩‍👧‍👦" * 30, "A" * 10_000, "x\x00y", "مرحبا",
        "Amaze\u00a0Hove", "%s {0}", "\\u0000",
    ]),
)
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), ODD_TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(ODD_TEXT, inner, max_size=3)),
    max_leaves=8,
)
KINDS = st.one_of(st.sampled_from(["parent_carers", "informal_social", "work_staff", "PCF staff"]), JSON_VALUES)
PROPOSALS = st.fixed_dictionaries(
    {"kind": KINDS},
    optional={
        **{field: st.one_of(ODD_TEXT, JSON_VALUES) for field in FIELDS if field not in ("kind", "moderators")},
        "moderators": st.one_of(
            JSON_VALUES,
            st.lists(st.fixed_dictionaries({"name": st.one_of(ODD_TEXT, JSON_VALUES)},
                                           optional={"role": st.one_of(st.sampled_from(["staff", "volunteer"]),
                                                                       JSON_VALUES)}), max_size=3),
        ),
    },
)


def ran(capsys, tmp_path, command: str, data: bytes) -> tuple[int, str, str]:
    path = tmp_path / "input"
    path.write_bytes(data)
    capsys.readouterr()
    code = main([command, str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def answered_clearly(code: int, out: str, err: str, command: str = "check") -> None:
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in out + err
    if code == 2:
        assert out == "" and err.startswith("Error: ") and len(err.strip().splitlines()) == 1, err
    elif command == "check":
        assert set(json.loads(out)) == {"registrable", "findings"}


@EXAMPLES
@given(proposal=st.one_of(PROPOSALS, JSON_VALUES))
def test_check_answers_any_json_clearly(capsys, tmp_path, proposal):
    answered_clearly(*ran(capsys, tmp_path, "check", json.dumps(proposal).encode()))


@EXAMPLES
@given(data=st.one_of(st.binary(max_size=300), ODD_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_check_answers_any_bytes_clearly(capsys, tmp_path, data):
    answered_clearly(*ran(capsys, tmp_path, "check", data))


@EXAMPLES
@given(rows=st.lists(st.lists(ODD_TEXT, max_size=len(CSV_COLUMNS) + 1), max_size=4),
       header=st.one_of(st.just(list(CSV_COLUMNS)), st.lists(ODD_TEXT, max_size=4)))
def test_audit_answers_any_csv_clearly(capsys, tmp_path, rows, header):
    import csv
    import io

    text = io.StringIO()
    csv.writer(text).writerows([header, *rows])
    answered_clearly(*ran(capsys, tmp_path, "audit", text.getvalue().encode("utf-8", "surrogatepass")), "audit")


def test_check_as_a_real_process_answers_odd_input_clearly(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    good = {"kind": "informal_social", "name": "Hove mums social"}
    inputs = [
        json.dumps({**good, "name": "A" * 10_000}).encode(),
        json.dumps({**good, "name": "\u202eezamA\u202c \u200bsocial 👨‍👩‍👧"}, ensure_ascii=False).encode(),
        json.dumps({**good, "name": "x\u0000y", "description": ""}).encode(),
        json.dumps({**good, "kind": ""}).encode(),
        json.dumps({"kind": "parent_carers", "name": "Amaze Hove", "moderators": [{"name": "", "role": ""}]}).encode(),
        b"\xef\xbb\xbf" + json.dumps(good).encode(),  # a byte-order mark, as some editors save
        b'{"kind": "parent_carers", "name": "' + "é".encode("latin-1") + b'"}',
        b"[" * 100_000,
    ]
    for number, data in enumerate(inputs):
        done = subprocess.run([sys.executable, "-m", "flows", "check", "-"], input=data, capture_output=True,
                              cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)}, timeout=60)
        answered_clearly(done.returncode, done.stdout.decode("utf-8", "replace"),
                         done.stderr.decode("utf-8", "replace"))
        assert done.returncode != 2 or number >= 3, (number, done.stderr)
