"""Approved sandbox pages to publish to, and what the platform holds afterwards."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.media import MediaStore
from piodesk.connectors.base import Connector
from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.connectors.sandbox.tables import SandboxComment, SandboxPage, SandboxPost
from piodesk.core.db import transaction
from piodesk.core.permissions import Actor, Role
from piodesk.demo import open_sandbox_page
from piodesk.pages import actions as pages
from piodesk.pages.model import Agency
from piodesk.pages.tables import Page
from piodesk.people import actions as people
from tests.conftest import JUSTIFICATION


@dataclass
class Pages:
    """Approved sandbox pages (by handle) and a way to read what the platform shows."""

    sessions: sessionmaker[Session]
    ids: dict[str, int] = field(default_factory=dict)
    media: MediaStore | None = None

    def connect(self, page: Page) -> Connector:
        return SandboxConnector(self.sessions, page.handle)

    def posts(self, handle: str) -> list[str]:
        """The live posts' texts on a sandbox page, oldest first."""
        with self.sessions() as s:
            return list(
                s.execute(
                    select(SandboxPost.body)
                    .join(SandboxPage, SandboxPage.id == SandboxPost.page_id)
                    .where(SandboxPage.handle == handle, SandboxPost.deleted_at.is_(None))
                    .order_by(SandboxPost.id)
                ).scalars()
            )

    def comments(self, handle: str) -> list[SandboxComment]:
        with self.sessions() as s:
            rows = list(
                s.execute(
                    select(SandboxComment)
                    .join(SandboxPage, SandboxPage.id == SandboxComment.page_id)
                    .where(SandboxPage.handle == handle)
                    .order_by(SandboxComment.id)
                ).scalars()
            )
            for r in rows:
                s.expunge(r)
            return rows


def add_pages(
    sessions: sessionmaker[Session], staff, agency: Agency, handles: list[str], approve: bool = True
) -> dict[str, int]:
    out = {}
    with transaction(sessions) as s:
        for handle in handles:
            page = pages.register_page(
                s,
                actor=staff[Role.PIO],
                agency=agency,
                platform="sandbox",
                handle=handle,
                name=f"CSPD {handle.title()}",
                administering_unit="Public Affairs",
            )
            open_sandbox_page(s, page)
            if approve:
                pages.approve_page(s, page.id, actor=staff[Role.CHIEF], reason=JUSTIFICATION)
            out[handle] = page.id
    return out


@pytest.fixture
def sandbox_pages(sessions: sessionmaker[Session], staff, agency: Agency, tmp_path: Path) -> Pages:
    p = Pages(sessions, media=MediaStore(tmp_path / "media"))
    p.ids = add_pages(sessions, staff, agency, ["north", "south", "east"])
    return p


@pytest.fixture
def approver(sessions: sessionmaker[Session], staff) -> Actor:
    """A second person of the PIO office (nobody approves their own work)."""
    with transaction(sessions) as s:
        account = people.seed_account(
            s,
            username="pio-two",
            display_name="Sgt. Robin Two",
            password="correct horse battery staple",
            roles=[Role.PIO.value],
            reason="test fixture",
        )
        return people.actor_for(account)
