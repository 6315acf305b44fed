"""In real headless Chromium, at phone and laptop widths: an update whose original was refused
on the community page waits there and says why in the outbox; sending it as a new post without
a reason is refused beside the field (the text kept), with one it goes out as a new post."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from piodesk.connectors.base import PlatformError
from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.core.db import transaction
from piodesk.demo import DEMO_PASSWORD
from piodesk.pages.tables import Page
from piodesk.people import actions as people
from piodesk.people.tables import Account
from piodesk.publishing import outbox
from piodesk.publishing.outbox_sender import send_due
from tests.browser_support import DemoSite, sign_in

pytestmark = pytest.mark.browser

UPDATE = "UPDATE: Academy Blvd northbound has one lane open. Expect delays until 5 pm."


def _refused_original_and_waiting_update(demo: DemoSite) -> None:
    with transaction(demo.sessions) as s:
        page = s.execute(select(Page).where(Page.handle == "cspd-community")).scalar_one()
        pio = people.actor_for(
            s.execute(select(Account).where(Account.username == "pio")).scalar_one()
        )
        original = outbox.enqueue(
            s,
            actor=pio,
            text="ROAD CLOSURE: Academy Blvd northbound at Fountain Blvd.",
            page_ids=[page.id],
            source="notice:900",
        )

    class Down(SandboxConnector):
        def publish(self, text: str, media: Any = (), *, idempotency_key=None) -> str:
            raise PlatformError("sandbox", 503, "The page is temporarily unavailable")

    send_due(demo.sessions, lambda p: Down(demo.sessions, p.handle))
    with transaction(demo.sessions) as s:
        outbox.enqueue(
            s,
            actor=pio,
            text=UPDATE,
            page_ids=[page.id],
            source="notice:901",
            thread_under_publication_id=original,
        )


@pytest.mark.parametrize("width", [390, 1366])
def test_waiting_update_sent_as_a_new_post(demo: DemoSite, browser: Browser, width: int) -> None:
    _refused_original_and_waiting_update(demo)
    tab = browser.new_context(viewport={"width": width, "height": 900}).new_page()  # type: ignore[arg-type]
    sign_in(tab, demo.url, "pio", DEMO_PASSWORD)
    tab.goto(demo.url + "/publishing")
    waiting = tab.locator(".waiting")
    expect(waiting).to_contain_text("Waiting: the original was not published on CSPD Community")
    expect(waiting).to_contain_text("publish the original first or send this as a new post")
    expect(tab.get_by_text("The page is temporarily unavailable")).to_be_visible()
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    reason = tab.get_by_label("Why send it as a new post on CSPD Community")
    reason.fill("   ")
    tab.get_by_role("button", name="Send as a new post").click()
    error = tab.locator(".standalone-form .error")
    expect(error).to_contain_text("reason")
    field, box = reason.bounding_box(), error.bounding_box()
    assert field is not None and box is not None and 0 <= box["y"] - field["y"] < 200
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    tab.get_by_label("Why send it as a new post on CSPD Community").fill(
        "The original never went out; people need the update now"
    )
    tab.get_by_role("button", name="Send as a new post").click()
    expect(tab.locator(".standalone").first).to_contain_text(
        "Sent as a new post, not under the original: decided by Sgt. Jordan Lee (PIO)"
    )
    expect(tab.locator(".waiting")).to_have_count(0)
    # The send runs after the answer (the fast path); read the public page until it is there.
    for _ in range(60):
        tab.goto(demo.url + "/sandbox/cspd-community")
        if tab.get_by_text(UPDATE).count():
            break
        tab.wait_for_timeout(500)
    expect(tab.get_by_text(UPDATE)).to_be_visible()
