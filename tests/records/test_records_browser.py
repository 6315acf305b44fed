"""In headless Chromium, at phone and laptop widths: the records custodian produces records,
follows the progress bar, downloads the ZIP, and the download verifies offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from piodesk.archive.capture import capture
from piodesk.archive.tables import ArchiveItem
from piodesk.core import signing
from piodesk.core.db import transaction
from piodesk.demo import DEMO_PASSWORD
from piodesk.records.productions.verify import verify_production
from tests.archive.test_capture import comment
from tests.browser_support import DemoSite, open_nav, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1366])
def test_custodian_produces_and_downloads(
    demo: DemoSite, browser: Browser, tmp_path: Path, width: int
) -> None:
    key = signing.init_key(tmp_path / "data" / "keys" / "agency-signing-key.pem")
    with transaction(demo.sessions) as s:
        capture(
            s,
            [comment("p1", "Parade detour on Nevada Ave"), comment("p2", "Thanks!")],
            source="test",
        )
    with demo.sessions() as s:
        ids = sorted(
            s.execute(
                select(ArchiveItem.id).where(ArchiveItem.platform_id.in_(["p1", "p2"]))
            ).scalars()
        )
    page = browser.new_page(viewport={"width": width, "height": 900}, accept_downloads=True)
    sign_in(page, demo.url, "records", DEMO_PASSWORD)
    open_nav(page, "Records")
    expect(page.get_by_role("heading", name="Productions")).to_be_visible()
    page.get_by_label("Records to produce").fill(" ".join(str(i) for i in ids))
    page.get_by_role("button", name="Make the production").click()
    link = page.locator("#download")
    expect(link).to_be_visible(timeout=30_000)
    with page.expect_download() as info:
        link.click()
    path = tmp_path / "downloaded.zip"
    info.value.save_as(path)
    result = verify_production(path, key.public_key())
    assert result.ok and result.records == 2, result.problems
    # Nothing is wider than the screen.
    open_nav(page, "Records")
    width_used = page.evaluate("document.documentElement.scrollWidth")
    assert width_used <= width + 1
