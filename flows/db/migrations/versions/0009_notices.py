"""notices: the outbox holds notices (what happened, about what, for whom), not Slack Web API calls

Revision ID: 0009_notices
Revises: 0008_people

Rows of outbox_messages are converted, not drained: a decision awaiting sign-off must still have its request's
post edited in place on Approve, and draining would need Slack during a migration. Each row keeps its id (the
domain's columns point at it) and becomes a notice of the kind its dedupe key says (the sign-off request of
removal 12, a report's managers' card...): a delivered one keeps where it landed ({"channel", "ts"}, delivered by
"slack") but not its words; one still to be sent carries its Web API call whole (data["carried"]), so it is sent
exactly as it would have been. Rows no key explains become PLATFORM_CALL notices.
"""
import re

import sqlalchemy as sa
from alembic import op

import flows.db.base

revision = '0009_notices'
down_revision = '0008_people'
branch_labels = None
depends_on = None

RENAMED = (
    ('unofficial_group_cases', 'managers_message_id', 'managers_notice_id'),
    ('moderator_confirmations', 'request_message_id', 'request_notice_id'),
    ('moderator_checkins', 'request_message_id', 'request_notice_id'),
    ('agreement_circulations', 'reminder_message_id', 'reminder_notice_id'),
)

old = sa.table(
    'outbox_messages',
    sa.column('id', sa.Integer), sa.column('method', sa.String), sa.column('args', sa.JSON),
    sa.column('status', sa.String), sa.column('dedupe_key', sa.String), sa.column('depends_on_id', sa.Integer),
    sa.column('reference', sa.JSON), sa.column('attempts', sa.Integer),
    sa.column('next_attempt_at', flows.db.base.UTCDateTime(timezone=True)),
    sa.column('claim_token', sa.String), sa.column('lease_until', flows.db.base.UTCDateTime(timezone=True)),
    sa.column('last_error', sa.String), sa.column('result_channel', sa.String), sa.column('result_ts', sa.String),
    sa.column('created_at', flows.db.base.UTCDateTime(timezone=True)),
    sa.column('sent_at', flows.db.base.UTCDateTime(timezone=True)),
    sa.column('failed_at', flows.db.base.UTCDateTime(timezone=True)),
)


def upgrade() -> None:
    notices = op.create_table(
        'notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=48), nullable=False),
        sa.Column('subject_type', sa.String(length=48), nullable=False),
        sa.Column('subject_id', sa.String(length=64), nullable=False),
        sa.Column('person_id', sa.String(length=32), nullable=True),
        sa.Column('destination', sa.String(length=16), nullable=True),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('dedupe_key', sa.String(length=200), nullable=True),
        sa.Column('replaces_id', sa.Integer(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', flows.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('claim_token', sa.String(length=36), nullable=True),
        sa.Column('lease_until', flows.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=200), nullable=True),
        sa.Column('delivered_via', sa.String(length=16), nullable=True),
        sa.Column('delivered_ref', sa.JSON(), nullable=True),
        sa.Column('created_at', flows.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('sent_at', flows.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('failed_at', flows.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['replaces_id'], ['notices.id'], name=op.f('fk_notices_replaces_id_notices')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
        sa.UniqueConstraint('dedupe_key', name=op.f('uq_notices_dedupe_key')),
    )
    op.create_index(op.f('ix_notices_status'), 'notices', ['status'], unique=False)
    op.create_index(op.f('ix_notices_replaces_id'), 'notices', ['replaces_id'], unique=False)
    op.create_index('ix_notices_subject', 'notices', ['subject_type', 'subject_id', 'kind'], unique=False)
    op.create_index(op.f('ix_notices_person_id'), 'notices', ['person_id'], unique=False)

    connection = op.get_bind()
    rows = connection.execute(sa.select(old).order_by(old.c.id)).mappings().all()
    if rows:
        connection.execute(notices.insert(), [_notice(row) for row in rows])
        if connection.dialect.name == 'postgresql':
            connection.execute(sa.text("SELECT setval(pg_get_serial_sequence('notices', 'id'), "
                                       "(SELECT max(id) FROM notices))"))
    op.drop_table('outbox_messages')
    # RENAME COLUMN (SQLite 3.25+, PostgreSQL): a batch copy of a table would break the rows that refer to it.
    for table, before, after in RENAMED:
        op.execute(f"ALTER TABLE {table} RENAME COLUMN {before} TO {after}")


# What each kind of row was, read from its dedupe key: (pattern, kind, recipient from the key's groups).
KINDS = (
    (r'removal:(\d+):sign-off', 'removal.sign_off_requested', 'sign_off'),
    (r'removal:(\d+):ask:(.+)', 'removal.agree_requested', 2),
    (r'removal:(\d+):ask-done:(.+)', 'removal.agree_closed', 2),
    (r'removal:(\d+):sign-off-done:(\w+)', 'removal.sign_off_closed', 'sign_off'),
    (r'removal:(\d+):shared:(\w+):(.+)', 'removal.decision_shared', 3),
    (r'removal:(\d+):logger:(\w+)', 'removal.logger_told', None),
    (r'removal:(\d+):review:(.+)', 'removal.review_due', 2),
    (r'report:(\d+):managers:.+', 'report.managers_card', None),
    (r'report:(\d+):reporter:([^:]+):\w+', 'report.changed', 2),
    (r'report:(\d+):owner:report:\d+', 'report.owner_told', None),
    (r'report:(\d+):contacts:.+', 'report.contacts', None),
    (r'report:(\d+):undelivered:\d+:(.+)', 'report.follow_up', 2),
    (r'moderation:confirm:(\d+)', 'moderation.confirmation_requested', None),
    (r'moderation:circulate:(\d+)', 'moderation.circulation_due', None),
    (r'moderation:checkin:(\d+)', 'moderation.checkin_requested', None),
    (r'moderation:stepped-down:(\d+):(.+)', 'moderation.stepped_down', 2),
    (r'group:(\d+):kit:\d+', 'group.kit', None),
    (r'outbox-failed:(\d+)', 'delivery_failed', 'admins'),
)
SUBJECTS = {'removal': 'removal', 'report': 'unofficial_group_case', 'group': 'group', 'outbox-failed': 'notice',
            'moderation:confirm': 'moderator_confirmation', 'moderation:circulate': 'agreement_circulation',
            'moderation:checkin': 'moderator_checkin', 'moderation:stepped-down': 'moderator'}


def _notice(row) -> dict:
    """A row as a notice. Its kind and recipient come from its key; a row still to be sent keeps its Web API call
    ("carried"), sent as it was queued; a delivered one keeps only where it landed, not its words."""
    reference = row['reference'] or {}
    args = row['args'] or {}
    channel = args.get('channel')
    person = channel if isinstance(channel, str) and channel[:1] in 'UW' else None
    kind, destination = 'platform_call', None
    subject_type, subject_id = str(reference.get('type') or 'message'), str(reference.get('id', ''))
    data: dict = {'platform': 'slack'}
    for pattern, name, recipient in KINDS:
        found = re.fullmatch(pattern, row['dedupe_key'] or '')
        if found is None:
            continue
        kind = name
        key = row['dedupe_key'] or ''
        prefix = ':'.join(key.split(':', 2)[:2]) if key.startswith('moderation:') else key.split(':', 1)[0]
        subject_type, subject_id = SUBJECTS.get(prefix, subject_type), found.group(1)
        if isinstance(recipient, str):
            destination, person = recipient, None
        elif isinstance(recipient, int):
            person = found.group(recipient)
        break
    if kind == 'report.managers_card' and channel and not person:
        destination = 'managers'
    if row['method'] == 'chat.update':
        kind = {'removal.agree_requested': 'removal.agree_closed'}.get(kind, kind)
    if row['status'] != 'sent':
        data['carried'] = {'method': row['method'], 'args': args}
    if reference:
        data['reference'] = reference
    sent = row['status'] == 'sent'
    return {
        'id': row['id'], 'kind': kind, 'subject_type': subject_type, 'subject_id': subject_id,
        'person_id': person, 'destination': destination, 'data': data,
        'status': row['status'], 'dedupe_key': row['dedupe_key'], 'replaces_id': row['depends_on_id'],
        'attempts': row['attempts'], 'next_attempt_at': row['next_attempt_at'], 'claim_token': row['claim_token'],
        'lease_until': row['lease_until'], 'last_error': row['last_error'],
        'delivered_via': 'slack' if sent else None,
        'delivered_ref': {'channel': row['result_channel'], 'ts': row['result_ts']} if sent else None,
        'created_at': row['created_at'], 'sent_at': row['sent_at'], 'failed_at': row['failed_at'],
    }


def downgrade() -> None:
    """Back to an empty outbox_messages table: notices are not Web API calls, so none is carried back (anything
    still pending is lost; take a backup before downgrading)."""
    for table, before, after in RENAMED:
        op.execute(f"ALTER TABLE {table} RENAME COLUMN {after} TO {before}")
    op.create_table(
        'outbox_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=64), nullable=False),
        sa.Column('args', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('dedupe_key', sa.String(length=200), nullable=True),
        sa.Column('depends_on_id', sa.Integer(), nullable=True),
        sa.Column('reference', sa.JSON(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', flows.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('claim_token', sa.String(length=36), nullable=True),
        sa.Column('lease_until', flows.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=200), nullable=True),
        sa.Column('result_channel', sa.String(length=32), nullable=True),
        sa.Column('result_ts', sa.String(length=32), nullable=True),
        sa.Column('created_at', flows.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('sent_at', flows.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('failed_at', flows.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['depends_on_id'], ['outbox_messages.id'],
                                name=op.f('fk_outbox_messages_depends_on_id_outbox_messages')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
        sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_messages_dedupe_key')),
    )
    op.create_index(op.f('ix_outbox_messages_status'), 'outbox_messages', ['status'], unique=False)
    op.create_index(op.f('ix_outbox_messages_depends_on_id'), 'outbox_messages', ['depends_on_id'], unique=False)
    op.drop_table('notices')
