"""report roll-ups: the transparency report's closed months, derived and rebuildable (issue 15)

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-03 20:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Derived data, not evidence: no append-only triggers (the refresh job replaces a month).
    op.create_table('report_rollup_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('captured', sa.Integer(), nullable=True),
    sa.Column('flagged', sa.Integer(), nullable=False),
    sa.Column('kept', sa.Integer(), nullable=False),
    sa.Column('hidden', sa.Integer(), nullable=False),
    sa.Column('removed', sa.Integer(), nullable=False),
    sa.Column('restored', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.Integer(), nullable=False),
    sa.Column('blocks', sa.Integer(), nullable=False),
    sa.Column('decided', sa.Integer(), nullable=False),
    sa.Column('median_hours_to_decision', sa.Float(), nullable=True),
    sa.Column('acted_without_finding', sa.Integer(), nullable=False),
    sa.Column('acted_against_finding', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_rollup_rows'))
    )
    with op.batch_alter_table('report_rollup_rows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_rollup_rows_month'), ['month'], unique=False)

    op.create_table('report_rollup_months',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('median_hours_to_decision', sa.Float(), nullable=True),
    sa.Column('marks', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_report_rollup_months'))
    )


def downgrade() -> None:
    op.drop_table('report_rollup_months')
    with op.batch_alter_table('report_rollup_rows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_rollup_rows_month'))
    op.drop_table('report_rollup_rows')
