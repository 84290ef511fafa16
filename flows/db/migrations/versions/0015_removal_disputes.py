"""removals never dead-end: a staff moderator's "I don't agree", a withdrawal, a member of staff asked in place

A permanent removal waiting for R2's staff agreement can now end as not agreed (who, when, why) or withdrawn by the
person who logged it (when, and why if they said), and, when no staff moderator of the group is on a chat platform,
wait for a member of staff the logger asked in their place (who, when). New statuses (not_agreed, withdrawn) need no
schema change: the status column is a string.

Revision ID: 0015_removal_disputes
Revises: 0014_home_refreshes
"""
import sqlalchemy as sa
from alembic import op

import flows.db.base

revision = '0015_removal_disputes'
down_revision = '0014_home_refreshes'
branch_labels = None
depends_on = None

COLUMNS = (
    ('disagreed_by', sa.String(length=32)),
    ('disagreed_at', flows.db.base.UTCDateTime(timezone=True)),
    ('disagreement_reason', sa.Text()),
    ('withdrawn_at', flows.db.base.UTCDateTime(timezone=True)),
    ('withdrawal_reason', sa.Text()),
    ('agreement_asked_of', sa.String(length=32)),
    ('agreement_asked_at', flows.db.base.UTCDateTime(timezone=True)),
)


def upgrade() -> None:
    with op.batch_alter_table('removal_decisions') as table:
        for name, type_ in COLUMNS:
            table.add_column(sa.Column(name, type_, nullable=True))
    op.create_index('ix_removal_decisions_agreement_asked_of', 'removal_decisions', ['agreement_asked_of'])


def downgrade() -> None:
    op.drop_index('ix_removal_decisions_agreement_asked_of', table_name='removal_decisions')
    with op.batch_alter_table('removal_decisions') as table:
        for name, _ in reversed(COLUMNS):
            table.drop_column(name)
