"""In headless Chromium: the records custodian searches, filters to removed comments, and opens
one with every version side by side."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from piodesk.archive.capture import capture
from piodesk.archive.media import MediaStore
from piodesk.core.config import Settings
from piodesk.core.db import make_engine, make_sessionmaker, transaction
from piodesk.core.migrate import upgrade
from piodesk.demo import DEMO_PASSWORD, seed
from piodesk.pages.model import Agency
from piodesk.web.app import create_app
from tests.archive.test_capture import comment
from tests.browser_support import CHROMIUM_ARGS, chromium_path, serve

pytestmark = pytest.mark.browser


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'a.sqlite3'}",
        data_dir=tmp_path,
        secret_key="browser-test-secret-key-0123456789",
        cookie_secure=False,
    )
    engine = make_engine(settings.database_url)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    agency = Agency(
        settings.agency_name,
        settings.agency_short_name,
        settings.agency_website,
        settings.disclaimer,
    )
    media = MediaStore(tmp_path / "media")
    with transaction(sessions) as s:
        seed(s, agency)
        capture(
            s,
            [
                comment("k1", "The parade detour on Nevada Ave was handled well"),
                comment("k2", "Selling cheap parade tickets, DM me"),
                comment("k3", "Parade route map please?"),
            ],
            source="test",
            media=media,
        )
    with transaction(sessions) as s:
        capture(
            s,
            [
                comment(
                    "k2",
                    "Selling cheap parade tickets, DM me at 719-555-0199",
                    edited_at=datetime(2026, 11, 1, 12, 5, tzinfo=UTC),
                )
            ],
            source="test",
            media=media,
        )
    with transaction(sessions) as s:
        capture(
            s,
            [
                comment(
                    "k2",
                    "Selling cheap parade tickets, DM me at 719-555-0199",
                    fields={"removed": True},
                )
            ],
            source="moderation",
            media=media,
        )
    with serve(create_app(settings, engine)) as url:
        yield url
    engine.dispose()


@pytest.fixture
def browser() -> Iterator[Browser]:
    path = chromium_path()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def test_custodian_finds_a_removed_comment_and_its_versions(site: str, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(site + "/login")
    page.get_by_label("Username").fill("records")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Archive").click()

    page.get_by_label("Words").fill("parade")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#result-count")).to_have_text("3 records")

    page.locator("#state").select_option("removed")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#result-count")).to_have_text("1 record")
    rows = page.locator("table.results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("removed")
    rows.first.get_by_role("link").click()

    expect(page.locator("#item-state")).to_have_text("removed")
    versions = page.locator("article.version")
    expect(versions).to_have_count(3)
    expect(versions.nth(0)).to_contain_text("Selling cheap parade tickets, DM me")
    expect(versions.nth(0)).to_contain_text("live")
    expect(versions.nth(1)).to_contain_text("719-555-0199")
    expect(versions.nth(1)).to_contain_text("edited")
    expect(versions.nth(2)).to_contain_text("removed")
