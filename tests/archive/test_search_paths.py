"""Search by word with filters gives the same records on both databases, newest first, one hit
per record, through as many pages as it takes; PostgreSQL's search rows follow their records."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive import search as search_module
from piodesk.archive.capture import capture
from piodesk.archive.fulltext import check_index
from piodesk.archive.search import SearchQuery, search
from piodesk.connectors.model import CapturedItem
from piodesk.core.db import transaction
from tests.archive.test_capture import comment

DAY = datetime(2026, 11, 1, tzinfo=UTC)


def _author(cid: str, n: int, text_value: str, **kw: object) -> CapturedItem:
    return replace(
        comment(cid, text_value, **kw),
        created_at=DAY + timedelta(hours=n),
        author_platform_id=f"u{n % 3}",
        author_name=f"Resident Number{n % 3}",
    )


@pytest.fixture
def archive(sessions: sessionmaker[Session]) -> None:
    """Thirty comments on "parade" (three authors, an hour apart), five of them removed later
    in a version whose text no longer says "parade"."""
    with transaction(sessions) as s:
        capture(
            s,
            [_author(f"c{n}", n, f"The parade route number {n}") for n in range(30)],
            source="test",
        )
    with transaction(sessions) as s:
        capture(
            s,
            [_author(f"c{n}", n, "[removed]", fields={"removed": True}) for n in range(0, 30, 6)],
            source="test",
        )


def _ids(sessions: sessionmaker[Session], query: SearchQuery) -> list[str]:
    with sessions() as s:
        return [h.item.platform_id for h in search(s, query)]


def test_every_record_once_newest_first_across_pages(
    archive: None, sessions: sessionmaker[Session]
) -> None:
    everything = _ids(sessions, SearchQuery(q="parade", limit=500))
    # Newest matching version first ("parade" is only in each record's first version).
    assert everything == [f"c{n}" for n in range(29, -1, -1)]
    pages = [_ids(sessions, SearchQuery(q="parade", limit=4, offset=o)) for o in range(0, 32, 4)]
    assert [i for page in pages for i in page] == everything


def test_state_filter_finds_a_record_by_the_words_of_an_older_version(
    archive: None, sessions: sessionmaker[Session]
) -> None:
    removed = _ids(sessions, SearchQuery(q="parade", state="removed"))
    assert removed == ["c24", "c18", "c12", "c6", "c0"]
    assert _ids(sessions, SearchQuery(q="parade", state="live", limit=500)) == [
        f"c{n}" for n in range(29, -1, -1) if n % 6
    ]
    assert _ids(sessions, SearchQuery(q="removed", state="live")) == []


def test_word_with_author_and_with_a_date_range(
    archive: None, sessions: sessionmaker[Session]
) -> None:
    by_author = _ids(sessions, SearchQuery(q="parade", author="u1", limit=500))
    assert sorted(by_author) == sorted(f"c{n}" for n in range(30) if n % 3 == 1)
    assert _ids(sessions, SearchQuery(q="parade", author="number2", limit=500)) == [
        f"c{n}" for n in range(29, -1, -1) if n % 3 == 2
    ]
    assert _ids(sessions, SearchQuery(q="parade", author="nobody")) == []
    dated = _ids(
        sessions,
        SearchQuery(
            q="parade", date_from=DAY + timedelta(hours=10), date_to=DAY + timedelta(hours=13)
        ),
    )
    assert sorted(dated) == ["c10", "c11", "c12", "c13"]


def test_a_date_range_over_a_common_word_pages_by_date(
    archive: None, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "COMMON_MATCHES", 1)  # SQLite's date-driven plan too
    query = SearchQuery(q="parade", date_from=DAY, date_to=DAY + timedelta(hours=29), limit=3)
    pages = [_ids(sessions, replace(query, offset=o)) for o in (0, 3, 6)]
    assert [i for p in pages for i in p] == [f"c{n}" for n in range(29, 20, -1)]


def test_a_stale_search_row_is_named(
    archive: None, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's FTS5 index holds no state; its checks are in test_identity_and_index")
    with sessions() as s:
        assert check_index(s).problems == []
    with engine.begin() as conn:
        seq = conn.execute(
            text(
                "SELECT s.seq FROM archive_search s JOIN archive_items i ON i.id = s.item_id "
                "WHERE i.platform_id = 'c6' ORDER BY s.seq LIMIT 1"
            )
        ).scalar_one()
        conn.execute(text("UPDATE archive_search SET state = 'live' WHERE seq = :s"), {"s": seq})
    assert "c6" not in _ids(sessions, SearchQuery(q="parade", state="removed"))
    with sessions() as s:
        assert check_index(s, batch=7).problems == [
            f"version {seq} (facebook comment c6) is indexed under another record, state or date"
        ]
