"""Recompute the archive's evidence: the version chain, raw payload hashes, heads and media.

``piodesk archive verify`` reports the first version that breaks the chain (altered, removed
or reordered, a cut tail, a missing head: the checks of core/chain.py, the same as the audit
log's), every record whose head disagrees with its versions, and every media file that
is missing or no longer matches its hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased, undefer

from piodesk.archive.capture import (
    ITEM_IDENTITY,
    version_columns,
    version_fields,
    version_fields_v3,
)
from piodesk.archive.media import MediaStore
from piodesk.archive.tables import ArchiveHead, ArchiveItem, ArchiveMedia, ArchiveVersion
from piodesk.core import chain
from piodesk.core.chain import Link


@dataclass
class ArchiveVerifyResult:
    """The outcome: counts checked and each problem found, in plain words."""

    versions_checked: int = 0
    media_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was found wrong."""
        return not self.problems


def _describe(item: ArchiveItem, v: ArchiveVersion) -> str:
    return f"version {v.seq} ({item.platform} {item.kind} {item.platform_id}, v{v.version})"


def _tombstones(session: Session, lo: int, hi: int) -> dict[int, Any]:
    from piodesk.records.tables import ArchiveTombstone

    rows = session.execute(
        select(ArchiveTombstone).where(ArchiveTombstone.seq > lo, ArchiveTombstone.seq <= hi)
    ).scalars()
    return {t.seq: t for t in rows}


def _links(
    session: Session, after: int, upto: int | None, batch: int, referenced: set[str]
) -> Iterator[Link]:
    last = after
    # Hash formats only move forward: 1 (the version alone), 2 (and its record's identity),
    # 3 (the content by its digest, so a disposition can destroy it). None may follow a newer.
    newest_format = 1
    while True:
        query = (
            select(ArchiveVersion, ArchiveItem)
            .options(undefer(ArchiveVersion.raw))
            .join(ArchiveItem, ArchiveItem.id == ArchiveVersion.item_id)
            .where(ArchiveVersion.seq > last)
        )
        if upto is not None:
            query = query.where(ArchiveVersion.seq <= upto)
        rows = session.execute(query.order_by(ArchiveVersion.seq).limit(batch)).all()
        if not rows:
            return
        graves = _tombstones(session, last, rows[-1][0].seq)
        for v, item in rows:
            identity = (item.platform, item.kind, item.platform_id)
            columns = version_columns(v)
            record = {k: getattr(item, k) for k in ITEM_IDENTITY}
            grave = graves.get(v.seq)
            problem = ""
            vouched = False
            if grave is not None:
                # Content destroyed by a disposition: the tombstone (sealed in the audit chain)
                # keeps the content digest format 3 chains, or vouches for an older link's hash.
                if grave.link_hash != v.hash or grave.raw_sha256 != v.raw_sha256:
                    problem = "its hash is not the one its disposition tombstone recorded"
                fmt = grave.hash_format
                if fmt == 3:
                    fields = version_fields_v3(identity, columns, record, grave.content_sha256)
                else:
                    fields, vouched = {}, True
                newest_format = max(newest_format, fmt)
            else:
                if hashlib.sha256(v.raw).hexdigest() != v.raw_sha256:
                    problem = "raw payload was altered"
                fields, matched = _fields_for(identity, columns, record, v, newest_format)
                if matched:
                    newest_format = int(fields.get("format", 1))
            yield Link(
                v.seq,
                v.prev_hash,
                v.hash,
                fields,
                _describe(item, v),
                problem=problem,
                altered_hint=""
                if newest_format == 1
                else " (the version itself, or its record's page, parent, author or dates)",
                vouched=vouched,
            )
            referenced.update(m["sha256"] for m in v.media if m.get("sha256"))
            last = v.seq
        session.expunge_all()


def _fields_for(
    identity: tuple[str, str, str],
    columns: dict[str, Any],
    record: dict[str, Any],
    v: ArchiveVersion,
    newest: int,
) -> tuple[dict[str, Any], bool]:
    """The fields of the oldest format, not older than ``newest``, that gives the stored hash,
    and True; when none does, the likeliest format's fields and False (the walk then names
    the version as altered)."""
    candidates: list[dict[str, Any]] = []
    if newest <= 1:
        candidates.append(version_fields(identity, columns))
    if newest <= 2:
        candidates.append(version_fields(identity, columns, record))
    candidates.append(version_fields_v3(identity, columns, record))
    for fields in candidates:
        if chain.link_hash(fields, v.prev_hash) == v.hash:
            return fields, True
    return (candidates[0] if newest == 2 else candidates[-1]), False


def walk(
    session: Session,
    start: chain.Head = chain.START,
    wanted: Collection[int] = (),
    batch: int = 2000,
    referenced: set[str] | None = None,
) -> chain.ChainResult:
    """Walk the version chain after ``start`` (see :func:`piodesk.core.chain.walk_stored`)."""
    seen = set() if referenced is None else referenced
    return chain.walk_stored(
        session,
        noun="version",
        head_model=ArchiveHead,
        seq_column=ArchiveVersion.seq,
        links=lambda after, upto: _links(session, after, upto, batch, seen),
        start=start,
        wanted=wanted,
    )


CHAIN = chain.register(
    chain.ChainSource(
        name="archive",
        noun="version",
        head=lambda session: chain.stored_head(session, ArchiveHead),
        walk=lambda session, start, wanted: walk(session, start, wanted),
    )
)


def _check_chain(
    session: Session, result: ArchiveVerifyResult, batch: int, referenced: set[str]
) -> None:
    walked = walk(session, batch=batch, referenced=referenced)
    result.versions_checked += walked.checked
    if not walked.ok:
        result.problems.append(walked.problem)


def _check_heads(session: Session, result: ArchiveVerifyResult) -> None:
    latest = (
        select(ArchiveVersion.item_id, func.max(ArchiveVersion.version).label("v"))
        .group_by(ArchiveVersion.item_id)
        .subquery()
    )
    lv = aliased(ArchiveVersion)
    rows = session.execute(
        select(ArchiveItem.id, ArchiveItem.platform_id, ArchiveItem.kind)
        .join(latest, latest.c.item_id == ArchiveItem.id, isouter=True)
        .join(lv, (lv.item_id == ArchiveItem.id) & (lv.version == latest.c.v), isouter=True)
        .where(
            (latest.c.v.is_(None))
            | (ArchiveItem.head_version != latest.c.v)
            | (ArchiveItem.head_fingerprint != lv.fingerprint)
            | (ArchiveItem.state != lv.state)
        )
        .limit(20)
    ).all()
    for r in rows:
        result.problems.append(
            f"record {r.id} ({r.kind} {r.platform_id}) does not match its latest version"
        )


def _check_identity(session: Session, result: ArchiveVerifyResult) -> None:
    """Re-derive a record's author and dates from its first version (chained in every hash
    format), so even records captured before format 2 cannot be re-attributed unseen."""
    first = aliased(ArchiveVersion)
    pairs = [
        ("author_platform_id", ArchiveItem.author_platform_id, first.author_platform_id),
        ("author_name", ArchiveItem.author_name, first.author_name),
        ("created_at", ArchiveItem.created_at, first.created_at),
        ("first_captured_at", ArchiveItem.first_captured_at, first.captured_at),
    ]
    rows = session.execute(
        select(ArchiveItem, first)
        .join(first, (first.item_id == ArchiveItem.id) & (first.version == 1))
        .where(or_(*(mine.is_distinct_from(theirs) for _, mine, theirs in pairs)))
        .limit(20)
    ).all()
    for item, v in rows:
        for name, mine, theirs in pairs:
            now, then = getattr(item, mine.key), getattr(v, theirs.key)
            if now != then:
                result.problems.append(
                    f"record {item.id} ({item.kind} {item.platform_id}): {name} is {now!r} "
                    f"but its first version (chained) says {then!r}"
                )


def _check_media(
    session: Session,
    store: MediaStore,
    result: ArchiveVerifyResult,
    batch: int,
    referenced: set[str],
) -> None:
    from piodesk.records.tables import ArchiveTombstone

    # Media files a disposition deleted (no surviving version refers to them) are not missing.
    destroyed: set[str] = set()
    for gone in session.execute(select(ArchiveTombstone.media_destroyed)).scalars():
        destroyed.update(gone)
    destroyed -= referenced
    for sha in sorted(referenced):
        problem = store.check(sha)
        if problem:
            result.problems.append(problem)
        result.media_checked += 1
    last = ""
    while True:
        shas = (
            session.execute(
                select(ArchiveMedia.sha256)
                .where(ArchiveMedia.sha256 > last)
                .order_by(ArchiveMedia.sha256)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not shas:
            return
        for sha in (s for s in shas if s not in referenced and s not in destroyed):
            problem = store.check(sha)
            if problem:
                result.problems.append(problem)
            result.media_checked += 1
        last = shas[-1]


def verify_archive(session: Session, media: MediaStore, batch: int = 2000) -> ArchiveVerifyResult:
    """Check everything the archive holds as evidence."""
    result = ArchiveVerifyResult()
    referenced: set[str] = set()
    _check_chain(session, result, batch, referenced)
    _check_heads(session, result)
    _check_identity(session, result)
    _check_media(session, media, result, batch, referenced)
    return result
