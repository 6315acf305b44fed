"""Capture: turn what connectors and importers read into immutable, hash-chained versions.

Capturing the same payload again adds nothing (equal fingerprint); a changed payload — an
edit, a hide, a deletion — adds a new version and keeps the old. Work is done in batches, one
lock of the chain head per batch, so an import of a large export is fast and each batch is
all-or-nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from psycopg.types.json import Jsonb
from sqlalchemy import JSON, Column, Table, any_, bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from piodesk.archive import pgsearch
from piodesk.archive.fulltext import fts_row
from piodesk.archive.media import MediaStore
from piodesk.archive.model import ItemState, state_of
from piodesk.archive.tables import ArchiveHead, ArchiveItem, ArchiveMedia, ArchiveVersion
from piodesk.connectors.model import CapturedItem, MediaRef
from piodesk.core import chain, clock, jsontext
from piodesk.core.chain import canonical

# Core tables: bulk statements on them skip the ORM's per-row bookkeeping (several times faster).
ITEMS = cast(Table, ArchiveItem.__table__)
VERSIONS = cast(Table, ArchiveVersion.__table__)

#: Reads the bytes of a media reference (an importer's file, a connector's download), or None.
MediaReader = Callable[[MediaRef], bytes | None]


@dataclass
class CaptureReport:
    """What one capture batch did."""

    new_items: int = 0
    new_versions: int = 0  # versions added to records already in the archive
    unchanged: int = 0
    media_stored: int = 0
    item_ids: list[int] = field(default_factory=list)  # the records touched, in input order

    def add(self, other: CaptureReport) -> None:
        """Accumulate another batch's counts."""
        self.new_items += other.new_items
        self.new_versions += other.new_versions
        self.unchanged += other.unchanged
        self.media_stored += other.media_stored
        self.item_ids.extend(other.item_ids)


def _clean(value: str | None) -> str | None:
    # PostgreSQL text cannot hold NUL; the raw payload keeps the original bytes untouched.
    return None if value is None else value.replace("\x00", "\ufffd")


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


# JSON writes a NUL in a key or string as this escape, so JSON text without it holds no NUL.
_NUL_ESCAPE = "\\u0000"
_NUL_PROBE = jsontext.encoder(ensure_ascii=False)


def _clean_json(value: dict[str, Any]) -> dict[str, Any]:
    # Connectors hand over JSON-ready values (CapturedItem checks); only NUL needs replacing.
    # The C encoder says "no NUL anywhere" for nearly every item; the walk (far slower in
    # Python) decides only when the escape shows (a NUL, or a text that spells its escape).
    if _NUL_ESCAPE not in _NUL_PROBE(value) or not _has_nul(value):
        return value
    cleaned: dict[str, Any] = json.loads(canonical(value).replace("\\u0000", "\\ufffd"))
    return cleaned


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _iso(value: datetime | str | None) -> str | None:
    """A time as the hashes hold it; a text already made by this function is kept as it is
    (capture formats each time once and hands the text to every hash that covers it)."""
    if value is None or isinstance(value, str):
        return value
    return clock.as_utc(value).isoformat(timespec="microseconds")


#: The record's columns that the version hash covers from format 2 on (see version_fields).
ITEM_IDENTITY = (
    "page_id",
    "page_platform_id",
    "parent_platform_id",
    "author_platform_id",
    "author_name",
    "created_at",
    "first_captured_at",
)
#: The hash format capture writes: 2 also covers the record's identity columns; 3 covers the
#: version's content (text, authors, fields, media) by one digest, so a disposition can destroy
#: the content and keep the digest, and the chain still verifies (see content_digest).
HASH_FORMAT = 3
#: The record's identity columns format 3 hashes in the link itself (its author goes in the
#: content digest, since a disposition destroys who said it with what was said).
ITEM_LINKED = (
    "page_id",
    "page_platform_id",
    "parent_platform_id",
    "created_at",
    "first_captured_at",
)


def item_identity(item: Mapping[str, Any]) -> dict[str, Any]:
    """A record's identity columns as the version hash covers them (format 2): the dates in
    ISO form (given as datetimes, or as the ISO text :func:`_iso` made of them)."""
    return {
        "page_id": item["page_id"],
        "page_platform_id": item["page_platform_id"],
        "parent_platform_id": item["parent_platform_id"],
        "author_platform_id": item["author_platform_id"],
        "author_name": item["author_name"],
        "created_at": _iso(item["created_at"]),
        "first_captured_at": _iso(item["first_captured_at"]),
    }


def _item_linked(item: Mapping[str, Any]) -> dict[str, Any]:
    """The identity columns format 3 hashes in the link itself (ITEM_LINKED), dates in ISO."""
    return {
        "page_id": item["page_id"],
        "page_platform_id": item["page_platform_id"],
        "parent_platform_id": item["parent_platform_id"],
        "created_at": _iso(item["created_at"]),
        "first_captured_at": _iso(item["first_captured_at"]),
    }


def content_digest(v: Mapping[str, Any], item: Mapping[str, Any]) -> str:
    """SHA-256 over what a disposition destroys of a version: its text, authors, fields and media
    (and the record's author). Format 3 chains this digest instead of the content itself."""
    body = {
        "text": v["text"],
        "author_platform_id": v["author_platform_id"],
        "author_name": v["author_name"],
        "fields": v["fields"],
        "media": v["media"],
        "item_author_platform_id": item["author_platform_id"],
        "item_author_name": item["author_name"],
    }
    return hashlib.sha256(canonical(body).encode()).hexdigest()


def version_fields_v3(
    identity: tuple[str, str, str],
    v: Mapping[str, Any],
    item: Mapping[str, Any],
    digest: str | None = None,
) -> dict[str, Any]:
    """What a format-3 version's hash covers: everything but the content, and the content's
    digest (``digest``: the one a disposition tombstone kept, when the content is gone)."""
    platform, kind, platform_id = identity
    return {
        "format": 3,
        "seq": v["seq"],
        "platform": platform,
        "kind": kind,
        "platform_id": platform_id,
        "version": v["version"],
        "captured_at": _iso(v["captured_at"]),
        "source": v["source"],
        "state": v["state"],
        "fingerprint": v["fingerprint"],
        "created_at": _iso(v["created_at"]),
        "edited_at": _iso(v["edited_at"]),
        "raw_media_type": v["raw_media_type"],
        "raw_sha256": v["raw_sha256"],
        "content_sha256": digest or content_digest(v, item),
        "item": _item_linked(item),
    }


def version_fields(
    identity: tuple[str, str, str],
    v: Mapping[str, Any],
    item: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything a version's hash covers (the raw payload by its SHA-256).

    ``identity`` is the record's (platform, kind, platform_id); ``v`` the version's columns.
    With ``item`` (the record's columns) this is hash format 2, which also covers the record's
    page, parent, author and dates, so an insider cannot move a comment to another page or
    author unseen. Format 1 (no ``item``) is what versions captured before format 2 were
    hashed with; verify accepts it for them, and re-derives what it can from version 1.
    """
    platform, kind, platform_id = identity
    fields = {
        "seq": v["seq"],
        "platform": platform,
        "kind": kind,
        "platform_id": platform_id,
        "version": v["version"],
        "captured_at": _iso(v["captured_at"]),
        "source": v["source"],
        "state": v["state"],
        "fingerprint": v["fingerprint"],
        "text": v["text"],
        "author_platform_id": v["author_platform_id"],
        "author_name": v["author_name"],
        "created_at": _iso(v["created_at"]),
        "edited_at": _iso(v["edited_at"]),
        "fields": v["fields"],
        "media": v["media"],
        "raw_media_type": v["raw_media_type"],
        "raw_sha256": v["raw_sha256"],
    }
    if item is not None:
        fields["format"] = 2
        fields["item"] = item_identity(item)
    return fields


def version_columns(v: ArchiveVersion) -> dict[str, Any]:
    """A stored version's columns as a mapping (for :func:`version_fields`)."""
    return {c.key: getattr(v, c.key) for c in ArchiveVersion.__table__.columns}


#: What a version without media holds (one shared list: nothing appends to it).
_NO_MEDIA: list[dict[str, Any]] = []


def _store_media(
    session: Session,
    refs: Sequence[MediaRef],
    store: MediaStore | None,
    reader: MediaReader | None,
    report: CaptureReport,
) -> list[dict[str, Any]]:
    if not refs:
        return _NO_MEDIA
    out = []
    for ref in refs:
        data = ref.data if ref.data is not None else (reader(ref) if reader else None)
        digest = None
        if data is not None and store is not None:
            digest = store.put(data)
            if session.get(ArchiveMedia, digest) is None:
                session.add(
                    ArchiveMedia(
                        sha256=digest,
                        size=len(data),
                        mime_type=ref.mime_type,
                        first_seen_at=clock.now(),
                    )
                )
                report.media_stored += 1
        out.append(
            {
                "sha256": digest,
                "url": ref.url,
                "path": ref.path,
                "mime_type": ref.mime_type,
                "filename": ref.filename,
            }
        )
    return out


@dataclass
class _Head:
    """What capture needs to know of a record already in the archive (or added by this batch)."""

    id: int | None
    head_version: int
    head_fingerprint: str
    state: str
    first_text: str | None
    identity: dict[str, Any] = field(default_factory=dict)  # the record's identity columns
    #: The identity columns as the version hash covers them (dates in ISO form), made once.
    hashed: dict[str, Any] = field(default_factory=dict)


def _by_platform_and_kind(
    keys: Iterable[tuple[str, str, str]], size: int = 500
) -> Iterator[tuple[str, str, list[str]]]:
    """Group identities so each query is ``platform = ? AND kind = ? AND platform_id IN (…)``.

    SQLite cannot use an index for a row-value IN list and would scan the whole table per
    batch; a plain IN on the last column of the unique index is a search per value.
    """
    groups: dict[tuple[str, str], list[str]] = {}
    for platform, kind, platform_id in keys:
        groups.setdefault((platform, kind), []).append(platform_id)
    for (platform, kind), ids in groups.items():
        for start in range(0, len(ids), size):
            yield platform, kind, ids[start : start + size]


def _one_of(session: Session, column: Any, values: list[Any]) -> Any:
    """``column IN (values)``: on PostgreSQL as ``= ANY(array)``, one parameter (an IN list is
    a parameter a value, each rendered into the statement at every execution)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("one_of", values, type_=ARRAY(column.type)))
    return column.in_(values)


def _load_heads(
    session: Session, keys: list[tuple[str, str, str]]
) -> dict[tuple[str, str, str], _Head]:
    heads: dict[tuple[str, str, str], _Head] = {}
    size = 5000 if session.get_bind().dialect.name == "postgresql" else 500
    for platform, kind, ids in _by_platform_and_kind(keys, size):
        rows = session.execute(
            select(
                ITEMS.c.id,
                ITEMS.c.platform_id,
                ITEMS.c.head_version,
                ITEMS.c.head_fingerprint,
                ITEMS.c.state,
                *(ITEMS.c[k] for k in ITEM_IDENTITY),
            ).where(
                ITEMS.c.platform == platform,
                ITEMS.c.kind == kind,
                _one_of(session, ITEMS.c.platform_id, ids),
            )
        )
        for r in rows:
            identity = {k: r._mapping[k] for k in ITEM_IDENTITY}
            heads[(platform, kind, r.platform_id)] = _Head(
                r.id,
                r.head_version,
                r.head_fingerprint,
                r.state,
                None,
                identity,
                item_identity(identity),
            )
    # The first version's text tells an edit from a hide; fetched by (item_id, version) key,
    # in a second query, so no join can tempt a planner into scanning every version.
    by_id = {h.id: h for h in heads.values()}
    known = list(by_id)
    for start in range(0, len(known), size):
        for first in session.execute(
            select(VERSIONS.c.item_id, VERSIONS.c.text).where(
                _one_of(session, VERSIONS.c.item_id, known[start : start + size]),
                VERSIONS.c.version == 1,
            )
        ):
            by_id[first.item_id].first_text = first.text
    return heads


def _new_item_ids(session: Session, count: int) -> list[int]:
    """Ids for ``count`` new records, in order: the ones the database would give them.

    SQLite gives a new row the highest id plus one (the table has no AUTOINCREMENT), and this
    transaction holds the write lock; PostgreSQL draws them from the column's own sequence.
    Knowing them before the insert spares reading the new rows back for their ids."""
    if session.get_bind().dialect.name == "postgresql":
        return list(
            session.execute(
                text(
                    "SELECT nextval(pg_get_serial_sequence('archive_items', 'id')) "
                    "FROM generate_series(1, :n) ORDER BY 1"
                ),
                {"n": count},
            ).scalars()
        )
    top = session.execute(select(func.max(ITEMS.c.id))).scalar() or 0
    return list(range(top + 1, top + 1 + count))


def _insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` in one bulk write: COPY on PostgreSQL (one round trip for the batch,
    where an executemany sends a statement a row), a driver executemany on SQLite.

    COPY fires the tables' row triggers as INSERT does, in the same transaction."""
    if not rows:
        return
    columns = [c for c in table.columns if c.key in rows[0]]
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        _executemany(session, table, columns, rows)
        return
    json = {c.key for c in columns if isinstance(c.type, JSON)}
    names = ", ".join(f'"{c.name}"' for c in columns)  # the table's own column names
    keys = [c.key for c in columns]
    driver = session.connection().connection.driver_connection
    with driver.cursor() as cursor:  # type: ignore[union-attr]
        types = _COPY_TYPES.get((table.name, names))
        if types is None:  # the columns' types, as the database has them (asked once)
            cursor.execute(f"SELECT {names} FROM {table.name} LIMIT 0")  # noqa: S608
            types = [d.type_code for d in cursor.description or ()]
            _COPY_TYPES[(table.name, names)] = types
        with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            # Each column by its type's adapter, known up front, not looked up a value at a time.
            copy.set_types(types)
            for row in rows:
                copy.write_row([Jsonb(row[k], _DUMPS) if k in json else row[k] for k in keys])


def _executemany(
    session: Session, table: Table, columns: list[Column[Any]], rows: list[dict[str, Any]]
) -> None:
    """One driver executemany of plain tuples, each value through its column type's own bind
    processor (JSON text, dates), as SQLAlchemy's INSERT would store it, without SQLAlchemy
    building and processing a parameter dictionary per row (most of the write's cost).

    A value that is the very object of the row before (the batch's capture time, a missing
    date, the shared empty media list) takes that row's processed value."""
    dialect = session.get_bind().dialect
    keys = [c.key for c in columns]
    processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    converted = [(i, p) for i, p in enumerate(processors) if p is not None]
    last_in: list[Any] = [_UNSEEN] * len(columns)
    last_out: list[Any] = [None] * len(columns)
    params: list[tuple[Any, ...]] = []
    for row in rows:
        values = [row[k] for k in keys]
        for i, process in converted:
            value = values[i]
            if value is last_in[i]:
                values[i] = last_out[i]
            else:
                last_in[i] = value
                values[i] = last_out[i] = process(value)
        params.append(tuple(values))
    names = ", ".join(f'"{c.name}"' for c in columns)  # the table's own column names
    marks = ", ".join("?" for _ in columns)
    session.connection().exec_driver_sql(
        f"INSERT INTO {table.name} ({names}) VALUES ({marks})",  # noqa: S608 - our own names
        params,
    )


_UNSEEN = object()
#: Type OIDs of the columns a COPY writes, by table and columns (built-in types: stable).
_COPY_TYPES: dict[tuple[str, str], list[int]] = {}
_DUMPS = jsontext.dumps
_NUL_BYTES = _NUL_ESCAPE.encode()


def capture(
    session: Session,
    items: Sequence[CapturedItem],
    *,
    source: str,
    page_id: int | None = None,
    media: MediaStore | None = None,
    read_media: MediaReader | None = None,
    extra_fields: dict[str, Any] | None = None,
) -> CaptureReport:
    """Store new records and changed versions of ``items`` in the caller's transaction.

    Each time is put in ISO form once (the batch's capture time once for all), and the forms
    go into every hash that covers them; each item's canonical JSON is made once, for its
    fingerprint and to see whether any of its texts holds a NUL at all."""
    report = CaptureReport()
    if not items:
        return report
    now = clock.now()
    now_iso = _iso(now)
    keys = [item.identity for item in items]
    heads = _load_heads(session, sorted(set(keys)))

    head = chain.locked_head(session, ArchiveHead)
    seq, prev_hash = head.last_seq, head.last_hash
    first_seq = seq
    new_items: dict[tuple[str, str, str], dict[str, Any]] = {}
    versions: list[tuple[tuple[str, str, str], dict[str, Any]]] = []
    times: list[tuple[datetime | None, datetime | None]] = []  # each version's dates

    for captured, key in zip(items, keys, strict=True):
        normalized = captured.normalized_json()
        fingerprint = hashlib.sha256(normalized).hexdigest()
        known = heads.get(key)
        if known is not None and known.head_fingerprint == fingerprint:
            report.unchanged += 1
            continue
        merged = {**captured.fields, **extra_fields} if extra_fields else dict(captured.fields)
        if _NUL_BYTES in normalized:  # some text may hold a NUL: the careful path
            fields = _clean_json(merged)
            text_value = _clean(captured.text)
            author_name = _clean(captured.author_name)
            author_id = _clean(captured.author_platform_id)
            page_platform_id = _clean(captured.page_platform_id)
            parent_platform_id = _clean(captured.parent_platform_id)
        else:  # none in any of them (the canonical JSON shows every NUL as its escape)
            fields = _clean_json(merged) if extra_fields else merged
            text_value = captured.text
            author_name = captured.author_name
            author_id = captured.author_platform_id
            page_platform_id = captured.page_platform_id
            parent_platform_id = captured.parent_platform_id
        created = _utc(captured.created_at)
        edited = _utc(captured.edited_at)
        created_iso = _iso(created)
        state = state_of(
            fields,
            text=text_value,
            edited=edited is not None,
            first_text=known.first_text if known is not None else text_value,
            previous=ItemState(known.state) if known is not None else None,
        )
        if known is None:
            new_items[key] = {
                "platform": captured.platform,
                "kind": captured.kind.value,
                "platform_id": captured.platform_id,
                "page_id": page_id,
                "page_platform_id": page_platform_id,
                "parent_platform_id": parent_platform_id,
                "author_platform_id": author_id,
                "author_name": author_name,
                "created_at": created,
                "first_captured_at": now,
            }
            hashed = {
                "page_id": page_id,
                "page_platform_id": page_platform_id,
                "parent_platform_id": parent_platform_id,
                "author_platform_id": author_id,
                "author_name": author_name,
                "created_at": created_iso,
                "first_captured_at": now_iso,
            }
            known = heads[key] = _Head(None, 0, "", state.value, text_value, new_items[key], hashed)
            report.new_items += 1
        else:
            report.new_versions += 1
        seq += 1
        # The version as its hash covers it (times in ISO form); the row takes the datetimes.
        version: dict[str, Any] = {
            "seq": seq,
            "version": known.head_version + 1,
            "captured_at": now_iso,
            "source": source,
            "state": state.value,
            "fingerprint": fingerprint,
            "text": text_value,
            "author_platform_id": author_id,
            "author_name": author_name,
            "created_at": created_iso,
            "edited_at": _iso(edited),
            "fields": fields,
            "media": _store_media(session, captured.media, media, read_media, report),
            "raw": captured.raw,
            "raw_media_type": captured.raw_media_type,
            "raw_sha256": hashlib.sha256(captured.raw).hexdigest(),
            "prev_hash": prev_hash,
        }
        version["hash"] = prev_hash = chain.extend(
            chain.Head(seq - 1, prev_hash), version_fields_v3(key, version, known.hashed)
        ).hash
        versions.append((key, version))
        times.append((created, edited))
        known.head_version, known.head_fingerprint, known.state = (
            version["version"],
            fingerprint,
            state.value,
        )

    if new_items:
        # One bulk write with the ids the database would give (no reading back for them).
        ids = _new_item_ids(session, len(new_items))
        rows = []
        for new_id, (k, row) in zip(ids, new_items.items(), strict=True):
            known = heads[k]
            known.id = row["id"] = new_id
            row["head_version"] = known.head_version
            row["head_fingerprint"] = known.head_fingerprint
            row["state"] = known.state
            rows.append(row)
        _insert_rows(session, ITEMS, rows)
    changed = {k for k, _ in versions if k not in new_items}
    if changed:
        session.execute(
            update(ITEMS).where(ITEMS.c.id == bindparam("item_id")),
            [
                {
                    "item_id": heads[k].id,
                    "head_version": heads[k].head_version,
                    "head_fingerprint": heads[k].head_fingerprint,
                    "state": heads[k].state,
                }
                for k in changed
            ],
        )
    if versions:
        _insert_rows(
            session,
            VERSIONS,
            [
                {
                    **v,
                    "item_id": heads[k].id,
                    "captured_at": now,
                    "created_at": created,
                    "edited_at": edited,
                }
                for (k, v), (created, edited) in zip(versions, times, strict=True)
            ],
        )
        if session.get_bind().dialect.name == "sqlite":
            # Straight to the driver: three plain values a row, no SQL expression to compile.
            session.connection().exec_driver_sql(
                "INSERT INTO archive_fts(rowid, text, author) VALUES (?, ?, ?)",
                [
                    fts_row(v["seq"], v["text"], v["author_name"], v["author_platform_id"])
                    for _, v in versions
                ],
            )
        else:
            # The batch's search rows in one INSERT … SELECT, and the record's new state on the
            # search rows of its older versions.
            pgsearch.index_range(session, first_seq, seq)
            pgsearch.restate(session, ((heads[k].id or 0, heads[k].state) for k in changed))
        session.execute(
            update(ArchiveHead).where(ArchiveHead.id == 1).values(last_seq=seq, last_hash=prev_hash)
        )
        session.expire(head)
    report.item_ids = [heads[k].id for k in keys]  # type: ignore[misc]
    return report
