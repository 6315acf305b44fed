"""archive: index records by publication time (date-range searches)

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_archive_items_created_at", "archive_items", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_archive_items_created_at", table_name="archive_items")
