"""An app per test, with API tokens for each role's account."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core.config import Settings
from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.people import actions as people
from piodesk.people.tokens import ALL_SCOPES
from piodesk.web.app import create_app


@pytest.fixture
def client(settings: Settings, engine: Engine) -> TestClient:
    """A client of the whole web app (HTML and API) on the test database."""
    return TestClient(create_app(settings, engine), follow_redirects=False)


@pytest.fixture
def tokens(staff, sessions: sessionmaker[Session]) -> dict[Role | str, str]:
    """A bearer token per role (every scope), and one for the bootstrap admin under "root"."""
    out: dict[Role | str, str] = {}
    with transaction(sessions) as session:
        for role, actor in staff.actors.items():
            _row, secret = people.issue_api_token(
                session, actor=actor, name="test", scopes=ALL_SCOPES
            )
            out[role] = secret
        _row, out["root"] = people.issue_api_token(
            session, actor=staff.admin, name="test", scopes=ALL_SCOPES
        )
    return out


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


def sign_in(client: TestClient, username: str, password: str) -> str:
    """Sign in through the form like a browser; returns the CSRF token of the session's pages."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token[1], "next": "/"},
    )
    assert response.status_code == 303, response.text
    home = client.get("/")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert csrf
    return csrf[1]
