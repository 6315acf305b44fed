"""The full-text index is derived from the versions: check it against them, and rebuild it.

A records request is answered by search, so a version missing from the index (or indexed
with other words) hides a comment from the requester while every hash still verifies.
``piodesk archive verify --deep`` therefore re-derives the index entry of every version and
names each record whose entry is missing, altered or extra; ``piodesk archive reindex``
rebuilds the index from the versions (an audited event).

SQLite keeps a contentless FTS5 table (``archive_fts``, rowid = version seq): its entries
cannot be read back as text, so a batch of versions is indexed afresh in a temporary table
with the same tokenizer and the two are compared: each version's token counts per column (the
``_docsize`` shadow tables), and, for every word of the batch, which versions of the batch it
finds in each column. Together they say each entry holds the words its version holds (their
order is not compared). PostgreSQL keeps a light
table of search rows (``archive_search``, migration 0020, see ``archive.pgsearch``): each
version's row is re-derived in the database and compared with the stored one (its record,
state, date, text vector and author words), rows that are no version are named, and the
table's indexes are checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from piodesk.archive import pgsearch
from piodesk.archive.tables import ArchiveItem, ArchiveVersion
from piodesk.core import audit, tags
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_text

#: The SQLite index, exactly as migration 0002 creates it (reindex restores this definition).
SQLITE_FTS = (
    "CREATE VIRTUAL TABLE archive_fts USING fts5("
    "text, author, content='', tokenize='porter unicode61 remove_diacritics 2')"
)
# The versions of a seq range whose search row is missing or is not the one their columns give.
# (Built from pgsearch's fixed expressions only: no user text reaches this SQL.)
_PG_DIFFER = f"""
    SELECT v.seq, s.seq IS NULL, s.words IS DISTINCT FROM {pgsearch.WORDS_SQL}
           OR s.author_words IS DISTINCT FROM {pgsearch.AUTHOR_SQL}
    FROM archive_versions v JOIN archive_items i ON i.id = v.item_id
    LEFT JOIN archive_search s ON s.seq = v.seq
    WHERE v.seq > :lo AND v.seq <= :hi AND (s.seq IS NULL
          OR s.words IS DISTINCT FROM {pgsearch.WORDS_SQL}
          OR s.author_words IS DISTINCT FROM {pgsearch.AUTHOR_SQL}
          OR s.item_id <> v.item_id OR s.state <> i.state
          OR s.created_at IS DISTINCT FROM i.created_at)
    ORDER BY v.seq LIMIT :cap"""  # noqa: S608 - fixed fragments only
_PG_EXTRA = """
    SELECT s.seq FROM archive_search s WHERE s.seq > :lo AND s.seq <= :hi
    AND NOT EXISTS (SELECT 1 FROM archive_versions v WHERE v.seq = s.seq)
    ORDER BY s.seq LIMIT :cap"""
MAX_PROBLEMS = 100


def fts_row(
    seq: int, text_value: str | None, author_name: str | None, author_platform_id: str | None
) -> tuple[int, str, str]:
    """What the SQLite index holds for one version: rowid, text, author (name and id)."""
    return seq, text_value or "", f"{author_name or ''} {author_platform_id or ''}"


@dataclass
class IndexCheck:
    """What the deep check found: versions checked, and each problem in plain words."""

    versions_checked: int = 0
    problems: list[str] = field(default_factory=list)
    more: int = 0

    def add(self, problem: str) -> None:
        """Keep a problem (the first MAX_PROBLEMS in full, the rest counted)."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.more += 1


def _squash(sql: str) -> str:
    # The migration's statement is spread over lines; compare without any whitespace.
    return re.sub(r"\s+", "", sql).lower()


def _versions(
    session: Session, batch: int
) -> Iterator[list[tuple[int, str | None, str | None, str | None, str, str, str]]]:
    last = 0
    while True:
        rows = session.execute(
            select(
                ArchiveVersion.seq,
                ArchiveVersion.text,
                ArchiveVersion.author_name,
                ArchiveVersion.author_platform_id,
                ArchiveItem.platform,
                ArchiveItem.kind,
                ArchiveItem.platform_id,
            )
            .join(ArchiveItem, ArchiveItem.id == ArchiveVersion.item_id)
            .where(ArchiveVersion.seq > last)
            .order_by(ArchiveVersion.seq)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield [tuple(r) for r in rows]  # type: ignore[misc]
        last = rows[-1][0]


def _what(seq: int, platform: str, kind: str, platform_id: str) -> str:
    return f"version {seq} ({platform} {kind} {platform_id})"


def _varints(blob: bytes) -> list[int]:
    """FTS5 docsize records: one varint (SQLite's format) per column's token count."""
    out, i = [], 0
    while i < len(blob):
        value = 0
        for n in range(9):
            b = blob[i]
            i += 1
            if n == 8:
                value = (value << 8) | b
                break
            value = (value << 7) | (b & 0x7F)
            if not b & 0x80:
                break
        out.append(value)
    return out


_WORDS = re.compile(r"[^\W_]+")
_IN_RANGE = "SELECT rowid FROM {} WHERE {} MATCH ? AND rowid > ? AND rowid <= ?"


def _word_mismatches(cursor: Any, rows: list[Any], lo: int, hi: int) -> set[int]:
    """Versions of a batch whose index entry disagrees, word by word, with a fresh one.

    For every word of the batch's texts and authors, the versions it finds in the seq range
    must be the same in the index as in the scratch index made from the versions just now
    (both run the same tokenizer over the same quoted word, so stemming cannot differ). One
    query per distinct word and batch: a phrase query per version costs milliseconds each
    once common words have long posting lists.
    """
    words: dict[str, set[str]] = {"text": set(), "author": set()}
    for seq, text_value, name, pid, *_ in rows:
        _, body, author = fts_row(seq, text_value, name, pid)
        words["text"].update(_WORDS.findall(body.lower()))
        words["author"].update(_WORDS.findall(author.lower()))
    bad: set[int] = set()
    for column, found in words.items():
        for word in found:
            query = f'{column} : "{word}"'  # a word of letters and digits: nothing to escape
            args = (query, lo, hi)
            main = {
                r[0] for r in cursor.execute(_IN_RANGE.format("archive_fts", "archive_fts"), args)
            }
            fresh = {
                r[0]
                for r in cursor.execute(
                    _IN_RANGE.format("temp.archive_fts_check", "archive_fts_check"), args
                )
            }
            bad |= main ^ fresh
    return bad


def _check_sqlite(session: Session, result: IndexCheck, batch: int) -> None:
    conn = session.connection()
    found = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE name = 'archive_fts'"
    ).scalar()
    if found is None:
        result.add("the search index (archive_fts) is missing: run `piodesk archive reindex`")
        return
    if _squash(found) != _squash(SQLITE_FTS):
        result.add(f"the search index was redefined: {found}")
    try:
        conn.exec_driver_sql("INSERT INTO archive_fts(archive_fts) VALUES ('integrity-check')")
    except Exception as exc:  # noqa: BLE001 - a damaged index is a finding, not a crash
        result.add(f"the search index fails its own integrity check: {exc}")
    conn.exec_driver_sql("DROP TABLE IF EXISTS temp.archive_fts_check")
    conn.exec_driver_sql(SQLITE_FTS.replace("TABLE archive_fts", "TABLE temp.archive_fts_check"))
    # Thousands of small queries a batch: straight to the driver.
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    last = 0
    try:
        for rows in _versions(session, batch):
            hi = rows[-1][0]
            conn.exec_driver_sql(
                "INSERT INTO temp.archive_fts_check(archive_fts_check) VALUES ('delete-all')"
            )
            conn.exec_driver_sql(
                "INSERT INTO temp.archive_fts_check(rowid, text, author) VALUES (?, ?, ?)",
                [fts_row(r[0], r[1], r[2], r[3]) for r in rows],
            )
            want: dict[int, bytes] = dict(
                conn.exec_driver_sql("SELECT id, sz FROM temp.archive_fts_check_docsize").all()
            )
            have: dict[int, bytes] = dict(
                conn.exec_driver_sql(
                    "SELECT id, sz FROM archive_fts_docsize WHERE id > ? AND id <= ?", (last, hi)
                ).all()
            )
            checked: dict[int, str] = {}  # entries with the right counts, to check word by word
            for seq, _text, _name, _pid, platform, kind, platform_id in rows:
                result.versions_checked += 1
                what = _what(seq, platform, kind, platform_id)
                got = have.pop(seq, None)
                if got is None:
                    result.add(f"{what} is missing from the search index")
                    continue
                counts = _varints(bytes(want[seq]))
                if _varints(bytes(got)) != counts:
                    result.add(f"{what} is indexed with other words than it holds")
                    continue
                checked[seq] = what
            for seq in _word_mismatches(cursor, rows, last, hi):
                if seq in checked:
                    result.add(f"{checked[seq]} is indexed with other words than it holds")
            for seq in sorted(have):
                result.add(f"the search index holds an entry {seq} that is no version")
            last = hi
        for (seq,) in conn.exec_driver_sql(
            "SELECT id FROM archive_fts_docsize WHERE id > ? ORDER BY id LIMIT ?",
            (last, MAX_PROBLEMS),
        ):
            result.add(f"the search index holds an entry {seq} that is no version")
    finally:
        cursor.close()
        conn.exec_driver_sql("DROP TABLE IF EXISTS temp.archive_fts_check")


def _check_postgresql(session: Session, result: IndexCheck, batch: int) -> None:
    if session.execute(text("SELECT to_regclass('archive_search')")).scalar() is None:
        result.add("the search table (archive_search) is missing: run `piodesk archive reindex`")
        return
    found: dict[str, bool] = dict(
        session.execute(
            text(
                "SELECT c.relname, i.indisvalid FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE i.indrelid = 'archive_search'::regclass"
            )
        ).all()
    )
    for name in pgsearch.INDEX_NAMES:
        if name not in found:
            result.add(f"the search index {name} is missing: run `piodesk archive reindex`")
        elif not found[name]:
            result.add(f"the search index {name} is invalid: run `piodesk archive reindex`")
    last = 0
    cap = MAX_PROBLEMS + 1
    while True:
        # One range at a time: the row each version should have, against the stored one.
        hi = session.execute(
            text(
                "SELECT max(seq), count(*) FROM (SELECT seq FROM archive_versions WHERE seq > :lo "
                "ORDER BY seq LIMIT :n) s"
            ).bindparams(lo=last, n=batch)
        ).one()
        top = hi[0] if hi[0] is not None else 2**62  # after the last version: extras only
        for (seq,) in session.execute(text(_PG_EXTRA).bindparams(lo=last, hi=top, cap=cap)):
            result.add(f"the search index holds an entry {seq} that is no version")
        if hi[0] is None:
            return
        result.versions_checked += hi[1]
        bad = {
            seq: (missing, words)
            for seq, missing, words in session.execute(
                text(_PG_DIFFER).bindparams(lo=last, hi=top, cap=cap)
            )
        }
        for seq, platform, kind, platform_id in session.execute(
            select(
                ArchiveVersion.seq, ArchiveItem.platform, ArchiveItem.kind, ArchiveItem.platform_id
            )
            .join(ArchiveItem, ArchiveItem.id == ArchiveVersion.item_id)
            .where(ArchiveVersion.seq.in_(list(bad)))
            .order_by(ArchiveVersion.seq)
        ):
            what = _what(seq, platform, kind, platform_id)
            missing, words = bad[seq]
            if missing:
                result.add(f"{what} is missing from the search index")
            elif words:
                result.add(f"{what} is indexed with other words than it holds")
            else:
                result.add(f"{what} is indexed under another record, state or date")
        last = top


def check_index(session: Session, batch: int = 5000) -> IndexCheck:
    """Re-derive every version's search index entry and name what is missing, altered or extra."""
    result = IndexCheck()
    if session.get_bind().dialect.name == "sqlite":
        _check_sqlite(session, result, batch)
    else:
        _check_postgresql(session, result, batch)
    return result


def reindex(session: Session, *, actor: Actor, reason: str, batch: int = 2000) -> int:
    """Rebuild the search index from the versions, in the caller's write transaction."""
    require(actor, Perm.ARCHIVE_IMPORT)
    reason = clean_text("the reason for rebuilding the index", reason, max_len=2000, required=True)
    conn = session.connection()
    count = 0
    if session.get_bind().dialect.name == "sqlite":
        conn.exec_driver_sql("DROP TABLE IF EXISTS archive_fts")
        conn.exec_driver_sql(SQLITE_FTS)
        for rows in _versions(session, batch):
            conn.exec_driver_sql(
                "INSERT INTO archive_fts(rowid, text, author) VALUES (?, ?, ?)",
                [fts_row(r[0], r[1], r[2], r[3]) for r in rows],
            )
            count += len(rows)
        conn.exec_driver_sql("INSERT INTO archive_fts(archive_fts) VALUES ('optimize')")
    else:
        pgsearch.rebuild(session)
        count = session.execute(select(func.count()).select_from(ArchiveVersion)).scalar_one()
    audit.record(
        session,
        actor,
        tags.Archive.REINDEX,
        "archive",
        "search_index",
        reason=reason,
        section="§.40",
        data={"versions": count},
    )
    return count
