"""checkpoints: signed statements of every chain's head, kept (and append-only)

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checkpoints",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("timestamp", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_checkpoints")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # piodesk_append_only() was created by migration 0001.
        op.execute(
            "CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints "
            "FOR EACH ROW EXECUTE FUNCTION piodesk_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER checkpoints_no_{verb.lower()} BEFORE {verb} ON checkpoints "
                "BEGIN SELECT RAISE(ABORT, 'checkpoints is append-only'); END"
            )


def downgrade() -> None:
    op.drop_table("checkpoints")
