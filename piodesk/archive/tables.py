"""Archive storage: records, their immutable versions (hash-chained), media, imports, cursors.

``archive_versions`` is append-only (database triggers refuse UPDATE and DELETE) and chained:
each version's hash covers its fields, the SHA-256 of its raw payload and media, and the
previous version's hash. ``archive_items`` holds each record's identity plus a few *head*
columns (latest version number, state, fingerprint) that are a derived index for fast
filtering; ``piodesk archive verify`` checks them against the versions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from piodesk.core.db import Base, JSONType, UTCDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")


class ArchiveItem(Base):
    """One record (a post, comment, reply, profile, subscriber list or submission)."""

    __tablename__ = "archive_items"
    __table_args__ = (
        UniqueConstraint("platform", "kind", "platform_id"),
        Index("ix_archive_items_page_created", "page_id", "created_at"),
        Index("ix_archive_items_state_created", "state", "created_at"),
        Index("ix_archive_items_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    platform_id: Mapped[str] = mapped_column(String(500))
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id"), nullable=True)
    page_platform_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    parent_platform_id: Mapped[str | None] = mapped_column(String(500), nullable=True)
    author_platform_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    author_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Head: derived from the latest version (checked by `piodesk archive verify`).
    head_version: Mapped[int] = mapped_column(Integer)
    head_fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(10))


class ArchiveVersion(Base):
    """One immutable version of a record, exactly as captured. Never updated or deleted."""

    __tablename__ = "archive_versions"
    __table_args__ = (UniqueConstraint("item_id", "version"),)

    seq: Mapped[int] = mapped_column(BigId, primary_key=True)  # position in the hash chain
    item_id: Mapped[int] = mapped_column(ForeignKey("archive_items.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(300))  # connector, import run, or piodesk action
    state: Mapped[str] = mapped_column(String(10))
    fingerprint: Mapped[str] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    author_platform_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    author_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    fields: Mapped[dict[str, Any]] = mapped_column(JSONType)
    media: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    # Deferred: searches and lists never need the payload; verify and productions ask for it.
    raw: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    raw_media_type: Mapped[str] = mapped_column(String(100))
    raw_sha256: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    # Not indexed: the chain is checked in seq order, and a unique index on random hex strings
    # would make every insert touch a random page of a large B-tree.
    hash: Mapped[str] = mapped_column(String(64))


class ArchiveHead(Base):
    """The end of the version chain (one row, id=1)."""

    __tablename__ = "archive_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigId)
    last_hash: Mapped[str] = mapped_column(String(64))


class ArchiveMedia(Base):
    """A media file, stored once by its SHA-256 under the data directory."""

    __tablename__ = "archive_media"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mime_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ImportRun(Base):
    """One import of a platform export: where it stands, so an interrupted one resumes."""

    __tablename__ = "archive_import_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    importer: Mapped[str] = mapped_column(String(60))
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id"), nullable=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(12))  # running | finished
    last_position: Mapped[str | None] = mapped_column(String(200), nullable=True)
    taken: Mapped[int] = mapped_column(Integer, default=0)  # new records or new versions
    unchanged: Mapped[int] = mapped_column(Integer, default=0)  # already in the archive
    skipped: Mapped[list[dict[str, str]]] = mapped_column(JSONType, default=list)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class IngestCursor(Base):
    """Where polling of one stream of one page stopped (opaque connector cursor)."""

    __tablename__ = "archive_ingest_cursors"
    __table_args__ = (UniqueConstraint("page_id", "stream"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"))
    stream: Mapped[str] = mapped_column(String(600))  # "posts" or "comments:<post id>"
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
