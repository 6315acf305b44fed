"""In real headless Chromium, at phone and laptop widths: an administrator asks for the PIO
role and the chief approves it; a memo climbs to the chief; a detective logs an investigative
use and a supervisor reviews it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.demo import DEMO_PASSWORD
from piodesk.people import actions as people
from tests.browser_support import DemoSite, open_nav, sign_in

pytestmark = pytest.mark.browser
WIDTHS = [390, 1366]


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _as(page: Page, demo: DemoSite, username: str) -> None:
    if page.get_by_role("button", name="Sign out").count():
        page.get_by_role("button", name="Sign out").click()
    sign_in(page, demo.url, username, DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def _below(page: Page, field: str, error: str) -> None:
    f = page.get_by_label(field, exact=True).bounding_box()
    e = page.locator(error).bounding_box()
    assert f is not None and e is not None and 0 <= e["y"] - f["y"] < 200


@pytest.mark.parametrize("width", WIDTHS)
def test_admin_asks_for_pio_and_the_chief_approves(
    demo: DemoSite, browser: Browser, width: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    _as(page, demo, "admin")
    open_nav(page, "People")
    expect(page.get_by_role("heading", name="People and roles")).to_be_visible()
    _fits(page)
    page.get_by_label("Username", exact=True).fill("Not Valid!")
    page.get_by_label("Full name").fill("Sgt. Quinn Avery")
    page.get_by_role("checkbox", name="Employee").check()
    page.get_by_role("checkbox", name="Public Information Office").check()
    page.get_by_label("Reason").fill("joins the PIO office")
    page.get_by_role("button", name="Add").click()
    expect(page.locator("#username-error")).to_contain_text("username must be 2-40")
    _below(page, "Username", "#username-error")
    expect(page.get_by_label("Full name")).to_have_value("Sgt. Quinn Avery")
    expect(page.get_by_role("checkbox", name="Public Information Office")).to_be_checked()
    page.get_by_label("Username", exact=True).fill("qavery")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("heading", name="Sgt. Quinn Avery")).to_be_visible()
    expect(page.locator("#grant-waiting")).to_contain_text("Public Information Office")
    expect(page.locator("#roles-now")).to_have_text("Employee")
    _fits(page)

    _as(page, demo, "chief")
    open_nav(page, "Role grants")
    grant = page.locator("section.pair", has_text="Sgt. Quinn Avery")
    expect(grant).to_contain_text("Public Information Office")
    expect(grant).to_contain_text("Alex Admin")
    _fits(page)
    grant.get_by_label("Reason").fill("approved for the PIO office")
    grant.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("Grant approved")
    expect(page.locator("#one-time-link")).to_contain_text("/password?token=")
    page.goto(demo.url + "/role-grants")
    expect(page.locator("section.pair", has_text="Sgt. Quinn Avery")).to_have_count(0)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_memo_reaches_the_chief_and_is_approved(
    demo: DemoSite, browser: Browser, width: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    _as(page, demo, "employee")
    open_nav(page, "Memos")
    page.get_by_role("button", name="File memo").click()
    expect(page.locator("#title-error")).to_contain_text("title is required")
    expect(page.locator("#supervisor-error")).to_contain_text("choose the supervisor")
    page.get_by_label("Title").fill("Weekly crime map posts")
    page.get_by_label("Your suggestion").fill("Share the weekly crime map on the community page.")
    choice = page.locator("select[name=supervisor] option", has_text="Lt. Morgan Price")
    page.get_by_label("Your supervisor").select_option(choice.get_attribute("value"))
    page.get_by_role("button", name="File memo").click()
    expect(page.locator("#memo-state")).to_have_text("with the chain of command")
    expect(page.locator("#memo-route li.current")).to_contain_text("Lt. Morgan Price")
    _fits(page)

    _as(page, demo, "supervisor")
    open_nav(page, "Notifications")
    page.get_by_role(
        "button", name="A suggestion memo waits for you: Weekly crime map posts"
    ).click()
    expect(page.get_by_role("heading", name="Weekly crime map posts")).to_be_visible()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator("#memo-route li.current")).to_contain_text("Chief of police")

    _as(page, demo, "chief")
    open_nav(page, "Memos")
    page.get_by_role("link", name="Weekly crime map posts").first.click()
    page.get_by_role("textbox", name="Comments").fill("Approved; start next month.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator("#memo-state")).to_have_text("approved by the chief")
    expect(page.locator("#memo-history")).to_contain_text("Chief Dana Vasquez")
    _fits(page)

    _as(page, demo, "employee")
    open_nav(page, "Memos")
    expect(page.locator("table.grid").first).to_contain_text("approved by the chief")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_detective_logs_a_use_and_a_supervisor_reviews_it(
    demo: DemoSite, browser: Browser, width: int
) -> None:
    with transaction(demo.sessions) as s:  # a detective: an employee of the detective unit
        people.seed_account(
            s,
            username="detective",
            display_name="Det. Lane Rivera",
            password=DEMO_PASSWORD,
            roles=[Role.EMPLOYEE.value],
            unit="Investigations Division",
            reason="browser test",
        )
    page = browser.new_page(viewport={"width": width, "height": 900})
    _as(page, demo, "detective")
    open_nav(page, "Investigative log")
    page.get_by_label("Accounts or pages viewed").fill("https://example.social/@wanted")
    page.get_by_role("button", name="Log use").click()
    expect(page.locator("#case_number-error")).to_contain_text("needs the case")
    expect(page.locator("#purpose-error")).to_contain_text("§.15")
    _below(page, "Case number", "#case_number-error")
    expect(page.get_by_label("Accounts or pages viewed")).to_have_value(
        "https://example.social/@wanted"
    )
    _fits(page)
    log_form = page.locator("form[action='/investigations#log']")
    log_form.locator("select[name=purpose]").select_option(label="Wanted persons")
    page.get_by_label("Case number", exact=True).fill("26-014233")
    page.get_by_label("What was kept as evidence").fill("Two screenshots, hashed")
    page.get_by_role("button", name="Log use").click()
    expect(page.get_by_role("heading", name="Investigative use, case 26-014233")).to_be_visible()
    expect(page.locator("#review")).to_contain_text("awaiting")

    _as(page, demo, "supervisor")
    open_nav(page, "Investigative log")
    page.get_by_label("not yet reviewed").check()
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="26-014233").click()
    page.get_by_role("button", name="Record review").click()
    expect(page.locator("#review")).to_contain_text("Within §.15 — Lt. Morgan Price")
    expect(page.locator("main")).to_contain_text("Det. Lane Rivera")
    expect(page.locator("main")).not_to_contain_text("(detective)")  # a name, not a username
    _fits(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_supervisor_authorizes_a_device_and_the_chief_names_page_administrators(
    demo: DemoSite, browser: Browser, width: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    _as(page, demo, "supervisor")
    open_nav(page, "Authorizations")
    form = page.locator("form[action='/authorizations#grant']")
    choice = form.locator("select[name=account] option", has_text="Pat Nguyen")
    form.locator("select[name=account]").select_option(choice.get_attribute("value"))
    form.locator("select[name=device_class]").select_option(label="Personally owned device")
    form.get_by_label("Which devices").fill("Pixel 8, personal")
    page.get_by_role("checkbox", name="Moderating comments").check()
    form.get_by_label("Expires").fill("2020-01-01")
    form.get_by_label("Reason").fill("weekend on-call")
    page.get_by_role("button", name="Grant").click()
    expect(page.locator("#expires_on-error")).to_contain_text("before it starts")
    f, e = (
        form.get_by_label("Expires").bounding_box(),
        page.locator("#expires_on-error").bounding_box(),
    )
    assert f is not None and e is not None and 0 <= e["y"] - f["y"] < 200
    expect(form.get_by_label("Which devices")).to_have_value("Pixel 8, personal")
    _fits(page)
    form.get_by_label("Expires").fill("2099-12-31")
    page.get_by_role("button", name="Grant").click()
    expect(page.locator("#authorized-today tr", has_text="Pat Nguyen")).to_contain_text("Pixel 8")
    expect(page.locator("#register")).to_contain_text("Personally owned device: Pixel 8")
    _fits(page)

    _as(page, demo, "chief")
    page.goto(demo.url + "/pages")
    page.get_by_role("link", name="CSPD Recruiting on X").click()
    page.get_by_role("link", name="administrators").click()
    page.get_by_label("Administering unit").fill("")
    page.get_by_role("button", name="Set unit").click()
    expect(page.locator("#unit-error")).to_contain_text("required")
    page.get_by_label("Administering unit").fill("Recruiting Unit")
    page.get_by_role("button", name="Set unit").click()
    choice = page.locator("select[name=account] option", has_text="Ofc. Sam Ortiz")
    page.get_by_label("Person").select_option(choice.get_attribute("value"))
    page.get_by_role("button", name="Assign").click()
    expect(page.locator("#admins")).to_contain_text("Ofc. Sam Ortiz")
    expect(page.locator("#admin-unit")).to_have_text("Recruiting Unit")
    _fits(page)
    page.goto(demo.url + "/pages")
    row = page.locator("tr", has_text="CSPD Recruiting on X")
    expect(row).to_contain_text("Recruiting Unit")
    expect(row).to_contain_text("Ofc. Sam Ortiz")
