"""Migration 0011 gives the sandbox platform its own pages without losing a row of it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import Engine, Table, insert, select
from sqlalchemy.exc import OperationalError

from piodesk.connectors.sandbox import platform
from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.connectors.sandbox.tables import SandboxFeed, SandboxPage, SandboxPost
from piodesk.core.db import make_engine, make_sessionmaker, transaction
from piodesk.core.migrate import upgrade
from piodesk.pages.tables import Page, PageProfileVersion
from tests.conftest import PG_URL

WHEN = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def blank(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database (no migration run yet), on each backend."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'blank.sqlite3'}")
        yield engine
        engine.dispose()
        return
    schema = f"piodesk_mig_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable: {exc.__class__.__name__}")
    sep = "&" if "?" in PG_URL else "?"
    engine = make_engine(f"{PG_URL}{sep}options=-csearch_path%3D{schema}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


def test_registry_sandbox_pages_become_the_platforms_own(blank: Engine) -> None:
    upgrade(blank, "0006")
    with blank.begin() as conn:
        for pid, platform_name, handle in ((1, "facebook", "cspd"), (2, "sandbox", "old-page")):
            conn.execute(
                insert(_table(Page)).values(
                    id=pid,
                    platform=platform_name,
                    handle=handle,
                    name=f"Page {handle}",
                    url="",
                    administering_unit="Public Affairs",
                    state="approved",
                    registered_at=WHEN,
                    profile_version=2,
                )
            )
        for version, about in ((1, "first words"), (2, "the words now")):
            conn.execute(
                insert(_table(PageProfileVersion)).values(
                    page_id=2,
                    version=version,
                    about=about,
                    links=["https://example.gov"],
                    contact_phone="(719) 444-7000",
                    contact_email="pio@example.gov",
                    contact_address="",
                    target_audience="Residents",
                    created_at=WHEN,
                )
            )
        conn.execute(insert(_table(SandboxFeed)).values(page_id=2, last_seq=1))
        conn.execute(
            insert(_table(SandboxPost)).values(
                page_id=2,
                author_name="Page old-page",
                body="Posted before the migration",
                created_at=WHEN,
                change_seq=1,
            )
        )
    upgrade(blank)
    sessions = make_sessionmaker(blank)
    with sessions() as s:
        (page,) = s.execute(select(SandboxPage)).scalars().all()
        assert (page.id, page.handle, page.name) == (2, "old-page", "Page old-page")
        assert page.about == "the words now" and page.links == ["https://example.gov"]
        assert page.maintained_by == "Public Affairs" and page.contact_phone == "(719) 444-7000"
    conn_ = SandboxConnector(sessions, "old-page")
    assert conn_.read_profile().about == "the words now"
    assert [p.text for p in conn_.fetch_posts().items] == ["Posted before the migration"]
    # The platform's next page takes a fresh id, and writes to the old one keep working.
    with transaction(sessions) as s:
        assert platform.open_page(s, "new-page", name="New").id == 3
    assert conn_.publish("After the migration") == "2"
