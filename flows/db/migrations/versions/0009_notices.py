"""notices: the outbox holds notices (what happened, about what, for whom), not Slack Web API calls

Revision ID: 0009_notices
Revises: 0008_people

Rows of outbox_messages are converted, not drained: a decision awaiting sign-off must still have its request's
post edited in place on Approve, and draining would need Slack during a migration. Each row keeps its id (the
domain's columns point at it) and becomes a notice: a delivered one keeps where it landed ({"channel", "ts"},
delivered by "slack"); a pending one is carried whole, as a PLATFORM_CALL (its Web API call, rendered when it was
queued), so it is sent exactly as it would have been.
"""
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
    for table, before, after in RENAMED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(before, new_column_name=after)


def _notice(row) -> dict:
    reference = row['reference'] or {}
    args = row['args'] or {}
    channel = args.get('channel')
    sent = row['status'] == 'sent'
    return {
        'id': row['id'], 'kind': 'platform_call',
        'subject_type': str(reference.get('type') or 'message'), 'subject_id': str(reference.get('id', '')),
        'person_id': channel if isinstance(channel, str) and channel[:1] in 'UW' else None, 'destination': None,
        'data': {'platform': 'slack', 'method': row['method'], 'args': args, 'reference': reference},
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
        with op.batch_alter_table(table) as batch:
            batch.alter_column(after, new_column_name=before)
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
