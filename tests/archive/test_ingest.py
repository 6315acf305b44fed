"""Polling the sandbox platform into the archive: new items, edits, hides and deletions."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.ingest import ingest_all, ingest_page
from piodesk.archive.media import MediaStore
from piodesk.archive.tables import ArchiveItem, ArchiveVersion
from piodesk.archive.verify import verify_archive
from piodesk.connectors.sandbox import platform
from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.core import audit
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict
from piodesk.pages.model import Agency
from piodesk.pages.tables import Page
from tests.conftest import registered_sandbox_page


@pytest.fixture
def community(sessions: sessionmaker[Session], staff, agency: Agency) -> int:
    return registered_sandbox_page(sessions, staff, agency, "community")


def _comment(sessions: sessionmaker[Session], post_id: str, who: str, body: str) -> str:
    with transaction(sessions) as s:
        page = platform.find_page(s, "community")
        assert page is not None
        c = platform.add_comment(
            s, page, int(post_id), visitor_id=f"v-{who}", visitor_name=who, body=body
        )
        return str(c.id)


def _states(sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions() as s:
        return {
            f"{i.kind}:{i.platform_id}": i.state
            for i in s.execute(select(ArchiveItem).where(ArchiveItem.kind != "profile")).scalars()
        }


def test_poll_sees_new_edited_hidden_and_deleted(
    sessions: sessionmaker[Session], community: int, tmp_path: Path
) -> None:
    media = MediaStore(tmp_path / "media")
    sandbox = SandboxConnector(sessions, "community")
    post = sandbox.publish("Road closure: Academy Blvd northbound until 3 pm.")
    keep = _comment(sessions, post, "Ana", "Thanks for the heads up")
    edit = _comment(sessions, post, "Ben", "Is the bus detoured too?")
    hide = _comment(sessions, post, "Cy", "Call me at 719-555-0142 for cheap tickets")
    gone = _comment(sessions, post, "Di", "This will be deleted by its author")

    first = ingest_page(sessions, community, sandbox, media=media)
    assert first.captured.new_items == 7  # profile, post, 4 comments, subscriber list
    states = _states(sessions)
    assert states.pop(f"post:{post}") == "live"
    assert {states.pop(f"comment:{c}") for c in (keep, edit, hide, gone)} == {"live"}
    assert list(states.values()) == ["live"]  # the subscriber list snapshot
    assert next(iter(states)).startswith("subscriber_list:")

    # Nothing changed: a second poll adds nothing and writes no audit event.
    with sessions() as s:
        events = len(s.execute(select(audit.AuditEvent)).scalars().all())
    again = ingest_page(sessions, community, sandbox, media=media)
    assert again.changed == 0
    with sessions() as s:
        assert len(s.execute(select(audit.AuditEvent)).scalars().all()) == events

    with transaction(sessions) as s:
        page = platform.find_page(s, "community")
        assert page is not None
        platform.edit_comment(s, page, int(edit), visitor_id="v-Ben", body="Is the 7 bus detoured?")
    sandbox.hide_comment(hide)
    sandbox.delete_comment(gone)
    third = ingest_page(sessions, community, sandbox, media=media)
    assert third.deleted == 1
    states = _states(sessions)
    assert states[f"comment:{keep}"] == "live"
    assert states[f"comment:{edit}"] == "edited"
    assert states[f"comment:{hide}"] == "hidden"
    assert states[f"comment:{gone}"] == "deleted"
    with sessions() as s:
        gone_item = s.execute(
            select(ArchiveItem).where(
                ArchiveItem.platform_id == gone, ArchiveItem.kind == "comment"
            )
        ).scalar_one()
        texts = [
            v.text
            for v in s.execute(
                select(ArchiveVersion)
                .where(ArchiveVersion.item_id == gone_item.id)
                .order_by(ArchiveVersion.version)
            ).scalars()
        ]
        assert texts == ["This will be deleted by its author"] * 2  # kept, with its deletion
        assert verify_archive(s, media).ok
        assert audit.verify(s).ok


def test_unapproved_page_is_not_polled(
    sessions: sessionmaker[Session], staff, agency: Agency, tmp_path: Path
) -> None:
    page_id = registered_sandbox_page(
        sessions, staff, agency, "waiting", unit="Patrol", approve=False
    )
    with pytest.raises(Conflict, match="nothing is pulled from it"):
        ingest_page(
            sessions, page_id, SandboxConnector(sessions, "waiting"), media=MediaStore(tmp_path)
        )


def test_ingest_all_polls_approved_sandbox_pages(
    sessions: sessionmaker[Session], community: int, tmp_path: Path
) -> None:
    SandboxConnector(sessions, "community").publish("Community meeting Thursday at 6 pm.")
    reports = ingest_all(sessions, media=MediaStore(tmp_path))
    assert [r.page_id for r in reports] == [community]
    assert reports[0].captured.new_items >= 2
    with sessions() as s:
        assert s.get(Page, community) is not None


def test_posts_and_comments_with_equal_ids_are_not_taken_for_each_other(
    sessions: sessionmaker[Session], community: int, tmp_path: Path
) -> None:
    # The sandbox numbers posts and comments each from 1, as some platforms do: post "2" and
    # comment "2" are different records. Polling twice must find nothing deleted.
    media = MediaStore(tmp_path / "media")
    sandbox = SandboxConnector(sessions, "community")
    first, second, third = (sandbox.publish(f"Post {n}") for n in (1, 2, 3))
    c1 = _comment(sessions, first, "Ana", "On the first post")
    c2 = _comment(sessions, first, "Ben", "Also on the first post")
    c3 = _comment(sessions, first, "Cy", "A third on the first post")
    with transaction(sessions) as s:
        page = platform.find_page(s, "community")
        assert page is not None
        reply = str(
            platform.add_comment(
                s,
                page,
                int(first),
                visitor_id="v-di",
                visitor_name="Di",
                body="A reply",
                parent_comment_id=int(c3),
            ).id
        )
    later = [_comment(sessions, p, "Ed", f"On post {p}") for p in (second, third, second)]
    assert {c1, c2, c3} & {first, second, third}  # ids really do collide
    for _ in range(2):
        report = ingest_page(sessions, community, sandbox, media=media)
        assert report.deleted == 0
    states = _states(sessions)
    for cid in (c1, c2, c3, *later):
        assert states[f"comment:{cid}"] == "live"
    assert states[f"reply:{reply}"] == "live"
    # A real deletion is still seen, and only that one.
    with transaction(sessions) as s:
        page = platform.find_page(s, "community")
        assert page is not None
        platform.delete_comment(s, page, int(c2))
    assert ingest_page(sessions, community, sandbox, media=media).deleted == 1
    assert _states(sessions)[f"comment:{c2}"] == "deleted"
