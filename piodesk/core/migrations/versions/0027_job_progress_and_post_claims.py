"""records: background jobs' progress kept in the database; outbox: a platform post is one
delivery's

Revision ID: 0027
Revises: 0023
Create Date: 2026-12-04 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0027'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Only the deliveries that hold a platform id take part: pending, failed and unconfirmed
# ones have none (NULL, or '' once a person cleared it).
CLAIMED = "external_id IS NOT NULL AND external_id <> ''"


def upgrade() -> None:
    op.create_table('records_jobs',
    sa.Column('token', sa.String(length=40), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('ref', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('finished', sa.Boolean(), nullable=False),
    sa.Column('runner', sa.String(length=40), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['accounts.id'], name=op.f('fk_records_jobs_owner_id_accounts')),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_records_jobs'))
    )
    op.create_index('ix_records_jobs_owner_kind', 'records_jobs', ['owner_id', 'kind'], unique=False)
    op.create_index(
        'uq_publication_deliveries_page_external',
        'publication_deliveries',
        ['page_id', 'external_id'],
        unique=True,
        sqlite_where=sa.text(CLAIMED),
        postgresql_where=sa.text(CLAIMED),
    )


def downgrade() -> None:
    op.drop_index('uq_publication_deliveries_page_external', table_name='publication_deliveries')
    op.drop_index('ix_records_jobs_owner_kind', table_name='records_jobs')
    op.drop_table('records_jobs')
