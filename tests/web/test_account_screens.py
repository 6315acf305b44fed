"""The administrator's account screens: every account action of the API, through the forms."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.people import actions as people
from piodesk.people.tables import Account, ApiToken, SignInThrottle
from tests.conftest import PASSWORD
from tests.web.conftest import sign_in


def _account(sessions: sessionmaker[Session], username: str) -> Account:
    with sessions() as s:
        row = s.execute(select(Account).where(Account.username == username)).scalar_one()
        s.expunge(row)
        return row


def test_create_shows_errors_beside_fields_and_keeps_typed_text(
    client: TestClient, staff, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(client, "root", PASSWORD)
    form = {
        "csrf_token": csrf,
        "username": "Bad Name!",
        "display_name": "Officer Rae Kim",
        "unit": "Gold Hill",
        "email": "rae@example.org",
        "password": PASSWORD,
        "roles": ["employee"],
    }
    r = client.post("/accounts", data=form)
    assert r.status_code == 422
    assert re.search(r'id="username-error"[^>]*>username must be 2-40', r.text)
    assert 'value="Officer Rae Kim"' in r.text and 'value="Gold Hill"' in r.text
    assert 'value="employee" checked' in r.text
    r = client.post("/accounts", data=form | {"username": "rkim", "email": "not an address"})
    assert r.status_code == 422 and 'id="email-error"' in r.text
    assert "not an e-mail address" in r.text and 'value="rkim"' in r.text
    with sessions() as s:
        assert s.execute(select(Account).where(Account.username == "rkim")).first() is None
    r = client.post("/accounts", data=form | {"username": "rkim"})
    assert r.status_code == 303
    created = _account(sessions, "rkim")
    assert r.headers["location"] == f"/accounts/{created.id}"
    page = client.get(f"/accounts/{created.id}")
    assert "Officer Rae Kim" in page.text and "Employee" in page.text


def test_pio_role_waits_for_the_chief_who_approves_in_the_browser(
    client: TestClient, staff, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(client, "root", PASSWORD)
    r = client.post(
        "/accounts",
        data={
            "csrf_token": csrf,
            "username": "jlee",
            "display_name": "Sgt. Jordan Lee",
            "roles": ["employee", "pio"],
            "reason": "new PIO",
        },
    )
    assert r.status_code == 303, r.text
    jlee = _account(sessions, "jlee")
    page = client.get(f"/accounts/{jlee.id}")
    assert 'id="grant-waiting"' in page.text and "Public Information Office" in page.text
    # The administrator cannot decide the grant they proposed.
    with sessions() as s:
        grant = people.pending_grant(s, jlee.id)
        assert grant is not None
        grant_id = grant.id
    r = client.post(f"/role-grants/{grant_id}/approve", data={"csrf_token": csrf})
    assert r.status_code == 403
    chief = TestClient(client.app, follow_redirects=False)
    chief_csrf = sign_in(chief, "chief", PASSWORD)
    told = chief.get("/notifications")
    assert "A role grant waits for your decision: Sgt. Jordan Lee" in told.text
    listing = chief.get("/role-grants")
    assert "Sgt. Jordan Lee" in listing.text and "Public Information Office" in listing.text
    r = chief.post(
        f"/role-grants/{grant_id}/approve", data={"csrf_token": chief_csrf, "reason": "ok"}
    )
    assert r.status_code == 200 and 'id="one-time-link"' in r.text
    assert "/password?token=" in r.text
    roles = {x.role for x in _account(sessions, "jlee").roles}
    assert roles == {"employee", "pio"}


def test_roles_scopes_unlock_reset_tokens_and_deactivate(
    client: TestClient, staff, sessions: sessionmaker[Session]
) -> None:
    emp = staff[Role.EMPLOYEE]
    with transaction(sessions) as s:
        people.issue_api_token(s, actor=emp, name="laptop")
        s.add(
            SignInThrottle(
                key_hash="x" * 64,
                username=emp.username,
                failures=5,
                updated_at=people.clock.now(),
            )
        )
    csrf = sign_in(client, "root", PASSWORD)
    aid = emp.account_id
    # A role change without a reason is refused beside the field, the ticks kept.
    r = client.post(
        f"/accounts/{aid}/roles", data={"csrf_token": csrf, "roles": ["employee", "supervisor"]}
    )
    assert r.status_code == 422 and 'id="reason-error"' in r.text
    assert 'value="supervisor" checked' in r.text
    r = client.post(
        f"/accounts/{aid}/roles",
        data={"csrf_token": csrf, "roles": ["employee", "supervisor"], "reason": "promoted"},
    )
    assert r.status_code == 200 and "Roles changed." in r.text
    assert {x.role for x in _account(sessions, emp.username).roles} == {"employee", "supervisor"}
    r = client.post(f"/accounts/{aid}/unlock", data={"csrf_token": csrf, "reason": "forgot"})
    assert "Sign-in waits cleared: 1." in r.text
    with sessions() as s:
        assert s.execute(select(SignInThrottle)).first() is None
    r = client.post(f"/accounts/{aid}/password-link", data={"csrf_token": csrf, "reason": "lost"})
    assert 'id="one-time-link"' in r.text
    page = client.get(f"/accounts/{aid}")
    assert "laptop" in page.text
    with sessions() as s:
        token_id = s.execute(select(ApiToken.id).where(ApiToken.name == "laptop")).scalar_one()
    r = client.post(f"/accounts/{aid}/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert "Token revoked." in r.text
    with sessions() as s:
        assert s.get(ApiToken, token_id).revoked  # type: ignore[union-attr]
    r = client.post(f"/accounts/{aid}/active", data={"csrf_token": csrf, "active": "0"})
    assert r.status_code == 422 and 'id="active-error"' in r.text
    r = client.post(
        f"/accounts/{aid}/active", data={"csrf_token": csrf, "active": "0", "reason": "left"}
    )
    assert r.status_code == 303
    assert not _account(sessions, emp.username).active


def test_account_screens_refuse_who_may_not_manage(client: TestClient, staff) -> None:
    csrf = sign_in(client, "employee", PASSWORD)
    target = staff[Role.CADRE].account_id
    assert client.get(f"/accounts/{target}").status_code == 403
    r = client.post(
        f"/accounts/{target}/roles",
        data={"csrf_token": csrf, "roles": ["employee"], "reason": "x"},
    )
    assert r.status_code == 403
    assert client.get("/role-grants").status_code == 403
