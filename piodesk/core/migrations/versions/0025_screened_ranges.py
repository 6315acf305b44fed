"""moderation: ranges screened by workers, waiting for intake's one writer

Revision ID: 0025
Revises: 0023
Create Date: 2026-12-04 14:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0025'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A work queue, not evidence (the writer deletes what it has written): no append-only
    # triggers. See piodesk.moderation.tables.ScreenedRange.
    op.create_table('moderation_screened_ranges',
    sa.Column('upto', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('after', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('verdicts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('screened_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('upto', name=op.f('pk_moderation_screened_ranges'))
    )


def downgrade() -> None:
    op.drop_table('moderation_screened_ranges')
