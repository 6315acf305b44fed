"""Polling a page's platform into the archive: new posts and comments, edits, hides, deletions.

One poll follows the connector contract (see ``piodesk/connectors/sandbox/connector.py``):
page through posts since the stored cursor, then each live post's comments since its cursor,
then ask the platform which ids are still live — whatever the archive holds as live that the
platform no longer lists was deleted, and gets a DELETED version. Cursors are saved in the
same transaction as what they led to, so a crash never skips or repeats a page of results.
Only approved pages are polled (§.04).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.capture import CaptureReport, capture
from piodesk.archive.media import MediaStore
from piodesk.archive.model import ItemState
from piodesk.archive.observe import head_version, observed
from piodesk.archive.tables import ArchiveItem, IngestCursor
from piodesk.connectors.base import Connector, ConnectorError, PlatformError
from piodesk.connectors.credentials import decrypt
from piodesk.connectors.model import Capability, CapturedItem, Cursor, FetchResult, ItemKind
from piodesk.core import audit, clock
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, NotFound
from piodesk.core.permissions import SYSTEM, Actor
from piodesk.pages.actions import is_usable
from piodesk.pages.tables import Page, PageConnection

log = structlog.get_logger(__name__)

GONE = (ItemState.DELETED.value, ItemState.REMOVED.value)


@runtime_checkable
class ListsLiveIds(Protocol):
    """A connector that can say which posts and comments are still on the platform."""

    def live_post_ids(self) -> AbstractSet[str]: ...

    def live_comment_ids(self, post_id: str) -> AbstractSet[str]: ...


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


def _drain(
    sessions: sessionmaker[Session],
    page: Page,
    stream: str,
    fetch: Callable[[Cursor | None], FetchResult],
    report: IngestReport,
    source: str,
    media: MediaStore,
) -> list[CapturedItem]:
    """Page through one stream from its stored cursor, capturing and saving as it goes."""
    seen: list[CapturedItem] = []
    with sessions() as session:
        cursor = _cursor(session, page.id, stream)
    while True:
        result = fetch(cursor)
        with transaction(sessions) as session:
            report.captured.add(
                capture(session, list(result.items), source=source, page_id=page.id, media=media)
            )
            _save_cursor(session, page.id, stream, result.next)
        seen.extend(result.items)
        cursor = result.next or cursor
        if not result.has_more:
            return seen


def _comments_of(connector: Connector, post_id: str, since: Cursor | None) -> FetchResult:
    return connector.fetch_comments(post_id, since)


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
    source = f"ingest:{page.platform}:{page.handle}"
    caps = connector.capabilities

    if Capability.READ_PROFILE in caps:
        profile = connector.read_profile()
        with transaction(sessions) as session:
            report.captured.add(
                capture(session, [profile.as_item()], source=source, page_id=page.id, media=media)
            )
    if Capability.READ_POSTS in caps:
        _drain(sessions, page, "posts", connector.fetch_posts, report, source, media)
    live_posts: AbstractSet[str] | None = None
    if isinstance(connector, ListsLiveIds):
        live_posts = connector.live_post_ids()
        with transaction(sessions) as session:
            missing = [
                i
                for i in _known_live(session, page.id, (ItemKind.POST.value,))
                if i.platform_id not in live_posts
            ]
            report.deleted += disappeared(session, missing, source=source, media=media)
    if Capability.READ_COMMENTS in caps:
        if live_posts is None:
            with sessions() as session:
                live_posts = {
                    i.platform_id for i in _known_live(session, page.id, (ItemKind.POST.value,))
                }
        for post_id in sorted(live_posts):
            try:
                _drain(
                    sessions,
                    page,
                    f"comments:{post_id}",
                    functools.partial(_comments_of, connector, post_id),
                    report,
                    source,
                    media,
                )
                if isinstance(connector, ListsLiveIds):
                    live = connector.live_comment_ids(post_id)
                    with transaction(sessions) as session:
                        missing = [
                            i
                            for i in _known_live(
                                session,
                                page.id,
                                (ItemKind.COMMENT.value, ItemKind.REPLY.value),
                                parent=post_id,
                            )
                            if i.platform_id not in live
                        ]
                        report.deleted += disappeared(session, missing, source=source, media=media)
            except PlatformError as exc:
                if exc.status != 404:
                    raise
                report.errors.append(str(exc))  # the post went away between two calls
    if Capability.READ_SUBSCRIBERS in caps:
        result = connector.fetch_subscribers()
        with transaction(sessions) as session:
            report.captured.add(
                capture(session, list(result.items), source=source, page_id=page.id, media=media)
            )
    if report.changed:
        with transaction(sessions) as session:
            audit.record(
                session,
                actor,
                "archive:ingest",
                "page",
                page.id,
                section="§.40",
                data={
                    "new_records": report.captured.new_items,
                    "new_versions": report.captured.new_versions,
                    "deleted": report.deleted,
                },
            )
    return report


def connector_for(page: Page, sessions: sessionmaker[Session], key: str = "") -> Connector:
    """The connector that reaches this page's platform (credentials decrypted with ``key``)."""
    if page.platform == "sandbox":
        from piodesk.connectors.sandbox.connector import SandboxConnector

        return SandboxConnector(sessions, page.handle)
    with sessions() as session:
        connection = session.execute(
            select(PageConnection).where(PageConnection.page_id == page.id)
        ).scalar_one_or_none()
    if connection is None or not key:
        raise Conflict(
            f"no platform credentials are stored for {page.name} ({page.platform}); "
            "connect the page before it can be polled"
        )
    credential = decrypt(connection.credential, key)
    if page.platform == "mastodon":
        from piodesk.connectors.mastodon import MastodonConnector

        return MastodonConnector(connection.settings["api_base_url"], credential)
    if page.platform == "facebook":
        from piodesk.connectors.facebook import FacebookConnector

        return FacebookConnector(connection.settings["graph_page_id"], credential)
    raise Conflict(f"piodesk has no connector for {page.platform} yet")


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
            connector = connector_for(page, sessions, key)
        except Conflict:
            continue  # not connected: nothing to poll
        try:
            reports.append(ingest_page(sessions, page.id, connector, media=media, actor=actor))
        except (ConnectorError, Conflict) as exc:
            log.warning("ingest failed", page=page.id, platform=page.platform, error=str(exc))
            reports.append(IngestReport(page.id, errors=[str(exc)]))
    return reports
