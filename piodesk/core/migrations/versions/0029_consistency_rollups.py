"""consistency roll-ups: each month's decided cases and the texts they were decided on, packed,
derived and rebuildable, so the consistency report for a year of a million comments reads at
once (issue 15)

Revision ID: 0029
Revises: 0027
Create Date: 2026-12-04 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0029'
down_revision: str | None = '0027'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Derived data, not evidence: no append-only triggers (the refresh job replaces rows).
    op.create_table('report_consistency_months',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.Column('case_ids', sa.LargeBinary(), nullable=False),
    sa.Column('pages', sa.LargeBinary(), nullable=False),
    sa.Column('outcomes', sa.LargeBinary(), nullable=False),
    sa.Column('decided', sa.LargeBinary(), nullable=False),
    sa.Column('texts', sa.LargeBinary(), nullable=False),
    sa.Column('digests', sa.LargeBinary(), nullable=False),
    sa.Column('sizes', sa.LargeBinary(), nullable=False),
    sa.Column('shingles', sa.LargeBinary(), nullable=False),
    sa.Column('bands', sa.LargeBinary(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_report_consistency_months'))
    )
    op.create_table('report_consistency_marks',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('marks', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_consistency_marks'))
    )


def downgrade() -> None:
    op.drop_table('report_consistency_marks')
    op.drop_table('report_consistency_months')
