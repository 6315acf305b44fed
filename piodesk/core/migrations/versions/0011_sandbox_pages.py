"""sandbox platform: its own pages (handle, name, profile), no longer piodesk's registry rows

The sandbox's posts, comments, blocks, messages and change counters pointed at ``pages`` (the
registry of the department's pages); they now point at ``sandbox_pages``, the platform's own.
Each sandbox page already in the registry is copied across under the same id, with its current
profile, so every existing row keeps its page.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The platform's tables whose ``page_id`` moves from ``pages`` to ``sandbox_pages``.
SANDBOX_TABLES = (
    'sandbox_feeds', 'sandbox_posts', 'sandbox_comments', 'sandbox_blocks', 'sandbox_messages'
)


def _point(table: str, old: str, new: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(f'fk_{table}_page_id_{old}', type_='foreignkey')
        batch_op.create_foreign_key(f'fk_{table}_page_id_{new}', new, ['page_id'], ['id'])


def upgrade() -> None:
    op.create_table('sandbox_pages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handle', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('maintained_by', sa.String(length=200), nullable=False),
    sa.Column('about', sa.Text(), nullable=False),
    sa.Column('links', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('contact_phone', sa.String(length=60), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('contact_address', sa.String(length=300), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sandbox_pages')),
    sa.UniqueConstraint('handle', name=op.f('uq_sandbox_pages_handle'))
    )
    # The registry's sandbox pages become the platform's, same ids, with their current profile.
    op.execute(
        "INSERT INTO sandbox_pages (id, handle, name, maintained_by, about, links, "
        "contact_phone, contact_email, contact_address, opened_at) "
        "SELECT p.id, p.handle, p.name, p.administering_unit, COALESCE(v.about, ''), "
        "COALESCE(v.links, '[]'), COALESCE(v.contact_phone, ''), COALESCE(v.contact_email, ''), "
        "COALESCE(v.contact_address, ''), p.registered_at "
        "FROM pages p LEFT JOIN page_profile_versions v "
        "ON v.page_id = p.id AND v.version = p.profile_version "
        "WHERE p.platform = 'sandbox'"
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "SELECT setval(pg_get_serial_sequence('sandbox_pages', 'id'), "
            "COALESCE((SELECT MAX(id) FROM sandbox_pages), 0) + 1, false)"
        )
    for table in SANDBOX_TABLES:
        _point(table, 'pages', 'sandbox_pages')


def downgrade() -> None:
    for table in SANDBOX_TABLES:
        _point(table, 'sandbox_pages', 'pages')
    op.drop_table('sandbox_pages')
