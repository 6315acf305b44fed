"""In real headless Chromium, at phone and laptop widths: a one-time link sets a password."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from piodesk.core.db import transaction
from piodesk.people import actions as people
from tests.browser_support import DemoSite

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1366])
def test_password_link_page(demo: DemoSite, browser: Browser, width: int) -> None:
    with transaction(demo.sessions) as s:
        admin = people.actor_for(people.find_account(s, "admin"))  # type: ignore[arg-type]
        employee = people.find_account(s, "employee")
        assert employee is not None
        token = people.issue_password_link(s, employee.id, actor=admin, reason="forgot it")
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(f"{demo.url}/password?token={token}")
    expect(page.get_by_role("heading", name="Set your password")).to_be_visible()
    page.get_by_label("New password").fill("password1234")
    page.get_by_role("button", name="Set password").click()
    error = page.locator("#password-error")
    expect(error).to_contain_text("too easy to guess")
    # The message sits right under its field, and nothing is wider than the screen.
    field = page.get_by_label("New password").bounding_box()
    box = error.bounding_box()
    assert field is not None and box is not None and 0 <= box["y"] - field["y"] < 200
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("New password").fill("a phrase only Pat knows")
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is set")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("employee")
    page.get_by_label("Password").fill("a phrase only Pat knows")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


@pytest.mark.parametrize("width", [390, 1366])
def test_your_account_page(demo: DemoSite, browser: Browser, width: int) -> None:
    from piodesk.demo import DEMO_PASSWORD
    from tests.browser_support import sign_in

    with transaction(demo.sessions) as s:
        pio = people.actor_for(people.find_account(s, "pio"))  # type: ignore[arg-type]
        people.issue_api_token(s, actor=pio, name="dashboard screen")
        people.issue_api_token(s, actor=pio, name="moderation bot", scopes=["moderation"])
    page = browser.new_page(viewport={"width": width, "height": 800})
    sign_in(page, demo.url, "pio", DEMO_PASSWORD)
    page.get_by_role("link", name="Sgt. Jordan Lee (PIO)").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    rows = page.locator("table.grid tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("moderation bot")
    expect(rows.first).to_contain_text("read, moderation")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    rows.first.get_by_role("button", name="Revoke").click()
    expect(page.locator("table.grid tbody tr").first).to_contain_text("revoked")
    # A wrong current password is named beside its field.
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password").fill("a brand new phrase for Jordan")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#current-error")).to_contain_text("current password is wrong")
    page.get_by_label("Current password").fill(DEMO_PASSWORD)
    page.get_by_label("New password").fill("password1234")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#new-error")).to_contain_text("too easy to guess")
