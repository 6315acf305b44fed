"""Capture: turn what connectors and importers read into immutable, hash-chained versions.

Capturing the same payload again adds nothing (equal fingerprint); a changed payload — an
edit, a hide, a deletion — adds a new version and keeps the old. Work is done in batches, one
lock of the chain head per batch, so an import of a large export is fast and each batch is
all-or-nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, text, tuple_, update
from sqlalchemy.orm import Session

from piodesk.archive.media import MediaStore
from piodesk.archive.model import ItemState, state_of
from piodesk.archive.tables import ArchiveHead, ArchiveItem, ArchiveMedia, ArchiveVersion
from piodesk.connectors.model import CapturedItem, MediaRef
from piodesk.core import clock
from piodesk.core.audit import GENESIS, canonical, event_hash

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


def _clean_json(value: Any) -> Any:
    return json.loads(canonical(value).replace("\\u0000", "\\ufffd"))


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else clock.as_utc(value).isoformat(timespec="microseconds")


def version_fields(item: ArchiveItem, v: ArchiveVersion) -> dict[str, Any]:
    """Everything a version's hash covers (the raw payload by its SHA-256)."""
    return {
        "seq": v.seq,
        "platform": item.platform,
        "kind": item.kind,
        "platform_id": item.platform_id,
        "version": v.version,
        "captured_at": _iso(v.captured_at),
        "source": v.source,
        "state": v.state,
        "fingerprint": v.fingerprint,
        "text": v.text,
        "author_platform_id": v.author_platform_id,
        "author_name": v.author_name,
        "created_at": _iso(v.created_at),
        "edited_at": _iso(v.edited_at),
        "fields": v.fields,
        "media": v.media,
        "raw_media_type": v.raw_media_type,
        "raw_sha256": v.raw_sha256,
    }


def _store_media(
    session: Session,
    refs: Sequence[MediaRef],
    store: MediaStore | None,
    reader: MediaReader | None,
    report: CaptureReport,
) -> list[dict[str, Any]]:
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


def _first_texts(session: Session, item_ids: list[int]) -> dict[int, str | None]:
    if not item_ids:
        return {}
    rows = session.execute(
        select(ArchiveVersion.item_id, ArchiveVersion.text).where(
            ArchiveVersion.item_id.in_(item_ids), ArchiveVersion.version == 1
        )
    )
    return {r.item_id: r.text for r in rows}


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
    """Store new records and changed versions of ``items`` in the caller's transaction."""
    report = CaptureReport()
    if not items:
        return report
    now = clock.now()
    keys = {item.identity for item in items}
    existing: dict[tuple[str, str, str], ArchiveItem] = {}
    key_list = sorted(keys)
    for start in range(0, len(key_list), 500):
        chunk = key_list[start : start + 500]
        for found in session.execute(
            select(ArchiveItem).where(
                tuple_(ArchiveItem.platform, ArchiveItem.kind, ArchiveItem.platform_id).in_(chunk)
            )
        ).scalars():
            existing[(found.platform, found.kind, found.platform_id)] = found
    first_text = _first_texts(session, [i.id for i in existing.values()])

    head = session.execute(
        select(ArchiveHead).where(ArchiveHead.id == 1).with_for_update()
    ).scalar()
    if head is None:
        head = ArchiveHead(id=1, last_seq=0, last_hash=GENESIS)
        session.add(head)
    seq, prev_hash = head.last_seq, head.last_hash
    new_versions: list[dict[str, Any]] = []
    fts_rows: list[dict[str, Any]] = []

    for captured in items:
        fingerprint = captured.fingerprint
        row = existing.get(captured.identity)
        if row is not None and row.head_fingerprint == fingerprint:
            report.unchanged += 1
            report.item_ids.append(row.id)
            continue
        fields = _clean_json({**dict(captured.fields), **(extra_fields or {})})
        text_value = _clean(captured.text)
        previous = ItemState(row.state) if row is not None else None
        state = state_of(
            fields,
            text=text_value,
            edited=captured.edited_at is not None,
            first_text=first_text.get(row.id) if row is not None else text_value,
            previous=previous,
        )
        if row is None:
            row = ArchiveItem(
                platform=captured.platform,
                kind=captured.kind.value,
                platform_id=captured.platform_id,
                page_id=page_id,
                page_platform_id=_clean(captured.page_platform_id),
                parent_platform_id=_clean(captured.parent_platform_id),
                author_platform_id=_clean(captured.author_platform_id),
                author_name=_clean(captured.author_name),
                created_at=_utc(captured.created_at),
                first_captured_at=now,
                head_version=0,
                head_fingerprint="",
                state=state.value,
            )
            session.add(row)
            session.flush()
            existing[captured.identity] = row
            first_text[row.id] = text_value
            report.new_items += 1
        else:
            report.new_versions += 1
        seq += 1
        version = ArchiveVersion(
            seq=seq,
            item_id=row.id,
            version=row.head_version + 1,
            captured_at=now,
            source=source,
            state=state.value,
            fingerprint=fingerprint,
            text=text_value,
            author_platform_id=_clean(captured.author_platform_id),
            author_name=_clean(captured.author_name),
            created_at=_utc(captured.created_at),
            edited_at=_utc(captured.edited_at),
            fields=fields,
            media=_store_media(session, captured.media, media, read_media, report),
            raw=captured.raw,
            raw_media_type=captured.raw_media_type,
            raw_sha256=hashlib.sha256(captured.raw).hexdigest(),
            prev_hash=prev_hash,
        )
        version.hash = event_hash(version_fields(row, version), prev_hash)
        prev_hash = version.hash
        new_versions.append(
            {c.key: getattr(version, c.key) for c in ArchiveVersion.__table__.columns}
        )
        fts_rows.append({"rowid": seq, "text": text_value or "", "author": row.author_name or ""})
        row.head_version = version.version
        row.head_fingerprint = fingerprint
        row.state = state.value
        report.item_ids.append(row.id)

    if new_versions:
        session.flush()
        session.execute(insert(ArchiveVersion), new_versions)
        if session.get_bind().dialect.name == "sqlite":
            session.execute(
                text(
                    "INSERT INTO archive_fts(rowid, text, author) VALUES (:rowid, :text, :author)"
                ),
                fts_rows,
            )
        session.execute(
            update(ArchiveHead).where(ArchiveHead.id == 1).values(last_seq=seq, last_hash=prev_hash)
        )
        session.expire(head)
    return report
