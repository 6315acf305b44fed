"""A sandbox page with a post, visitors' comments, ingest and intake: the moderation queue
fed the way production feeds it (platform → connector → archive → screening → case)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from piodesk.archive.ingest import ingest_page
from piodesk.archive.media import MediaStore
from piodesk.archive.tables import ArchiveItem
from piodesk.archive.verify import verify_archive
from piodesk.cli import app as cli_app
from piodesk.connectors.base import Connector
from piodesk.connectors.sandbox import platform
from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.core.db import transaction
from piodesk.core.permissions import Actor
from piodesk.moderation.intake import IntakeReport, intake_all
from piodesk.moderation.tables import Case
from piodesk.pages.model import Agency
from piodesk.pages.tables import Page
from piodesk.screening.engine import default_screener
from tests.conftest import registered_sandbox_page
from tests.web.conftest import client, tokens

# The web fixtures serve these tests too.
__all__ = ["REPEAT", "Site", "client", "make_site", "tokens"]

#: A second solicitation by a warned person (it has findings: a phone number, an offer).
REPEAT = "Still selling cheap game tickets, call 719-555-0188 today, best prices in town"


@dataclass
class Site:
    """One approved sandbox page and helpers to act on it as its visitors would."""

    sessions: sessionmaker[Session]
    page_id: int
    handle: str
    media: MediaStore
    post_id: str = ""
    reporter: Actor | None = None  # who reports what screening found nothing in (tests set it)

    def connect(self, page: Page) -> Connector:
        return SandboxConnector(self.sessions, page.handle)

    @property
    def connector(self) -> SandboxConnector:
        return SandboxConnector(self.sessions, self.handle)

    def comment(self, who: str, body: str, *, reply_to: str | None = None) -> str:
        with transaction(self.sessions) as s:
            page = platform.find_page(s, self.handle)
            assert page is not None
            c = platform.add_comment(
                s,
                page,
                int(self.post_id),
                visitor_id=f"visitor-{who.lower()}",
                visitor_name=who,
                body=body,
                parent_comment_id=int(reply_to) if reply_to else None,
            )
            return str(c.id)

    def flagged(self, who: str, body: str) -> tuple[str, Case]:
        """A visitor's comment, polled in (ingest and screening), with the case it opened."""
        cid = self.comment(who, body)
        self.poll()
        return cid, self.case_of(cid)

    def decide(
        self, case_id: int, *, action: str, reason: str, note: str = "", actor: Actor, **kw: Any
    ) -> Any:
        """``actions.decide`` on this site's platform (what the case page's form does)."""
        from piodesk.moderation import actions

        return actions.decide(
            self.sessions,
            case_id,
            action=action,
            reason=reason,
            note=note,
            actor=actor,
            connect=kw.pop("connect", self.connect),
            **kw,
        )

    def restore(self, case_id: int, *, note: str, actor: Actor, **kw: Any) -> Any:
        """``actions.restore`` on this site's platform."""
        from piodesk.moderation import actions

        return actions.restore(
            self.sessions, case_id, note=note, actor=actor, connect=self.connect, **kw
        )

    def warn(
        self,
        case_id: int,
        actor: Actor,
        *,
        category: str = "solicitation",
        explanation: str = "Selling tickets is solicitation, which the page does not allow.",
    ) -> Any:
        """``actions.warn`` the author of a case's comment, through this site's platform."""
        from piodesk.moderation import actions

        return actions.warn(
            self.sessions,
            case_id=case_id,
            category=category,
            explanation=explanation,
            actor=actor,
            connect=self.connect,
        )

    def block(self, actor: Actor, *, reason: str, review_days: int = 30, **kw: Any) -> Any:
        """``actions.block`` a case's author (``case_id=``, ``category=`` … in ``kw``)."""
        from piodesk.moderation import actions

        return actions.block(
            self.sessions,
            reason=reason,
            actor=actor,
            connect=self.connect,
            review_days=review_days,
            **kw,
        )

    def messages_to(self, visitor_id: str) -> list[str]:
        """The private messages the platform holds for a visitor, oldest first."""
        with transaction(self.sessions) as s:
            page = platform.find_page(s, self.handle)
            assert page is not None
            return [m.body for m in platform.messages_for(s, page, visitor_id)]

    def violate_again(self, who: str, actor: Actor, body: str = REPEAT) -> int:
        """After a warning, the same person posts another comment that breaks the rules and a PIO
        hides it: the later violation a block rests on (§.20). Returns its case."""
        _, case = self.flagged(who, body)
        self.decide(
            case.id,
            action="hide",
            reason="solicitation",
            note="selling tickets again after the warning",
            actor=actor,
        )
        return case.id

    def poll(self) -> IntakeReport:
        """What the job runner does: ingest the page, then screen what came in."""
        ingest_page(self.sessions, self.page_id, self.connector, media=self.media)
        return intake_all(self.sessions, default_screener())

    def item(self, comment_id: str) -> ArchiveItem:
        with self.sessions() as s:
            return s.execute(
                select(ArchiveItem).where(
                    ArchiveItem.platform == "sandbox",
                    ArchiveItem.kind.in_(("comment", "reply")),
                    ArchiveItem.platform_id == comment_id,
                )
            ).scalar_one()

    def case_comment(self, case_id: int) -> str:
        """The platform id of a case's comment."""
        with self.sessions() as s:
            case = s.get(Case, case_id)
            assert case is not None and case.item_id is not None
            item = s.get(ArchiveItem, case.item_id)
            assert item is not None
            return item.platform_id

    def case_of(self, comment_id: str) -> Case:
        item = self.item(comment_id)
        with self.sessions() as s:
            return s.execute(
                select(Case).where(Case.item_id == item.id).order_by(Case.id.desc()).limit(1)
            ).scalar_one()

    def public_comment(self, comment_id: str) -> platform.SandboxComment | None:
        """The comment as the platform holds it (None if it is not shown to the public)."""
        with self.sessions() as s:
            row = s.get(platform.SandboxComment, int(comment_id))
            if row is None or row.deleted_at is not None or row.hidden:
                return None
            s.expunge(row)
            return row


def make_site(
    sessions: sessionmaker[Session], staff, agency: Agency, tmp_path: Path, handle: str
) -> Site:
    page_id = registered_sandbox_page(
        sessions, staff, agency, handle, name=f"CSPD {handle.title()}"
    )
    site = Site(sessions, page_id, handle, MediaStore(tmp_path / "media"))
    site.post_id = site.connector.publish("Road closure: Academy Blvd northbound until 3 pm.")
    return site


@pytest.fixture
def site(sessions: sessionmaker[Session], staff, agency: Agency, tmp_path: Path) -> Site:
    return make_site(sessions, staff, agency, tmp_path, "community")


@pytest.fixture
def evidence_verifies(sessions: sessionmaker[Session], site: Site, db_url: str) -> Iterator[None]:
    """After the test, the archive verifies and so does `piodesk audit verify`, as the records
    custodian runs it: every step was an audited event and nothing captured changed in place."""
    yield
    with sessions() as s:
        archive = verify_archive(s, site.media)
        assert archive.ok, archive.problems[:3]
    result = CliRunner().invoke(
        cli_app,
        ["--operator", "audit", "verify"],
        env={"PIODESK_DATABASE_URL": db_url, "PIODESK_SECRET_KEY": "k" * 32},
    )
    assert result.exit_code == 0, result.output
