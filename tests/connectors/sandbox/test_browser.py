"""In real headless Chromium: a visitor reads the demo's sandbox page and leaves a comment."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser_support import DemoSite

pytestmark = pytest.mark.browser


def test_a_visitor_leaves_a_comment_and_sees_it(demo: DemoSite, browser: Browser) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(demo.url + "/sandbox/cspd-community")
    expect(page.get_by_role("heading", name="CSPD Community (sandbox)")).to_be_visible()
    expect(page.locator("#about")).to_contain_text("do not reflect the opinions or views")

    road = page.locator("article", has_text="ROAD CLOSURE")
    expect(road.locator(".comment")).to_have_count(4)  # three comments and one reply
    form = road.locator("section.comments > form")
    form.get_by_label("Your name").fill("Neighbor <b>Nell</b>")
    form.get_by_label("Your comment").fill("Is Cascade Avenue open northbound?\nThanks!")
    form.get_by_role("button", name="Comment").click()

    mine = page.locator(".comment", has_text="Is Cascade Avenue open northbound?")
    expect(mine).to_be_visible()
    expect(mine.locator(".byline")).to_contain_text("Neighbor <b>Nell</b> (you)")
    expect(mine.locator("b")).to_have_count(0)  # markup typed by a visitor stays text
    assert "#comment-" in page.url
    expect(page.locator("article", has_text="ROAD CLOSURE").locator(".comment")).to_have_count(5)

    # Reply in a thread, then read the page as a different visitor.
    thread = page.locator(".comment", has_text="Three hours to clear one crash").first
    thread.locator("summary", has_text="Reply").click()
    thread.get_by_label("Your name").fill("Nell")
    thread.get_by_label("Your reply").fill("Crews cleared it by two.")
    thread.get_by_role("button", name="Reply").click()
    expect(page.locator(".comment.reply", has_text="Crews cleared it by two.")).to_be_visible()

    stranger = browser.new_context().new_page()
    stranger.goto(demo.url + "/sandbox/cspd-community")
    theirs = stranger.locator(".comment", has_text="Is Cascade Avenue open northbound?")
    expect(theirs).to_be_visible()
    expect(theirs.locator(".byline").first).not_to_contain_text("(you)")
    assert not [e for e in errors if "Content Security Policy" in e], errors
