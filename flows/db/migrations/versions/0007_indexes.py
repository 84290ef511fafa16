"""indexes the benchmark found missing: the register's pages in name order

The App Home shows the register a page at a time, ordered by name (flows/home/register.py: ORDER BY name, id
LIMIT/OFFSET). Without an index SQLite reads and sorts every group for each page, on every Home refresh (after each
click): `python -m bench` saw "SCAN groups / USE TEMP B-TREE FOR ORDER BY" with 10,000 groups. With this index the
page is read in order and the reading stops at the page's end.

To keep autogenerate from dropping it, the Group model should declare the same index:
`__table_args__ = (Index("ix_groups_name_id", "name", "id"),)` in flows/groups/models.py.

Also a merge revision: it joins the heads that existed when it was written.

Revision ID: 0007_indexes
Revises: 0002_removals, 0005_moderation, 0006_reports_outbox
"""
from alembic import op

revision = '0007_indexes'
down_revision = ('0002_removals', '0005_moderation', '0006_reports_outbox')
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_groups_name_id', 'groups', ['name', 'id'])


def downgrade() -> None:
    op.drop_index('ix_groups_name_id', table_name='groups')
