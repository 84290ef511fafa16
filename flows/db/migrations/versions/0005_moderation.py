"""moderation: M8 confirmations, A3 circulations, M9 check-ins and vacancies; moderators.stepped_down_at

Revision ID: 0005_moderation
Revises: 0004_outbox
"""
import sqlalchemy as sa
from alembic import op

import flows.db.base

revision = '0005_moderation'
down_revision = '0004_outbox'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('moderators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stepped_down_at', flows.db.base.UTCDateTime(timezone=True), nullable=True))

    op.create_table('moderator_confirmations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', flows.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('request_message_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', flows.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by', sa.String(length=32), nullable=True),
    sa.Column('on_behalf', sa.Boolean(), nullable=False),
    sa.Column('emergency_contact_sent_at', flows.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('emergency_contact_sent_to', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_moderator_confirmations_group_id_groups')),
    sa.ForeignKeyConstraint(['moderator_id'], ['moderators.id'],
                            name=op.f('fk_moderator_confirmations_moderator_id_moderators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderator_confirmations')),
    sa.UniqueConstraint('moderator_id', name=op.f('uq_moderator_confirmations_moderator_id'))
    )
    with op.batch_alter_table('moderator_confirmations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderator_confirmations_group_id'), ['group_id'], unique=False)

    op.create_table('agreement_circulations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('reminded_at', flows.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reminder_message_id', sa.Integer(), nullable=True),
    sa.Column('circulated_at', flows.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('circulated_by', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_agreement_circulations_group_id_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_circulations')),
    sa.UniqueConstraint('group_id', 'due_on', name='uq_agreement_circulations_group_due')
    )
    with op.batch_alter_table('agreement_circulations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_circulations_group_id'), ['group_id'], unique=False)

    op.create_table('moderator_checkins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('asked_at', flows.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('request_message_id', sa.Integer(), nullable=True),
    sa.Column('answer', sa.String(length=16), nullable=True),
    sa.Column('answered_at', flows.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sa.String(length=32), nullable=True),
    sa.Column('on_behalf', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_moderator_checkins_group_id_groups')),
    sa.ForeignKeyConstraint(['moderator_id'], ['moderators.id'],
                            name=op.f('fk_moderator_checkins_moderator_id_moderators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderator_checkins')),
    sa.UniqueConstraint('moderator_id', 'due_on', name='uq_moderator_checkins_moderator_due')
    )
    with op.batch_alter_table('moderator_checkins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderator_checkins_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderator_checkins_moderator_id'), ['moderator_id'], unique=False)

    op.create_table('moderator_vacancies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', flows.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('opened_by', sa.String(length=32), nullable=False),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('filled_at', flows.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_moderator_vacancies_group_id_groups')),
    sa.ForeignKeyConstraint(['moderator_id'], ['moderators.id'],
                            name=op.f('fk_moderator_vacancies_moderator_id_moderators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderator_vacancies')),
    sa.UniqueConstraint('moderator_id', name=op.f('uq_moderator_vacancies_moderator_id'))
    )
    with op.batch_alter_table('moderator_vacancies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderator_vacancies_group_id'), ['group_id'], unique=False)


def downgrade() -> None:
    op.drop_table('moderator_vacancies')
    op.drop_table('moderator_checkins')
    op.drop_table('agreement_circulations')
    op.drop_table('moderator_confirmations')
    with op.batch_alter_table('moderators', schema=None) as batch_op:
        batch_op.drop_column('stepped_down_at')
