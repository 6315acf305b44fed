"""Polling a page's platform into the archive: new posts and comments, edits, hides, deletions.

One poll follows the connector contract (see ``piodesk/connectors/base.py``): page through
posts since the stored cursor, then each live post's comments since its cursor. A connector
that declares DETECT_DELETIONS is also asked, per post, which of the comments the archive holds
as live the platform no longer has (from a complete listing, or not at all), and the sandbox
which posts; each gets a DELETED version, and a post the platform confirms ``Gone`` takes its
comments with it. Every write — captures, the cursor they lead to, deletions — commits in one
transaction with its ``archive:ingest`` audit event, so a crash never skips or repeats a page
of results and nothing lands unaudited. Only approved pages are polled (§.04).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.capture import CaptureReport, capture
from piodesk.archive.media import MediaStore
from piodesk.archive.model import ItemState
from piodesk.archive.observe import head_version, observed
from piodesk.archive.tables import ArchiveItem, IngestCursor
from piodesk.connectors.base import (
    Connector,
    ConnectorError,
    Gone,
    PlatformError,
    UnsupportedAction,
)
from piodesk.connectors.factory import build
from piodesk.connectors.model import Capability, CapturedItem, Cursor, FetchResult, ItemKind
from piodesk.core import audit, clock, tags
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, NotFound
from piodesk.core.permissions import SYSTEM, Actor
from piodesk.jobs.queue import intake_after_capture
from piodesk.pages.actions import is_usable
from piodesk.pages.tables import Page

log = structlog.get_logger(__name__)

GONE = (ItemState.DELETED.value, ItemState.REMOVED.value)
_COMMENTS = (ItemKind.COMMENT.value, ItemKind.REPLY.value)


@dataclass
class IngestReport:
    """What one poll of one page found."""

    page_id: int
    captured: CaptureReport = field(default_factory=CaptureReport)
    deleted: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        """New records, new versions and deletions together."""
        return self.captured.new_items + self.captured.new_versions + self.deleted


def _cursor(session: Session, page_id: int, stream: str) -> Cursor | None:
    row = session.execute(
        select(IngestCursor).where(IngestCursor.page_id == page_id, IngestCursor.stream == stream)
    ).scalar_one_or_none()
    return Cursor(row.value) if row else None


def _save_cursor(session: Session, page_id: int, stream: str, cursor: Cursor | None) -> None:
    if cursor is None:
        return
    row = session.execute(
        select(IngestCursor).where(IngestCursor.page_id == page_id, IngestCursor.stream == stream)
    ).scalar_one_or_none()
    if row is None:
        session.add(
            IngestCursor(page_id=page_id, stream=stream, value=cursor.value, updated_at=clock.now())
        )
    else:
        row.value, row.updated_at = cursor.value, clock.now()


def disappeared(
    session: Session, items: Iterable[ArchiveItem], *, source: str, media: MediaStore
) -> int:
    """Record that these records are no longer on the platform: a DELETED version of each."""
    gone: list[CapturedItem] = []
    for item in items:
        last = head_version(session, item)
        observation = {
            "observation": "not listed by the platform",
            "checked_at": clock.now().isoformat(),
            "platform_id": item.platform_id,
        }
        gone.append(
            observed(item, last, fields={**last.fields, "deleted": True}, observation=observation)
        )
    if not gone:
        return 0
    return capture(session, gone, source=source, media=media).new_versions


def _known_live(
    session: Session, page_id: int, kinds: tuple[str, ...], parent: str | None = None
) -> list[ArchiveItem]:
    q = select(ArchiveItem).where(
        ArchiveItem.page_id == page_id,
        ArchiveItem.kind.in_(kinds),
        ArchiveItem.state.not_in(GONE),
    )
    if parent is not None:
        # Comments and replies of one post: comments name the post; replies name their
        # comment. Filtered in SQL, so each post's check does not load the whole page.
        comments_of_post = select(ArchiveItem.platform_id).where(
            ArchiveItem.page_id == page_id,
            ArchiveItem.kind == ItemKind.COMMENT.value,
            ArchiveItem.parent_platform_id == parent,
        )
        # Kinds matter: platform ids of posts and comments may be equal (the sandbox numbers
        # each from 1), so "parent is this post" must only be asked of comments and "parent is
        # one of its comments" only of replies.
        q = q.where(
            (
                (ArchiveItem.kind == ItemKind.COMMENT.value)
                & (ArchiveItem.parent_platform_id == parent)
            )
            | (
                (ArchiveItem.kind == ItemKind.REPLY.value)
                & ArchiveItem.parent_platform_id.in_(comments_of_post)
            )
        )
    return list(session.execute(q).scalars())


@dataclass
class _Poll:
    """One poll of one page: where it writes, what it has done so far, and who it audits as."""

    sessions: sessionmaker[Session]
    page: Page
    media: MediaStore
    actor: Actor
    report: IngestReport

    @property
    def source(self) -> str:
        return f"ingest:{self.page.platform}:{self.page.handle}"

    def write(
        self,
        stream: str,
        items: Iterable[CapturedItem] = (),
        *,
        cursor: Cursor | None = None,
        gone: Callable[[Session], list[ArchiveItem]] | None = None,
    ) -> None:
        """Capture ``items``, save ``cursor``, record what ``gone`` finds deleted, and audit it:
        one transaction, so either all of it lands with its audit event or none of it."""
        with transaction(self.sessions) as session, intake_after_capture(session):
            captured = capture(
                session, list(items), source=self.source, page_id=self.page.id, media=self.media
            )
            deleted = 0
            if gone is not None:
                deleted = disappeared(session, gone(session), source=self.source, media=self.media)
            _save_cursor(session, self.page.id, stream, cursor)
            if captured.new_items or captured.new_versions or deleted:
                audit.record(
                    session,
                    self.actor,
                    tags.Archive.INGEST,
                    "page",
                    self.page.id,
                    section="§.40",
                    data={
                        "stream": stream,
                        "new_records": captured.new_items,
                        "new_versions": captured.new_versions,
                        "deleted": deleted,
                    },
                )
        self.report.captured.add(captured)
        self.report.deleted += deleted

    def drain(self, stream: str, fetch: Callable[[Cursor | None], FetchResult]) -> None:
        """Page through one stream from its stored cursor, writing each page as it comes."""
        with self.sessions() as session:
            cursor = _cursor(session, self.page.id, stream)
        while True:
            result = fetch(cursor)
            self.write(stream, result.items, cursor=result.next)
            cursor = result.next or cursor
            if not result.has_more:
                return

    def known_live(self, kinds: tuple[str, ...], parent: str | None = None) -> set[str]:
        """Platform ids the archive holds as live (a post's comments when ``parent``)."""
        with self.sessions() as session:
            return {i.platform_id for i in _known_live(session, self.page.id, kinds, parent)}

    def mark_posts_gone(self, post_ids: Iterable[str], *, with_comments: bool) -> None:
        """DELETED versions for these posts (and, when the post is gone, what was under it)."""
        ids = set(post_ids)
        if not ids:
            return

        def gone(session: Session) -> list[ArchiveItem]:
            # Re-read in the writing transaction: only what is still live gets a version.
            found = [
                i
                for i in _known_live(session, self.page.id, (ItemKind.POST.value,))
                if i.platform_id in ids
            ]
            if with_comments:
                for post_id in sorted(ids):
                    found += _known_live(session, self.page.id, _COMMENTS, parent=post_id)
            return found

        self.write("deletions:posts", gone=gone)

    def mark_comments_gone(self, post_id: str, comment_ids: Iterable[str]) -> None:
        """DELETED versions for these comments and replies of one post."""
        ids = set(comment_ids)
        if not ids:
            return

        def gone(session: Session) -> list[ArchiveItem]:
            return [
                i
                for i in _known_live(session, self.page.id, _COMMENTS, parent=post_id)
                if i.platform_id in ids
            ]

        self.write(f"deletions:comments:{post_id}", gone=gone)


def _comments_of(connector: Connector, post_id: str, since: Cursor | None) -> FetchResult:
    return connector.fetch_comments(post_id, since)


def _deleted_posts(connector: Connector, known: set[str]) -> frozenset[str] | None:
    try:
        return connector.deleted_post_ids(known)
    except UnsupportedAction:
        return None  # this platform shows a deleted post as Gone from its comment listing


def ingest_page(
    sessions: sessionmaker[Session],
    page_id: int,
    connector: Connector,
    *,
    media: MediaStore,
    actor: Actor = SYSTEM,
) -> IngestReport:
    """Poll one approved page into the archive."""
    with sessions() as session:
        page = session.get(Page, page_id)
        if page is None:
            raise NotFound(f"no page with id {page_id}")
        if not is_usable(page):
            raise Conflict(f"page {page.name} is {page.state}: nothing is pulled from it (§.04)")
        session.expunge(page)
    report = IngestReport(page_id)
    poll = _Poll(sessions, page, media, actor, report)
    caps = connector.capabilities
    detects = Capability.DETECT_DELETIONS in caps

    if Capability.READ_PROFILE in caps:
        poll.write("profile", [connector.read_profile().as_item()])
    if Capability.READ_POSTS in caps:
        poll.drain("posts", connector.fetch_posts)
    if Capability.READ_COMMENTS in caps:
        live_posts = poll.known_live((ItemKind.POST.value,))
        if detects and (gone_posts := _deleted_posts(connector, live_posts)) is not None:
            poll.mark_posts_gone(gone_posts, with_comments=True)
            live_posts -= gone_posts
        for post_id in sorted(live_posts):
            try:
                if detects:
                    # Before reading new comments: what this listing leaves out was archived
                    # before it began, so a comment posted meanwhile is never taken for gone.
                    known = poll.known_live(_COMMENTS, parent=post_id)
                    if known:
                        poll.mark_comments_gone(
                            post_id, connector.deleted_comment_ids(post_id, known)
                        )
                poll.drain(
                    f"comments:{post_id}", functools.partial(_comments_of, connector, post_id)
                )
            except Gone:
                poll.mark_posts_gone([post_id], with_comments=True)
            except PlatformError as exc:
                if exc.status != 404:
                    raise
                report.errors.append(str(exc))  # unreadable, with no proof it was deleted
    if Capability.READ_SUBSCRIBERS in caps:
        result = connector.fetch_subscribers()
        poll.write("subscribers", result.items)
    return report


def ingest_all(
    sessions: sessionmaker[Session], *, media: MediaStore, actor: Actor = SYSTEM, key: str = ""
) -> list[IngestReport]:
    """Poll every approved page that piodesk can reach; one page's failure stops no other."""
    with sessions() as session:
        pages = session.execute(select(Page).where(Page.state == "approved")).scalars().all()
        session.expunge_all()
    reports = []
    for page in pages:
        try:
            connector = build(page, sessions, key)
        except Conflict:
            continue  # not connected: nothing to poll
        try:
            reports.append(ingest_page(sessions, page.id, connector, media=media, actor=actor))
        except (ConnectorError, Conflict) as exc:
            log.warning("ingest failed", page=page.id, platform=page.platform, error=str(exc))
            reports.append(IngestReport(page.id, errors=[str(exc)]))
    return reports
