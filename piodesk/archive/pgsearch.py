"""PostgreSQL search: a light table of search rows beside the versions (migration 0020).

``archive_versions`` rows are heavy (the raw payload, fields, media, hashes) and evidence;
searching them directly made every query read wide rows, and their GIN index made every capture
slower as the archive grew. So PostgreSQL keeps one narrow, derived row per version in
``archive_search``: the version's seq, its record, the record's current state and publication
time, the text's vector ('english', as before) and the author's words ('simple': name and
platform id, as SQLite's FTS5 author column). It is an index, not evidence: like SQLite's
``archive_fts`` it is checked against the versions by ``piodesk archive verify --deep`` and
rebuilt by ``piodesk archive reindex``. Its indexes, one per way of walking it:

* the primary key (seq): newest versions first, a common word checked row by row;
* ``(state, seq)``: newest versions of records in one state first (a word + state);
* ``(created_at, seq)``: a date range newest first (a word + date range);
* one GIN over ``(words, author_words, state)`` (``btree_gin`` for the state): a rare word,
  a word with an author, a rare word with a state, all in one index scan.

The planner picks between them from its statistics (the words column keeps a larger sample, so
the frequency of each common word is known); ``docs/postgresql-search.md`` shows each query
shape's plan. The search walks the chosen order by keyset (``seq < last``, never OFFSET) in
pages until the result page is full, so the cost follows the page size, not the archive size.
An author's comments are always taken from the GIN index and sorted (see ``candidates``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

TABLE = "archive_search"
#: What a version's search row holds, from the version (v) and its record (i).
WORDS_SQL = "to_tsvector('english', coalesce(v.text, '') || ' ' || coalesce(v.author_name, ''))"
AUTHOR_SQL = (
    "to_tsvector('simple', "
    "coalesce(v.author_name, '') || ' ' || coalesce(v.author_platform_id, ''))"
)
COLUMNS = "seq, item_id, state, created_at, words, author_words"
# The record's columns by primary-key lookups, not a join: on tables whose statistics are not
# gathered yet (a new database's first big import) the planner once joined the batch's versions
# to every record by a nested loop, for minutes a batch.
ROW_SQL = (
    "v.seq, v.item_id, (SELECT i.state FROM archive_items i WHERE i.id = v.item_id), "  # noqa: S608
    "(SELECT i.created_at FROM archive_items i WHERE i.id = v.item_id), "
    f"{WORDS_SQL}, {AUTHOR_SQL}"
)
#: The table and its indexes, as migration 0020 creates them (reindex restores these).
DDL = (
    "CREATE TABLE archive_search ("
    "seq bigint PRIMARY KEY, item_id bigint NOT NULL, state varchar(10) NOT NULL, "
    "created_at timestamptz, words tsvector NOT NULL, author_words tsvector NOT NULL)",
    # A bigger sample for the words: the planner then knows each common word's frequency.
    "ALTER TABLE archive_search ALTER COLUMN words SET STATISTICS 1000",
    "ALTER TABLE archive_search ALTER COLUMN author_words SET STATISTICS 1000",
)
INDEXES = (
    "CREATE INDEX ix_archive_search_state_seq ON archive_search (state, seq)",
    "CREATE INDEX ix_archive_search_created ON archive_search (created_at, seq)",
    # fastupdate (the default, said aloud): new rows go to the index's pending list and are
    # merged in sorted bulk (by autovacuum, or the insert that fills the list), so a capture
    # does not touch one index page per word per row.
    "CREATE INDEX ix_archive_search_words ON archive_search "
    "USING gin (words, author_words, state) WITH (fastupdate = on)",
)
INDEX_NAMES = (
    "ix_archive_search_state_seq",
    "ix_archive_search_created",
    "ix_archive_search_words",
)
# Every f-string of SQL in this module joins this module's own fixed fragments; user text is
# always a bound parameter.
_FILL = f"""INSERT INTO archive_search ({COLUMNS})
    SELECT {ROW_SQL} FROM archive_versions v
    WHERE v.seq > :lo AND v.seq <= :hi"""  # noqa: S608 - fixed fragments only
# The rows of a record whose state changed (found through the versions' item_id index).
_RESTATE = text(
    """UPDATE archive_search SET state = :state
    WHERE seq IN (SELECT seq FROM archive_versions WHERE item_id = :item_id)
    AND state <> :state"""
)


def index_range(session: Session, lo: int, hi: int) -> None:
    """Add the search rows of versions ``lo < seq <= hi`` (one statement, in the database)."""
    session.execute(text(_FILL).bindparams(lo=lo, hi=hi))


def restate(session: Session, changed: Iterable[tuple[int, str]]) -> None:
    """Give every search row of each record (item id, state) the record's new state."""
    rows = [{"item_id": i, "state": s} for i, s in changed]
    if rows:
        session.execute(_RESTATE, rows)


def refresh(session: Session, seqs: Sequence[int]) -> None:
    """Re-derive the search rows of ``seqs`` from their versions (after a disposition)."""
    if not seqs:
        return
    session.execute(
        text(
            f"UPDATE archive_search s SET words = {WORDS_SQL}, author_words = {AUTHOR_SQL}, "  # noqa: S608
            "state = i.state FROM archive_versions v JOIN archive_items i ON i.id = v.item_id "
            "WHERE v.seq = s.seq AND s.seq IN :seqs"
        ).bindparams(bindparam("seqs", expanding=True)),
        {"seqs": list(seqs)},
    )


def rebuild(session: Session) -> None:
    """Drop and re-create the table from every version (``piodesk archive reindex``)."""
    conn = session.connection()
    conn.exec_driver_sql("DROP TABLE IF EXISTS archive_search")
    for statement in DDL:
        conn.exec_driver_sql(statement)
    session.execute(text(_FILL).bindparams(lo=0, hi=2**62))
    for statement in INDEXES:
        conn.exec_driver_sql(statement)
    conn.exec_driver_sql("ANALYZE archive_search")


def candidates(
    session: Session,
    *,
    words: str,
    author: str | None,
    state: str | None,
    date_from: datetime | None,
    date_to: datetime | None,
    page: int,
    after: tuple[Any, ...] | None,
) -> list[tuple[Any, ...]]:
    """One keyset page of matching versions, newest first: (seq, item_id, order key...).

    Without a date range the order is the seq (newest capture first); with one, the
    publication time (the range is walked from its end), as SQLite's date plan does.
    """
    where = ["words @@ plainto_tsquery('english', :words)"]
    params: dict[str, Any] = {"words": words, "page": page}
    if author:
        where.append("author_words @@ plainto_tsquery('simple', :author)")
        params["author"] = author
    if state:
        where.append("state = :state")
        params["state"] = state
    dated = date_from is not None or date_to is not None
    if date_from is not None:
        where.append("created_at >= :date_from")
        params["date_from"] = date_from
    if date_to is not None:
        where.append("created_at <= :date_to")
        params["date_to"] = date_to
    # One person's comments are few: with an author, always take them from the GIN index and
    # sort them. (The "+ 0" hides the order from the btree indexes: walking the newest rows
    # and checking each against a rare author can read the whole table when the planner
    # overestimates how often the author writes.)
    seq_key = "(seq + 0)" if author else "seq"
    at_key = "(created_at + interval '0 s')" if author else "created_at"
    if dated:
        select_, order = "seq, item_id, created_at", f"{at_key} DESC, seq DESC"
        if after is not None:
            where.append("(created_at, seq) < (:after_at, :after_seq)")
            params["after_at"], params["after_seq"] = after[2], after[0]
    else:
        select_, order = "seq, item_id", f"{seq_key} DESC"
        if after is not None:
            where.append("seq < :after_seq")
            params["after_seq"] = after[0]
    sql = (
        f"SELECT {select_} FROM archive_search WHERE {' AND '.join(where)} "  # noqa: S608
        f"ORDER BY {order} LIMIT :page"
    )
    return [tuple(r) for r in session.execute(text(sql), params)]
