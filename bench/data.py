"""What the benchmark's requests act on, and the large register it is run against, written with bulk Core inserts
(executemany), never ORM objects one by one: 400,000 rows take seconds, not minutes."""
from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, insert, select, text

from flows.audit.models import AuditEntry
from flows.groups.models import Group, Moderator
from flows.outbox.models import Destination, Notice, NoticeKind
from flows.removals.models import RemovalDecision
from flows.wizard.models import WizardDraft

TEAM_ID = "T0TEST"  # the fake's workspace (tests/harness/fake_slack.py)
STAFF = [f"U0BSTAFF{n:02d}" for n in range(1, 11)]
MANAGERS = [f"U0BMGR{n:02d}" for n in range(1, 6)]
VOLUNTEERS = [f"U0BVOL{n:02d}" for n in range(1, 4)]
PCF_STAFF = ["U0BPCF01"]
STAFF_GROUP, PCF_GROUP, MANAGERS_GROUP = "S0BSTAFF", "S0BPCF", "S0BMANAGERS"
APPROVALS_CHANNEL, MANAGERS_CHANNEL, ADMIN_CHANNEL = "C0BAPPROVE", "C0BMANAGE", "C0BADMIN"
BENCH_GROUP = "Amaze Hastings parent carers (benchmark)"
# The removal the benchmark approves: logged by a volunteer moderator, agreed by a staff moderator, so that any
# senior manager may sign it off and four messages follow (the request closed, two moderators, the logger).
LOGGER, AGREER = VOLUNTEERS[0], STAFF[0]
CHUNK = 5_000
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)

LARGE = {"groups": 10_000, "moderators": 20_000, "removal_decisions": 50_000, "audit_entries": 200_000,
         "notices": 100_000, "wizard_drafts": 10_000}


def people() -> dict:
    """Users and user groups for the fake Slack: staff, senior managers (also staff), volunteers."""
    names = {u: f"Staff {u[-2:]}" for u in STAFF} | {u: f"Manager {u[-2:]}" for u in MANAGERS}
    names |= {u: f"Volunteer {u[-2:]}" for u in VOLUNTEERS} | {u: f"Forum {u[-2:]}" for u in PCF_STAFF}
    return {
        "users": names,
        "usergroups": {
            STAFF_GROUP: {"handle": "bench-staff", "users": STAFF + MANAGERS},
            PCF_GROUP: {"handle": "bench-pcf-staff", "users": PCF_STAFF},
            MANAGERS_GROUP: {"handle": "bench-managers", "users": MANAGERS},
        },
    }


def _insert(connection: Connection, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        connection.execute(insert(table), rows[start:start + CHUNK])


def bench_group(connection: Connection) -> int:
    """The benchmark's own group with its three moderators on Slack (created once)."""
    found = connection.scalar(select(Group.id).where(Group.name == BENCH_GROUP))
    if found:
        return found
    connection.execute(insert(Group.__table__), [{
        "kind": "parent_carers", "name": BENCH_GROUP, "official": True, "description": "Benchmark group.",
        "advice": [], "created_by": STAFF[0], "created_at": EPOCH,
    }])
    group_id = connection.scalar(select(Group.id).where(Group.name == BENCH_GROUP))
    _insert(connection, Moderator.__table__, [
        {"group_id": group_id, "name": "Staff 01", "role": "staff", "slack_user_id": STAFF[0], "is_lead": True,
         "added_by": STAFF[0], "added_at": EPOCH},
        {"group_id": group_id, "name": "Staff 02", "role": "staff", "slack_user_id": STAFF[1], "is_lead": False,
         "added_by": STAFF[0], "added_at": EPOCH},
        {"group_id": group_id, "name": "Volunteer 01", "role": "volunteer", "slack_user_id": LOGGER,
         "is_lead": False, "added_by": STAFF[0], "added_at": EPOCH},
    ])
    return group_id


def name_step_drafts(connection: Connection, count: int) -> list[tuple[str, str]]:
    """Wizards waiting at the name step, one per request: (draft id, its owner)."""
    now = datetime.now(UTC)
    rows = [{
        "id": str(uuid.uuid4()), "user_id": STAFF[n % len(STAFF)], "team_id": TEAM_ID, "step": "name",
        "data": {"kind": "parent_carers", "name": ""}, "created_at": now, "updated_at": now,
    } for n in range(count)]
    _insert(connection, WizardDraft.__table__, rows)
    return [(row["id"], row["user_id"]) for row in rows]


def decisions_awaiting_sign_off(connection: Connection, group_id: int, count: int) -> list[int]:
    """Permanent removals agreed by staff and waiting for a senior manager, each with its sign-off request
    already posted to the approvals channel (so Approve closes it, as in real use)."""
    prefix = f"bench-{uuid.uuid4().hex[:12]}-"
    now = datetime.now(UTC)
    _insert(connection, RemovalDecision.__table__, [{
        "group_id": group_id, "member_ref": f"BM-{n:05d}", "kind": "permanent", "breaches": ["bullying"],
        "tried_first": ["warned"], "status": "awaiting_sign_off", "logged_by": LOGGER, "logged_at": now,
        "agreed_by": AGREER, "agreed_at": now, "submission_key": f"{prefix}{n}",
    } for n in range(count)])
    ids = list(connection.scalars(
        select(RemovalDecision.id).where(RemovalDecision.submission_key.startswith(prefix))
        .order_by(RemovalDecision.id)
    ))
    _insert(connection, Notice.__table__, [_sent_message(
        decision_id, f"removal:{decision_id}:sign-off", APPROVALS_CHANNEL, now) for decision_id in ids])
    return ids


def _sent_message(decision_id: int, key: str, channel: str, when: datetime) -> dict:
    sign_off = key.endswith(":sign-off")
    return {
        "kind": (NoticeKind.REMOVAL_SIGN_OFF_REQUESTED if sign_off else NoticeKind.REMOVAL_LOGGER_TOLD).value,
        "subject_type": "removal", "subject_id": str(decision_id),
        "destination": Destination.SIGN_OFF.value if sign_off else None, "person_id": None if sign_off else LOGGER,
        "data": {}, "status": "sent", "dedupe_key": key, "attempts": 1, "created_at": when, "sent_at": when,
        "delivered_via": "slack",
        "delivered_ref": {"channel": channel, "ts": f"{int(when.timestamp())}.{decision_id % 1_000_000:06d}"},
    }


def large_register(connection: Connection, seed: int = 7) -> dict[str, int]:
    """10,000 groups with 20,000 moderators, 50,000 removal decisions (each with two sent messages in the outbox),
    200,000 audit entries and 10,000 finished wizards: a register grown over years."""
    rng = random.Random(seed)
    kinds = ["parent_carers", "young_people", "pcf_members", "work_volunteers", "work_staff", "pcf_steering",
             "informal_social", "pcf_informal"]
    towns = ["Hastings", "Eastbourne", "Brighton", "Hove", "Lewes", "Crawley", "Worthing", "Bexhill", "Seaford",
             "Uckfield", "Horsham", "Chichester"]
    users = [f"U0X{n:06d}" for n in range(500)]
    batch = f"large-{uuid.uuid4().hex[:8]}"
    _insert(connection, Group.__table__, [{
        "kind": kinds[n % len(kinds)], "name": f"Amaze {towns[n % len(towns)]} group {n}",
        "official": kinds[n % len(kinds)] not in ("informal_social", "pcf_informal"),
        "description": "A group for parent carers. " * 4, "advice": [], "created_by": rng.choice(users),
        "created_at": EPOCH + timedelta(minutes=n),
    } for n in range(LARGE["groups"])])
    group_ids = list(connection.scalars(
        select(Group.id).where(Group.name.like("Amaze % group %"), Group.created_at >= EPOCH).order_by(Group.id)
    ))[-LARGE["groups"]:]
    _insert(connection, Moderator.__table__, [{
        "group_id": group_ids[n // 2], "name": f"Moderator {n}", "role": "staff" if n % 2 == 0 else "volunteer",
        "slack_user_id": rng.choice(users), "is_lead": n % 2 == 0, "added_by": rng.choice(users),
        "added_at": EPOCH + timedelta(minutes=n),
    } for n in range(LARGE["moderators"])])
    statuses = ["approved"] * 70 + ["recorded"] * 15 + ["rejected"] * 10 + ["awaiting_sign_off"] * 3 + [
        "awaiting_agreement"] * 2
    chosen = [rng.choice(statuses) for _ in range(LARGE["removal_decisions"])]
    _insert(connection, RemovalDecision.__table__, [{
        "group_id": rng.choice(group_ids), "member_ref": f"CL-{n:06d}",
        "kind": "temporary" if status == "recorded" else "permanent",
        "breaches": [rng.choice(["bullying", "language", "confidentiality", "respect"])],
        "tried_first": ["warned"], "review_on": date(2025, 1, 1) if status == "recorded" else None,
        "status": status, "logged_by": rng.choice(users), "logged_at": EPOCH + timedelta(minutes=n),
        "submission_key": f"{batch}-{n}",
    } for n, status in enumerate(chosen)])
    decision_ids = list(connection.scalars(
        select(RemovalDecision.id).where(RemovalDecision.submission_key.startswith(f"{batch}-"))
    ))
    messages = []
    for decision_id in decision_ids:
        when = EPOCH + timedelta(minutes=decision_id)
        messages.append(_sent_message(decision_id, f"removal:{decision_id}:sign-off", APPROVALS_CHANNEL, when))
        messages.append(_sent_message(decision_id, f"removal:{decision_id}:logger:approved", "D0LOGGER", when))
    _insert(connection, Notice.__table__, messages)
    actions = ["group.registered", "removal.logged", "removal.agreed", "removal.approved", "removal.rejected",
               "removal.approve_refused", "report.received"]
    _insert(connection, AuditEntry.__table__, [{
        "at": EPOCH + timedelta(seconds=30 * n), "actor": rng.choice(users), "action": rng.choice(actions),
        "subject_type": "removal", "subject_id": str(rng.choice(decision_ids)), "from_state": None,
        "to_state": "approved", "details": {"group_id": rng.choice(group_ids)},
    } for n in range(LARGE["audit_entries"])])
    _insert(connection, WizardDraft.__table__, [{
        "id": str(uuid.uuid4()), "user_id": rng.choice(users), "team_id": TEAM_ID, "step": "review",
        "data": {"kind": "parent_carers", "name": f"Amaze group {n}"}, "group_id": group_ids[n],
        "created_at": EPOCH, "updated_at": EPOCH,
    } for n in range(LARGE["wizard_drafts"])])
    return dict(LARGE)


def analyze(engine) -> None:
    """On PostgreSQL, what autovacuum would have done long before a register reached this size. (SQLite's planner
    is left without statistics, as a deployment's would be.)"""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def row_counts(connection: Connection) -> dict[str, int]:
    return {table: connection.scalar(text(f"SELECT count(*) FROM {table}")) for table in LARGE}
