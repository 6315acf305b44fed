"""publishing outbox: publications (append-only), one delivery per (publication, page), notices

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 16:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from piodesk.core.append_only import append_only_triggers
from sqlalchemy.dialects import postgresql

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')

# What the department published is evidence: append-only, like the audit log.
# (Kept in sync with piodesk.publishing.outbox_tables.APPEND_ONLY by a test.)
APPEND_ONLY = ("publications",)


def _triggers(dialect: str) -> list[str]:
    return append_only_triggers(dialect, APPEND_ONLY)


def upgrade() -> None:
    op.create_table('publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=80), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('media', JSONType, nullable=False),
    sa.Column('reply_to_external_id', sa.String(length=200), nullable=True),
    sa.Column('thread_under_id', sa.Integer(), nullable=True),
    sa.Column('scheduled_for', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_by_name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['accounts.id'], name=op.f('fk_publications_created_by_accounts')),
    sa.ForeignKeyConstraint(['thread_under_id'], ['publications.id'], name=op.f('fk_publications_thread_under_id_publications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publications'))
    )
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publications_source'), ['source'], unique=False)
        batch_op.create_index(batch_op.f('ix_publications_thread_under_id'), ['thread_under_id'], unique=False)

    op.create_table('publication_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('external_url', sa.String(length=1000), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['platform_actions.id'], name=op.f('fk_publication_deliveries_action_id_platform_actions')),
    sa.ForeignKeyConstraint(['page_id'], ['pages.id'], name=op.f('fk_publication_deliveries_page_id_pages')),
    sa.ForeignKeyConstraint(['publication_id'], ['publications.id'], name=op.f('fk_publication_deliveries_publication_id_publications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_deliveries')),
    sa.UniqueConstraint('publication_id', 'page_id', name=op.f('uq_publication_deliveries_publication_id'))
    )
    with op.batch_alter_table('publication_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_publication_deliveries_state_due', ['state', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_publication_deliveries_publication_id'), ['publication_id'], unique=False)

    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('template', sa.String(length=30), nullable=False),
    sa.Column('values', JSONType, nullable=False),
    sa.Column('times', JSONType, nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('page_ids', JSONType, nullable=False),
    sa.Column('original_id', sa.Integer(), nullable=True),
    sa.Column('drafted_by', sa.Integer(), nullable=True),
    sa.Column('drafted_by_name', sa.String(length=100), nullable=False),
    sa.Column('drafted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('identifier', sa.String(length=120), nullable=True),
    sa.Column('approved_by', sa.Integer(), nullable=True),
    sa.Column('approved_by_name', sa.String(length=100), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('publication_id', sa.Integer(), nullable=True),
    sa.Column('extra', JSONType, nullable=False),
    sa.ForeignKeyConstraint(['approved_by'], ['accounts.id'], name=op.f('fk_notices_approved_by_accounts')),
    sa.ForeignKeyConstraint(['drafted_by'], ['accounts.id'], name=op.f('fk_notices_drafted_by_accounts')),
    sa.ForeignKeyConstraint(['original_id'], ['notices.id'], name=op.f('fk_notices_original_id_notices')),
    sa.ForeignKeyConstraint(['publication_id'], ['publications.id'], name=op.f('fk_notices_publication_id_publications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    sa.UniqueConstraint('identifier', name=op.f('uq_notices_identifier'))
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index('ix_notices_state_approved', ['state', 'approved_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_original_id'), ['original_id'], unique=False)

    # The sandbox platform takes photos with a post (its own storage, not piodesk's records).
    op.create_table('sandbox_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('mime_type', sa.String(length=40), nullable=False),
    sa.Column('alt_text', sa.Text(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['sandbox_posts.id'], name=op.f('fk_sandbox_photos_post_id_sandbox_posts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sandbox_photos'))
    )
    with op.batch_alter_table('sandbox_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sandbox_photos_post_id'), ['post_id'], unique=False)

    for statement in _triggers(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    with op.batch_alter_table('sandbox_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sandbox_photos_post_id'))
    op.drop_table('sandbox_photos')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_original_id'))
        batch_op.drop_index('ix_notices_state_approved')
    op.drop_table('notices')
    with op.batch_alter_table('publication_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publication_deliveries_publication_id'))
        batch_op.drop_index('ix_publication_deliveries_state_due')
    op.drop_table('publication_deliveries')
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publications_thread_under_id'))
        batch_op.drop_index(batch_op.f('ix_publications_source'))
    op.drop_table('publications')
