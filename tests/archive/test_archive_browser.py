"""In headless Chromium: the records custodian searches, filters to removed comments, and opens
one with every version side by side."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from piodesk.archive.capture import capture
from piodesk.archive.media import MediaStore
from piodesk.core.db import transaction
from piodesk.demo import DEMO_PASSWORD
from tests.archive.test_capture import comment
from tests.browser_support import DemoSite, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def site(demo: DemoSite, tmp_path: Path) -> str:
    """The demo, plus a comment that was edited and then removed, in the archive."""
    media = MediaStore(tmp_path / "media")
    first = [
        comment("k1", "The parade detour on Nevada Ave was handled well"),
        comment("k2", "Selling cheap parade tickets, DM me"),
        comment("k3", "Parade route map please?"),
    ]
    ad = "Selling cheap parade tickets, DM me at 719-555-0199"
    edited = comment("k2", ad, edited_at=datetime(2026, 11, 1, 12, 5, tzinfo=UTC))
    removed = comment("k2", ad, fields={"removed": True})
    for batch in (first, [edited], [removed]):
        with transaction(demo.sessions) as s:
            capture(s, batch, source="test", media=media)
    return demo.url


def test_custodian_finds_a_removed_comment_and_its_versions(site: str, browser: Browser) -> None:
    page = browser.new_page()
    sign_in(page, site, "records", DEMO_PASSWORD)
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

    expect(page.locator("#item-state")).to_have_text("Removed")
    versions = page.locator("article.version")
    expect(versions).to_have_count(3)
    expect(versions.nth(0)).to_contain_text("Selling cheap parade tickets, DM me")
    expect(versions.nth(0)).to_contain_text("Live")
    expect(versions.nth(1)).to_contain_text("719-555-0199")
    expect(versions.nth(1)).to_contain_text("Edited")
    expect(versions.nth(2)).to_contain_text("Removed")
