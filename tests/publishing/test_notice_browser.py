"""In real headless Chromium, at phone and laptop widths: a PIO drafts a road-closure notice
(an error comes back beside its field with the text kept), a second PIO approves it, and it
is on the public sandbox page, in the Atom feed and as CAP 1.2, with no sign-in."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect

from piodesk.core import clock
from piodesk.demo import DEMO_PASSWORD
from tests.browser_support import DemoSite, sign_in

pytestmark = pytest.mark.browser


def _local(hours: float) -> str:
    moment = clock.now() + timedelta(hours=hours)
    return moment.astimezone(ZoneInfo("America/Denver")).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("width", [390, 1366])
def test_notice_drafted_approved_and_public(demo: DemoSite, browser: Browser, width: int) -> None:
    viewport = {"width": width, "height": 900}
    pio = browser.new_context(viewport=viewport).new_page()  # type: ignore[arg-type]
    sign_in(pio, demo.url, "pio", DEMO_PASSWORD)
    pio.goto(demo.url + "/notices")
    pio.get_by_role("link", name="Road closure").click()
    expect(pio.get_by_role("heading", name="New notice: Road closure")).to_be_visible()
    pio.get_by_label("Location (road and cross streets) (required)").fill(
        "Academy Blvd northbound at Fountain Blvd"
    )
    pio.get_by_label("Detour").fill("Use Powers Blvd")
    pio.get_by_label("Closed from (required)").fill(_local(0))
    pio.get_by_label("Expires (required", exact=False).fill(_local(-2))  # a mistake: the past
    # Only the community sandbox page (the others have no platform connection in the demo).
    for box in pio.locator("input[name=page_id]").all():
        box.uncheck()
    pio.get_by_label(re.compile("CSPD Community")).check()
    pio.get_by_role("button", name="Save the draft for approval").click()
    error = pio.locator("#form-error")
    expect(error).to_contain_text("in the past")
    field = pio.locator("#f-expires").bounding_box()
    box = error.bounding_box()
    assert field is not None and box is not None and 0 <= box["y"] - field["y"] < 200
    expect(pio.get_by_label("Detour")).to_have_value("Use Powers Blvd")  # the text is kept
    assert pio.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    pio.get_by_label("Expires (required", exact=False).fill(_local(4))
    pio.get_by_role("button", name="Save the draft for approval").click()
    expect(pio.locator("#own-draft")).to_contain_text("nobody approves their own notice")
    notice_url = pio.url
    assert re.search(r"/notices/\d+$", notice_url)
    assert pio.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    second = browser.new_context(viewport=viewport).new_page()  # type: ignore[arg-type]
    sign_in(second, demo.url, "pio-designee", DEMO_PASSWORD)
    second.goto(notice_url)
    expect(second.locator("#notice-text")).to_contain_text("ROAD CLOSURE: Academy Blvd")
    second.get_by_role("button", name="Approve and publish to every page").click()
    expect(second.locator("[data-overall]").first).to_have_attribute(
        "data-overall", "published", timeout=15_000
    )
    assert second.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    visitor = browser.new_context(viewport=viewport).new_page()  # type: ignore[arg-type]
    visitor.goto(demo.url + "/sandbox/cspd-community")
    expect(
        visitor.get_by_text("ROAD CLOSURE: Academy Blvd northbound at Fountain Blvd")
    ).to_be_visible()
    notice_id = notice_url.rsplit("/", 1)[1]
    cap = visitor.request.get(f"{demo.url}/public/notices/{notice_id}.cap.xml")
    assert cap.status == 200 and "<msgType>Alert</msgType>" in cap.text()
    feed = visitor.request.get(f"{demo.url}/public/notices.atom")
    assert f"/public/notices/{notice_id}.cap.xml" in feed.text()
