"""In real headless Chromium, at 390 and 1366 px: the chief sets two approval tiers; a wrong
choice comes back beside its tier with the typed reason kept, and the page never scrolls
sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from piodesk.demo import DEMO_PASSWORD
from piodesk.publishing import approvals
from piodesk.publishing.workflow import TierRule
from tests.browser_support import DemoSite, open_nav, sign_in

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px"


@pytest.mark.parametrize("width", [390, 1366])
def test_the_chief_sets_two_tiers(demo: DemoSite, browser: Browser, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, demo.url, "chief", DEMO_PASSWORD)
    open_nav(page, "Approvals")
    page.get_by_role("link", name="Approval tiers").click()
    expect(page.locator("#tiers-form")).to_be_visible()
    _no_sideways_scroll(page)

    page.locator("select[name=rule2]").select_option("all")
    page.get_by_label("Why (kept on the record)").fill("Winter storms: the chief signs too")
    page.get_by_role("button", name="Save the tiers").click()
    expect(page.locator("#tier2-error")).to_contain_text("names no approvers")
    expect(page.get_by_label("Why (kept on the record)")).to_have_value(
        "Winter storms: the chief signs too"
    )
    expect(page.locator("select[name=rule2]")).to_have_value("all")
    _no_sideways_scroll(page)

    page.locator("#tier2").get_by_label("Chief Dana Vasquez").check()
    page.get_by_role("button", name="Save the tiers").click()
    expect(page.locator("#tiers-saved")).to_be_visible()
    expect(page.locator("#tiers-in-force")).to_contain_text("All of: Chief Dana Vasquez")
    _no_sideways_scroll(page)
    with demo.sessions() as s:
        policy = approvals.current_policy(s)
    assert [t.rule for t in policy.tiers] == [TierRule.ANY, TierRule.ALL]
    assert errors == []
