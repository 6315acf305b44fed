"""consistency roll-ups: each decided case and each distinct text decided on, derived and
rebuildable, so the consistency report for a year of a million comments reads at once (issue 15)

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
    op.create_table('report_consistency_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('shingles', sa.LargeBinary(), nullable=False),
    sa.Column('bands', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_consistency_texts')),
    sa.UniqueConstraint('digest', name=op.f('uq_report_consistency_texts_digest'))
    )
    op.create_table('report_consistency_cases',
    sa.Column('case_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('decided_us', sa.BigInteger(), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('text_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_report_consistency_cases'))
    )
    with op.batch_alter_table('report_consistency_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_consistency_cases_decided_us'), ['decided_us'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_consistency_cases_text_id'), ['text_id'], unique=False)

    op.create_table('report_consistency_marks',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('marks', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_consistency_marks'))
    )


def downgrade() -> None:
    op.drop_table('report_consistency_marks')
    with op.batch_alter_table('report_consistency_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_consistency_cases_text_id'))
        batch_op.drop_index(batch_op.f('ix_report_consistency_cases_decided_us'))
    op.drop_table('report_consistency_cases')
    op.drop_table('report_consistency_texts')
