"""In real headless Chromium, at 390 and 1366 px: a cadre member sends a story with a photo;
the PIO sees the §.12 findings highlighted, resolves them (one changed, one kept with a
reason), attests, picks a page and a category, approves and publishes (GO 409 §.04 §.12 §.30)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from piodesk.archive.media import MediaStore
from piodesk.archive.tables import ArchiveItem, ArchiveVersion
from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.demo import DEMO_PASSWORD
from piodesk.publishing.media import metadata_of
from piodesk.publishing.outbox_sender import send_due
from piodesk.publishing.tables import Submission
from tests.browser_support import DemoSite, sign_in
from tests.publishing.review_support import STORY, gps_jpeg

pytestmark = pytest.mark.browser


def _watch_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px"


@pytest.mark.parametrize("width", [390, 1366])
def test_cadre_story_to_publication(
    demo: DemoSite, browser: Browser, tmp_path: Path, width: int
) -> None:
    photo = tmp_path / "coffee.jpg"
    photo.write_bytes(gps_jpeg())

    cadre = browser.new_page(viewport={"width": width, "height": 900})
    errors = _watch_errors(cadre)
    sign_in(cadre, demo.url, "cadre", DEMO_PASSWORD)
    cadre.goto(demo.url + "/stories/new")
    cadre.get_by_label("Title").fill("Coffee with a Cop at the YMCA")
    cadre.get_by_label("Story").fill(STORY)
    cadre.get_by_label("Sources").fill("Case report\nPatrol log")
    cadre.get_by_label("Photo file").set_input_files(str(photo))
    cadre.get_by_label("Who took or supplied it").fill("Ofc. Riley Chen, on duty")
    cadre.get_by_label("Ownership").select_option("department")
    cadre.get_by_label("Identifiable people").check()
    # Without written consent on file the photo is refused, beside the photo, text kept.
    cadre.get_by_label("Alt text").fill("Officers and residents share coffee at a table.")
    cadre.get_by_role("button", name="Send to the PIO office").click()
    expect(cadre.locator("#photo-error")).to_contain_text("no written consent is on file")
    expect(cadre.get_by_label("Story")).to_have_value(STORY)
    _no_sideways_scroll(cadre)
    cadre.get_by_label("Photo file").set_input_files(str(photo))
    cadre.get_by_label("Written consent on file").fill("Signed releases, PIO file 2026-114")
    cadre.get_by_role("button", name="Send to the PIO office").click()
    expect(cadre.locator("#sent-notice")).to_be_visible()
    story_url = cadre.url.split("?")[0]
    _no_sideways_scroll(cadre)

    pio = browser.new_page(viewport={"width": width, "height": 900})
    errors += _watch_errors(pio)
    sign_in(pio, demo.url, "pio", DEMO_PASSWORD)
    pio.goto(story_url)
    marks = pio.locator("#story-text mark.finding")
    expect(marks.first).to_be_visible()
    highlighted = marks.all_inner_texts()
    assert "is clearly guilty" in highlighted and "will be convicted" in highlighted
    _no_sideways_scroll(pio)
    # The photo shown is the published copy (no GPS), with its alt text.
    expect(pio.locator("figure img")).to_have_attribute(
        "alt", "Officers and residents share coffee at a table."
    )
    src = pio.locator("figure img").get_attribute("src")
    served = pio.request.get(demo.url + (src or ""))
    assert served.ok and not metadata_of(served.body())["gps"]

    # Change one finding away, keep the other with a reason.
    pio.locator("#edit textarea[name=text]").fill(
        STORY.replace("The suspect is clearly guilty. ", "")
    )
    pio.locator("#edit input[name=note]").fill("no statement on guilt (§.12)")
    pio.get_by_role("button", name="Save as a new version").click()
    expect(pio.locator("#story-text")).not_to_contain_text("clearly guilty")
    pio.locator("#findings input[name=reason]").first.fill(
        "Charges are filed; the DA's office cleared the wording"
    )
    pio.get_by_role("button", name="Keep").first.click()
    expect(pio.locator("#findings li.open")).to_have_count(0)
    pio.locator("#plan").get_by_label("CSPD Community").check()
    pio.locator("#plan").get_by_label("Category").select_option("outreach")
    pio.get_by_role("button", name="Save pages and category").click()
    pio.get_by_label("I have reviewed this post").check()
    pio.get_by_role("button", name="Attest").click()
    expect(pio.locator("#attested")).to_be_visible()
    pio.get_by_role("button", name="Send for approval").click()
    expect(pio.locator("#story-state")).to_have_text("Waiting for approval")
    pio.get_by_role("button", name="Approve").click()
    expect(pio.locator("#story-state")).to_have_text("Approved")
    pio.get_by_role("button", name="Publish to 1 page").click()
    expect(pio.locator("#story-state")).to_have_text("Published")
    expect(pio.locator("#publication-status")).to_be_visible()
    _no_sideways_scroll(pio)

    # The outbox's sender job runs (as the server does every few seconds): the post is on the
    # public sandbox page, which needs no sign-in.
    sent = send_due(
        demo.sessions,
        lambda p: SandboxConnector(demo.sessions, p.handle),
        media=MediaStore(tmp_path / "data" / "media"),
    )
    assert len(sent.sent) == 1, sent
    pio.reload()
    expect(pio.locator("#publication-status")).to_have_text("Published")
    visitor = browser.new_page(viewport={"width": width, "height": 900})
    visitor.goto(demo.url + "/sandbox/cspd-community")
    expect(visitor.get_by_text("Thanks to the neighbours who called it in.").first).to_be_visible()
    expect(visitor.get_by_text("clearly guilty")).to_have_count(0)
    image = visitor.get_by_alt_text("Officers and residents share coffee at a table.")
    expect(image).to_be_visible()
    shown = visitor.request.get(demo.url + (image.get_attribute("src") or ""))
    assert shown.ok and metadata_of(shown.body()) == {"exif_tags": [], "gps": {}, "xmp": False}

    # The cadre member sees the outcome; cadre members get no approve or publish controls.
    cadre.goto(story_url)
    expect(cadre.locator("#story-state")).to_have_text("Published")
    expect(cadre.get_by_role("button", name="Approve")).to_have_count(0)

    with demo.sessions() as s:
        sub = s.execute(select(Submission).order_by(Submission.id.desc()).limit(1)).scalar_one()
        item = s.get(ArchiveItem, sub.archive_item_id)
        assert item is not None and item.kind == "submission"
        first = s.execute(
            select(ArchiveVersion.text).where(
                ArchiveVersion.item_id == item.id, ArchiveVersion.version == 1
            )
        ).scalar_one()
    assert first == STORY  # the submission as sent, kept in the archive
    # The one 422 is the refused first try (the photo without consent), answered on purpose.
    assert [e for e in errors if "status of 422" not in e] == [], errors
    assert sum("status of 422" in e for e in errors) == 1, errors
