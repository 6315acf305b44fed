"""The web forms: a story with a photo is sent, errors come back beside their field with the
typed text kept, and the review page highlights the findings."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from piodesk.core.permissions import Role
from piodesk.publishing.media import metadata_of
from piodesk.publishing.tables import StoryMedia, Submission
from tests.conftest import PASSWORD
from tests.publishing.review_support import STORY, count, gps_jpeg, make_active
from tests.web.conftest import client, sign_in

__all__ = ["client"]


def _form(csrf: str, **over: str) -> dict[str, str]:
    data = {
        "csrf_token": csrf,
        "title": "Arrest on Platte",
        "text": STORY,
        "division": "Sand Creek",
        "event_date": "2026-11-30",
        "sources": "Case report\nPatrol log",
        "photo_source": "Ofc. Riley Chen",
        "photo_rights": "department",
        "photo_consent": "Release forms, PIO file 114",
        "photo_alt": "Officers with residents at the park.",
        "depicts": "identifiable_people",
    }
    data.update(over)
    return data


def test_submit_with_photo_then_review_page_highlights(client: TestClient, sessions, staff):
    make_active(sessions, staff)
    csrf = sign_in(client, staff[Role.CADRE].username, PASSWORD)
    page = client.get("/stories/new")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    response = client.post(
        "/stories",
        data=_form(csrf),
        files={"photo": ("park.jpg", gps_jpeg(), "image/jpeg")},
    )
    assert response.status_code == 303, response.text
    sub_id = int(re.search(r"/stories/(\d+)", response.headers["location"])[1])  # type: ignore[index]
    with sessions() as s:
        media = s.execute(select(StoryMedia)).scalar_one()
    served = client.get(f"/stories/{sub_id}/media/{media.id}")
    assert served.status_code == 200 and not metadata_of(served.content)["gps"]

    pio = TestClient(client.app, follow_redirects=False)
    sign_in(pio, staff[Role.PIO].username, PASSWORD)
    review = pio.get(f"/stories/{sub_id}")
    assert review.status_code == 200
    marked = re.findall(
        r'<mark class="finding[^"]*" data-finding="\d+"[^>]*>([^<]+)</mark>', review.text
    )
    assert "is clearly guilty" in marked and "will be convicted" in marked
    assert "Keep as written" in review.text and "Test cadre" in review.text


def test_errors_beside_their_field_with_text_kept(client: TestClient, sessions, staff):
    make_active(sessions, staff)
    csrf = sign_in(client, staff[Role.CADRE].username, PASSWORD)
    response = client.post(
        "/stories",
        data=_form(csrf, photo_alt="", text="My carefully typed story about the park."),
        files={"photo": ("park.jpg", gps_jpeg(), "image/jpeg")},
    )
    assert response.status_code == 422
    assert re.search(r'id="photo-error"[^>]*>[^<]*needs alt text', response.text)
    assert "My carefully typed story about the park." in response.text
    assert 'value="Ofc. Riley Chen"' in response.text
    response = client.post("/stories", data=_form(csrf, event_date="2099-01-01"))
    assert re.search(r'id="event_date-error"[^>]*>event date is in the future', response.text)
    assert count(sessions, Submission) == 0


def test_not_active_member_sees_why_and_is_refused(client: TestClient, sessions, staff):
    csrf = sign_in(client, staff[Role.CADRE].username, PASSWORD)
    assert 'id="not-active"' in client.get("/stories/new").text
    response = client.post("/stories", data=_form(csrf))
    assert response.status_code == 403 and "only active cadre members" in response.text
    assert count(sessions, Submission) == 0


def test_screens_render_for_the_pio(client: TestClient, sessions, staff):
    make_active(sessions, staff)
    sign_in(client, staff[Role.PIO].username, PASSWORD)
    for path in ("/cadre", "/stories", "/approvals", "/expired"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
    assert "Test cadre" in client.get("/cadre").text


def test_a_phone_sized_photo_is_accepted(client: TestClient, sessions, staff):
    """A few megabytes: over the default body limit of signed-in forms, under the photo limit."""
    import io
    import random

    from PIL import Image

    rng = random.Random(4)
    img = Image.frombytes(
        "RGB", (1400, 1400), bytes(rng.getrandbits(8) for _ in range(1400 * 1400 * 3))
    )
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=95)
    assert buf.tell() > 1024 * 1024
    make_active(sessions, staff)
    csrf = sign_in(client, staff[Role.CADRE].username, PASSWORD)
    response = client.post(
        "/stories", data=_form(csrf), files={"photo": ("big.jpg", buf.getvalue(), "image/jpeg")}
    )
    assert response.status_code == 303, response.text[:300]
    assert count(sessions, StoryMedia) == 1


def test_scheduled_in_the_agency_zone_then_expired_list(
    client: TestClient, sessions, staff, settings, agency
):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from piodesk.core import clock
    from piodesk.core.db import transaction
    from piodesk.publishing import submissions
    from tests.publishing.conftest import add_pages
    from tests.publishing.review_support import CLEAN_STORY

    page = add_pages(sessions, staff, agency, ["zone"])["zone"]
    make_active(sessions, staff)
    with transaction(sessions) as s:
        sub_id = submissions.submit(s, actor=staff[Role.CADRE], title="Tip", text=CLEAN_STORY).id
    csrf = sign_in(client, staff[Role.PIO].username, PASSWORD)
    zone = ZoneInfo(settings.agency_time_zone)
    local = (datetime.now(zone) + timedelta(hours=2)).replace(second=0, microsecond=0)
    response = client.post(
        f"/stories/{sub_id}/plan",
        data={
            "csrf_token": csrf,
            "page_ids": str(page),
            "category": "tips",
            "scheduled_for": local.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 303, response.text
    with sessions() as s:
        when = submissions.load(s, sub_id).scheduled_for
    assert when is not None and when == local  # read in the agency's zone, stored as UTC
    assert client.get("/expired").text.count("/reopen") == 0
    later = clock.now() + timedelta(hours=3)
    clock.set_clock(lambda: later)
    try:
        page_html = client.get("/expired").text
        assert f'action="/stories/{sub_id}/reopen"' in page_html
        with sessions() as s:
            assert submissions.load(s, sub_id).state == "expired"
    finally:
        clock.set_clock(None)
