"""What capture stores is pinned byte for byte: the four sample exports imported, then edits,
hides, NUL characters, extra fields and media bytes captured on top, at a fixed clock, give
stored rows whose digest is the one the capture code of before the batched fast path gave
(computed on main at 31efbf7 and written here).

A faster capture must write the same evidence: the same raw bytes, the same JSON text (on
SQLite the JSON columns are text, so their serialisation is part of the row), the same dates,
states, fingerprints and chain hashes. Any difference in any column of any row changes the
digest. The rows are read by plain SQL, as the database holds them, not through the ORM.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.capture import capture
from piodesk.archive.importing import import_export
from piodesk.archive.media import MediaStore
from piodesk.archive.verify import verify_archive
from piodesk.connectors.model import CapturedItem, ItemKind, MediaRef
from piodesk.core import clock
from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from tests.connectors.conftest import shared

#: Digest of the stored rows, per backend (PostgreSQL's jsonb and tsvector are its own texts).
PINNED = {
    "sqlite": "1ac4479e3c857184e829acc50c73089dd783be146b000e8f99cb827599be118b",
    "postgresql": "31c03b2170cf9866368931bbad737fe934d753cd98287dee79f93f2f82b357e8",
}
TABLES = {
    "sqlite": (
        "SELECT * FROM archive_items ORDER BY id",
        "SELECT * FROM archive_versions ORDER BY seq",
        "SELECT * FROM archive_media ORDER BY sha256",
        "SELECT * FROM archive_head",
    ),
    "postgresql": (
        "SELECT t::text FROM archive_items t ORDER BY id",
        "SELECT t::text FROM archive_versions t ORDER BY seq",
        "SELECT t::text FROM archive_media t ORDER BY sha256",
        "SELECT t::text FROM archive_head t",
        "SELECT t::text FROM archive_search t ORDER BY seq",
    ),
}
AT = datetime(2026, 11, 5, 9, 30, 15, 123456, tzinfo=UTC)


def _comment(cid: str, text: str | None, **kw: object) -> CapturedItem:
    fields = dict(kw.pop("fields", {}))  # type: ignore[call-overload]
    return CapturedItem(
        kind=ItemKind.COMMENT,
        platform="facebook",
        platform_id=cid,
        raw=json.dumps({"id": cid, "message": text, **fields}).encode() + b"\x00\xff",
        page_platform_id="cspd",
        parent_platform_id="post1",
        author_platform_id="u42",
        author_name="Jo Resident\x00",
        created_at=datetime(2026, 11, 1, 12, 0, tzinfo=UTC),
        text=text,
        fields=fields,
        **kw,  # type: ignore[arg-type]
    )


def _stored_digest(engine: Engine) -> str:
    backend = engine.dialect.name
    h = hashlib.sha256()
    with engine.connect() as conn:
        if backend == "postgresql":
            conn.exec_driver_sql("SET TIME ZONE 'UTC'")
        for sql in TABLES[backend]:
            h.update(sql.encode() + b"\n")
            for row in conn.exec_driver_sql(sql):
                h.update(repr(tuple(row)).encode() + b"\n")
    return h.hexdigest()


@pytest.fixture
def fixed_clock() -> object:
    clock.set_clock(lambda: AT)
    yield AT
    clock.set_clock(None)


def test_stored_rows_are_the_pinned_ones(
    engine: Engine, sessions: sessionmaker[Session], staff, tmp_path: Path, fixed_clock: object
) -> None:
    media = MediaStore(tmp_path / "media")
    for name in ("twitter_archive", "mastodon", "facebook", "instagram"):
        run = import_export(
            sessions,
            shared(f"exports/{name}"),
            actor=staff[Role.RECORDS],
            media=media,
            batch_size=7,
        )
        assert run.status == "finished" and run.taken > 0
    photo = MediaRef(data=b"\x89PNG pinned photo", mime_type="image/png", filename="p.png")
    first = [
        _comment("c1", "Thanks for the road closure update"),
        _comment("c2", "NUL\x00 in the text", fields={"note\x00": ["a\x00b", {"k": "\x00"}]}),
        _comment("c3", None, media=[photo, MediaRef(url="https://example.org/x.jpg")]),
        _comment("c1", "Thanks for the road closure update"),  # the same again: nothing added
    ]
    second = [
        _comment("c1", "Thanks for the road closure update!", edited_at=AT),  # an edit
        _comment("c2", "NUL\x00 in the text", fields={"is_hidden": True}),  # a hide
        _comment("c4", "Zoë's \U0001f600 comment", media=[photo]),
    ]
    with transaction(sessions) as s:
        capture(s, first, source="pinned:1", page_id=None, media=media)
    with transaction(sessions) as s:
        capture(s, second, source="pinned:2", media=media, extra_fields={"by": "test"})
    with sessions() as s:
        assert verify_archive(s, media).ok
    assert _stored_digest(engine) == PINNED[engine.dialect.name]
