"""indexes the App Home's lists of removals waiting need, so that a Home costs the same whatever the register holds

flows/home/waiting.py lists the first few removals waiting for someone and counts the rest. `python -m bench` with
the large register (50,000 removals, 1,447 awaiting sign-off, 1,022 awaiting agreement) read every waiting row, whole,
for each Home: 7.5 and 6.3 ms of SQLite's time, more than the rest of the Home together. With these indexes the
removals to agree to are read from the person's own groups (group_id, status), the first removals to sign off in
order (status, logged_at, id) and their count from the index alone (status, logged_by, agreed_by): 0.03, 0.03 and
0.16 ms.

The RemovalDecision model declares the same indexes (flows/removals/models.py), so autogenerate keeps them.

Revision ID: 0013_home_indexes
Revises: 0012_people_columns
"""
from alembic import op

revision = '0013_home_indexes'
down_revision = '0012_people_columns'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_removal_decisions_group_id_status', 'removal_decisions', ['group_id', 'status'])
    op.create_index('ix_removal_decisions_status_logged_at', 'removal_decisions', ['status', 'logged_at', 'id'])
    op.create_index('ix_removal_decisions_status_deciders', 'removal_decisions',
                    ['status', 'logged_by', 'agreed_by'])


def downgrade() -> None:
    op.drop_index('ix_removal_decisions_status_deciders', table_name='removal_decisions')
    op.drop_index('ix_removal_decisions_status_logged_at', table_name='removal_decisions')
    op.drop_index('ix_removal_decisions_group_id_status', table_name='removal_decisions')
