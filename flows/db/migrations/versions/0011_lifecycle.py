"""lifecycle: groups close and reopen; members welcomed after the start

Revision ID: 0011_lifecycle
Revises: 0010_teams_conversations
"""
import sqlalchemy as sa
from alembic import op

import flows.db.base

revision = '0011_lifecycle'
down_revision = '0010_teams_conversations'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('groups') as batch:
        batch.add_column(sa.Column('closed_at', flows.db.base.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('closed_as', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('closed_by', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('closed_reason', sa.Text(), nullable=True))
        batch.create_index(batch.f('ix_groups_closed_at'), ['closed_at'], unique=False)
    op.create_table(
        'member_welcomes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('member_ref', sa.String(length=40), nullable=False),
        sa.Column('welcomed_by', sa.String(length=32), nullable=False),
        sa.Column('welcomed_at', flows.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_member_welcomes_group_id_groups')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_member_welcomes')),
    )
    op.create_index(op.f('ix_member_welcomes_group_id'), 'member_welcomes', ['group_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_member_welcomes_group_id'), table_name='member_welcomes')
    op.drop_table('member_welcomes')
    with op.batch_alter_table('groups') as batch:
        batch.drop_index(batch.f('ix_groups_closed_at'))
        batch.drop_column('closed_reason')
        batch.drop_column('closed_by')
        batch.drop_column('closed_as')
        batch.drop_column('closed_at')
