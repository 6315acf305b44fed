"""records: background jobs' progress kept in the database; outbox: a platform post is one
delivery's (outbox_post_claims)

Revision ID: 0027
Revises: 0023
Create Date: 2026-12-04 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from piodesk.core.append_only import append_only_triggers

revision: str = '0027'
down_revision: str | None = '0025'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A claim is never changed. (Kept in sync with piodesk.publishing.outbox_tables.APPEND_ONLY_0027
# by a test.)
APPEND_ONLY = ("outbox_post_claims",)

# The deliveries already sent claim their posts: what each sits under is the comment a reply
# answers, or the original's post on the same page for a threaded update (unless a person
# sent that update as a post of its own), else nothing. Should two old deliveries hold one
# post, the first keeps it (the other is left for a person, as the reconciler now would).
BACKFILL = """
INSERT INTO outbox_post_claims (delivery_id, page_id, parent_external_id, external_id, claimed_at)
SELECT MIN(c.delivery_id), c.page_id, c.parent, c.external_id, MIN(c.sent_at)
FROM (
    SELECT d.id AS delivery_id, d.page_id AS page_id, d.external_id AS external_id,
           COALESCE(d.sent_at, d.updated_at) AS sent_at,
           COALESCE(p.reply_to_external_id, o.external_id, '') AS parent
    FROM publication_deliveries d
    JOIN publications p ON p.id = d.publication_id
    LEFT JOIN publication_deliveries o
        ON o.publication_id = p.thread_under_id AND o.page_id = d.page_id
        AND NOT EXISTS (SELECT 1 FROM delivery_standalone s WHERE s.delivery_id = d.id)
    WHERE d.external_id IS NOT NULL AND d.external_id <> ''
) c
GROUP BY c.page_id, c.parent, c.external_id
"""


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
    op.create_table('outbox_post_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.Column('parent_external_id', sa.String(length=200), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['publication_deliveries.id'], name=op.f('fk_outbox_post_claims_delivery_id_publication_deliveries')),
    sa.ForeignKeyConstraint(['page_id'], ['pages.id'], name=op.f('fk_outbox_post_claims_page_id_pages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_post_claims')),
    sa.UniqueConstraint('delivery_id', name=op.f('uq_outbox_post_claims_delivery_id')),
    sa.UniqueConstraint('page_id', 'parent_external_id', 'external_id', name=op.f('uq_outbox_post_claims_page_id'))
    )
    op.execute(BACKFILL)
    for statement in append_only_triggers(op.get_bind().dialect.name, APPEND_ONLY):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table('outbox_post_claims')
    op.drop_index('ix_records_jobs_owner_kind', table_name='records_jobs')
    op.drop_table('records_jobs')
