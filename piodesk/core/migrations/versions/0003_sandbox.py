"""sandbox platform: its posts, comments, blocks and per-page change counter

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sandbox_blocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.Column('visitor_id', sa.String(length=40), nullable=False),
    sa.Column('blocked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lifted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['page_id'], ['pages.id'], name=op.f('fk_sandbox_blocks_page_id_pages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sandbox_blocks'))
    )
    with op.batch_alter_table('sandbox_blocks', schema=None) as batch_op:
        batch_op.create_index('uq_sandbox_blocks_active', ['page_id', 'visitor_id'], unique=True, sqlite_where=sa.text('lifted_at IS NULL'), postgresql_where=sa.text('lifted_at IS NULL'))

    op.create_table('sandbox_feeds',
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['page_id'], ['pages.id'], name=op.f('fk_sandbox_feeds_page_id_pages')),
    sa.PrimaryKeyConstraint('page_id', name=op.f('pk_sandbox_feeds'))
    )
    op.create_table('sandbox_posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.Column('author_name', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['page_id'], ['pages.id'], name=op.f('fk_sandbox_posts_page_id_pages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sandbox_posts'))
    )
    with op.batch_alter_table('sandbox_posts', schema=None) as batch_op:
        batch_op.create_index('ix_sandbox_posts_page_seq', ['page_id', 'change_seq'], unique=False)

    op.create_table('sandbox_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('parent_comment_id', sa.Integer(), nullable=True),
    sa.Column('visitor_id', sa.String(length=40), nullable=False),
    sa.Column('visitor_name', sa.String(length=80), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['page_id'], ['pages.id'], name=op.f('fk_sandbox_comments_page_id_pages')),
    sa.ForeignKeyConstraint(['parent_comment_id'], ['sandbox_comments.id'], name=op.f('fk_sandbox_comments_parent_comment_id_sandbox_comments')),
    sa.ForeignKeyConstraint(['post_id'], ['sandbox_posts.id'], name=op.f('fk_sandbox_comments_post_id_sandbox_posts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sandbox_comments'))
    )
    with op.batch_alter_table('sandbox_comments', schema=None) as batch_op:
        batch_op.create_index('ix_sandbox_comments_page_visitor', ['page_id', 'visitor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sandbox_comments_parent_comment_id'), ['parent_comment_id'], unique=False)
        batch_op.create_index('ix_sandbox_comments_post_seq', ['post_id', 'change_seq'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('sandbox_comments', schema=None) as batch_op:
        batch_op.drop_index('ix_sandbox_comments_post_seq')
        batch_op.drop_index(batch_op.f('ix_sandbox_comments_parent_comment_id'))
        batch_op.drop_index('ix_sandbox_comments_page_visitor')

    op.drop_table('sandbox_comments')
    with op.batch_alter_table('sandbox_posts', schema=None) as batch_op:
        batch_op.drop_index('ix_sandbox_posts_page_seq')

    op.drop_table('sandbox_posts')
    op.drop_table('sandbox_feeds')
    with op.batch_alter_table('sandbox_blocks', schema=None) as batch_op:
        batch_op.drop_index('uq_sandbox_blocks_active', sqlite_where=sa.text('lifted_at IS NULL'), postgresql_where=sa.text('lifted_at IS NULL'))

    op.drop_table('sandbox_blocks')
