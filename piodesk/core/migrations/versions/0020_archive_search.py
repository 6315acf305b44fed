"""archive: PostgreSQL searches a light table of search rows (archive_search), not the versions

The generated tsvector column on archive_versions and its GIN index go: every capture paid for
that index on the heavy evidence table, and every search read its wide rows. archive_search
holds one narrow derived row per version (see piodesk.archive.pgsearch), filled here from the
versions. SQLite keeps its FTS5 table unchanged: nothing to do there.

Revision ID: 0020
Revises: 0018
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out (not imported from piodesk.archive.pgsearch): a migration keeps the SQL it ran.
_WORDS = "to_tsvector('english', coalesce(v.text, '') || ' ' || coalesce(v.author_name, ''))"
_AUTHOR = (
    "to_tsvector('simple', coalesce(v.author_name, '') || ' ' || coalesce(v.author_platform_id, ''))"
)
UPGRADE = [
    # One database, many schemas (tests, several programs): the extension lives in public, made
    # once (the lock keeps two migrations from racing to create it). Its operator classes are
    # the default ones for their types, so the index below finds them whatever the search_path.
    "SELECT pg_advisory_xact_lock(409020)",
    "CREATE EXTENSION IF NOT EXISTS btree_gin SCHEMA public",
    """CREATE TABLE archive_search (
       seq bigint PRIMARY KEY,
       item_id bigint NOT NULL,
       state varchar(10) NOT NULL,
       created_at timestamptz,
       words tsvector NOT NULL,
       author_words tsvector NOT NULL)""",
    "ALTER TABLE archive_search ALTER COLUMN words SET STATISTICS 1000",
    "ALTER TABLE archive_search ALTER COLUMN author_words SET STATISTICS 1000",
    f"""INSERT INTO archive_search (seq, item_id, state, created_at, words, author_words)
       SELECT v.seq, v.item_id, i.state, i.created_at, {_WORDS}, {_AUTHOR}
       FROM archive_versions v JOIN archive_items i ON i.id = v.item_id""",
    "CREATE INDEX ix_archive_search_state_seq ON archive_search (state, seq)",
    "CREATE INDEX ix_archive_search_created ON archive_search (created_at, seq)",
    """CREATE INDEX ix_archive_search_words ON archive_search
       USING gin (words, author_words, state) WITH (fastupdate = on)""",
    "ANALYZE archive_search",
    "DROP INDEX IF EXISTS ix_archive_versions_search",
    "ALTER TABLE archive_versions DROP COLUMN IF EXISTS search_vector",
]
DOWNGRADE = [
    """ALTER TABLE archive_versions ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
       to_tsvector('english', coalesce(text, '') || ' ' || coalesce(author_name, ''))) STORED""",
    "CREATE INDEX ix_archive_versions_search ON archive_versions USING gin (search_vector)",
    "DROP TABLE archive_search",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in DOWNGRADE:
            op.execute(statement)
