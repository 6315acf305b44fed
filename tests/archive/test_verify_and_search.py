"""`piodesk archive verify` names tampering; search finds every version with filters."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from piodesk.archive.capture import capture
from piodesk.archive.media import MediaStore
from piodesk.archive.search import SearchQuery, search
from piodesk.cli import app
from piodesk.connectors.model import MediaRef
from piodesk.core.db import transaction
from piodesk.core.errors import InvalidInput
from tests.archive.test_capture import comment

runner = CliRunner()


@pytest.fixture
def archive(sessions: sessionmaker[Session], tmp_path: Path) -> MediaStore:
    """A small archive: comments with edits, a hide, a removal, and a photo."""
    media = MediaStore(tmp_path / "data" / "media")
    photo = MediaRef(data=b"\xff\xd8\xff" + b"jpeg" * 50, mime_type="image/jpeg", filename="p.jpg")
    batches = [
        [
            comment("c1", "Road closed on Academy Blvd until noon"),
            comment("c2", "Call me at 719-555-0100 about the stolen bike", media=(photo,)),
            comment("c3", "The chief should resign, this is a disgrace"),
        ],
        [
            comment(
                "c1",
                "Road closed on Academy Blvd until 3 pm",
                edited_at=datetime(2026, 11, 2, tzinfo=UTC),
            )
        ],
        [
            comment(
                "c2",
                "Call me at 719-555-0100 about the stolen bike",
                fields={"removed": True},
                media=(photo,),
            )
        ],
        [comment("c3", "The chief should resign, this is a disgrace", fields={"hidden": True})],
    ]
    for batch in batches:
        with transaction(sessions) as s:
            capture(s, batch, source="test", media=media)
    return media


def verify_cli(db_url: str, data_dir: Path) -> tuple[int, str]:
    result = runner.invoke(
        app,
        ["--operator", "archive", "verify"],
        env={
            "PIODESK_DATABASE_URL": db_url,
            "PIODESK_SECRET_KEY": "k" * 32,
            "PIODESK_DATA_DIR": str(data_dir),
            "COLUMNS": "300",
        },
    )
    return result.exit_code, result.output


def test_intact_archive_verifies(archive: MediaStore, db_url: str, tmp_path: Path) -> None:
    code, out = verify_cli(db_url, tmp_path / "data")
    assert code == 0, out
    assert "6 versions and 1 media files verified" in out


def test_database_refuses_to_change_a_version(archive: MediaStore, engine: Engine) -> None:
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("UPDATE archive_versions SET text = 'x' WHERE seq = 1"))


def test_edited_row_and_media_file_are_both_named(
    archive: MediaStore, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(
                "ALTER TABLE archive_versions DISABLE TRIGGER archive_versions_append_only"
            )
        else:
            conn.exec_driver_sql("DROP TRIGGER archive_versions_no_update")
        conn.execute(text("UPDATE archive_versions SET text = 'Nothing to see here' WHERE seq = 2"))
        sha = conn.execute(text("SELECT sha256 FROM archive_media")).scalar_one()
    path = archive.path_for(sha)
    data = bytearray(path.read_bytes())
    data[10] ^= 0xFF  # one changed byte
    path.write_bytes(bytes(data))
    code, out = verify_cli(db_url, tmp_path / "data")
    assert code == 1
    assert "version 2 (facebook comment c2, v1) was altered" in out
    assert f"media file {sha[:16]}… does not match its hash" in out


def test_search_finds_edited_away_text_and_filters(
    archive: MediaStore, sessions: sessionmaker[Session]
) -> None:
    with sessions() as s:
        # "noon" exists only in the first version of c1: the record is still found.
        hits = search(s, SearchQuery(q="noon"))
        assert [h.item.platform_id for h in hits] == ["c1"]
        assert hits[0].version.version == 1 and hits[0].item.state == "edited"
        # Stemming: "closing" finds "closed".
        assert {h.item.platform_id for h in search(s, SearchQuery(q="closing"))} == {"c1"}
        removed = search(s, SearchQuery(state="removed"))
        assert [h.item.platform_id for h in removed] == ["c2"]
        assert search(s, SearchQuery(q="bike", state="removed"))[0].item.platform_id == "c2"
        assert search(s, SearchQuery(q="bike", state="live")) == []
        assert {h.item.platform_id for h in search(s, SearchQuery(author="jo resident"))} == {
            "c1",
            "c2",
            "c3",
        }
        assert search(s, SearchQuery(q="chief", kind="post")) == []
        late = datetime(2027, 1, 1, tzinfo=UTC)
        assert search(s, SearchQuery(q="chief", date_from=late)) == []
        # Query syntax in user text is treated as words, never as FTS operators.
        assert search(s, SearchQuery(q='"chief" * (')) != []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (SearchQuery(q="x" * 501), "too long"),
        (SearchQuery(state="vanished"), "unknown state"),
        (SearchQuery(kind="tweetstorm"), "unknown kind"),
        (SearchQuery(limit=0), "limit"),
        (
            SearchQuery(
                date_from=datetime(2026, 2, 1, tzinfo=UTC), date_to=datetime(2026, 1, 1, tzinfo=UTC)
            ),
            "ends before it starts",
        ),
    ],
)
def test_bad_search_is_explained(
    query: SearchQuery, message: str, sessions: sessionmaker[Session]
) -> None:
    with sessions() as s, pytest.raises(InvalidInput, match=message):
        search(s, query)


def test_date_range_search_for_a_common_word(
    archive: MediaStore, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    from piodesk.archive import search as search_module

    # Treat every word as common, so the date-driven plan runs (on SQLite) on this small archive.
    monkeypatch.setattr(search_module, "COMMON_MATCHES", 1)
    day = datetime(2026, 11, 1, tzinfo=UTC)
    with sessions() as s:
        hits = search(s, SearchQuery(q="chief", date_from=day, date_to=day.replace(hour=23)))
        assert [h.item.platform_id for h in hits] == ["c3"]
        assert search(s, SearchQuery(q="chief", date_from=datetime(2027, 1, 1, tzinfo=UTC))) == []
        both = search(s, SearchQuery(q="road", date_to=day.replace(hour=23), author="jo"))
        assert [h.item.platform_id for h in both] == ["c1"]
