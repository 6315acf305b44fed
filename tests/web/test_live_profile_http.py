""" "Check the live profile" on a page's detail view: the button reads the sandbox page as the
public sees it, the compliance report says it came from the live page and where it differs; a
person who may not edit the page gets no button and a refusal."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from piodesk.connectors.sandbox import platform as sandbox
from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.pages.model import Agency
from tests.conftest import PASSWORD, registered_sandbox_page
from tests.pages.test_compliance import complete_profile
from tests.web.conftest import bearer, sign_in


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match[1]


def test_check_the_live_profile_button(
    client: TestClient, sessions: sessionmaker[Session], staff, agency: Agency
) -> None:
    page_id = registered_sandbox_page(
        sessions, staff, agency, "live-http", profile=complete_profile()
    )
    with transaction(sessions) as s:
        shown = sandbox.find_page(s, "live-http")
        assert shown is not None
        shown.contact_phone, shown.contact_email, shown.links = "", "", []
    employee = TestClient(client.app, follow_redirects=False)
    sign_in(employee, staff[Role.EMPLOYEE].username, PASSWORD)
    seen = employee.get(f"/pages/{page_id}")
    if seen.status_code == 200:
        assert 'id="live-check"' not in seen.text
    sign_in(client, staff[Role.PIO].username, PASSWORD)
    page = client.get(f"/pages/{page_id}").text
    assert 'id="live-check"' in page and "as recorded in piodesk" in page
    done = client.post(f"/pages/{page_id}/live-check", data={"csrf_token": _csrf(page)})
    assert done.status_code == 303, done.text
    after = client.get(done.headers["location"]).text
    assert 'id="live-notice"' in after and "Read from the live page on Sandbox" in after
    assert "differs from piodesk's recorded profile in: links, contact phone, contact email" in (
        after
    )
    assert re.search(r'data-element="website_link"><td>[^<]*</td><td>missing', after)
    refused = employee.post(
        f"/pages/{page_id}/live-check", data={"csrf_token": _csrf(employee.get("/reports").text)}
    )
    assert refused.status_code == 403


def test_live_check_over_the_api(
    client: TestClient, sessions: sessionmaker[Session], staff, agency: Agency, tokens
) -> None:
    page_id = registered_sandbox_page(
        sessions, staff, agency, "live-api", profile=complete_profile()
    )
    done = client.post(f"/api/v1/pages/{page_id}/live-check", headers=bearer(tokens[Role.PIO]))
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["differs"] == [] and len(body["fingerprint"]) == 64
    assert body["page"]["compliance"]["compliant"] is True
    refused = client.post(
        f"/api/v1/pages/{page_id}/live-check", headers=bearer(tokens[Role.EMPLOYEE])
    )
    assert refused.status_code == 403
