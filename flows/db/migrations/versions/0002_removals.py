"""removal decisions

Revision ID: 0002_removals
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

import flows.db.base

revision = '0002_removals'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('removal_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('member_ref', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('breaches', sa.JSON(), nullable=False),
    sa.Column('tried_first', sa.JSON(), nullable=False),
    sa.Column('review_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('logged_by', sa.String(length=32), nullable=False),
    sa.Column('logged_at', flows.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('agreed_by', sa.String(length=32), nullable=True),
    sa.Column('agreed_at', flows.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=32), nullable=True),
    sa.Column('decided_at', flows.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('submission_key', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['corrects_id'], ['removal_decisions.id'], name=op.f('fk_removal_decisions_corrects_id_removal_decisions')),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_removal_decisions_group_id_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_removal_decisions')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_removal_decisions_submission_key'))
    )
    with op.batch_alter_table('removal_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_removal_decisions_corrects_id'), ['corrects_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_removal_decisions_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_removal_decisions_logged_by'), ['logged_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_removal_decisions_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('removal_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_removal_decisions_status'))
        batch_op.drop_index(batch_op.f('ix_removal_decisions_logged_by'))
        batch_op.drop_index(batch_op.f('ix_removal_decisions_group_id'))
        batch_op.drop_index(batch_op.f('ix_removal_decisions_corrects_id'))
    op.drop_table('removal_decisions')
