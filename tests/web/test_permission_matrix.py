"""Every role against every action, through the service layer and through the HTTP API.

The expected matrix is written out by hand from DESIGN.md's roles table, not derived from the
code's grant table, so a wrong grant in the code fails here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.actions import search_archive
from piodesk.archive.search import SearchQuery
from piodesk.core.db import transaction
from piodesk.core.errors import PermissionDenied
from piodesk.core.permissions import Actor, Perm, Role, require
from piodesk.moderation import reports
from piodesk.pages import actions as pages
from piodesk.pages.model import Agency
from piodesk.people import actions as people
from tests.web.conftest import bearer

C, P, CA, S, IA, E, R, L, AU, AD = (
    Role.CHIEF,
    Role.PIO,
    Role.CADRE,
    Role.SUPERVISOR,
    Role.INTERNAL_AFFAIRS,
    Role.EMPLOYEE,
    Role.RECORDS,
    Role.LEGAL,
    Role.AUDITOR,
    Role.ADMIN,
)

#: action -> the roles DESIGN.md gives it. Everyone else must be refused.
EXPECTED: dict[str, set[Role]] = {
    "view_registry": {C, P, R, L, AU, AD},
    "register_page": {P, AD},
    "edit_profile": {P, AD},
    "approve_page": {C},
    "reject_page": {C},
    "retire_page": {C},
    "list_accounts": {AU, AD},
    "create_account": {AD},
    "set_roles": {AD},
    "verify_audit": {C, R, AU, AD},
    "search_archive": {P, R, L, AU},
    "connect_page": {AD},
    "transparency_report": {C, P, R, L, AU},
    "consistency_report": {C, P, R, L, AU},
}


class Setup:
    """Fresh targets for each attempted action (so one success cannot mask a later refusal)."""

    def __init__(self, sessions: sessionmaker[Session], agency: Agency, staff: Any) -> None:
        self.sessions, self.agency = sessions, agency
        self.root, self.chief = staff.admin, staff[Role.CHIEF]
        self.n = 0

    def page(self, approved: bool = False, platform: str = "sandbox") -> int:
        self.n += 1
        with transaction(self.sessions) as session:
            page = pages.register_page(
                session,
                actor=self.root,
                agency=self.agency,
                platform=platform,
                handle=f"target-{self.n}",
                name=f"Target {self.n}",
                administering_unit="Patrol",
            )
            if approved:
                pages.approve_page(session, page.id, actor=self.chief)
            return page.id

    def account(self) -> int:
        self.n += 1
        with transaction(self.sessions) as session:
            return people.create_account(
                session,
                actor=self.root,
                username=f"someone{self.n}",
                display_name="Someone",
                password="another long password",
                roles=["employee"],
            ).id


def service_calls(setup: Setup) -> dict[str, Callable[[Session, Actor], Any]]:
    agency = setup.agency
    return {
        "view_registry": lambda s, a: pages.list_pages(s, actor=a),
        "register_page": lambda s, a: pages.register_page(
            s,
            actor=a,
            agency=agency,
            platform="x",
            handle=f"new-{setup.n}-{a.username}",
            name="New",
            administering_unit="Patrol",
        ),
        "edit_profile": lambda s, a: pages.update_profile(
            s, setup.page(), actor=a, agency=agency, profile=pages.clean_profile(about="Hello")
        ),
        "approve_page": lambda s, a: pages.approve_page(s, setup.page(), actor=a),
        "reject_page": lambda s, a: pages.reject_page(s, setup.page(), actor=a, reason="no"),
        "retire_page": lambda s, a: pages.retire_page(
            s, setup.page(approved=True), actor=a, reason="closed"
        ),
        "list_accounts": lambda s, a: people.list_accounts(s, actor=a),
        "create_account": lambda s, a: people.create_account(
            s,
            actor=a,
            username=f"made-by-{a.username}",
            display_name="New Person",
            password="a long enough password",
            roles=["employee"],
        ),
        "set_roles": lambda s, a: people.set_roles(
            s, setup.account(), actor=a, roles=["cadre"], reason="joined the cadre"
        ),
        "verify_audit": lambda s, a: require(a, Perm.AUDIT_VIEW),
        "search_archive": lambda s, a: search_archive(s, SearchQuery(q="parade"), actor=a),
        "connect_page": lambda s, a: pages.connect_page(
            s,
            setup.page(platform="mastodon"),
            actor=a,
            settings={"api_base_url": "https://mastodon.example"},
            secrets={"access_token": "secret-token"},
            key="k" * 32,
        ),
        "transparency_report": lambda s, a: reports.transparency(s, actor=a),
        "consistency_report": lambda s, a: reports.consistency(s, actor=a),
    }


def http_calls(setup: Setup) -> dict[str, Callable[[TestClient, dict[str, str]], Any]]:
    return {
        "view_registry": lambda c, h: c.get("/api/v1/pages", headers=h),
        "register_page": lambda c, h: c.post(
            "/api/v1/pages",
            headers=h,
            json={
                "platform": "x",
                "handle": f"api-{setup.page()}",
                "name": "New",
                "administering_unit": "Patrol",
            },
        ),
        "edit_profile": lambda c, h: c.put(
            f"/api/v1/pages/{setup.page()}/profile", headers=h, json={"about": "Hello"}
        ),
        "approve_page": lambda c, h: c.post(
            f"/api/v1/pages/{setup.page()}/approve", headers=h, json={}
        ),
        "reject_page": lambda c, h: c.post(
            f"/api/v1/pages/{setup.page()}/reject", headers=h, json={"reason": "no"}
        ),
        "retire_page": lambda c, h: c.post(
            f"/api/v1/pages/{setup.page(approved=True)}/retire",
            headers=h,
            json={"reason": "closed"},
        ),
        "list_accounts": lambda c, h: c.get("/api/v1/accounts", headers=h),
        "create_account": lambda c, h: c.post(
            "/api/v1/accounts",
            headers=h,
            json={
                "username": f"api-made-{setup.account()}",
                "display_name": "New",
                "password": "a long enough password",
                "roles": ["employee"],
            },
        ),
        "set_roles": lambda c, h: c.put(
            f"/api/v1/accounts/{setup.account()}/roles",
            headers=h,
            json={"roles": ["cadre"], "reason": "joined"},
        ),
        "verify_audit": lambda c, h: c.get("/api/v1/audit/verify", headers=h),
        "search_archive": lambda c, h: c.get("/api/v1/archive/search?q=parade", headers=h),
        "connect_page": lambda c, h: c.put(
            f"/api/v1/pages/{setup.page(platform='mastodon')}/connection",
            headers=h,
            json={
                "settings": {"api_base_url": "https://mastodon.example"},
                "secrets": {"access_token": "secret-token"},
            },
        ),
        "transparency_report": lambda c, h: c.get("/api/v1/moderation/transparency", headers=h),
        "consistency_report": lambda c, h: c.get("/api/v1/moderation/consistency", headers=h),
    }


def test_matrix_covers_every_role() -> None:
    assert {r for roles in EXPECTED.values() for r in roles} <= set(Role)
    # DESIGN.md's sharpest lines, spelled out:
    assert AD not in EXPECTED["approve_page"]
    assert not any(CA in roles for roles in EXPECTED.values())


@pytest.mark.parametrize("role", list(Role))
def test_service_layer_matrix(
    role: Role,
    staff,
    sessions: sessionmaker[Session],
    agency: Agency,
) -> None:
    setup = Setup(sessions, agency, staff)
    actor = staff[role]
    outcome = {}
    for action, call in service_calls(setup).items():
        try:
            with transaction(sessions) as session:
                call(session, actor)
            outcome[action] = True
        except PermissionDenied:
            outcome[action] = False
    assert outcome == {action: role in roles for action, roles in EXPECTED.items()}


@pytest.mark.parametrize("role", list(Role))
def test_http_api_matrix(
    role: Role,
    client: TestClient,
    tokens,
    staff,
    sessions: sessionmaker[Session],
    agency: Agency,
) -> None:
    setup = Setup(sessions, agency, staff)
    headers = bearer(tokens[role])
    outcome = {}
    for action, call in http_calls(setup).items():
        response = call(client, headers)
        assert response.status_code in (200, 201, 403), (
            action,
            response.status_code,
            response.text,
        )
        if response.status_code == 403:
            assert "may not" in response.json()["error"]
        outcome[action] = response.status_code != 403
    assert outcome == {action: role in roles for action, roles in EXPECTED.items()}


def test_anonymous_api_is_refused(client: TestClient) -> None:
    for path in ("/api/v1/pages", "/api/v1/accounts", "/api/v1/audit/verify", "/api/v1/me"):
        response = client.get(path)
        assert response.status_code == 401
        assert "Bearer" in response.json()["error"]
    assert client.get("/api/v1/pages", headers=bearer("pio_not-a-real-token")).status_code == 401
