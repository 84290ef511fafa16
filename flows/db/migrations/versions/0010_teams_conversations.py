"""teams conversations: the conversation references the Teams adapter keeps, to write to people first

Revision ID: 0010_teams_conversations
Revises: 0009_notices
"""
import sqlalchemy as sa
from alembic import op

import flows.db.base

revision = '0010_teams_conversations'
down_revision = '0009_notices'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'teams_conversations',
        sa.Column('conversation_id', sa.String(length=200), nullable=False),
        sa.Column('conversation_type', sa.String(length=16), nullable=False),
        sa.Column('service_url', sa.String(length=300), nullable=False),
        sa.Column('tenant_id', sa.String(length=64), nullable=True),
        sa.Column('person_id', sa.String(length=32), nullable=True),
        sa.Column('teams_user_id', sa.String(length=200), nullable=True),
        sa.Column('updated_at', flows.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('conversation_id', name=op.f('pk_teams_conversations')),
        sa.UniqueConstraint('person_id', name=op.f('uq_teams_conversations_person_id')),
    )


def downgrade() -> None:
    op.drop_table('teams_conversations')
