"""The outbox and notices over HTTP: the role matrix, the fast path, the public CAP and Atom
URLs without sign-in, errors beside the field with the typed text kept."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import xmlschema
from sqlalchemy import select

from piodesk.core import clock
from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.people import actions as people
from piodesk.people.tokens import ALL_SCOPES
from piodesk.publishing.notice_tables import Notice
from tests.conftest import PASSWORD
from tests.publishing.conftest import Pages
from tests.web.conftest import bearer, client, sign_in, tokens

__all__ = ["client", "tokens"]
SCHEMA = xmlschema.XMLSchema(Path(__file__).parent / "data" / "CAP-v1.2.xsd")


def _soon(hours: float) -> str:
    from zoneinfo import ZoneInfo

    return (
        (clock.now() + timedelta(hours=hours))
        .astimezone(ZoneInfo("America/Denver"))
        .strftime("%Y-%m-%dT%H:%M")
    )


@pytest.fixture
def approver_token(sessions, approver) -> str:
    with transaction(sessions) as s:
        _row, secret = people.issue_api_token(s, actor=approver, name="t", scopes=ALL_SCOPES)
    return secret


def _notice(client, token, pages: Pages, **over):
    body = {
        "template": "road_closure",
        "values": {"location": "Academy Blvd at Fountain", "start": _soon(0)},
        "page_ids": list(pages.ids.values()),
        "expires": _soon(4),
        **over,
    }
    return client.post("/api/v1/notices", json=body, headers=bearer(token))


def test_notice_api_fast_path_and_public_cap(client, tokens, approver_token, sandbox_pages):
    made = _notice(client, tokens[Role.PIO], sandbox_pages)
    assert made.status_code == 201, made.text
    nid = made.json()["id"]
    own = client.post(f"/api/v1/notices/{nid}/approve", json={}, headers=bearer(tokens[Role.PIO]))
    assert own.status_code == 403 and "own notice" in own.json()["error"]
    ok = client.post(f"/api/v1/notices/{nid}/approve", json={}, headers=bearer(approver_token))
    assert ok.status_code == 200, ok.text
    pub = ok.json()["publication_id"]
    # The background task (the fast path) ran after the response: every page has it.
    status = client.get(f"/api/v1/publications/{pub}", headers=bearer(tokens[Role.PIO])).json()
    assert status["overall"] == "published"
    assert all(p["platform_id"] for p in status["pages"])
    for handle in sandbox_pages.ids:
        assert sandbox_pages.posts(handle)[0].startswith("ROAD CLOSURE: Academy Blvd")

    anon = client.get(f"/public/notices/{nid}.cap.xml")  # no sign-in
    assert anon.status_code == 200 and anon.headers["content-type"].startswith(
        "application/cap+xml"
    )
    SCHEMA.validate(anon.text)
    feed = client.get("/public/notices.atom")
    assert feed.status_code == 200 and f"/public/notices/{nid}.cap.xml" in feed.text
    assert client.get(f"/public/notices/{nid}").status_code == 200


@pytest.mark.parametrize(
    "role",
    [Role.CADRE, Role.CHIEF, Role.ADMIN, Role.AUDITOR, Role.EMPLOYEE, Role.RECORDS, Role.LEGAL],
)
def test_no_one_but_the_pio_office_drafts_or_publishes(client, tokens, sandbox_pages, role):
    r = _notice(client, tokens[role], sandbox_pages)
    assert r.status_code == 403, r.text
    assert client.get("/api/v1/publications/1", headers=bearer(tokens[role])).status_code == 403


def test_a_draft_is_not_public(client, tokens, sandbox_pages):
    nid = _notice(client, tokens[Role.PIO], sandbox_pages).json()["id"]
    assert client.get(f"/public/notices/{nid}.cap.xml").status_code == 404
    assert client.get(f"/public/notices/{nid}").status_code == 404


def test_form_error_beside_the_field_with_the_text_kept(client, staff, sandbox_pages, sessions):
    csrf = sign_in(client, staff[Role.PIO].username, PASSWORD)
    page = client.get("/notices/new?template=missing_person")
    assert page.status_code == 200 and "Last seen at" in page.text
    r = client.post(
        "/notices",
        data={
            "csrf_token": csrf,
            "template": "missing_person",
            "person": "Jane Doe, 82",
            "appearance": "5 ft 4, grey coat",
            "location": "Memorial Park",
            "start": _soon(-1),
            "contact": "719-444-7000",
            "expires": "",
            "page_id": [str(i) for i in sandbox_pages.ids.values()],
        },
    )
    assert r.status_code == 422
    assert re.search(r'id="f-expires"[^>]*>\s*<p class="error"[^>]*>[^<]*expiry', r.text)
    assert 'value="Jane Doe, 82"' in r.text and "grey coat" in r.text
    with sessions() as s:
        assert s.execute(select(Notice)).first() is None
