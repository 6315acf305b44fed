"""outbox: an update sent as a new post on a page its original is not on

Revision ID: 0023
Revises: 0018
Create Date: 2026-12-03 20:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from piodesk.core.append_only import append_only_triggers

revision: str = '0023'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A person's decision is a record: append-only.
# (Kept in sync with piodesk.publishing.outbox_tables.APPEND_ONLY_0023 by a test.)
APPEND_ONLY = ("delivery_standalone",)


def upgrade() -> None:
    op.create_table('delivery_standalone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('original_state', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_by_name', sa.String(length=100), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by'], ['accounts.id'], name=op.f('fk_delivery_standalone_decided_by_accounts')),
    sa.ForeignKeyConstraint(['delivery_id'], ['publication_deliveries.id'], name=op.f('fk_delivery_standalone_delivery_id_publication_deliveries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_standalone')),
    sa.UniqueConstraint('delivery_id', name=op.f('uq_delivery_standalone_delivery_id'))
    )
    for statement in append_only_triggers(op.get_bind().dialect.name, APPEND_ONLY):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table('delivery_standalone')
