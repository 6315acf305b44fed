"""archive: records, immutable hash-chained versions, media, import runs, ingest cursors

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SQLITE_STATEMENTS = [
    """CREATE TRIGGER archive_versions_no_update BEFORE UPDATE ON archive_versions
       BEGIN SELECT RAISE(ABORT, 'archive_versions is append-only'); END""",
    """CREATE TRIGGER archive_versions_no_delete BEFORE DELETE ON archive_versions
       BEGIN SELECT RAISE(ABORT, 'archive_versions is append-only'); END""",
    # Contentless full-text index over every version's text and author (rowid = version seq):
    # the text itself stays in archive_versions only.
    """CREATE VIRTUAL TABLE archive_fts USING fts5(
       text, author, content='', tokenize='porter unicode61 remove_diacritics 2')""",
]
PG_STATEMENTS = [
    """CREATE TRIGGER archive_versions_append_only BEFORE UPDATE OR DELETE ON archive_versions
       FOR EACH ROW EXECUTE FUNCTION piodesk_append_only()""",
    # Stored, so a search never recomputes a version's vector (only inserts compute it).
    """ALTER TABLE archive_versions ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
       to_tsvector('english', coalesce(text, '') || ' ' || coalesce(author_name, ''))) STORED""",
    "CREATE INDEX ix_archive_versions_search ON archive_versions USING gin (search_vector)",
]


def upgrade() -> None:
    op.create_table('archive_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_head'))
    )
    op.create_table('archive_media',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('mime_type', sa.String(length=100), nullable=True),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_archive_media'))
    )
    op.create_table('archive_import_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=500), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('importer', sa.String(length=60), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('last_position', sa.String(length=200), nullable=True),
    sa.Column('taken', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['accounts.id'], name=op.f('fk_archive_import_runs_actor_id_accounts')),
    sa.ForeignKeyConstraint(['page_id'], ['pages.id'], name=op.f('fk_archive_import_runs_page_id_pages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_import_runs'))
    )
    with op.batch_alter_table('archive_import_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_archive_import_runs_file_sha256'), ['file_sha256'], unique=False)

    op.create_table('archive_ingest_cursors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.Column('stream', sa.String(length=600), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['page_id'], ['pages.id'], name=op.f('fk_archive_ingest_cursors_page_id_pages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_ingest_cursors')),
    sa.UniqueConstraint('page_id', 'stream', name=op.f('uq_archive_ingest_cursors_page_id'))
    )
    op.create_table('archive_items',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('platform_id', sa.String(length=500), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=True),
    sa.Column('page_platform_id', sa.String(length=200), nullable=True),
    sa.Column('parent_platform_id', sa.String(length=500), nullable=True),
    sa.Column('author_platform_id', sa.String(length=200), nullable=True),
    sa.Column('author_name', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_captured_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('head_version', sa.Integer(), nullable=False),
    sa.Column('head_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['page_id'], ['pages.id'], name=op.f('fk_archive_items_page_id_pages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_items')),
    sa.UniqueConstraint('platform', 'kind', 'platform_id', name=op.f('uq_archive_items_platform'))
    )
    with op.batch_alter_table('archive_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_archive_items_author_platform_id'), ['author_platform_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_archive_items_kind'), ['kind'], unique=False)
        batch_op.create_index('ix_archive_items_page_created', ['page_id', 'created_at'], unique=False)
        batch_op.create_index('ix_archive_items_state_created', ['state', 'created_at'], unique=False)

    op.create_table('archive_versions',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('item_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('captured_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('author_platform_id', sa.String(length=200), nullable=True),
    sa.Column('author_name', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('fields', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('media', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=False),
    sa.Column('raw_media_type', sa.String(length=100), nullable=False),
    sa.Column('raw_sha256', sa.String(length=64), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['archive_items.id'], name=op.f('fk_archive_versions_item_id_archive_items')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_archive_versions')),
    sa.UniqueConstraint('item_id', 'version', name=op.f('uq_archive_versions_item_id'))
    )
    with op.batch_alter_table('archive_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_archive_versions_item_id'), ['item_id'], unique=False)

    # ### end Alembic commands ###
    dialect = op.get_bind().dialect.name
    for statement in PG_STATEMENTS if dialect == "postgresql" else SQLITE_STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE archive_fts")
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('archive_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_archive_versions_item_id'))

    op.drop_table('archive_versions')
    with op.batch_alter_table('archive_items', schema=None) as batch_op:
        batch_op.drop_index('ix_archive_items_state_created')
        batch_op.drop_index('ix_archive_items_page_created')
        batch_op.drop_index(batch_op.f('ix_archive_items_kind'))
        batch_op.drop_index(batch_op.f('ix_archive_items_author_platform_id'))

    op.drop_table('archive_items')
    op.drop_table('archive_ingest_cursors')
    with op.batch_alter_table('archive_import_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_archive_import_runs_file_sha256'))

    op.drop_table('archive_import_runs')
    op.drop_table('archive_media')
    op.drop_table('archive_head')
    # ### end Alembic commands ###
