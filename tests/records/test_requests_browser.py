"""In headless Chromium, on a phone (390 px) and a laptop (1366 px): the records custodian logs
a request (a refused form keeps what was typed), searches the archive for it, and builds the
review set."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from piodesk.archive.capture import capture
from piodesk.archive.media import MediaStore
from piodesk.core.db import transaction
from piodesk.demo import DEMO_PASSWORD
from tests.archive.test_capture import comment
from tests.browser_support import DemoSite, open_nav, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def site(demo: DemoSite, tmp_path: Path) -> str:
    with transaction(demo.sessions) as s:
        capture(
            s,
            [
                comment("b1", "The parade detour on Nevada Ave was handled well"),
                comment("b2", "Parade route map please?"),
                comment("b3", "Thanks for the road closure update"),
            ],
            source="test",
            media=MediaStore(tmp_path / "media"),
        )
    return demo.url


def no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 1, f"the page scrolls sideways by {wide} px"


@pytest.mark.parametrize("width", [390, 1366])
def test_custodian_logs_a_request_searches_and_builds_the_review_set(
    site: str, browser: Browser, width: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, site, "records", DEMO_PASSWORD)
    open_nav(page, "Records requests")
    expect(page.locator("#count-overdue")).to_contain_text("0")
    no_sideways_scroll(page)
    page.get_by_role("link", name="Log a request").click()

    # Forgot the requester: refused beside the field, the request text still there.
    page.get_by_label("Arrived by").select_option("email")
    page.get_by_label("The request, as written").fill("Every comment about the parade.")
    page.get_by_role("button", name="Log the request").click()
    expect(page.locator("#requester_name-error")).to_contain_text("name is required")
    expect(page.get_by_label("The request, as written")).to_have_value(
        "Every comment about the parade."
    )
    no_sideways_scroll(page)

    page.get_by_label("Requester's name").fill("Pat Reporter")
    page.get_by_role("button", name="Log the request").click()
    expect(page.locator("h1")).to_contain_text("Pat Reporter")
    expect(page.locator("#request-state")).to_have_text("Received")
    expect(page.locator("#clock-status")).to_contain_text("Due by the end of")
    no_sideways_scroll(page)

    page.locator("#request-search").get_by_label("Words").fill("parade")
    page.get_by_role("button", name="Search and save").click()
    expect(page.locator("#hit-count")).to_have_text("2 records found by the saved search.")
    boxes = page.locator("#add-review input[name=item]")
    expect(boxes).to_have_count(2)
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="Add to the review set").click()
    expect(page.locator("#review-count")).to_have_text("2 records, 0 responsive")
    no_sideways_scroll(page)

    first = page.locator("li.review-item").first
    first.get_by_label("Reason").fill("mentions the parade route")
    first.get_by_role("button", name="Record").click()
    expect(page.locator("#review-count")).to_have_text("2 records, 1 responsive")
    expect(page.locator("li.review-item").first.locator(".call")).to_have_text("Responsive")

    page.locator("#state-form").get_by_label("Move to").select_option("acknowledged")
    page.locator("#state-form").get_by_role("button", name="Move").click()
    expect(page.locator("#request-state")).to_have_text("Acknowledged")
    no_sideways_scroll(page)
    assert not errors
