"""Full-text search over every version of every record, with the custodian's filters.

SQLite uses its FTS5 index (porter stemming); PostgreSQL its light table of search rows
(``archive.pgsearch``: 'english' vectors, walked newest first by keyset).
A record matches when any of its versions matches, so text that was edited away, hidden or
removed is still found — that is what an open-records search must do. Results come newest
first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, column, exists, func, select, table
from sqlalchemy.orm import Session, undefer

from piodesk.archive import pgsearch
from piodesk.archive.model import ItemState
from piodesk.archive.tables import ArchiveItem, ArchiveVersion
from piodesk.connectors.model import ItemKind
from piodesk.core.errors import InvalidInput, NotFound

MAX_QUERY = 500
_WORD = re.compile(r"\w+", re.UNICODE)
_S = TypeVar("_S", bound=Select)
# The FTS5 table made by migration 0002 (SQLite only); its rowid is the version's seq.
_FTS = table("archive_fts", column("rowid"), column("archive_fts"))


@dataclass(frozen=True)
class SearchQuery:
    """What the records custodian asked for. Empty fields do not filter."""

    q: str = ""
    page_id: int | None = None
    platform: str | None = None
    author: str | None = None
    kind: str | None = None
    state: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    limit: int = 50
    offset: int = 0

    def validated(self) -> SearchQuery:
        """Refuse values that cannot be right, with a message that says which."""
        if len(self.q) > MAX_QUERY:
            raise InvalidInput(f"search text is too long (limit {MAX_QUERY} characters)")
        if self.kind and self.kind not in {k.value for k in ItemKind}:
            raise InvalidInput(f"unknown kind '{self.kind[:40]}'")
        if self.state and self.state not in {s.value for s in ItemState}:
            raise InvalidInput(f"unknown state '{self.state[:40]}'")
        if not 1 <= self.limit <= 500 or self.offset < 0:
            raise InvalidInput("limit must be 1-500 and offset at least 0")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidInput("the date range ends before it starts")
        return self


@dataclass(frozen=True)
class Hit:
    """One record found, with the version whose text matched."""

    item: ArchiveItem
    version: ArchiveVersion


#: Above this many matching versions a word counts as common (see search()).
COMMON_MATCHES = 20_000


def _common(session: Session, match: str) -> bool:
    """Whether an FTS query matches many versions (counted up to a cap, so it stays cheap)."""
    capped = select(_FTS.c.rowid).where(_FTS.c.archive_fts.op("MATCH")(match)).limit(COMMON_MATCHES)
    count = session.execute(select(func.count()).select_from(capped.subquery())).scalar_one()
    return count >= COMMON_MATCHES


def _fts_terms(q: str) -> list[str]:
    # Words only: the user's text never reaches the FTS query syntax (no operators, no quotes).
    return _WORD.findall(q.lower())[:20]


def _filters(stmt: _S, query: SearchQuery) -> _S:
    if query.page_id is not None:
        stmt = stmt.where(ArchiveItem.page_id == query.page_id)
    if query.platform:
        stmt = stmt.where(ArchiveItem.platform == query.platform)
    if query.author:
        like = f"%{query.author.lower()}%"
        stmt = stmt.where(
            func.lower(ArchiveItem.author_name).like(like)
            | (ArchiveItem.author_platform_id == query.author)
        )
    if query.kind:
        stmt = stmt.where(ArchiveItem.kind == query.kind)
    if query.state:
        stmt = stmt.where(ArchiveItem.state == query.state)
    if query.date_from:
        stmt = stmt.where(ArchiveItem.created_at >= query.date_from)
    if query.date_to:
        stmt = stmt.where(ArchiveItem.created_at <= query.date_to)
    return stmt


def search(session: Session, query: SearchQuery) -> list[Hit]:
    """Records matching ``query``, newest version first, one hit per record."""
    query = query.validated()
    terms = _fts_terms(query.q)
    dialect = session.get_bind().dialect.name
    order: tuple[Any, ...] = (ArchiveVersion.seq.desc(),)
    stmt = select(ArchiveVersion, ArchiveItem).join(
        ArchiveItem, ArchiveItem.id == ArchiveVersion.item_id
    )
    author_terms = _fts_terms(query.author or "") if dialect == "sqlite" else []
    if (terms or author_terms) and dialect == "sqlite":
        # Drive the query from the FTS index in rowid order, so LIMIT stops early. The author
        # filter is matched in the index's author column too (name and platform id), so a
        # rare author is found without walking every version of a common word.
        parts = [f'"{t}"' for t in terms] + [f'author : "{t}"' for t in author_terms]
        match = " AND ".join(parts)
        if (query.date_from or query.date_to) and _common(session, match):
            # A common word in a date range: walking its matches newest-first back to the range
            # is slow, so walk the range's records by date and check each against the index.
            stmt = stmt.where(
                exists()
                .where(_FTS.c.archive_fts.op("MATCH")(match))
                .where(_FTS.c.rowid == ArchiveVersion.seq)
            )
            order = (ArchiveItem.created_at.desc(), ArchiveItem.id.desc())
        else:
            stmt = (
                select(ArchiveVersion, ArchiveItem)
                .select_from(_FTS)
                .join(ArchiveVersion, ArchiveVersion.seq == _FTS.c.rowid)
                .join(ArchiveItem, ArchiveItem.id == ArchiveVersion.item_id)
                .where(_FTS.c.archive_fts.op("MATCH")(match))
            )
            order = (_FTS.c.rowid.desc(),)
    elif terms:
        # PostgreSQL: the light search table finds the versions (see archive.pgsearch).
        return _search_postgresql(session, query, terms)
    else:
        # No words: filter the records, newest first, showing each one's latest version.
        stmt = stmt.where(ArchiveVersion.version == ArchiveItem.head_version)
        order = (ArchiveItem.created_at.desc(), ArchiveItem.id.desc())
    stmt = _filters(stmt, query).order_by(*order)
    wanted = query.limit + query.offset
    hits: list[Hit] = []
    seen: set[int] = set()

    def collect(statement: Any) -> None:
        # Several versions of one record can match; read ahead and keep one per record.
        fetch, skip = wanted * 2, 0
        while len(hits) < wanted:
            rows = session.execute(statement.limit(fetch).offset(skip)).all()
            for version, item in rows:
                if item.id not in seen:
                    seen.add(item.id)
                    hits.append(Hit(item, version))
            if len(rows) < fetch:
                return
            skip += fetch

    collect(stmt)
    return hits[query.offset : query.offset + query.limit]


def _search_postgresql(session: Session, query: SearchQuery, terms: list[str]) -> list[Hit]:
    """Walk the search rows newest first in keyset pages, keep those whose record passes the
    filters, one hit per record, until the page is full."""
    wanted = query.limit + query.offset
    author = " ".join(_fts_terms(query.author or "")) or None
    hits: list[Hit] = []
    seen: set[int] = set()
    page, after = wanted * 2, None
    while len(hits) < wanted:
        rows = pgsearch.candidates(
            session,
            words=" ".join(terms),
            author=author,
            state=query.state,
            date_from=query.date_from,
            date_to=query.date_to,
            page=page,
            after=after,
        )
        if not rows:
            break
        # The records not seen yet, in order, as many as the page still needs: their versions
        # and records are read, through the filters the search rows do not hold (page,
        # platform, kind, the author's name or id), checked on the records themselves.
        fresh = []
        for row in rows:
            if row[1] not in seen:  # another version of a record already taken
                seen.add(row[1])
                fresh.append(row)
        while fresh and len(hits) < wanted:
            need, fresh = fresh[: wanted - len(hits)], fresh[wanted - len(hits) :]
            stmt = select(ArchiveVersion, ArchiveItem).join(
                ArchiveItem, ArchiveItem.id == ArchiveVersion.item_id
            )
            stmt = _filters(stmt.where(ArchiveVersion.seq.in_([r[0] for r in need])), query)
            found = {v.seq: (v, i) for v, i in session.execute(stmt).all()}
            hits.extend(Hit(found[r[0]][1], found[r[0]][0]) for r in need if r[0] in found)
        if len(rows) < page:
            break
        after, page = rows[-1], min(page * 4, 20_000)
    return hits[query.offset : query.offset + query.limit]


def item_versions(session: Session, item_id: int) -> tuple[ArchiveItem, list[ArchiveVersion]]:
    """A record and every one of its versions, oldest first."""
    item = session.get(ArchiveItem, item_id)
    if item is None:
        raise NotFound(f"no archived record {item_id}")
    versions = list(
        session.execute(
            select(ArchiveVersion)
            .options(undefer(ArchiveVersion.raw))
            .where(ArchiveVersion.item_id == item_id)
            .order_by(ArchiveVersion.version)
        ).scalars()
    )
    return item, versions
