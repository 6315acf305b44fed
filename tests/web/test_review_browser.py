"""In headless Chromium at 390 and 1366 px: the chief approves an incomplete page only with a
justification (the error beside the field, the text kept) or sends it back; the auditor filters,
searches, verifies and exports the audit log. No page scrolls sideways."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from piodesk.archive.ingest import ingest_all
from piodesk.archive.media import MediaStore
from piodesk.core.db import transaction
from piodesk.demo import DEMO_PASSWORD
from piodesk.moderation.intake import intake_all
from piodesk.pages import actions as pages
from piodesk.people.lookup import actor_for, find_account
from piodesk.screening.engine import default_screener
from tests.browser_support import DemoSite, open_nav, sign_in
from tests.pages.test_compliance import AGENCY

pytestmark = pytest.mark.browser

WIDTHS = [390, 1366]
HEIGHTS = {390: 844, 1366: 768}
WHY = "Needed for the school-zone notices this month; the PIO office adds the missing notices."


def _open(browser: Browser, width: int) -> tuple[Page, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": HEIGHTS[width]})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page, errors


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def _bare_pages(demo: DemoSite, *handles: str) -> list[int]:
    """Pages the PIO registers with an empty profile: every §.10 element missing."""
    ids = []
    with transaction(demo.sessions) as s:
        account = find_account(s, "pio")
        assert account is not None
        for handle in handles:
            page = pages.register_page(
                s,
                actor=actor_for(account),
                agency=AGENCY,
                platform="instagram",
                handle=handle,
                name=f"CSPD {handle.title()} on Instagram",
                administering_unit="Training Academy",
            )
            ids.append(page.id)
    return ids


@pytest.mark.parametrize("width", WIDTHS)
def test_approval_of_an_incomplete_page_takes_a_justification(
    demo: DemoSite, browser: Browser, width: int
) -> None:
    approve_id, back_id = _bare_pages(demo, f"youth-{width}", f"events-{width}")
    page, errors = _open(browser, width)
    sign_in(page, demo.url, "chief", DEMO_PASSWORD)
    page.goto(f"{demo.url}/pages/{approve_id}")
    expect(page.locator("#page-state")).to_have_text("Awaiting approval")
    expect(page.locator("#missing-warning")).to_contain_text("missing 9 required")
    _fits(page)

    button = page.get_by_role("button", name="Approve with this justification")
    button.click()  # nothing written
    error = page.locator("#decision-error")
    expect(error).to_contain_text("needs a written justification")
    expect(page.get_by_label("Justification or note (required)")).to_have_attribute(
        "aria-invalid", "true"
    )
    page.get_by_label("Justification or note (required)").fill("looks fine to me")
    page.get_by_role("button", name="Approve with this justification").click()
    expect(page.locator("#decision-error")).to_contain_text("is not one")
    expect(page.get_by_label("Justification or note (required)")).to_have_value("looks fine to me")
    _fits(page)  # the error beside the field does not push the page sideways

    page.get_by_label("Justification or note (required)").fill(WHY)
    page.get_by_role("button", name="Approve with this justification").click()
    expect(page.locator("#page-state")).to_have_text("Approved")
    expect(page.locator("ul.history")).to_contain_text("Chief Dana Vasquez: Page approved")
    expect(page.locator("ul.history")).to_contain_text(WHY)

    # The other one goes back to the PIO office with a note saying what to fix.
    page.goto(f"{demo.url}/pages/{back_id}")
    page.get_by_label("Justification or note (required)").fill(
        "Add the disclaimer word for word and who the page is for."
    )
    page.get_by_role("button", name="Send back for fixes").click()
    expect(page.locator("#page-state")).to_have_text("Sent back for fixes")
    expect(page.locator("#sent-back-note")).to_contain_text("Chief Dana Vasquez")
    expect(page.locator("#sent-back-note")).to_contain_text("Add the disclaimer word for word")
    expect(page.get_by_role("button", name="Approve with this justification")).to_have_count(0)
    _fits(page)
    assert not [e for e in errors if "Content Security Policy" in e], errors


@pytest.mark.parametrize("width", WIDTHS)
def test_the_audit_log_filters_searches_verifies_and_exports(
    demo: DemoSite, browser: Browser, width: int
) -> None:
    page, errors = _open(browser, width)
    sign_in(page, demo.url, "auditor", DEMO_PASSWORD)
    open_nav(page, "Audit log")
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    table = page.locator("#audit-table")
    expect(table).to_contain_text("Chief Dana Vasquez")  # names, not usernames
    expect(table).not_to_contain_text("page:approved")  # actions in words, not codes
    _fits(page)

    page.get_by_label("Action").select_option(label="Page approved")
    page.get_by_label("Who").select_option(label="Chief Dana Vasquez")
    page.get_by_role("button", name="Show").click()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(3)  # the demo's three approved pages
    for i in range(3):
        expect(rows.nth(i).locator("td").nth(3)).to_have_text("Page approved")
    _fits(page)

    page.get_by_role("link", name="Clear").click()
    page.get_by_label("Search").fill("spring hiring drive")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("CSPD Recruiting on X")

    page.get_by_label("From").fill("2001-01-01")
    page.get_by_label("To").fill("2000-01-01")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#f-to-error")).to_have_text("the end is before the start")
    expect(page.get_by_label("Search")).to_have_value("spring hiring drive")  # kept
    _fits(page)

    page.get_by_role("link", name="Clear").click()
    page.get_by_label("Action").select_option(label="Page approved")
    page.get_by_role("button", name="Show").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these events as CSV").click()
    exported = list(csv.DictReader(io.StringIO(download.value.path().read_text("utf-8"))))
    assert [r["action"] for r in exported] == ["Page approved"] * 3
    assert {r["action_code"] for r in exported} == {"page:approved"}

    page.get_by_role("link", name="Verify the chain now").click()
    expect(page.locator("#verify-verdict")).to_contain_text("Intact:")
    expect(page.locator("#chain-result")).to_contain_text("events verified, in order")
    _fits(page)
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_the_queue_row_the_selection_leaves_stops_saying_it_is_selected(
    demo: DemoSite, browser: Browser, tmp_path: Path
) -> None:
    ingest_all(demo.sessions, media=MediaStore(tmp_path / "media"))
    intake_all(demo.sessions, default_screener())
    page, errors = _open(browser, 1366)
    sign_in(page, demo.url, "pio", DEMO_PASSWORD)
    page.goto(demo.url + "/moderation")
    rows = page.locator("[data-case-row]")
    assert rows.count() >= 3
    selected = page.locator('[data-case-row][aria-selected="true"]')
    for key, at in (("j", 0), ("j", 1), ("j", 2), ("k", 1)):
        page.locator("body").press(key)
        expect(rows.nth(at)).to_have_class(re.compile(r"\bselected\b"))
        expect(selected).to_have_count(1)
        expect(rows.nth(at)).to_have_attribute("aria-selected", "true")
    expect(rows.nth(2)).to_have_attribute("aria-selected", "false")
    assert not [e for e in errors if "Content Security Policy" in e], errors
