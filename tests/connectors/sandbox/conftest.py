"""A registered, approved sandbox page and its connector, on each database."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.core.config import Settings
from piodesk.core.db import transaction
from piodesk.demo import compliant_about
from piodesk.pages.model import Agency, Profile
from piodesk.web.app import create_app
from tests.conftest import People, registered_sandbox_page

HANDLE = "cspd-test"


def register_sandbox_page(
    sessions: sessionmaker[Session],
    staff: People,
    agency: Agency,
    handle: str,
    *,
    approve: bool = True,
) -> int:
    """Register a sandbox page through the registry (and approve it, unless told not to)."""
    return registered_sandbox_page(
        sessions,
        staff,
        agency,
        handle,
        name="CSPD Test Page",
        unit="Public Affairs Section",
        profile=Profile(
            about=compliant_about(agency, "This page shares news with residents."),
            links=(agency.website,),
            contact_phone="(719) 444-7000",
            contact_email="pio@example.gov",
            target_audience="Residents",
        ),
        approve=approve,
    )


@pytest.fixture
def sandbox_page(sessions: sessionmaker[Session], staff: People, agency: Agency) -> int:
    """The id of an approved sandbox page with a §.10-complete profile."""
    return register_sandbox_page(sessions, staff, agency, HANDLE)


@pytest.fixture
def conn(sessions: sessionmaker[Session], sandbox_page: int) -> SandboxConnector:
    """The connector for the test page, with small pages so paging is exercised."""
    return SandboxConnector(sessions, HANDLE, page_size=2)


def visitor_comment(
    sessions: sessionmaker[Session],
    post_id: str,
    body: str,
    *,
    visitor: str = "v-alice",
    name: str = "Alice",
    parent: str | None = None,
    handle: str = HANDLE,
) -> str:
    """A visitor comments through the platform code path the public page uses; returns its id."""
    from piodesk.connectors.sandbox import platform

    with transaction(sessions) as session:
        page = platform.find_page(session, handle)
        assert page is not None
        comment = platform.add_comment(
            session,
            page,
            int(post_id),
            visitor_id=visitor,
            visitor_name=name,
            body=body,
            parent_comment_id=int(parent) if parent else None,
        )
        return str(comment.id)


@pytest.fixture
def client(settings: Settings, engine: Engine) -> TestClient:
    """A client of the whole web app on the test database (no one signed in)."""
    return TestClient(create_app(settings, engine), follow_redirects=False)
