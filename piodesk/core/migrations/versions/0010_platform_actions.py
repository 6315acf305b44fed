"""platform actions (intent first) and one block in force per person and page

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 13:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('platform_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('lock_key', sa.String(length=260), nullable=True),
    sa.Column('subject_type', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.String(length=80), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('params', JSONType, nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('requested_by_name', sa.String(length=100), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('result_id', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['page_id'], ['pages.id'], name=op.f('fk_platform_actions_page_id_pages')),
    sa.ForeignKeyConstraint(['requested_by'], ['accounts.id'], name=op.f('fk_platform_actions_requested_by_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platform_actions')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_platform_actions_idempotency_key'))
    )
    with op.batch_alter_table('platform_actions', schema=None) as batch_op:
        batch_op.create_index('ix_platform_actions_state_requested', ['state', 'requested_at'], unique=False)
        batch_op.create_index('ix_platform_actions_subject', ['subject_type', 'subject_id'], unique=False)
        batch_op.create_index('ux_platform_actions_pending_lock', ['lock_key'], unique=True,
            sqlite_where=sa.text("state = 'pending' AND lock_key IS NOT NULL"),
            postgresql_where=sa.text("state = 'pending' AND lock_key IS NOT NULL"))

    # Before the database keeps one block in force per person and page, close the duplicates
    # the old race could leave (the earliest block stays in force; each later one says why).
    op.execute(
        "UPDATE moderation_blocks SET lifted_at = blocked_at, "
        "lifted_by_name = 'piodesk migration 0010', "
        "lift_reason = 'a second block in force of the same person on the same page "
        "(placed at the same time as an earlier one); the earlier block stays in force' "
        "WHERE lifted_at IS NULL AND EXISTS (SELECT 1 FROM moderation_blocks AS earlier "
        "WHERE earlier.lifted_at IS NULL AND earlier.page_id = moderation_blocks.page_id "
        "AND earlier.platform = moderation_blocks.platform "
        "AND earlier.person_id = moderation_blocks.person_id "
        "AND earlier.id < moderation_blocks.id)"
    )
    with op.batch_alter_table('moderation_blocks', schema=None) as batch_op:
        batch_op.create_index('ux_moderation_blocks_in_force', ['page_id', 'platform', 'person_id'], unique=True,
            sqlite_where=sa.text('lifted_at IS NULL'),
            postgresql_where=sa.text('lifted_at IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('moderation_blocks', schema=None) as batch_op:
        batch_op.drop_index('ux_moderation_blocks_in_force')
    with op.batch_alter_table('platform_actions', schema=None) as batch_op:
        batch_op.drop_index('ux_platform_actions_pending_lock')
        batch_op.drop_index('ix_platform_actions_subject')
        batch_op.drop_index('ix_platform_actions_state_requested')
    op.drop_table('platform_actions')
