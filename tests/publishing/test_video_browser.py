"""In real headless Chromium, at 390 and 1366 px: a cadre member sends a story with a phone
video; a cut-short file is refused beside the field (the text kept); the whole one is taken,
and the PIO sees it with its description, its published copy without location or device."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from piodesk.demo import DEMO_PASSWORD
from piodesk.publishing.video import metadata_of
from tests.browser_support import DemoSite, sign_in
from tests.publishing.video_support import DEVICE, LAT_TEXT, iphone_mp4

pytestmark = pytest.mark.browser

DESCRIPTION = "Recruits practise a traffic stop at the academy; an instructor explains each step."


@pytest.mark.parametrize("width", [390, 1366])
def test_cadre_sends_a_video_and_the_pio_sees_it(
    demo: DemoSite, browser: Browser, tmp_path: Path, width: int
) -> None:
    whole = iphone_mp4()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[:-300])
    clip = tmp_path / "academy.mp4"
    clip.write_bytes(whole)
    cadre = browser.new_page(viewport={"width": width, "height": 900})
    sign_in(cadre, demo.url, "cadre", DEMO_PASSWORD)
    cadre.goto(demo.url + "/stories/new")
    story = "Academy class 26-2 practised traffic stops this week with their instructors."
    cadre.get_by_label("Title").fill("Academy traffic-stop training")
    cadre.get_by_label("Story").fill(story)
    cadre.get_by_label("Photo file").set_input_files(str(cut))
    cadre.get_by_label("Who took or supplied it").fill("Ofc. Riley Chen, on duty")
    cadre.get_by_label("Ownership").select_option("department")
    cadre.get_by_label("Department training").check()
    cadre.get_by_label("Written consent on file").fill("Academy releases, PIO file 2026-131")
    cadre.get_by_label("Alt text").fill(DESCRIPTION)
    cadre.get_by_role("button", name="Send to the PIO office").click()
    error = cadre.locator("#photo-error")
    expect(error).to_contain_text("cut short")
    expect(cadre.get_by_label("Story")).to_have_value(story)  # the text is kept
    assert cadre.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    cadre.get_by_label("Photo file").set_input_files(str(clip))
    cadre.get_by_role("button", name="Send to the PIO office").click()
    expect(cadre.locator("#sent-notice")).to_be_visible()
    story_url = cadre.url.split("?")[0]

    pio = browser.new_page(viewport={"width": width, "height": 900})
    sign_in(pio, demo.url, "pio", DEMO_PASSWORD)
    pio.goto(story_url)
    video = pio.locator("video.story-photo")
    expect(video).to_be_visible()
    expect(pio.get_by_text(DESCRIPTION)).to_be_visible()
    expect(
        pio.get_by_text("Removed from the published copy: GPS location", exact=False)
    ).to_be_visible()
    assert pio.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    src = video.get_attribute("src")
    assert src
    served = pio.request.get(demo.url + src)
    assert served.status == 200 and served.headers["content-type"] == "video/mp4"
    body = served.body()
    assert LAT_TEXT not in body and DEVICE.encode() not in body
    assert metadata_of(body)["container"] == {}
