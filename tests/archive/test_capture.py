"""Capture keeps every version, adds nothing for the same payload, and chains what it keeps."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.capture import capture
from piodesk.archive.media import MediaStore
from piodesk.archive.model import ItemState
from piodesk.archive.tables import ArchiveItem, ArchiveMedia, ArchiveVersion
from piodesk.archive.verify import verify_archive
from piodesk.connectors.model import CapturedItem, ItemKind, MediaRef
from piodesk.core.db import transaction


def comment(
    cid: str = "c1", text: str = "Thanks for the road closure update", **kw
) -> CapturedItem:
    fields = kw.pop("fields", {})
    payload = {"id": cid, "message": text, **fields}
    return CapturedItem(
        kind=ItemKind.COMMENT,
        platform="facebook",
        platform_id=cid,
        raw=json.dumps(payload).encode(),
        page_platform_id="cspd",
        parent_platform_id="post1",
        author_platform_id="u42",
        author_name="Jo Resident",
        created_at=datetime(2026, 11, 1, 12, 0, tzinfo=UTC),
        text=text,
        fields=fields,
        **kw,
    )


def counts(sessions: sessionmaker[Session]) -> tuple[int, int]:
    with sessions() as s:
        return (
            s.execute(select(func.count()).select_from(ArchiveItem)).scalar_one(),
            s.execute(select(func.count()).select_from(ArchiveVersion)).scalar_one(),
        )


@pytest.fixture
def media(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")


def test_same_payload_twice_adds_nothing(
    sessions: sessionmaker[Session], media: MediaStore
) -> None:
    with transaction(sessions) as s:
        r1 = capture(s, [comment()], source="test", media=media)
    with transaction(sessions) as s:
        r2 = capture(s, [comment()], source="test", media=media)
    assert (r1.new_items, r1.unchanged) == (1, 0)
    assert (r2.new_items, r2.new_versions, r2.unchanged) == (0, 0, 1)
    assert counts(sessions) == (1, 1)


def test_edit_hide_delete_each_add_a_version(
    sessions: sessionmaker[Session], media: MediaStore
) -> None:
    steps = [
        (comment(), ItemState.LIVE),
        (
            comment(text="Thanks for the update!", edited_at=datetime(2026, 11, 1, 13, tzinfo=UTC)),
            ItemState.EDITED,
        ),
        (comment(text="Thanks for the update!", fields={"hidden": True}), ItemState.HIDDEN),
        (comment(text="Thanks for the update!", fields={"deleted": True}), ItemState.DELETED),
    ]
    for item, _ in steps:
        with transaction(sessions) as s:
            capture(s, [item], source="test", media=media)
    with sessions() as s:
        item = s.execute(select(ArchiveItem)).scalar_one()
        versions = (
            s.execute(
                select(ArchiveVersion)
                .where(ArchiveVersion.item_id == item.id)
                .order_by(ArchiveVersion.version)
            )
            .scalars()
            .all()
        )
        assert [v.state for v in versions] == [st.value for _, st in steps]
        assert versions[0].text == "Thanks for the road closure update"  # the original is kept
        assert versions[0].raw == steps[0][0].raw  # byte for byte as received
        assert item.state == ItemState.DELETED and item.head_version == 4
        assert verify_archive(s, media).ok


def test_batch_with_the_same_record_twice(
    sessions: sessionmaker[Session], media: MediaStore
) -> None:
    with transaction(sessions) as s:
        report = capture(
            s, [comment(), comment(), comment(text="changed")], source="t", media=media
        )
    assert (report.new_items, report.new_versions, report.unchanged) == (1, 1, 1)
    assert counts(sessions) == (1, 2)


def test_media_stored_once_by_hash(sessions: sessionmaker[Session], media: MediaStore) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"x" * 100
    items = [
        comment(cid=f"c{i}", media=(MediaRef(data=png, mime_type="image/png", filename="a.png"),))
        for i in range(3)
    ]
    with transaction(sessions) as s:
        report = capture(s, items, source="t", media=media)
    assert report.media_stored == 1
    with sessions() as s:
        assert s.execute(select(func.count()).select_from(ArchiveMedia)).scalar_one() == 1
        v = s.execute(select(ArchiveVersion).limit(1)).scalar_one()
        digest = v.media[0]["sha256"]
    assert media.path_for(digest).read_bytes() == png


def test_hostile_text_is_kept(sessions: sessionmaker[Session], media: MediaStore) -> None:
    hostile = "NUL\x00 <script>alert(1)</script> \u202eRTL \U0001f600 " + "x" * 100_000
    with transaction(sessions) as s:
        capture(s, [comment(text=hostile)], source="t", media=media)
    with sessions() as s:
        v = s.execute(select(ArchiveVersion)).scalar_one()
        # PostgreSQL cannot store NUL in text; the raw payload keeps the exact bytes regardless.
        assert v.text == hostile.replace("\x00", "\ufffd")
        assert json.loads(v.raw)["message"] == hostile
        assert verify_archive(s, media).ok


def test_failed_batch_writes_nothing(sessions: sessionmaker[Session], media: MediaStore) -> None:
    with pytest.raises(RuntimeError), transaction(sessions) as s:
        capture(s, [comment(cid="a"), comment(cid="b")], source="t", media=media)
        raise RuntimeError("crash after capture, before commit")
    assert counts(sessions) == (0, 0)
    with sessions() as s:
        assert verify_archive(s, media).ok


def test_item_ids_reported_are_the_stored_ones(
    sessions: sessionmaker[Session], media: MediaStore
) -> None:
    # New records take the ids the database would give them (no reading back after the
    # insert): a batch mixing known records, new ones and one record twice reports, in input
    # order, the very ids the rows have.
    with transaction(sessions) as s:
        first = capture(s, [comment("k1"), comment("k2")], source="t", media=media)
    batch = [
        comment("n1"),
        comment("k2", "Edited text"),
        comment("n2"),
        comment("n1", "n1 edited"),
        comment("k1"),
    ]
    with transaction(sessions) as s:
        report = capture(s, batch, source="t", media=media)
    with sessions() as s:
        ids = dict(s.execute(select(ArchiveItem.platform_id, ArchiveItem.id)).all())
        owners = s.execute(
            select(ArchiveVersion.seq, ArchiveVersion.item_id).order_by(ArchiveVersion.seq)
        ).all()
        assert verify_archive(s, media).ok
    assert first.item_ids == [ids["k1"], ids["k2"]]
    assert report.item_ids == [ids[c.platform_id] for c in batch]
    assert len(set(ids.values())) == 4
    assert [item for _, item in owners] == [
        ids["k1"],
        ids["k2"],
        ids["n1"],
        ids["k2"],
        ids["n2"],
        ids["n1"],
    ]


def test_hashed_identity_covers_the_identity_columns() -> None:
    # Capture builds the identity the hashes cover by hand (once a record); it must name the
    # very columns item_identity and format 3's link name.
    from piodesk.archive import capture as cap

    when = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    record = {k: f"v-{k}" for k in cap.ITEM_IDENTITY} | {
        "created_at": when,
        "first_captured_at": when,
    }
    assert set(cap.item_identity(record)) == set(cap.ITEM_IDENTITY)
    assert set(cap._item_linked(record)) == set(cap.ITEM_LINKED)
    assert cap.item_identity(cap.item_identity(record)) == cap.item_identity(record)
    assert cap.item_identity(record)["created_at"] == "2026-11-01T12:00:00.000000+00:00"
