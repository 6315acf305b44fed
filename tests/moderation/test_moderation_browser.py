"""In real headless Chromium: a PIO works three cases with the keyboard alone; an employee
reports a comment and later sees what the PIO decided (GO 409 §.20, §.22)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from piodesk.archive.ingest import ingest_all
from piodesk.archive.media import MediaStore
from piodesk.archive.tables import ArchiveItem
from piodesk.core import audit
from piodesk.demo import DEMO_PASSWORD
from piodesk.moderation.intake import intake_all
from piodesk.moderation.tables import Case
from piodesk.screening.engine import default_screener
from tests.browser_support import DemoSite, sign_in

pytestmark = pytest.mark.browser


def _poll(demo: DemoSite, tmp_path: Path) -> None:
    """What the job runner does every few seconds: ingest the pages, screen what came in."""
    ingest_all(demo.sessions, media=MediaStore(tmp_path / "media"))
    intake_all(demo.sessions, default_screener())


def _watch_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_pio_works_three_cases_by_keyboard(
    demo: DemoSite, browser: Browser, tmp_path: Path
) -> None:
    _poll(demo, tmp_path)
    page = browser.new_page()
    errors = _watch_errors(page)
    sign_in(page, demo.url, "pio", DEMO_PASSWORD)
    expect(page.locator("#dash-open .num")).not_to_have_text("0")

    page.goto(demo.url + "/moderation")
    opened = int(page.locator("#open-count").inner_text())
    assert opened >= 3
    first_id = page.locator("[data-case-row]").first.get_attribute("data-case-id")

    # From here on, the keyboard only: j selects the first case, Enter opens it.
    page.keyboard.press("j")
    expect(page.locator("[data-case-row].selected")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/moderation/cases/{first_id}$"))

    decided: dict[str, tuple[str, str]] = {}
    for key, note, outcome in (
        ("1", "", "kept"),
        ("3", "specific enough to meet the category; see the highlighted words", "removed"),
        ("2", "hidden while the office reviews it further with the highlighted part", "hidden"),
    ):
        page.wait_for_load_state("load")  # the shortcuts script runs before "load"
        case_id = re.search(r"/cases/(\d+)", page.url).group(1)  # type: ignore[union-attr]
        text = page.locator("#comment-text").inner_text()
        page.keyboard.press(key)
        if key != "1":
            # No category is pre-selected: the PIO chooses the one screening found, then Tab.
            expect(page.locator("#reason")).to_be_focused()
            found = (page.locator("#reason").get_attribute("data-found") or "").split()
            assert found, "a screened case names what screening found"
            page.locator("#reason").select_option(found[0])
            page.keyboard.press("Tab")
        expect(page.locator("#note")).to_be_focused()
        if note:
            page.keyboard.type(note)
        page.keyboard.press("Enter")
        expect(page.locator("#done-notice")).to_contain_text(f"Case #{case_id}: {outcome}")
        decided[case_id] = (outcome, text)

    # The queue shrank by three, and each decision shows on its case page.
    page.wait_for_load_state("load")
    page.keyboard.press("u")
    expect(page).to_have_url(re.compile(r"/moderation$"))
    assert int(page.locator("#open-count").inner_text() or 0) == opened - 3 or (
        opened == 3 and page.locator("#queue-empty").is_visible()
    )
    for case_id, (outcome, _) in decided.items():
        page.goto(f"{demo.url}/moderation/cases/{case_id}")
        expect(page.locator("#case-outcome")).to_have_text(outcome)
        expect(page.locator("#decisions")).to_contain_text("by Sgt. Jordan Lee")

    # The public page no longer shows the hidden and removed comments; the kept one stays.
    public = browser.new_page()
    public.goto(demo.url + "/sandbox/cspd-community")
    body = public.locator("main").inner_text()
    for outcome, text in decided.values():
        snippet = text.strip()[:40]
        if outcome == "kept":
            assert snippet in body
        else:
            assert snippet not in body

    # The archive still holds the removed comment, with the version that records the removal.
    removed_case = next(c for c, (o, _) in decided.items() if o == "removed")
    with demo.sessions() as s:
        case = s.get(Case, int(removed_case))
        assert case is not None and case.item_id is not None
        item = s.get(ArchiveItem, case.item_id)
        assert item is not None and item.state == "removed"
        assert audit.verify(s).ok
    page.goto(f"{demo.url}/archive/items/{case.item_id}")
    expect(page.locator("#item-state")).to_have_text("Removed")
    expect(page.locator(".version").first).to_contain_text(decided[removed_case][1].strip()[:40])
    assert not errors, errors


def test_employee_reports_a_comment_and_sees_the_outcome(
    demo: DemoSite, browser: Browser, tmp_path: Path
) -> None:
    _poll(demo, tmp_path)
    with demo.sessions() as s:
        # A harsh comment screening rightly let through: the employee thinks otherwise.
        item = s.execute(
            select(ArchiveItem).where(
                ArchiveItem.kind == "comment", ArchiveItem.author_name == "Laura Becker"
            )
        ).scalar_one()
        permalink = f"{demo.url}/sandbox/cspd-community#comment-{item.platform_id}"

    employee = browser.new_context().new_page()
    errors = _watch_errors(employee)
    sign_in(employee, demo.url, "employee", DEMO_PASSWORD)
    employee.get_by_role("link", name="Report a comment").first.click()
    employee.get_by_label("Link to the post or comment").fill(permalink)
    employee.get_by_label("Why you report it").fill("Insults the officers on our page.")
    employee.get_by_role("button", name="Send to the PIO").click()
    expect(employee.locator("#filed-notice")).to_contain_text("sent to the PIO's queue")
    row = employee.locator("#my-reports tbody tr").first
    expect(row.locator(".outcome")).to_have_text("Waiting for the PIO's review")
    expect(row.locator(".reported-text")).to_contain_text("Useless")  # what was reported
    # An employee cannot open the queue.
    other_tab = employee.context.new_page()
    response = other_tab.goto(demo.url + "/moderation")
    assert response is not None and response.status == 403
    expect(other_tab.get_by_role("alert")).to_contain_text("may not")

    # The PIO finds the reported comment in the queue, sees who reported it and why, keeps it.
    pio = browser.new_page()
    sign_in(pio, demo.url, "pio", DEMO_PASSWORD)
    pio.goto(demo.url + "/moderation")
    pio.locator("[data-case-row]", has_text="reported").first.locator("a[data-open]").click()
    expect(pio.locator("#reports")).to_contain_text("Insults the officers on our page.")
    expect(pio.locator("#comment-text")).to_contain_text("Useless")
    pio.get_by_label("Keep").check()
    pio.get_by_role("button", name="Record decision").click()
    # Wait for the decision to be recorded before the employee looks (the click only sends it).
    expect(pio.locator("#done-notice")).to_be_visible()

    employee.goto(demo.url + "/reports")
    expect(row.locator(".outcome")).to_contain_text("Kept: no violation found")
    assert not errors, errors
