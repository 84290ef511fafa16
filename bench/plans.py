"""The query plans of the hot paths, taken from the statements the app really issues: each path is run once in
this process against the benchmark's database while every statement is recorded, then each recorded SELECT,
UPDATE and DELETE is explained with its own parameters (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL)."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import event, text

from flows.db import Database

EXPLAINED = re.compile(r"^\s*(SELECT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)
# A whole-table read: what a missing index looks like in each database's plan. (SQLite's "SCAN (subquery-N)" reads
# a subquery's own result, not a table; an index scan is not a table scan.)
FULL_SCAN = re.compile(r"^\s*SCAN (?P<sqlite>\w+)(?!.*USING (COVERING )?INDEX)|Seq Scan on (?P<postgres>\w+)")


@dataclass
class Statement:
    path: str
    sql: str
    parameters: object
    plan: list[str] = field(default_factory=list)

    def full_scans(self, tables: set[str]) -> list[str]:
        """Plan lines reading the whole of one of these tables (the large ones: a scan of a small table is the
        planner's right choice)."""
        found = []
        for line in self.plan:
            match = FULL_SCAN.search(line)
            if match and (match["sqlite"] or match["postgres"]) in tables:
                found.append(line.strip())
        return found


def record(
    db: Database, paths: dict[str, Callable[[Callable[[str], None]], object]]
) -> tuple[list[Statement], Counter, Counter]:
    """Run each path, keeping each distinct statement once (the first parameters it was run with) and counting
    every statement and every transaction (a connection's BEGIN, implicit ones included) each path ran. A path
    may relabel what follows (e.g. "until ack", "after ack") through the function it is given."""
    seen: dict[str, Statement] = {}
    executed: Counter = Counter()
    transactions: Counter = Counter()
    current = {"path": ""}

    def begun(conn):
        transactions[current["path"]] += 1

    def before(conn, cursor, statement, parameters, context, executemany):
        executed[current["path"]] += 1
        if executemany or not EXPLAINED.match(statement) or statement.strip().upper() == "SELECT 1":
            return
        seen.setdefault(statement, Statement(current["path"], statement, parameters))

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "begin", begun)
    try:
        for name, run in paths.items():
            current["path"] = name
            run(lambda label: current.update(path=label))
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "begin", begun)
    return list(seen.values()), executed, transactions


def explain(db: Database, statements: list[Statement]) -> list[Statement]:
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        for statement in statements:
            prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
            try:
                rows = connection.exec_driver_sql(prefix + statement.sql, statement.parameters).fetchall()
            except Exception as error:  # noqa: BLE001  (a plan that cannot be taken is reported, not fatal)
                statement.plan = [f"(no plan: {type(error).__name__}: {str(error).splitlines()[0]})"]
                connection.rollback()
                continue
            if sqlite:
                statement.plan = [("  " * _depth(rows, row)) + str(row[-1]) for row in rows]
            else:
                statement.plan = [str(row[0]) for row in rows]
        connection.rollback()
    return statements


def _depth(rows, row) -> int:
    # EXPLAIN QUERY PLAN rows are (id, parent, notused, detail): indent children under their parent.
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent in parents:
        depth, parent = depth + 1, parents[parent]
    return depth


def indexes(db: Database, tables: list[str]) -> dict[str, list[str]]:
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            return {t: [r[0] for r in connection.execute(text(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t AND sql IS NOT NULL "
                "ORDER BY name"), {"t": t})] + [f"(automatic) {r[1]}" for r in connection.execute(text(
                    f"PRAGMA index_list({t})")) if r[3] != "c"] for t in tables}
        return {t: [r[0] for r in connection.execute(text(
            "SELECT indexdef FROM pg_indexes WHERE tablename = :t ORDER BY indexname"), {"t": t})] for t in tables}


def format_statement(statement: Statement, width: int = 160) -> str:
    sql = " ".join(statement.sql.split())
    if len(sql) > width:
        sql = sql[: width - 1] + "…"
    lines = [f"[{statement.path}] {sql}"]
    lines += [f"    {line}" for line in statement.plan]
    return "\n".join(lines)
