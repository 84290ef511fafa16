"""reports' messages through the outbox: the case points to its managers' message in the outbox instead of
keeping its own channel, ts and posting claim

Revision ID: 0006_reports_outbox
Revises: 0003_reports
Depends on: 0004_outbox (the outbox's table receives the messages already posted)
"""
import sqlalchemy as sa
from alembic import op

import flows.db.base

revision = '0006_reports_outbox'
down_revision = '0003_reports'
branch_labels = None
depends_on = '0004_outbox'

cases = sa.table(
    'unofficial_group_cases',
    sa.column('id', sa.Integer()),
    sa.column('message_channel', sa.String()),
    sa.column('message_ts', sa.String()),
    sa.column('managers_message_id', sa.Integer()),
)
outbox = sa.table(
    'outbox_messages',
    sa.column('id', sa.Integer()),
    sa.column('method', sa.String()),
    sa.column('args', sa.JSON()),
    sa.column('status', sa.String()),
    sa.column('dedupe_key', sa.String()),
    sa.column('reference', sa.JSON()),
    sa.column('attempts', sa.Integer()),
    sa.column('result_channel', sa.String()),
    sa.column('result_ts', sa.String()),
    sa.column('created_at', flows.db.base.UTCDateTime(timezone=True)),
    sa.column('sent_at', flows.db.base.UTCDateTime(timezone=True)),
)


def upgrade() -> None:
    op.add_column('unofficial_group_cases', sa.Column('managers_message_id', sa.Integer(), nullable=True))
    # A message posted before this change is recorded as a sent outbox message, so that the case's next change
    # still edits it in place rather than posting a second one.
    connection = op.get_bind()
    now = flows.db.base.utcnow()
    posted = connection.execute(
        sa.select(cases.c.id, cases.c.message_channel, cases.c.message_ts)
        .where(cases.c.message_ts.is_not(None), cases.c.message_channel.is_not(None))
    ).all()
    for case_id, channel, ts in posted:
        key = f'report:{case_id}:managers:post:before-outbox'
        # Upgraded before, downgraded, upgraded again: the row from the first time is still there.
        message_id = connection.execute(sa.select(outbox.c.id).where(outbox.c.dedupe_key == key)).scalar()
        if message_id is None:
            message_id = connection.execute(
                outbox.insert().values(
                    method='chat.postMessage', args={'channel': channel}, status='sent', dedupe_key=key,
                    reference={'type': 'unofficial_group_case', 'id': case_id, 'message': 'managers_post'},
                    attempts=1, result_channel=channel, result_ts=ts, created_at=now, sent_at=now,
                ).returning(outbox.c.id)
            ).scalar_one()
        connection.execute(cases.update().where(cases.c.id == case_id).values(managers_message_id=message_id))
    with op.batch_alter_table('unofficial_group_cases', recreate='never') as batch_op:
        batch_op.drop_column('posting_since')
        batch_op.drop_column('message_ts')
        batch_op.drop_column('message_channel')


def downgrade() -> None:
    with op.batch_alter_table('unofficial_group_cases', recreate='never') as batch_op:
        batch_op.add_column(sa.Column('message_channel', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('message_ts', sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column('posting_since', flows.db.base.UTCDateTime(timezone=True), nullable=True)
        )
    connection = op.get_bind()
    # Where each case's message landed: the last sent message of its chain carries the channel and ts.
    landed = connection.execute(
        sa.select(cases.c.id, outbox.c.result_channel, outbox.c.result_ts)
        .join(outbox, outbox.c.id == cases.c.managers_message_id)
        .where(outbox.c.status == 'sent')
    ).all()
    for case_id, channel, ts in landed:
        connection.execute(cases.update().where(cases.c.id == case_id).values(message_channel=channel, message_ts=ts))
    with op.batch_alter_table('unofficial_group_cases', recreate='never') as batch_op:
        batch_op.drop_column('managers_message_id')
