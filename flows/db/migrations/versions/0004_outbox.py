"""outbox (messages queued with the change they report) and job runs (each scheduled run once)

Revision ID: 0004_outbox
Revises: 0001
Create Date: 2026-11-24 12:00:00
"""
import sqlalchemy as sa
from alembic import op

import flows.db.base

revision = '0004_outbox'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox_messages',
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
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_messages_dedupe_key'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_messages_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_depends_on_id'), ['depends_on_id'], unique=False)

    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=100), nullable=False),
    sa.Column('due_key', sa.String(length=200), nullable=False),
    sa.Column('ran_at', flows.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    sa.UniqueConstraint('job', 'due_key', name='uq_job_runs_job_due_key')
    )


def downgrade() -> None:
    op.drop_table('job_runs')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_depends_on_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_messages_status'))

    op.drop_table('outbox_messages')
