"""In headless Chromium at 390 px and 1366 px: `?` opens the keyboard help on the queue and on a
case page, it lists the shortcuts, Esc closes it, and `?` typed into a field stays text. The
employee's "Your reports" shows what was reported without running off a phone's screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from piodesk.archive.ingest import ingest_all
from piodesk.archive.media import MediaStore
from piodesk.demo import DEMO_PASSWORD
from piodesk.moderation.intake import intake_all
from piodesk.screening.engine import default_screener
from tests.browser_support import DemoSite, sign_in

pytestmark = pytest.mark.browser

SIZES = {"phone": (390, 844), "laptop": (1366, 768)}
#: Keys the help must name on each page, and what it says they do.
LISTED = {"j": "next case", "Enter": "open the selected case", "1": "keep", "2": "hide"}
LISTED_CASE = {"3": "remove", "u": "back to the queue", "c": "ask legal counsel", "w": "warn"}


def _fits(page: Page, what: str) -> None:
    wide, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert wide <= inner, f"{what}: {wide}px wide in a {inner}px window"


def _help_lists(page: Page, keys: dict[str, str]) -> None:
    help_ = page.locator("#shortcuts")
    for key, words in keys.items():
        row = help_.locator("dt", has=page.locator("kbd", has_text=key)).first
        expect(row).to_be_visible()
        expect(row.locator("xpath=following-sibling::dd[1]")).to_contain_text(words)


def _press_question(page: Page) -> None:
    page.locator("body").click(position={"x": 1, "y": 1})  # nothing focused that takes text
    page.keyboard.press("Shift+Slash")  # what "?" is on a US keyboard


@pytest.mark.parametrize("size", sorted(SIZES))
def test_question_mark_opens_keyboard_help(
    demo: DemoSite, browser: Browser, tmp_path: Path, size: str
) -> None:
    ingest_all(demo.sessions, media=MediaStore(tmp_path / "media"))
    intake_all(demo.sessions, default_screener())
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, demo.url, "pio", DEMO_PASSWORD)

    page.goto(demo.url + "/moderation")
    page.wait_for_load_state("load")
    help_ = page.locator("#shortcuts")
    expect(help_).not_to_have_attribute("open", "")
    _press_question(page)
    expect(help_).to_have_attribute("open", "")
    _help_lists(page, LISTED)
    _fits(page, f"queue help at {size}")
    page.keyboard.press("Escape")
    expect(help_).not_to_have_attribute("open", "")

    page.locator("[data-case-row] a[data-open]").first.click()
    page.wait_for_load_state("load")
    help_ = page.locator("#shortcuts")
    expect(help_).not_to_have_attribute("open", "")
    _press_question(page)
    expect(help_).to_have_attribute("open", "")
    expect(help_.locator("summary")).to_be_in_viewport()
    _help_lists(page, LISTED_CASE)
    _fits(page, f"case help at {size}")
    _press_question(page)  # ? again closes it
    expect(help_).not_to_have_attribute("open", "")

    # In a field, ? is just a character: the help stays shut and the note keeps it.
    page.locator("#note").fill("")
    page.locator("#note").press("Shift+Slash")
    expect(page.locator("#note")).to_have_value("?")
    expect(help_).not_to_have_attribute("open", "")

    # The employee's reports, at the same width: what was reported, where, and the outcome.
    employee = context.new_page()
    sign_in(employee, demo.url, "employee", DEMO_PASSWORD)
    employee.goto(demo.url + "/reports")
    employee.get_by_label("Link to the post or comment").fill(
        "https://www.facebook.com/groups/123/posts/456"
    )
    employee.get_by_label("Why you report it").fill("A fake page copying our badge and logo.")
    employee.get_by_role("button", name="Send to the PIO").click()
    row = employee.locator("#my-reports tbody tr").first
    expect(row.locator(".reported-text")).to_contain_text("never captured")
    expect(row.locator(".outcome")).to_have_text("Waiting for the PIO's review")
    _fits(employee, f"your reports at {size}")
    assert not errors, errors
    context.close()
