"""reports of unofficial groups: cases and the reports linked to them

Revision ID: 0003_reports
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

import flows.db.base

revision = '0003_reports'
down_revision = '0001'
branch_labels = None
depends_on = None

# One open case per group: the partial unique index is the guarantee, whatever the workers do at the same moment.
OPEN = sa.text("state IN ('reported', 'approached')")


def upgrade() -> None:
    op.create_table('unofficial_group_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('normalised_name', sa.Text(), nullable=False),
    sa.Column('matched_names', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reported_by', sa.String(length=32), nullable=False),
    sa.Column('reported_at', flows.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('owner_id', sa.String(length=32), nullable=True),
    sa.Column('approached_at', flows.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.String(length=32), nullable=True),
    sa.Column('resolved_at', flows.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolution_reason', sa.Text(), nullable=True),
    sa.Column('message_channel', sa.String(length=32), nullable=True),
    sa.Column('message_ts', sa.String(length=32), nullable=True),
    sa.Column('posting_since', flows.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unofficial_group_cases'))
    )
    with op.batch_alter_table('unofficial_group_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unofficial_group_cases_reported_at'), ['reported_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_unofficial_group_cases_state'), ['state'], unique=False)
        batch_op.create_index(
            'uq_unofficial_group_cases_open_name', ['normalised_name'], unique=True,
            sqlite_where=OPEN, postgresql_where=OPEN,
        )

    op.create_table('unofficial_group_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('linked', sa.Boolean(), nullable=False),
    sa.Column('reporter_id', sa.String(length=32), nullable=False),
    sa.Column('reported_at', flows.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('matched_names', sa.JSON(), nullable=False),
    sa.Column('where_seen', sa.String(length=16), nullable=False),
    sa.Column('how_found', sa.Text(), nullable=False),
    sa.Column('knows_who_runs', sa.Boolean(), nullable=True),
    sa.Column('contact', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('submission_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['unofficial_group_cases.id'], name=op.f('fk_unofficial_group_reports_case_id_unofficial_group_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unofficial_group_reports')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_unofficial_group_reports_submission_id'))
    )
    with op.batch_alter_table('unofficial_group_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unofficial_group_reports_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unofficial_group_reports_reporter_id'), ['reporter_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('unofficial_group_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unofficial_group_reports_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_unofficial_group_reports_case_id'))

    op.drop_table('unofficial_group_reports')
    with op.batch_alter_table('unofficial_group_cases', schema=None) as batch_op:
        batch_op.drop_index('uq_unofficial_group_cases_open_name')
        batch_op.drop_index(batch_op.f('ix_unofficial_group_cases_state'))
        batch_op.drop_index(batch_op.f('ix_unofficial_group_cases_reported_at'))

    op.drop_table('unofficial_group_cases')
