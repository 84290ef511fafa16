"""people: the app's own ids for people, with their accounts on chat platforms

Revision ID: 0008_people
Revises: 0007_indexes
"""
import sqlalchemy as sa
from alembic import op

import flows.db.base

revision = '0008_people'
down_revision = '0007_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'people',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('created_at', flows.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    )
    op.create_table(
        'platform_accounts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.String(length=32), nullable=False),
        sa.Column('platform', sa.String(length=16), nullable=False),
        sa.Column('account_id', sa.String(length=128), nullable=False),
        sa.Column('created_at', flows.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_platform_accounts_person_id_people')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_platform_accounts')),
        sa.UniqueConstraint('platform', 'account_id', name='uq_platform_accounts_account'),
        sa.UniqueConstraint('person_id', 'platform', name='uq_platform_accounts_person_platform'),
    )
    op.create_index(op.f('ix_platform_accounts_person_id'), 'platform_accounts', ['person_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_platform_accounts_person_id'), table_name='platform_accounts')
    op.drop_table('platform_accounts')
    op.drop_table('people')
