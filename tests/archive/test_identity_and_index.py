"""A record's identity columns and the full-text index are evidence too: `piodesk archive
verify` names a comment moved to another page or author, `--deep` names one hidden from search,
and `piodesk archive reindex` puts it back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from piodesk.archive.capture import version_columns, version_fields
from piodesk.archive.fulltext import check_index, reindex
from piodesk.archive.media import MediaStore
from piodesk.archive.search import SearchQuery, search
from piodesk.archive.tables import ArchiveHead, ArchiveItem, ArchiveVersion
from piodesk.archive.verify import verify_archive
from piodesk.cli import app
from piodesk.core import audit
from piodesk.core.db import transaction
from piodesk.core.errors import InvalidInput, PermissionDenied
from piodesk.core.permissions import Role
from piodesk.pages import actions as pages
from piodesk.pages.model import Agency
from tests.archive.test_capture import comment
from tests.conftest import PASSWORD

runner = CliRunner()
ROAD = "Road closed on Academy Blvd until noon"
BIKE = "Somebody stole the red bicycle outside the library"


@pytest.fixture
def two_pages(sessions: sessionmaker[Session], staff, agency: Agency) -> tuple[int, int]:
    with transaction(sessions) as s:
        first, second = (
            pages.register_page(
                s,
                actor=staff[Role.PIO],
                agency=agency,
                platform="facebook",
                handle=handle,
                name=f"CSPD {handle}",
                administering_unit="Public Affairs",
            ).id
            for handle in ("cspd", "cspd-traffic")
        )
    return first, second


@pytest.fixture
def archive(sessions: sessionmaker[Session], two_pages: tuple[int, int], tmp_path: Path) -> Path:
    """Three comments on the first page (one edited): the data directory."""
    from piodesk.archive.capture import capture

    media = MediaStore(tmp_path / "data" / "media")
    with transaction(sessions) as s:
        capture(
            s,
            [comment("c1", ROAD), comment("c2", BIKE), comment("c3", "Thanks, officers")],
            source="test",
            page_id=two_pages[0],
            media=media,
        )
    with transaction(sessions) as s:
        capture(s, [comment("c1", ROAD + " (3 pm now)")], source="test", page_id=two_pages[0])
    return tmp_path / "data"


def cli(db_url: str, data_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        list(args),
        input=PASSWORD + "\n",  # --as asks for the account's password
        env={
            "PIODESK_DATABASE_URL": db_url,
            "PIODESK_SECRET_KEY": "k" * 32,
            "PIODESK_DATA_DIR": str(data_dir),
        },
    )
    return result.exit_code, " ".join(result.output.split())  # rich wraps long lines


def _item_id(sessions: sessionmaker[Session], platform_id: str) -> int:
    with sessions() as s:
        return s.execute(
            select(ArchiveItem.id).where(ArchiveItem.platform_id == platform_id)
        ).scalar_one()


def test_an_intact_archive_verifies_deep(archive: Path, db_url: str) -> None:
    code, out = cli(db_url, archive, "--operator", "archive", "verify", "--deep")
    assert code == 0, out
    assert "4 versions" in out and "search index matches 4 versions" in out


def test_a_comment_moved_to_another_page_is_named(
    archive: Path, db_url: str, engine: Engine, two_pages: tuple[int, int]
) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE archive_items SET page_id = :p WHERE platform_id = 'c2'"),
            {"p": two_pages[1]},
        )
    code, out = cli(db_url, archive, "--operator", "archive", "verify")
    assert code == 1, out
    assert "facebook comment c2" in out and "page, parent, author or dates" in out


@pytest.mark.parametrize(
    ("column", "value"),
    [("author_name", "Someone Else"), ("author_platform_id", "u99")],
)
def test_a_comment_given_another_author_is_named(
    archive: Path, db_url: str, engine: Engine, column: str, value: str
) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(f"UPDATE archive_items SET {column} = :v WHERE platform_id = 'c3'"), {"v": value}
        )
    code, out = cli(db_url, archive, "--operator", "archive", "verify")
    assert code == 1, out
    assert "comment c3" in out
    assert f"{column} is '{value}' but its first version (chained) says" in out


@contextmanager
def _versions_writable(engine: Engine) -> Iterator[None]:
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        if pg:
            conn.exec_driver_sql("DROP TRIGGER archive_versions_append_only ON archive_versions")
        else:
            conn.exec_driver_sql("DROP TRIGGER archive_versions_no_update")
    try:
        yield
    finally:
        if pg:
            with engine.begin() as conn:
                conn.exec_driver_sql(
                    # Migration 0013's guard: only a disposition's tombstone opens an UPDATE.
                    "CREATE TRIGGER archive_versions_append_only BEFORE UPDATE OR DELETE ON "
                    "archive_versions FOR EACH ROW EXECUTE FUNCTION "
                    "piodesk_archive_versions_guard()"
                )


def test_versions_hashed_before_format_2_still_verify(
    archive: Path, db_url: str, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    # Rehash the whole chain the way piodesk did before records' identity was chained: an
    # archive captured by an older piodesk must verify unchanged after the upgrade.
    with _versions_writable(engine), transaction(sessions) as s:
        prev = audit.GENESIS
        for v, item in s.execute(
            select(ArchiveVersion, ArchiveItem)
            .join(ArchiveItem, ArchiveItem.id == ArchiveVersion.item_id)
            .order_by(ArchiveVersion.seq)
        ).all():
            identity = (item.platform, item.kind, item.platform_id)
            new = audit.event_hash(version_fields(identity, version_columns(v)), prev)
            s.execute(
                text("UPDATE archive_versions SET prev_hash = :p, hash = :h WHERE seq = :s"),
                {"p": prev, "h": new, "s": v.seq},
            )
            prev = new
        s.execute(text("UPDATE archive_head SET last_hash = :h"), {"h": prev})
        s.expire_all()
    with sessions() as s:
        assert verify_archive(s, MediaStore(archive / "media")).ok
        assert s.get(ArchiveHead, 1) is not None
    # ... and its authors are still checked, re-derived from each record's first version.
    with engine.begin() as conn:
        conn.execute(text("UPDATE archive_items SET author_name = 'X' WHERE platform_id = 'c1'"))
    code, out = cli(db_url, archive, "--operator", "archive", "verify")
    assert code == 1 and "author_name is 'X'" in out, out


@contextmanager
def _hidden_from_search(engine: Engine, seq: int, words: str, author: str) -> Iterator[None]:
    """Take one version out of the full-text index, as an insider would."""
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        if pg:
            # The search row is an ordinary derived row: an insider deletes it.
            conn.execute(text("DELETE FROM archive_search WHERE seq = :s"), {"s": seq})
        else:
            # A contentless FTS5 row is deleted by naming its rowid and original values.
            conn.exec_driver_sql(
                "INSERT INTO archive_fts(archive_fts, rowid, text, author) "
                "VALUES ('delete', ?, ?, ?)",
                (seq, words, author),
            )
    yield


def _search(sessions: sessionmaker[Session], q: str) -> list[str]:
    with sessions() as s:
        return [h.item.platform_id for h in search(s, SearchQuery(q=q))]


def test_a_comment_deleted_from_the_index_is_named_and_reindex_restores_it(
    archive: Path, db_url: str, engine: Engine, sessions: sessionmaker[Session], staff
) -> None:
    assert _search(sessions, "bicycle") == ["c2"]
    with sessions() as s:
        seq = s.execute(
            select(ArchiveVersion.seq).join(ArchiveItem).where(ArchiveItem.platform_id == "c2")
        ).scalar_one()
    with _hidden_from_search(engine, seq, BIKE, "Jo Resident u42"):
        assert _search(sessions, "bicycle") == []  # a records request would miss it
        code, out = cli(db_url, archive, "--operator", "archive", "verify")
        assert code == 0, out  # every hash still verifies: that is the hole
        code, out = cli(db_url, archive, "--operator", "archive", "verify", "--deep")
        assert code == 1, out
        assert f"version {seq} (facebook comment c2)" in out
        records = staff[Role.RECORDS].username
        code, out = cli(
            db_url, archive, "archive", "reindex", "--as", records, "--reason", "verify --deep"
        )
        assert code == 0 and "rebuilt from 4 versions" in out, out
    assert _search(sessions, "bicycle") == ["c2"]
    code, out = cli(db_url, archive, "--operator", "archive", "verify", "--deep")
    assert code == 0, out
    with sessions() as s:
        event = s.execute(
            select(audit.AuditEvent).where(audit.AuditEvent.action == "archive:reindex")
        ).scalar_one()
        assert (event.actor_name, event.reason, event.data) == (
            records,
            "verify --deep",
            {"versions": 4},
        )


def test_a_comment_indexed_with_other_words_or_an_extra_entry_is_named(
    archive: Path, engine: Engine, sessions: sessionmaker[Session], staff
) -> None:
    sqlite = engine.dialect.name == "sqlite"
    with sessions() as s:
        seq = s.execute(
            select(ArchiveVersion.seq).join(ArchiveItem).where(ArchiveItem.platform_id == "c2")
        ).scalar_one()
    with engine.begin() as conn:
        if sqlite:
            conn.exec_driver_sql(
                "INSERT INTO archive_fts(archive_fts, rowid, text, author) "
                "VALUES ('delete', ?, ?, ?)",
                (seq, BIKE, "Jo Resident u42"),
            )
            # As many words as before, one swapped: "bicycle" no longer finds it.
            conn.exec_driver_sql(
                "INSERT INTO archive_fts(rowid, text, author) VALUES (?, ?, ?)",
                (seq, BIKE.replace("bicycle", "tricycle"), "Jo Resident u42"),
            )
            conn.exec_driver_sql(
                "INSERT INTO archive_fts(rowid, text, author) VALUES (999, 'planted', '')"
            )
        else:
            # Other words for the version, and a row for a version that does not exist.
            conn.execute(
                text(
                    "UPDATE archive_search SET words = to_tsvector('english', "
                    "replace(:t, 'bicycle', 'tricycle')) WHERE seq = :s"
                ),
                {"t": BIKE, "s": seq},
            )
            conn.exec_driver_sql(
                "INSERT INTO archive_search SELECT 999, item_id, state, created_at, "
                "to_tsvector('planted'), author_words FROM archive_search WHERE seq = 1"
            )
            conn.exec_driver_sql("DROP INDEX ix_archive_search_created")
    try:
        assert _search(sessions, "bicycle") == []
        with sessions() as s:
            problems = check_index(s, batch=2).problems  # several batches, as a big archive
            assert check_index(s).problems == problems
        assert (
            f"version {seq} (facebook comment c2) is indexed with other words than it holds"
            in problems
        ), problems
        assert "the search index holds an entry 999 that is no version" in problems
        if not sqlite:
            assert (
                "the search index ix_archive_search_created is missing: run `piodesk archive "
                "reindex`" in problems
            ), problems
    finally:
        with transaction(sessions) as s:
            reindex(s, actor=staff[Role.RECORDS], reason="test cleanup")
    assert _search(sessions, "bicycle") == ["c2"]
    with sessions() as s:
        assert check_index(s).problems == []


def test_reindex_needs_the_archive_import_permission(
    archive: Path, sessions: sessionmaker[Session], staff
) -> None:
    with pytest.raises(PermissionDenied), transaction(sessions) as s:
        reindex(s, actor=staff[Role.EMPLOYEE], reason="why not")


def test_reindex_refuses_a_reason_with_an_escape_sequence(
    archive: Path, sessions: sessionmaker[Session], staff
) -> None:
    with sessions() as s:
        before = s.execute(
            select(audit.AuditEvent.seq).order_by(audit.AuditEvent.seq.desc())
        ).first()
    for reason, message in (
        ("rebuilt \x1b[31m", "the reason for rebuilding the index contains a control character"),
        ("  ", "the reason for rebuilding the index is required"),
    ):
        with pytest.raises(InvalidInput, match=message), transaction(sessions) as s:
            reindex(s, actor=staff[Role.RECORDS], reason=reason)
    with sessions() as s:
        after = s.execute(
            select(audit.AuditEvent.seq).order_by(audit.AuditEvent.seq.desc())
        ).first()
    assert after == before
