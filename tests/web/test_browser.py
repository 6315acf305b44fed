"""In real headless Chromium: the chief signs in, approves a page and reads its §.10 report."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from piodesk.demo import DEMO_PASSWORD
from tests.browser_support import DemoSite

pytestmark = pytest.mark.browser


def test_chief_approves_a_page_and_sees_its_report(demo: DemoSite, browser: Browser) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(demo.url + "/")
    expect(page).to_have_url(f"{demo.url}/login?next=/")
    page.get_by_label("Username").fill("chief")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.get_by_role("link", name="CSPD Sand Creek Division on Nextdoor").first.click()
    expect(page.locator("#page-state")).to_have_text("Awaiting approval")
    page.get_by_role("button", name="Approve page").click()
    expect(page.locator("#page-state")).to_have_text("Approved")

    report = page.locator("table.compliance")
    expect(report).to_be_visible()
    expect(report.locator("tbody tr")).to_have_count(9)
    expect(report.locator("tr[data-element=disclaimer] td").nth(1)).to_have_text("met")
    expect(page.locator("#compliance h2")).to_contain_text("complete")
    expect(page.locator("ul.history")).to_contain_text("Chief Dana Vasquez: Page approved")

    # A page that fails the check shows what is missing and why.
    page.goto(demo.url + "/pages?state=approved")
    page.get_by_role("link", name="CSPD Recruiting on X").click()
    row = page.locator("tr[data-element=disclaimer]")
    expect(row.locator("td").nth(1)).to_have_text("missing")
    expect(row.locator("td").nth(2)).to_contain_text("The opinions expressed by webpage visitors")
    assert not [e for e in errors if "Content Security Policy" in e], errors
