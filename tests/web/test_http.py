"""Sign-in, sessions, CSRF, security headers, escaping and bad input over HTTP."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import audit, clock
from piodesk.core.permissions import Role
from piodesk.pages.tables import Page
from tests.conftest import PASSWORD
from tests.web.conftest import bearer, sign_in


def _counts(sessions: sessionmaker[Session]) -> tuple[int, int]:
    with sessions() as session:
        pages = session.execute(select(func.count()).select_from(Page)).scalar_one()
        events = session.execute(select(func.count()).select_from(audit.AuditEvent)).scalar_one()
    return pages, events


def test_sign_in_sets_a_protected_cookie(client: TestClient, staff) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    response = client.post(
        "/login",
        data={"username": "chief", "password": PASSWORD, "csrf_token": token[1], "next": "/"},
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "piodesk_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Test chief" in client.get("/").text


def test_secure_flag_when_configured(client: TestClient, staff) -> None:
    client.app.state.ctx.settings.cookie_secure = True  # type: ignore[attr-defined]
    page = client.get("/login")
    assert "Secure" in page.headers["set-cookie"]


def test_wrong_password_then_lockout(client: TestClient, staff, sessions) -> None:
    def attempt(password: str) -> int:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        return client.post(
            "/login",
            data={"username": "pio", "password": password, "csrf_token": token[1]},
        ).status_code

    frozen = clock.now()
    clock.set_clock(lambda: frozen)  # the backoff's first wait is 1 s: no real time may pass
    try:
        assert [attempt("wrong password!") for _ in range(3)] == [401, 401, 401]
        # Slowed down now, from this address: even the right password waits for the backoff.
        assert attempt(PASSWORD) == 401
    finally:
        clock.set_clock(None)
    with sessions() as session:
        locks = (
            session.execute(
                select(audit.AuditEvent).where(audit.AuditEvent.action == "account:throttle")
            )
            .scalars()
            .all()
        )
    assert len(locks) == 1


def test_unknown_user_gets_the_same_message(client: TestClient, staff) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    r = client.post(
        "/login", data={"username": "nobody", "password": "x" * 12, "csrf_token": token[1]}
    )
    assert r.status_code == 401 and "wrong username or password" in r.text


def test_pages_require_sign_in(client: TestClient) -> None:
    r = client.get("/pages")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_security_headers(client: TestClient) -> None:
    r = client.get("/login")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"


def test_form_without_csrf_is_refused_and_changes_nothing(
    client: TestClient,
    staff,
    sessions,
) -> None:
    sign_in(client, "pio", PASSWORD)
    before = _counts(sessions)
    form = {"platform": "facebook", "handle": "h", "name": "n", "administering_unit": "Patrol"}
    r = client.post("/pages", data=form)
    assert r.status_code == 403 and "security token" in r.text
    r = client.post("/pages", data=form | {"csrf_token": "forged"})
    assert r.status_code == 403
    assert _counts(sessions) == before


def test_form_with_csrf_registers(client: TestClient, staff, sessions) -> None:
    csrf = sign_in(client, "pio", PASSWORD)
    form = {"platform": "facebook", "handle": "h", "name": "n", "administering_unit": "Patrol"}
    r = client.post("/pages", data=form | {"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"].startswith("/pages/")


def test_user_content_is_escaped(client: TestClient, staff, tokens) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    r = client.post(
        "/api/v1/pages",
        headers=bearer(tokens[Role.PIO]),
        json={
            "platform": "facebook",
            "handle": "xss",
            "name": hostile,
            "administering_unit": "Patrol",
            "profile": {"about": hostile},
        },
    )
    assert r.status_code == 201
    sign_in(client, "pio", PASSWORD)
    html = client.get(f"/pages/{r.json()['id']}").text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_api_bad_input_is_explained_and_changes_nothing(
    client: TestClient,
    tokens,
    sessions,
) -> None:
    h = bearer(tokens[Role.PIO])
    before = _counts(sessions)
    good = {"platform": "facebook", "handle": "h", "name": "n", "administering_unit": "Patrol"}
    cases = [
        (good | {"platform": "myspace"}, "platform"),
        (good | {"name": "n" * 201}, "name"),
        (good | {"unexpected": 1}, "unexpected"),
        (good | {"profile": {"about": "a" * 10_001}}, "about"),
        (good | {"profile": {"links": ["ftp://example.com"]}}, "must start with http"),
        ({"platform": "facebook"}, "handle"),
    ]
    for body, word in cases:
        r = client.post("/api/v1/pages", headers=h, json=body)
        assert r.status_code == 422, (body, r.text)
        assert word in r.json()["error"], r.json()
    r = client.post(
        "/api/v1/pages", headers=h | {"content-type": "application/json"}, content=b'{"platform": '
    )
    assert r.status_code == 422 and "invalid request" in r.json()["error"]
    r = client.post("/api/v1/pages/abc/approve", headers=h, json={})
    assert r.status_code == 422
    assert client.get("/api/v1/pages/999999", headers=h).status_code == 404
    assert _counts(sessions) == before


def test_openapi_document_lists_the_actions(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert {"/api/v1/pages", "/api/v1/pages/{page_id}/approve", "/api/v1/accounts"} <= set(
        spec["paths"]
    )


def test_sign_out_ends_the_session(client: TestClient, staff) -> None:
    csrf = sign_in(client, "auditor", PASSWORD)
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 303
    assert client.get("/pages").status_code == 303


def test_dashboard_shows_each_role_its_work(client: TestClient, staff) -> None:
    sign_in(client, "records-custodian", PASSWORD)
    home = client.get("/").text
    assert "Public-records archive" in home and "Awaiting the chief" in home
    client.cookies.clear()
    sign_in(client, "cadre", PASSWORD)
    home = client.get("/").text
    assert "Public-records archive" not in home and "Awaiting the chief" not in home
    assert client.get("/archive").status_code == 403
