"""people columns: every stored Slack user id becomes the id of a person with a Slack account

Revision ID: 0012_people_columns
Revises: 0011_lifecycle

Each distinct Slack user id found in the rows becomes one person with an account on "slack"; every moderator
without one (a volunteer on no platform) becomes a person with no account. Values that are not Slack user ids
("app", an erased person's pseudonym) are left as they are.
"""
import re
import secrets
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = '0012_people_columns'
down_revision = '0011_lifecycle'
branch_labels = None
depends_on = None

PLATFORM = "slack"
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
# (table, column) holding one person each.
PERSON_COLUMNS = [
    ("groups", "created_by"), ("groups", "emergency_contact_user_id"),
    ("moderators", "slack_user_id"), ("moderators", "added_by"),
    ("wizard_drafts", "user_id"),
    ("removal_decisions", "logged_by"), ("removal_decisions", "agreed_by"), ("removal_decisions", "decided_by"),
    ("unofficial_group_cases", "reported_by"), ("unofficial_group_cases", "owner_id"),
    ("unofficial_group_cases", "resolved_by"), ("unofficial_group_reports", "reporter_id"),
    ("moderator_confirmations", "confirmed_by"), ("moderator_confirmations", "emergency_contact_sent_to"),
    ("agreement_circulations", "circulated_by"),
    ("moderator_checkins", "answered_by"), ("moderator_vacancies", "opened_by"),
    ("audit_entries", "actor"),
    # Notices queued before this migration name their recipients by Slack user id (migration 0009 carried them).
    ("notices", "person_id"),
    ("groups", "closed_by"), ("member_welcomes", "welcomed_by"),
]
# Keys of a wizard draft's data holding one person, and those holding a list of people.
DRAFT_PERSON_KEYS = {"lead_user_id", "emergency_contact_user_id", "emergency_contact_person_id"}
FORM_PERSON_KEYS = {"lead", "lead_moderator", "emergency_contact"}
FORM_LIST_KEYS = {"staff", "others", "staff_moderators", "other_moderators"}


def _now():
    return datetime.now(timezone.utc)


class _People:
    """Slack user id -> person id, making a person with a Slack account for each id met for the first time."""

    def __init__(self, bind) -> None:
        self.bind = bind
        self.people = sa.table("people", sa.column("id"), sa.column("created_at"))
        self.accounts = sa.table("platform_accounts", sa.column("person_id"), sa.column("platform"),
                                 sa.column("account_id"), sa.column("created_at"))
        rows = bind.execute(sa.select(self.accounts.c.account_id, self.accounts.c.person_id)
                            .where(self.accounts.c.platform == PLATFORM))
        self.known = dict(rows.all())

    def new(self) -> str:
        person_id = "p" + secrets.token_hex(8)
        self.bind.execute(self.people.insert().values(id=person_id, created_at=_now()))
        return person_id

    def of(self, value):
        if not isinstance(value, str) or not SLACK_USER_ID.match(value):
            return value
        if value not in self.known:
            person_id = self.new()
            self.bind.execute(self.accounts.insert().values(
                person_id=person_id, platform=PLATFORM, account_id=value, created_at=_now()))
            self.known[value] = person_id
        return self.known[value]


def _rewrite_column(bind, people: _People, table: str, column: str) -> None:
    t = sa.table(table, sa.column(column))
    values = bind.execute(sa.select(t.c[column]).where(t.c[column].is_not(None)).distinct()).scalars().all()
    for value in values:
        person_id = people.of(value)
        if person_id != value:
            bind.execute(t.update().where(t.c[column] == value).values({column: person_id}))


def _rewrite_draft(data: dict, of) -> dict:
    data = dict(data)
    for key in DRAFT_PERSON_KEYS & data.keys():
        data[key] = of(data[key])
    if "emergency_contact_user_id" in data:
        data["emergency_contact_person_id"] = data.pop("emergency_contact_user_id")
    moderators = []
    for m in data.get("moderators") or []:
        m = dict(m)
        if "slack_user_id" in m:
            m["person_id"] = of(m.pop("slack_user_id"))
        moderators.append(m)
    if "moderators" in data:
        data["moderators"] = moderators
    for form in ("form_moderators", "moderators_form"):
        if isinstance(data.get(form), dict):
            given = dict(data[form])
            for key in FORM_PERSON_KEYS & given.keys():
                given[key] = of(given[key])
            for key in FORM_LIST_KEYS & given.keys():
                given[key] = [of(v) for v in given[key] or []]
            data[form] = given
    return data


def _rewrite_drafts(bind, of) -> None:
    drafts = sa.table("wizard_drafts", sa.column("id"), sa.column("data", sa.JSON))
    for draft_id, data in bind.execute(sa.select(drafts.c.id, drafts.c.data)).all():
        if data:
            bind.execute(drafts.update().where(drafts.c.id == draft_id).values(data=_rewrite_draft(data, of)))


def _rewrite_cache_keys(bind, of) -> None:
    # Profiles are cached per person; user groups' members stay the platform's own account ids.
    cache = sa.table("directory_cache", sa.column("key"))
    for key in bind.execute(sa.select(cache.c.key).where(cache.c.key.like("user:%"))).scalars().all():
        person_key = "user:" + str(of(key.removeprefix("user:")))
        if person_key != key:
            bind.execute(cache.delete().where(cache.c.key == person_key))
            bind.execute(cache.update().where(cache.c.key == key).values(key=person_key))


def upgrade() -> None:
    bind = op.get_bind()
    people = _People(bind)
    for table, column in PERSON_COLUMNS:
        _rewrite_column(bind, people, table, column)
    audit = sa.table("audit_entries", sa.column("subject_type"), sa.column("subject_id"))
    for value in bind.execute(sa.select(audit.c.subject_id).where(audit.c.subject_type == "person")
                              .distinct()).scalars().all():
        if people.of(value) != value:
            bind.execute(audit.update().where(audit.c.subject_type == "person", audit.c.subject_id == value)
                         .values(subject_id=people.of(value)))
    moderators = sa.table("moderators", sa.column("id"), sa.column("slack_user_id"))
    unlinked = sa.select(moderators.c.id).where(moderators.c.slack_user_id.is_(None))
    for moderator_id in bind.execute(unlinked).scalars().all():
        bind.execute(moderators.update().where(moderators.c.id == moderator_id)
                     .values(slack_user_id=people.new()))
    _rewrite_drafts(bind, people.of)
    _rewrite_cache_keys(bind, people.of)

    # RENAME COLUMN (SQLite 3.25+, PostgreSQL): a batch copy of groups would break the rows that refer to it.
    op.drop_index('ix_moderators_slack_user_id', table_name='moderators')
    op.execute("ALTER TABLE moderators RENAME COLUMN slack_user_id TO person_id")
    op.create_index(op.f('ix_moderators_person_id'), 'moderators', ['person_id'], unique=False)
    op.execute("ALTER TABLE groups RENAME COLUMN emergency_contact_user_id TO emergency_contact_person_id")


def downgrade() -> None:
    op.execute("ALTER TABLE groups RENAME COLUMN emergency_contact_person_id TO emergency_contact_user_id")
    op.drop_index(op.f('ix_moderators_person_id'), table_name='moderators')
    op.execute("ALTER TABLE moderators RENAME COLUMN person_id TO slack_user_id")
    op.create_index('ix_moderators_slack_user_id', 'moderators', ['slack_user_id'], unique=False)
    bind = op.get_bind()
    accounts = sa.table("platform_accounts", sa.column("person_id"), sa.column("platform"), sa.column("account_id"))
    slack = dict(bind.execute(sa.select(accounts.c.person_id, accounts.c.account_id)
                              .where(accounts.c.platform == PLATFORM)).all())
    for table, column in PERSON_COLUMNS:
        t = sa.table(table, sa.column(column))
        for person_id, account_id in slack.items():
            bind.execute(t.update().where(t.c[column] == person_id).values({column: account_id}))
    # Moderators on no platform were known by name alone before.
    moderators = sa.table("moderators", sa.column("slack_user_id"))
    bind.execute(moderators.update().where(moderators.c.slack_user_id.like("p%")).values(slack_user_id=None))
