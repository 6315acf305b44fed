"""In headless Chromium, at phone and laptop widths, the records custodian's whole job for one
request: log it, search the archive, build the review set, accept the redactions screening's
PII detector proposes, produce, download the ZIP — and the download verifies offline with the
agency's public key alone, the phone number redacted from what was produced."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from piodesk.archive.capture import capture
from piodesk.archive.media import MediaStore
from piodesk.core import signing
from piodesk.core.db import transaction
from piodesk.demo import DEMO_PASSWORD
from piodesk.records.productions.verify import verify_production
from tests.archive.test_capture import comment
from tests.browser_support import DemoSite, open_nav, sign_in

pytestmark = pytest.mark.browser

PHONE = "719-555-0134"


def no_sideways_scroll(page: Page) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 1, f"{page.url} scrolls sideways by {wide} px"


@pytest.mark.parametrize("width", [390, 1366])
def test_custodian_walks_a_request_from_intake_to_a_verified_production(
    demo: DemoSite, browser: Browser, tmp_path: Path, width: int
) -> None:
    key = signing.init_key(tmp_path / "data" / "keys" / "agency-signing-key.pem")
    public = signing.load_public(signing.public_pem(key).encode())
    with transaction(demo.sessions) as s:
        capture(
            s,
            [
                comment("w1", f"The parade detour on Nevada Ave was a mess, call me at {PHONE}"),
                comment("w2", "Parade route map please?"),
                comment("w3", "Thanks for the road closure update"),
            ],
            source="test",
            media=MediaStore(tmp_path / "data" / "media"),
        )
    page = browser.new_page(viewport={"width": width, "height": 900}, accept_downloads=True)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, demo.url, "records", DEMO_PASSWORD)

    # Log the request.
    open_nav(page, "Records requests")
    page.get_by_role("link", name="Log a request").click()
    page.get_by_label("Requester's name").fill("Pat Reporter")
    page.get_by_label("Arrived by").select_option("email")
    page.get_by_label("The request, as written").fill("Every comment about the parade detour.")
    page.get_by_role("button", name="Log the request").click()
    expect(page.locator("#request-state")).to_have_text("Received")
    no_sideways_scroll(page)

    # Search, and build the review set: both parade comments, called responsive.
    page.locator("#request-search").get_by_label("Words").fill("parade")
    page.get_by_role("button", name="Search and save").click()
    expect(page.locator("#hit-count")).to_have_text("2 records found by the saved search.")
    boxes = page.locator("#add-review input[name=item]")
    for i in range(2):
        boxes.nth(i).check()
    page.get_by_role("button", name="Add to the review set").click()
    for i in range(2):
        item = page.locator("li.review-item").nth(i)
        item.get_by_label("Reason").fill("about the parade detour")
        item.get_by_role("button", name="Record").click()
        expect(page.locator("#review-count")).to_have_text(f"2 records, {i + 1} responsive")
    expect(page.locator("#produce")).to_contain_text("2 responsive records")
    no_sideways_scroll(page)

    # Redactions: screening's PII detector proposes the phone number; the custodian confirms
    # it with CORA's exemption for personal contact details.
    page.get_by_role("link", name="Review redactions for these records").click()
    page.get_by_role("button", name="Propose redactions with screening's PII detector").click()
    row = page.locator("tr[id^=redaction-]").filter(has_text=PHONE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("PII detector (a phone number)")
    row.get_by_label("Exemption").select_option("cora-contact")
    row.get_by_role("button", name="Confirm").click()
    confirmed = page.locator("tr[id^=redaction-]").filter(has_text=PHONE)
    expect(confirmed.locator(".redaction-decision")).to_contain_text("Confirmed: Personal contact")
    no_sideways_scroll(page)

    # Produce the request's responsive records, follow the progress bar, download the ZIP.
    page.get_by_role("link", name="Back to the request").click()
    page.get_by_role("button", name="Make the production").click()
    link = page.locator("#download")
    expect(link).to_be_visible(timeout=60_000)
    no_sideways_scroll(page)
    with page.expect_download() as info:
        link.click()
    path = tmp_path / "downloaded.zip"
    info.value.save_as(path)

    # The download verifies with the public key alone; what was produced hides the number.
    result = verify_production(path, public)
    assert result.ok and result.records == 2, result.problems
    with zipfile.ZipFile(path) as z:
        produced = [n for n in z.namelist() if n.endswith((".csv", ".html", ".dat"))]
        assert produced
        for name in produced:
            assert PHONE not in z.read(name).decode("utf-8", "replace"), name
    assert not errors
