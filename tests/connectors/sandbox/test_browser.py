"""In real headless Chromium, on a phone (390 px) and a laptop (1366 px): a visitor reads the
demo's sandbox page, leaves a comment and replies in a thread (the reply form fetched into the
thread with htmx, or without script on the post's own page)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser_support import DemoSite

pytestmark = pytest.mark.browser


def _fits(page: Page, width: int) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{wide}px wider than the {width}px window"


@pytest.mark.parametrize("width", [390, 1366])
def test_a_visitor_leaves_a_comment_and_sees_it(
    demo: DemoSite, browser: Browser, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(demo.url + "/sandbox/cspd-community")
    expect(page.get_by_role("heading", name="CSPD Community (sandbox)")).to_be_visible()
    expect(page.locator("#about")).to_contain_text("do not reflect the opinions or views")
    _fits(page, width)

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

    # Reply in a thread: the one reply form is fetched into the thread, focused.
    thread = page.locator(".comment", has_text="Three hours to clear one crash").first
    expect(thread.locator("form")).to_have_count(0)
    thread.get_by_role("link", name="Reply", exact=True).click()
    expect(thread.get_by_label("Your reply")).to_be_focused()
    assert "/reply" not in page.url  # still the page's feed
    _fits(page, width)
    thread.get_by_label("Your name").fill("Nell")
    thread.get_by_label("Your reply").fill("Crews cleared it by two.")
    thread.get_by_role("button", name="Reply").click()
    expect(page.locator(".comment.reply", has_text="Crews cleared it by two.")).to_be_visible()
    assert "/posts/" in page.url  # the post's own page, with every thread
    _fits(page, width)

    stranger = browser.new_context(viewport={"width": width, "height": 844}).new_page()
    stranger.goto(demo.url + "/sandbox/cspd-community")
    theirs = stranger.locator(".comment", has_text="Is Cascade Avenue open northbound?")
    expect(theirs).to_be_visible()
    expect(theirs.locator(".byline").first).not_to_contain_text("(you)")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_a_visitor_without_script_replies_on_the_posts_page(
    demo: DemoSite, browser: Browser
) -> None:
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(demo.url + "/sandbox/cspd-community")
    thread = page.locator(".comment", has_text="Three hours to clear one crash").first
    thread.get_by_role("link", name="Reply", exact=True).click()
    assert "/reply" in page.url
    thread = page.locator(".comment", has_text="Three hours to clear one crash").first
    thread.get_by_label("Your name").fill("Quiet Reader")
    thread.get_by_label("Your reply").fill("No script here, and it still works.")
    thread.get_by_role("button", name="Reply").click()
    expect(page.locator(".comment.reply", has_text="No script here")).to_be_visible()
