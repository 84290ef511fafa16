"""home refreshes queued for the clock

The web workers queue whose Home to publish again (flows/home/refreshes.py); the clock composes and publishes them.
One row per person.

Revision ID: 0014_home_refreshes
Revises: 0013_home_indexes
"""
import sqlalchemy as sa
from alembic import op

import flows.db.base

revision = '0014_home_refreshes'
down_revision = '0013_home_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'home_refreshes',
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('chosen', sa.JSON(), nullable=True),
        sa.Column('requested_at', flows.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('user_id'),
    )
    op.create_index('ix_home_refreshes_requested_at', 'home_refreshes', ['requested_at'])


def downgrade() -> None:
    op.drop_index('ix_home_refreshes_requested_at', table_name='home_refreshes')
    op.drop_table('home_refreshes')
