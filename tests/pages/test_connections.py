"""Platform credentials are stored encrypted, never shown back, never in the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.connectors.factory import build
from piodesk.connectors.mastodon import MastodonConnector
from piodesk.core import audit
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, InvalidInput, PermissionDenied
from piodesk.core.permissions import Role
from piodesk.pages import actions as pages
from piodesk.pages.model import Agency
from piodesk.pages.tables import Page, PageConnection

TOKEN = "mastodon-access-token-very-secret-123"
KEY = "test-secret-key-that-is-long-enough"


def test_connect_stores_encrypted_and_builds_the_connector(
    sessions: sessionmaker[Session], staff, agency: Agency
) -> None:
    with transaction(sessions) as s:
        page = pages.register_page(
            s,
            actor=staff.admin,
            agency=agency,
            platform="mastodon",
            handle="cspd@mastodon.example",
            name="CSPD on Mastodon",
            administering_unit="Public Affairs",
        )
        with pytest.raises(PermissionDenied):
            pages.connect_page(
                s,
                page.id,
                actor=staff[Role.PIO],
                settings={"api_base_url": "https://mastodon.example"},
                secrets={"access_token": TOKEN},
                key=KEY,
            )
        with pytest.raises(InvalidInput, match="needs: access_token"):
            pages.connect_page(
                s,
                page.id,
                actor=staff.admin,
                settings={"api_base_url": "https://mastodon.example"},
                secrets={},
                key=KEY,
            )
        pages.connect_page(
            s,
            page.id,
            actor=staff.admin,
            settings={"api_base_url": "https://mastodon.example"},
            secrets={"access_token": TOKEN},
            key=KEY,
        )
    with sessions() as s:
        row = s.execute(select(PageConnection)).scalar_one()
        assert TOKEN.encode() not in row.credential
        events = s.execute(select(audit.AuditEvent)).scalars().all()
        assert all(TOKEN not in str(e.data) for e in events)
        assert any(e.action == "page:connect" for e in events)
        stored_page = s.get(Page, page.id)
        assert stored_page is not None
    connector = build(stored_page, sessions, KEY)
    assert isinstance(connector, MastodonConnector)
    assert TOKEN not in repr(connector)
    with pytest.raises(Conflict, match="connect the page"):
        build(stored_page, sessions, "")
