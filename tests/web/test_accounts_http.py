"""Accounts over HTTP: no self-elevation, grants approved by a second person, tokens, links."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from piodesk.core.permissions import Role
from tests.conftest import PASSWORD
from tests.web.conftest import bearer, sign_in


def test_admin_cannot_elevate_itself_over_http(client: TestClient, staff, tokens) -> None:
    root = bearer(tokens["root"])
    r = client.put(
        f"/api/v1/accounts/{staff.admin.account_id}/roles",
        headers=root,
        json={"roles": ["admin", "chief", "pio"], "reason": "I can do it all"},
    )
    assert r.status_code == 409 and "own roles" in r.json()["error"]
    me = client.get("/api/v1/me", headers=root).json()
    assert me["roles"] == ["admin"]


def test_admin_cannot_create_a_chief_with_a_known_password(
    client: TestClient, staff, tokens
) -> None:
    root = bearer(tokens["root"])
    account = {"username": "dana", "display_name": "Chief Dana", "roles": ["chief"]}
    r = client.post("/api/v1/accounts", headers=root, json=account | {"password": PASSWORD})
    assert r.status_code == 422 and "no password chosen by an administrator" in r.json()["error"]
    r = client.post("/api/v1/accounts", headers=root, json=account | {"reason": "new deputy"})
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["roles"] == [] and created["pending_grant"]
    grant = created["pending_grant"]
    # The admin (proposer) and the PIO are refused; the chief approves and gets the link.
    assert (
        client.post(f"/api/v1/role-grants/{grant}/approve", headers=root, json={}).status_code
        == 403
    )
    r = client.post(
        f"/api/v1/role-grants/{grant}/approve",
        headers=bearer(tokens[Role.CHIEF]),
        json={"reason": "appointed by the city"},
    )
    assert r.status_code == 200, r.text
    link = r.json()["password_link"]
    assert link.startswith("/password?token=")
    # The owner opens the link in a browser and sets a password beside which errors show.
    page = client.get(link)
    assert page.status_code == 200 and "Set your password" in page.text
    form = {
        "token": re.search(r'name="token" value="([^"]+)"', page.text)[1],  # type: ignore[index]
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1],  # type: ignore[index]
    }
    weak = client.post("/password", data=form | {"password": "password1234"})
    assert weak.status_code == 422 and "too easy to guess" in weak.text
    form["csrf_token"] = re.search(r'name="csrf_token" value="([^"]+)"', weak.text)[1]  # type: ignore[index]
    done = client.post("/password", data=form | {"password": "the deputy chief's phrase"})
    assert done.status_code == 200 and "Your password is set" in done.text
    again = client.get(link)
    form["csrf_token"] = re.search(r'name="csrf_token" value="([^"]+)"', again.text)[1]  # type: ignore[index]
    reused = client.post("/password", data=form | {"password": "someone else's phrase 9"})
    assert reused.status_code == 422 and "not valid" in reused.text
    sign_in(client, "dana", "the deputy chief's phrase")


def test_tokens_over_http(client: TestClient, staff, tokens) -> None:
    auditor = bearer(tokens[Role.AUDITOR])
    r = client.post("/api/v1/tokens", headers=auditor, json={"name": "forever", "days": 0})
    assert r.status_code == 422 and "every token expires" in r.json()["error"]
    r = client.post("/api/v1/tokens", headers=auditor, json={"name": "report bot", "days": 30})
    assert r.status_code == 201 and r.json()["scopes"] == ["read"]
    new = r.json()
    listed = client.get("/api/v1/tokens", headers=auditor).json()
    assert [t["name"] for t in listed][:1] == ["report bot"] and "secret" not in listed[0]
    assert client.get("/api/v1/me", headers=bearer(new["secret"])).status_code == 200
    assert client.delete(f"/api/v1/tokens/{new['id']}", headers=auditor).status_code == 200
    assert client.get("/api/v1/me", headers=bearer(new["secret"])).status_code == 401


def test_read_token_cannot_write(client: TestClient, staff, tokens) -> None:
    pio = bearer(tokens[Role.PIO])
    secret = client.post("/api/v1/tokens", headers=pio, json={"name": "ro"}).json()["secret"]
    r = client.post(
        "/api/v1/pages",
        headers=bearer(secret),
        json={"platform": "x", "handle": "h", "name": "n", "administering_unit": "Patrol"},
    )
    assert r.status_code == 403 and "scopes do not cover" in r.json()["error"]


def test_unlock_and_password_change_over_http(client: TestClient, staff, tokens) -> None:
    r = client.post(
        f"/api/v1/accounts/{staff[Role.AUDITOR].account_id}/unlock",
        headers=bearer(tokens["root"]),
        json={"reason": "called the desk"},
    )
    assert r.status_code == 200 and r.json() == {"cleared": 0}
    auditor = bearer(tokens[Role.AUDITOR])
    r = client.post(
        "/api/v1/me/password", headers=auditor, json={"current": "nope", "new": "x" * 20}
    )
    assert r.status_code == 401
    r = client.post(
        "/api/v1/me/password",
        headers=auditor,
        json={"current": PASSWORD, "new": "a fresh reviewer's phrase"},
    )
    assert r.status_code == 204
    sign_in(client, "auditor", "a fresh reviewer's phrase")
