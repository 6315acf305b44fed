"""Through the web app: a visitor's comment on the public page reaches the PIO's queue; the PIO
removes it with the case page's form; it is gone from the public page and kept in the archive.
Also: forms refuse what they must (CSRF, a missing reason, hostile text) without changing anything.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.ingest import ingest_all
from piodesk.archive.media import MediaStore
from piodesk.connectors.sandbox import platform
from piodesk.core import audit
from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.moderation.intake import intake_all
from piodesk.moderation.tables import Case, Decision, Report
from piodesk.pages.tables import Page
from piodesk.screening.engine import default_screener
from tests.conftest import PASSWORD
from tests.moderation.conftest import REPEAT, Site
from tests.web.conftest import bearer, sign_in

COMMENT = "Buy cheap game tickets, text me at 719-555-0199, best prices in Colorado Springs!"


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match[1]


def _poll(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    ingest_all(sessions, media=MediaStore(tmp_path / "media"))
    intake_all(sessions, default_screener())


def _open_case(sessions: sessionmaker[Session]) -> Case:
    with sessions() as s:
        return s.execute(select(Case).where(Case.state == "open")).scalar_one()


@pytest.fixture
def visitor_comment(client: TestClient, site: Site, tmp_path: Path) -> str:
    """A visitor leaves COMMENT on the public page; the job runner polls and screens it."""
    visitor = TestClient(client.app, follow_redirects=False)
    page = visitor.get(f"/sandbox/{site.handle}")
    response = visitor.post(
        f"/sandbox/{site.handle}/posts/{site.post_id}/comments",
        data={"csrf_token": _csrf(page.text), "visitor_name": "Ticket Guy", "body": COMMENT},
    )
    assert response.status_code == 303
    _poll(site.sessions, tmp_path)
    return response.headers["location"]


def test_public_comment_to_queue_to_removal(
    client: TestClient, site: Site, staff, visitor_comment: str
) -> None:
    csrf = sign_in(client, staff[Role.PIO].username, PASSWORD)
    queue = client.get("/moderation")
    assert queue.status_code == 200 and "719-555-0199" in queue.text
    case = _open_case(site.sessions)
    page = client.get(f"/moderation/cases/{case.id}")
    assert "<mark" in page.text and "Ticket Guy" in page.text
    response = client.post(
        f"/moderation/cases/{case.id}/decide",
        data={
            "csrf_token": csrf,
            "action": "remove",
            "reason": "solicitation",
            "note": "sells tickets and gives a phone number",
        },
    )
    assert response.status_code == 303
    assert f"done={case.id}" in response.headers["location"]
    public = TestClient(client.app).get(f"/sandbox/{site.handle}")
    assert "cheap game tickets" not in public.text
    # The archive still holds it, with the removal as its newest version.
    versions = client.get(f"/api/v1/archive/items/{case.item_id}").json()["versions"]
    assert [v["state"] for v in versions] == ["live", "removed"]
    assert {v["text"] for v in versions} == {COMMENT}
    record = client.get(f"/archive/items/{case.item_id}")
    assert record.status_code == 200
    assert COMMENT in record.text and 'id="item-state">Removed' in record.text
    with site.sessions() as s:
        assert audit.verify(s).ok


def test_forms_refuse_without_changing_anything(
    client: TestClient, site: Site, staff, visitor_comment: str
) -> None:
    csrf = sign_in(client, staff[Role.PIO].username, PASSWORD)
    case = _open_case(site.sessions)
    attempts = [
        {"action": "remove", "reason": "solicitation", "note": "no token"},  # no CSRF
        {"csrf_token": "forged", "action": "remove", "reason": "solicitation", "note": "forged"},
        {"csrf_token": csrf, "action": "remove", "reason": "disagree", "note": "I disagree"},
        {"csrf_token": csrf, "action": "remove", "reason": "solicitation", "note": ""},
        {"csrf_token": csrf, "action": "remove", "reason": "solicitation", "note": "x" * 5000},
        {"csrf_token": csrf, "action": "remove", "reason": "solicitation", "note": "nul \x00 x"},
    ]
    for data in attempts:
        response = client.post(f"/moderation/cases/{case.id}/decide", data=data)
        assert response.status_code in (403, 422), (data, response.status_code)
        assert "That was not done" in response.text or "error" in response.text.lower()
    with site.sessions() as s:
        assert s.execute(select(func.count()).select_from(Decision)).scalar() == 0
    assert "cheap game tickets" in TestClient(client.app).get(f"/sandbox/{site.handle}").text
    assert client.get("/moderation?age=soon").status_code == 422
    assert client.get("/moderation?category=rude").status_code == 422
    assert client.get("/moderation/cases/999999").status_code == 404


def test_api_decision_and_report(
    client: TestClient, tokens, site: Site, staff, visitor_comment: str
) -> None:
    case = _open_case(site.sessions)
    employee, pio = bearer(tokens[Role.EMPLOYEE]), bearer(tokens[Role.PIO])
    filed = client.post(
        "/api/v1/reports",
        headers=employee,
        json={"url": f"http://testserver{visitor_comment}", "reason": "selling tickets here"},
    )
    assert filed.status_code == 201 and filed.json()["case_id"] == case.id
    assert client.get("/api/v1/moderation/cases", headers=employee).status_code == 403
    cases = client.get("/api/v1/moderation/cases?category=pii", headers=pio).json()
    assert [c["id"] for c in cases] == [case.id]
    bad = client.post(
        f"/api/v1/moderation/cases/{case.id}/decision",
        headers=pio,
        json={"action": "hide", "reason": "solicitation", "note": "ok", "extra": 1},
    )
    assert bad.status_code == 422
    decided = client.post(
        f"/api/v1/moderation/cases/{case.id}/decision",
        headers=pio,
        json={"action": "hide", "reason": "solicitation", "note": "ticket sales on our page"},
    )
    assert decided.status_code == 201, decided.text
    assert "hidden" in decided.json()["platform_effect"]
    mine = client.get("/api/v1/reports/mine", headers=employee).json()
    assert mine[0]["outcome"] == "hide" and mine[0]["status"] == "closed"
    with site.sessions() as s:
        assert s.execute(select(func.count()).select_from(Report)).scalar() == 1


def test_your_reports_page_shows_what_was_reported(
    client: TestClient, tokens, site: Site, staff, visitor_comment: str
) -> None:
    """The employee's "Your reports" shows the reported comment's text, its page, when, and the
    outcome in words; a link piodesk never captured says so instead of showing nothing."""
    case = _open_case(site.sessions)
    csrf = sign_in(client, staff[Role.EMPLOYEE].username, PASSWORD)
    for url, reason in (
        (f"http://testserver{visitor_comment}", "selling tickets on our page"),
        ("https://www.facebook.com/groups/123/posts/456", "a fake page copying our logo"),
    ):
        sent = client.post("/reports", data={"csrf_token": csrf, "url": url, "reason": reason})
        assert sent.status_code == 303, sent.text
    before = client.get("/reports").text
    assert "Waiting for the PIO" in before
    decided = client.post(
        f"/api/v1/moderation/cases/{case.id}/decision",
        headers=bearer(tokens[Role.PIO]),
        json={"action": "hide", "reason": "solicitation", "note": "ticket sales on our page"},
    )
    assert decided.status_code == 201, decided.text
    page = client.get("/reports").text
    with site.sessions() as s:
        page_name = s.execute(select(Page.name).where(Page.id == case.page_id)).scalar_one()
    rows = re.findall(r'<tr data-report-id="\d+">(.*?)</tr>', page, re.S)
    assert len(rows) == 2
    outside, captured = rows  # newest first
    assert "719-555-0199" in captured and page_name in captured and "reported " in captured
    assert "Hidden from the page (solicitation of commerce" in captured
    assert "never captured" in outside and "Waiting for the PIO" in outside
    assert ">hide<" not in page and "solicitation)" not in page


def test_every_case_form_works_in_the_browser_flow(
    client: TestClient, site: Site, staff, visitor_comment: str, tmp_path: Path
) -> None:
    """Consult, advise, warn, block, review, lift, restore and answer, through the forms the
    pages render (field names and all), each checked on the page that follows."""
    case = _open_case(site.sessions)
    pio_csrf = sign_in(client, staff[Role.PIO].username, PASSWORD)
    page = client.get(f"/moderation/cases/{case.id}").text
    for form in ("/consult", "/decide", "/warn", "/block"):
        assert f'action="/moderation/cases/{case.id}{form}' in page

    def post(path: str, csrf: str, **data: str) -> None:
        response = client.post(path, data={"csrf_token": csrf, **data})
        assert response.status_code == 303, (path, response.text[:300])

    post(f"/moderation/cases/{case.id}/consult", pio_csrf, question="Commercial speech: remove?")
    client.post("/logout", data={"csrf_token": pio_csrf})
    counsel_csrf = sign_in(client, staff[Role.LEGAL].username, PASSWORD)
    desk = client.get("/counsel").text
    assert f"/moderation/cases/{case.id}" in desk
    page = client.get(f"/moderation/cases/{case.id}").text
    consultation = re.search(r'action="/moderation/consultations/(\d+)/advise"', page)
    assert consultation and 'id="decide-form"' not in page  # counsel advises, never decides
    post(
        f"/moderation/consultations/{consultation[1]}/advise",
        counsel_csrf,
        advice="An ad for tickets: removal is supported; a block needs a warning first.",
        recommends="remove",
    )
    client.post("/logout", data={"csrf_token": counsel_csrf})

    pio_csrf = sign_in(client, staff[Role.PIO].username, PASSWORD)
    page = client.get(f"/moderation/cases/{case.id}").text
    assert "removal is supported" in page and "recommends: remove" in page
    post(
        f"/moderation/cases/{case.id}/warn",
        pio_csrf,
        category="solicitation",
        explanation="Selling tickets is not allowed on the department's page.",
    )
    # A block right after the warning is refused beside the reason, the text kept.
    early = client.post(
        f"/moderation/cases/{case.id}/block",
        data={"csrf_token": pio_csrf, "category": "solicitation", "reason": "kept posting ads"},
    )
    assert early.status_code == 422 and 'id="block-reason-error"' in early.text
    assert "later violation" in early.text and "kept posting ads</textarea>" in early.text
    with transaction(site.sessions) as s:
        sandbox_page = platform.find_page(s, site.handle)
        assert sandbox_page is not None and case.author_platform_id
        platform.add_comment(
            s,
            sandbox_page,
            int(site.post_id),
            visitor_id=case.author_platform_id,
            visitor_name="Ticket Guy",
            body=REPEAT,
        )
    _poll(site.sessions, tmp_path)
    with site.sessions() as s:
        again = s.execute(select(Case).where(Case.state == "open", Case.id != case.id)).scalar_one()
    post(
        f"/moderation/cases/{again.id}/decide",
        pio_csrf,
        action="hide",
        reason="solicitation",
        note="sells tickets again after the warning",
    )
    post(
        f"/moderation/cases/{case.id}/block",
        pio_csrf,
        category="solicitation",
        reason="kept posting ticket ads after the warning",
    )
    assert 'id="blocked-note"' in client.get(f"/moderation/cases/{case.id}").text
    blocks = client.get("/moderation/blocks").text
    block_id = re.search(r'data-block-id="(\d+)"', blocks)
    assert block_id
    post(f"/moderation/blocks/{block_id[1]}/review", pio_csrf, note="still posting ads; keep it")
    post(f"/moderation/blocks/{block_id[1]}/lift", pio_csrf, reason="promised to stop posting")
    assert "lifted" in client.get("/moderation/blocks?all=true").text
    post(
        f"/moderation/cases/{case.id}/decide",
        pio_csrf,
        action="hide",
        reason="solicitation",
        note="ticket sales on the department's page",
    )
    page = client.get(f"/moderation/cases/{case.id}").text
    assert 'id="restore-form"' in page
    post(
        f"/moderation/cases/{case.id}/restore",
        pio_csrf,
        reason="wrong_category",
        note="the seller is a charity raffle",
    )
    assert 'id="case-outcome">restored' in client.get(f"/moderation/cases/{case.id}").text
    assert "cheap game tickets" in TestClient(client.app).get(f"/sandbox/{site.handle}").text
    with site.sessions() as s:
        actions = (
            s.execute(select(audit.AuditEvent.action).order_by(audit.AuditEvent.seq))
            .scalars()
            .all()
        )
        assert audit.verify(s).ok
    for expected in (
        "moderation:consult",
        "moderation:advise",
        "moderation:warn",
        "moderation:block",
        "moderation:review_block",
        "moderation:lift_block",
        "moderation:hide",
        "moderation:restore",
    ):
        assert expected in actions


def test_needs_response_form(client: TestClient, site: Site, staff, tmp_path: Path) -> None:
    site.comment("Resident", "When does Academy reopen? Can the department tell us?")
    _poll(site.sessions, tmp_path)
    csrf = sign_in(client, staff[Role.PIO].username, PASSWORD)
    page = client.get("/moderation/responses").text
    request_id = re.search(r'data-request-id="(\d+)"', page)
    assert request_id and "When does Academy reopen?" in page
    response = client.post(
        f"/moderation/responses/{request_id[1]}/answer",
        data={"csrf_token": csrf, "outcome": "answered", "note": "Replied on the post: 3 pm"},
    )
    assert response.status_code == 303
    answered = client.get("/moderation/responses?state=answered").text
    assert "Replied on the post: 3 pm" in answered and staff[Role.PIO].username in answered
