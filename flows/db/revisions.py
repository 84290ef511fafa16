"""Which schema a database is at, and which this code needs, without importing Alembic.

The web workers ask on every health check; Alembic (and Mako with it) would add about 12 MiB to every worker that
never migrates anything (migrations run before the workers start: the Procfile's release: step, or the gunicorn
master's own, in a process of its own). The heads are read from the migration scripts' own `revision` and
`down_revision` assignments; tests/test_revisions.py checks they are the heads Alembic itself finds.
"""
from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from sqlalchemy import text

VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"


@cache
def head_revisions() -> frozenset[str]:
    """The newest revision(s) the migration scripts define: what a database must be at to be this app's. Read
    once per process from the scripts shipped with the code."""
    revisions, replaced = set(), set()
    for script in VERSIONS.glob("*.py"):
        found = _assignments(script)
        if "revision" not in found:
            continue
        revisions.add(found["revision"])
        down = found.get("down_revision")
        replaced.update(down if isinstance(down, (tuple, list)) else [down] if down else [])
    return frozenset(revisions - replaced)


def current_revisions(connection) -> frozenset[str]:
    rows = connection.execute(text("SELECT version_num FROM alembic_version"))
    return frozenset(row[0] for row in rows)


def _assignments(script: Path) -> dict[str, object]:
    found = {}
    for node in ast.parse(script.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id in ("revision", "down_revision"):
                found[node.targets[0].id] = ast.literal_eval(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            if node.target.id in ("revision", "down_revision"):
                found[node.target.id] = ast.literal_eval(node.value)
    return found
