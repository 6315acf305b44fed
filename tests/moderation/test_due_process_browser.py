"""In headless Chromium, at a phone's 390×844 and a laptop's 1366×768: the PIO works three
cases — one of them needs legal counsel's concurrence (the viewpoint guard) — and blocks a
visitor who was warned and broke the rules again; the blocked visitor appeals from the notice
on the platform; a second PIO decides the appeal. Queue and case pages are screenshotted and
checked for horizontal overflow at both widths (GO 409 §.20)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from piodesk.archive.ingest import ingest_all
from piodesk.archive.media import MediaStore
from piodesk.archive.tables import ArchiveItem
from piodesk.core import audit
from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.demo import DEMO_PASSWORD
from piodesk.moderation.intake import intake_all
from piodesk.moderation.tables import Appeal, Block, Case
from piodesk.people import actions as people
from piodesk.screening.engine import default_screener
from tests.browser_support import DemoSite, sign_in

pytestmark = pytest.mark.browser

SIZES = {"phone": (390, 844), "laptop": (1366, 768)}
SELLER = "Call me at 719-555-0134 for cheap game tickets, best prices in town"
AGAIN = "Still selling cheap game tickets, call 719-555-0188 today, best prices in town"
#: What screening does not flag, but reveals where an officer is every night.
STALKING = "Officer Diaz parks his blue pickup behind the Elm Street laundromat every night at 11"


def _poll(demo: DemoSite, tmp_path: Path) -> None:
    ingest_all(demo.sessions, media=MediaStore(tmp_path / "media"))
    intake_all(demo.sessions, default_screener())


def _context(browser: Browser, size: str) -> BrowserContext:
    width, height = SIZES[size]
    return browser.new_context(viewport={"width": width, "height": height})


def _no_overflow(page: Page, what: str, shots: Path, size: str) -> None:
    page.screenshot(path=str(shots / f"{what}-{size}.png"), full_page=True)
    wide, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert wide <= inner, f"{what} at {size}: {wide}px wide in a {inner}px window"


def _visitor_comments(visitor: Page, demo: DemoSite, name: str, body: str) -> None:
    visitor.goto(demo.url + "/sandbox/cspd-community")
    form = visitor.locator("article.sandbox-post > section.comments > form.sandbox-form").first
    form.locator("input[name=visitor_name]").fill(name)
    form.locator("textarea[name=body]").fill(body)
    form.get_by_role("button", name="Comment").click()
    expect(visitor.locator(".comment .body", has_text=body[:30])).to_have_count(1)


def _case_of(demo: DemoSite, body: str) -> int:
    with demo.sessions() as s:
        item = s.execute(
            select(ArchiveItem).where(
                ArchiveItem.kind == "comment", ArchiveItem.author_name == "Tix Vendor"
            )
        ).scalars()
        ids = [i.id for i in item]
        for case in s.execute(
            select(Case).where(Case.item_id.in_(ids)).order_by(Case.id.desc())
        ).scalars():
            return case.id
    raise AssertionError(f"no case for {body[:30]}")


def _decide(page: Page, action: str, reason: str, note: str, *, done: bool = True) -> None:
    form = page.locator("#decide-form")
    form.locator(f"input[name=action][value={action}]").check()
    page.locator("#reason").select_option(reason)
    page.locator("#note").fill(note)
    form.get_by_role("button", name="Record decision").click()
    if done:  # recorded: the next case (or the queue) says so
        expect(page.locator("#done-notice")).to_be_visible()
        page.wait_for_load_state("load")


@pytest.mark.parametrize("size", list(SIZES))
def test_three_cases_counsel_a_block_an_appeal_and_a_second_pio(
    demo: DemoSite, browser: Browser, tmp_path: Path, size: str
) -> None:
    # PIODESK_SCREENSHOTS=DIR keeps them for a person to look at; else they go with tmp_path.
    shots = Path(os.environ.get("PIODESK_SCREENSHOTS") or tmp_path / "shots") / size
    shots.mkdir(parents=True, exist_ok=True)
    with transaction(demo.sessions) as s:  # a second PIO, to decide the appeal
        people.seed_account(
            s,
            username="pio-two",
            display_name="Sgt. Alex Kim (PIO)",
            password=DEMO_PASSWORD,
            roles=[Role.PIO.value],
            reason="browser test",
        )
    visitor = _context(browser, size).new_page()
    _visitor_comments(visitor, demo, "Tix Vendor", SELLER)
    watcher = _context(browser, size).new_page()  # another person (another visitor cookie)
    _visitor_comments(watcher, demo, "Night Watcher", STALKING)
    _poll(demo, tmp_path)
    with demo.sessions() as s:
        item = s.execute(
            select(ArchiveItem).where(ArchiveItem.author_name == "Night Watcher")
        ).scalar_one()
        stalking_case = s.execute(select(Case.id).where(Case.item_id == item.id)).scalar()
    if stalking_case is None:  # screening found nothing: an employee reports it
        employee = _context(browser, size).new_page()
        sign_in(employee, demo.url, "employee", DEMO_PASSWORD)
        employee.goto(demo.url + "/reports?item=" + str(item.id))
        employee.get_by_label("Why you report it").fill("It tells people where an officer is.")
        employee.get_by_role("button", name="Send to the PIO").click()
        expect(employee.locator("#filed-notice")).to_be_visible()
        with demo.sessions() as s:
            stalking_case = s.execute(select(Case.id).where(Case.item_id == item.id)).scalar()
    assert stalking_case

    pio = _context(browser, size).new_page()
    errors: list[str] = []
    pio.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(pio, demo.url, "pio", DEMO_PASSWORD)
    pio.goto(demo.url + "/moderation")
    expect(pio.locator("#queue")).to_be_visible()
    _no_overflow(pio, "queue", shots, size)
    if size == "phone":  # the header menu folds away and opens without overflowing
        expect(pio.locator("#menu > summary")).to_be_visible()
        pio.locator("#menu > summary").click()
        expect(pio.get_by_role("link", name="Moderation", exact=True)).to_be_visible()
        _no_overflow(pio, "menu", shots, size)

    # Case 1: the seller's ad. Hidden as solicitation (screening found it), then a warning.
    seller_case = _case_of(demo, SELLER)
    pio.goto(f"{demo.url}/moderation/cases/{seller_case}")
    expect(pio.locator("#screening-summary")).to_contain_text("Screening found")
    assert pio.locator("#reason").input_value() == ""  # nothing pre-selected
    _no_overflow(pio, "case", shots, size)
    _decide(pio, "hide", "solicitation", "offers game tickets for sale with a phone number")
    pio.goto(f"{demo.url}/moderation/cases/{seller_case}")
    expect(pio.locator("#case-outcome")).to_have_text("hidden")
    pio.locator("details.warn > summary").click()
    pio.locator("#warn-category").select_option("solicitation")
    pio.locator("#warn-explanation").fill(
        "Selling tickets is solicitation; the page does not allow it."
    )
    pio.locator("#warn-form").get_by_role("button", name="Record the warning").click()
    expect(pio.locator("#history")).to_contain_text("warned")
    # A block now, with nothing repeated since the warning, is refused beside the field.
    pio.locator("details.block-form > summary").click()
    block_form = pio.locator("#block-form")
    block_form.locator("select[name=category]").select_option("solicitation")
    block_form.locator("textarea[name=reason]").fill("Kept advertising after the warning.")
    block_form.get_by_role("button", name="Block").click()
    expect(pio.locator("#block-reason-error")).to_contain_text("later violation")
    expect(pio.locator("#block-form textarea[name=reason]")).to_have_value(
        "Kept advertising after the warning."
    )

    # Case 2: the stalking comment. Screening did not find "safety": the guard holds it.
    pio.goto(f"{demo.url}/moderation/cases/{stalking_case}")
    _no_overflow(pio, "case-guarded", shots, size)
    _decide(
        pio,
        "remove",
        "safety",
        "tells readers where an officer can be found alone at night",
        done=False,
    )
    expect(pio.locator("#decide-guard-error")).to_contain_text("viewpoint guard")
    expect(pio.locator("#note")).to_have_value(
        "tells readers where an officer can be found alone at night"
    )
    _no_overflow(pio, "case-refused", shots, size)
    pio.locator("details.consult > summary").click()
    pio.locator("#consult-question").fill("Screening missed it: may we remove this as safety?")
    pio.locator("#consult-form").get_by_role("button", name="Send to counsel").click()
    expect(pio.locator("#case-state")).to_have_text("with legal counsel")

    counsel = _context(browser, size).new_page()
    sign_in(counsel, demo.url, "counsel", DEMO_PASSWORD)
    counsel.goto(demo.url + "/notifications")
    expect(counsel.locator("#notifications")).to_contain_text(f"#{stalking_case}")
    counsel.goto(f"{demo.url}/moderation/cases/{stalking_case}")
    counsel.locator("#advice-text").fill(
        "A safety risk to a named officer, not an opinion: removal is supported."
    )
    counsel.locator("#advise-form select[name=recommends]").select_option("remove")
    counsel.locator("#advise-form").get_by_role("button", name="Send advice to the PIO").click()
    expect(counsel.locator(".advice")).to_contain_text("removal is supported")

    pio.goto(f"{demo.url}/moderation/cases/{stalking_case}")
    expect(pio.locator("#counsel-h")).to_contain_text("Attorney–client privileged")
    _decide(pio, "remove", "safety", "tells readers where an officer can be found alone at night")
    pio.goto(f"{demo.url}/moderation/cases/{stalking_case}")
    expect(pio.locator("#case-outcome")).to_have_text("removed")

    # Case 3: the warned seller sells again; the PIO hides it and now blocks them.
    _visitor_comments(visitor, demo, "Tix Vendor", AGAIN)
    _poll(demo, tmp_path)
    again_case = _case_of(demo, AGAIN)
    assert again_case != seller_case
    pio.goto(f"{demo.url}/moderation/cases/{again_case}")
    _decide(pio, "hide", "solicitation", "sells game tickets again after the warning")
    pio.goto(f"{demo.url}/moderation/cases/{seller_case}")
    pio.locator("details.block-form > summary").click()
    expect(pio.locator("#block-grounds")).to_be_visible()
    block_form = pio.locator("#block-form")
    block_form.locator("select[name=category]").select_option("solicitation")
    block_form.locator("textarea[name=reason]").fill("Kept advertising after the warning.")
    block_form.get_by_role("button", name="Block").click()
    expect(pio.locator("#blocked-note")).to_be_visible()

    # The visitor reads the notice on the platform and appeals from its link, signed in nowhere.
    visitor.goto(demo.url + "/sandbox/cspd-community")
    expect(visitor.locator("#blocked-notice")).to_be_visible()
    notice = visitor.locator("#messages .message", has_text="you were blocked from commenting")
    expect(notice).to_contain_text("review on")
    notice.locator("a[data-appeal-link]").click()
    expect(visitor.locator("#appeal-code")).not_to_have_value("")
    _no_overflow(visitor, "appeal", shots, size)
    visitor.locator("#appeal-text").fill("I stopped selling. I want to ask about road closures.")
    visitor.get_by_role("button", name="Send the appeal").click()
    expect(visitor.locator("#appeal-filed")).to_be_visible()

    # The PIO who blocked cannot decide it; a second PIO lifts the block.
    pio.goto(demo.url + "/moderation/appeals")
    expect(pio.locator(".appeal-card")).to_contain_text("a colleague decides its appeal")
    second = _context(browser, size).new_page()
    sign_in(second, demo.url, "pio-two", DEMO_PASSWORD)
    second.goto(demo.url + "/moderation/appeals")
    _no_overflow(second, "appeals", shots, size)
    card = second.locator(".appeal-card").first
    card.locator("input[name=outcome][value=lifted]").check()
    card.locator("input[name=note]").fill("Promised to stop; a fair second chance.")
    card.get_by_role("button", name="Record the decision").click()
    expect(second.locator("#appeals-decided")).to_contain_text("Block lifted")
    visitor.goto(demo.url + "/sandbox/cspd-community")
    expect(visitor.locator("#blocked-notice")).to_have_count(0)

    # The public transparency page: no sign-in, no comment text.
    public = _context(browser, size).new_page()
    public.goto(demo.url + "/transparency")
    expect(public.locator("#public-months")).to_be_visible()
    body = public.locator("main").inner_text()
    for text in (SELLER[:25], STALKING[:25], AGAIN[:25], "Tix Vendor"):
        assert text not in body
    _no_overflow(public, "transparency", shots, size)

    with demo.sessions() as s:
        assert s.execute(select(Appeal)).scalar_one().via == "notice"
        assert s.execute(select(Block)).scalar_one().lifted_at is not None
        assert audit.verify(s).ok
    assert not errors, errors
    assert len(list(shots.glob("*.png"))) >= 6
