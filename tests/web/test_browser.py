"""In real headless Chromium: the chief signs in, approves a page and reads its §.10 report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from piodesk.core.config import Settings
from piodesk.core.db import make_engine, make_sessionmaker, transaction
from piodesk.core.migrate import upgrade
from piodesk.demo import DEMO_PASSWORD, seed
from piodesk.pages.model import Agency
from piodesk.web.app import create_app
from tests.browser_support import CHROMIUM_ARGS, chromium_path, serve

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_url(tmp_path: Path) -> Iterator[str]:
    """The demo agency served on a free port (SQLite)."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        secret_key="browser-test-secret-key-0123456789",
        cookie_secure=False,
    )
    engine = make_engine(settings.database_url)
    upgrade(engine)
    agency = Agency(
        settings.agency_name,
        settings.agency_short_name,
        settings.agency_website,
        settings.disclaimer,
    )
    with transaction(make_sessionmaker(engine)) as session:
        seed(session, agency)
    with serve(create_app(settings, engine)) as url:
        yield url
    engine.dispose()


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium under Playwright."""
    path = chromium_path()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def test_chief_approves_a_page_and_sees_its_report(demo_url: str, browser: Browser) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(demo_url + "/")
    expect(page).to_have_url(f"{demo_url}/login?next=/")
    page.get_by_label("Username").fill("chief")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.get_by_role("link", name="CSPD Sand Creek Division on Nextdoor").first.click()
    expect(page.locator("#page-state")).to_have_text("pending")
    page.get_by_role("button", name="Approve page").click()
    expect(page.locator("#page-state")).to_have_text("approved")

    report = page.locator("table.compliance")
    expect(report).to_be_visible()
    expect(report.locator("tbody tr")).to_have_count(9)
    expect(report.locator("tr[data-element=disclaimer] td").nth(1)).to_have_text("met")
    expect(page.locator("#compliance h2")).to_contain_text("complete")
    expect(page.locator("ul.history")).to_contain_text("chief: page:approved")

    # A page that fails the check shows what is missing and why.
    page.goto(demo_url + "/pages?state=approved")
    page.get_by_role("link", name="CSPD Recruiting on X").click()
    row = page.locator("tr[data-element=disclaimer]")
    expect(row.locator("td").nth(1)).to_have_text("missing")
    expect(row.locator("td").nth(2)).to_contain_text("The opinions expressed by webpage visitors")
    assert not [e for e in errors if "Content Security Policy" in e], errors
