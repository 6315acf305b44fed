"""The sandbox platform's connector: piodesk talks to its built-in platform like to any other.

Constructed with a session factory and the page's handle (the platform's own ``sandbox_pages``
row with that handle, opened with ``platform.open_page``). Each method runs in its own
transaction, because the sandbox is the platform, not piodesk: what the platform did stays done
whatever piodesk does with the answer. Errors come back as the connector errors every platform
uses: an unknown or deleted id is ``PlatformError(404, …)``, invalid input
``PlatformError(422, …)``.

Raw payloads
============
Each item's ``raw`` is the JSON the sandbox "API" returns for that row: a dict built from the
row, serialised once (``json.dumps(…, ensure_ascii=False)``, UTF-8); the item's text, times and
fields are built from the same values, so ``raw`` and the normalized fields never disagree.
(The raw comment says ``"is_hidden"``, as Graph does; the normalized ``fields`` say ``"hidden"``.)

Cursors, edits, hides and deletions (for the archive)
=====================================================
Every write to a page (new post or comment, edit, hide, unhide, delete) stamps the rows it
changes with the page's next *change number* (``change_seq``); numbers commit in order.

* ``fetch_posts(since)`` and ``fetch_comments(post_id, since)`` return the **live** rows
  (not deleted) whose change number is above the cursor's, in change order, at most
  ``page_size`` at a time. ``has_more`` is true while more are waiting; ``next`` is the cursor
  to pass next time (it never goes backwards). ``since=None`` starts from the beginning, so the
  first pass pages through the whole backlog, oldest change first.
* So a later poll returns every item that **changed** since the last one, as a whole new
  snapshot: an edited post or comment comes back with its new text and ``edited_at``; a hidden
  comment comes back with ``fields["hidden"] is True``; an unhidden one with ``False``. Items
  that did not change do not come back.
* A **deleted** post or comment never comes back (the sandbox, like the platforms, does not
  list what is gone). The archive detects deletion by disappearance, and asks for the live
  set: ``live_post_ids()`` is the set of ids of the page's live posts, and
  ``live_comment_ids(post_id)`` the set of ids of a post's live comments and replies (hidden
  ones included: hidden is not gone). An id the archive holds as live that is not in that set
  was deleted on the platform. Deleting a comment deletes its replies; once a post is deleted,
  ``fetch_comments`` and ``live_comment_ids`` for it raise ``PlatformError(404, "post … was
  deleted")``: treat the post and everything under it as gone.
  (The same answer comes from a full pass: ``fetch_posts(None)`` followed through
  ``has_more`` sees every live post exactly as ``live_post_ids()`` lists them.)

One poll of a page (``piodesk.archive.ingest``), then, is:

1. ``fetch_posts(posts_cursor)`` until ``has_more`` is false; keep the last ``next``.
2. ``deleted_post_ids(known)`` (known posts missing from ``live_post_ids()``): deleted.
3. For each live post, ``deleted_comment_ids(post_id, known)`` (known comments and replies
   missing from ``live_comment_ids(post_id)``; ``Gone`` for a deleted post), then
   ``fetch_comments(post_id, that_posts_cursor)`` until ``has_more`` is false (one cursor per
   post).

A reply under a hidden comment keeps its own ``hidden`` flag (False unless it was hidden
itself), although the public page, like Facebook, does not show a thread whose comment is
hidden.

The connector does not check piodesk's §.04 approval: the platform knows nothing of piodesk's
registry states, so whoever polls or publishes checks ``piodesk.pages.actions.is_usable``
first. (The public page shows approved pages only.)

Ids are the rows' numbers as strings; a top-level comment's ``parent_platform_id`` is its post's
id and a reply's (``ItemKind.REPLY``) is its comment's; every comment carries
``fields["post_id"]``; posts and comments carry ``fields["permalink_url"]``, the path of the
item on the public page. ``block``/``unblock`` take a visitor's id, which is a comment's
``author_platform_id``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, TypeVar
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.connectors.base import Connection, Connector, Gone, PlatformError, register
from piodesk.connectors.model import (
    Capability,
    CapturedItem,
    CommentState,
    Cursor,
    FetchResult,
    ItemKind,
    MediaRef,
    PageProfile,
)
from piodesk.connectors.sandbox import platform
from piodesk.connectors.sandbox.tables import SandboxComment, SandboxPage, SandboxPost
from piodesk.connectors.textmatch import Candidate, pick
from piodesk.core import clock
from piodesk.core.db import transaction
from piodesk.core.errors import DomainError
from piodesk.core.errors import NotFound as NoSuchRow

T = TypeVar("T")


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _body(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


@register
class SandboxConnector(Connector):
    """A department page on piodesk's built-in sandbox platform."""

    platform = "sandbox"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(Capability)

    @classmethod
    def from_connection(cls, connection: Connection) -> SandboxConnector:
        """The sandbox needs no credential: only its database and the page's handle."""
        if connection.sessions is None:
            raise ValueError("the sandbox connector needs the database it lives in")
        return cls(connection.sessions, connection.handle)

    def __init__(self, sessions: sessionmaker[Session], handle: str, *, page_size: int = 50):
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self._sessions = sessions
        self.handle = handle
        self.page_size = page_size

    def __repr__(self) -> str:
        return f"SandboxConnector({self.handle!r})"

    # --- plumbing ------------------------------------------------------------------------------

    @contextmanager
    def _page(self) -> Iterator[tuple[Session, SandboxPage]]:
        """One platform transaction on this page; platform refusals become PlatformError."""
        try:
            with transaction(self._sessions) as session:
                page = platform.find_page(session, self.handle)
                if page is None:
                    raise PlatformError(self.platform, 404, f"no page '{self.handle}'")
                yield session, page
        except DomainError as exc:
            raise PlatformError(self.platform, exc.status_code, exc.message) from None

    def _id(self, value: str, what: str) -> int:
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 18:
            raise PlatformError(self.platform, 404, f"no {what} '{text[:40]}'")
        return int(text)

    def _cursor(self, since: Cursor | None, scope: dict[str, Any]) -> int:
        if since is None:
            return 0
        try:
            state = json.loads(since.value)
            after = int(state["after"])
            if not 0 <= after < 2**62:
                raise ValueError("out of range")
        except (ValueError, KeyError, TypeError):
            raise PlatformError(self.platform, 400, "the cursor is not a sandbox cursor") from None
        if {k: state.get(k) for k in scope} != scope:
            raise PlatformError(self.platform, 400, "the cursor was made for another listing")
        return after

    def _page_of(
        self, rows: Sequence[T], after: int, seq: Callable[[T], int], scope: dict[str, Any]
    ) -> tuple[Sequence[T], Cursor, bool]:
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        last = seq(rows[-1]) if rows else after
        return rows, Cursor(json.dumps({**scope, "after": last})), more

    # --- the items -----------------------------------------------------------------------------

    def _permalink(self, anchor: str) -> str:
        # Relative to the piodesk installation that hosts the platform (its public page).
        return f"/sandbox/{quote(self.handle, safe='')}#{anchor}"

    def _post_item(self, post: SandboxPost, photos: Sequence[Any] = ()) -> CapturedItem:
        pid, created, edited = str(post.id), _iso(post.created_at), _iso(post.edited_at)
        data: dict[str, Any] = {
            "id": pid,
            "page": self.handle,
            "from": {"id": self.handle, "name": post.author_name},
            "message": post.body,
            "created_time": created,
            "edited_time": edited,
            "permalink_url": self._permalink(f"post-{pid}"),
        }
        if photos:  # (only posts with photos say so: older captures keep their payloads)
            data["photos"] = [
                {"id": str(p.id), "mime_type": p.mime_type, "alt_text": p.alt_text} for p in photos
            ]
        return CapturedItem(
            kind=ItemKind.POST,
            platform=self.platform,
            platform_id=pid,
            page_platform_id=self.handle,
            author_platform_id=self.handle,
            author_name=post.author_name,
            created_at=_time(created),
            edited_at=_time(edited),
            text=post.body,
            fields={"permalink_url": data["permalink_url"]},
            media=tuple(
                MediaRef(
                    url=f"/sandbox/{quote(self.handle, safe='')}/photos/{p.id}",
                    data=bytes(p.data),
                    mime_type=p.mime_type,
                    alt_text=p.alt_text or None,
                )
                for p in photos
            ),
            raw=_body(data),
        )

    def _comment_item(self, c: SandboxComment) -> CapturedItem:
        cid, post_id = str(c.id), str(c.post_id)
        parent = str(c.parent_comment_id) if c.parent_comment_id is not None else None
        created, edited = _iso(c.created_at), _iso(c.edited_at)
        # The page's own comments (platform.add_page_comment) come from the page itself.
        author = self.handle if c.visitor_id.startswith("page-") else c.visitor_id
        data = {
            "id": cid,
            "post_id": post_id,
            "parent_id": parent,
            "from": {"id": author, "name": c.visitor_name},
            "message": c.body,
            "created_time": created,
            "edited_time": edited,
            "is_hidden": c.hidden,
            "permalink_url": self._permalink(f"comment-{cid}"),
        }
        return CapturedItem(
            kind=ItemKind.REPLY if parent else ItemKind.COMMENT,
            platform=self.platform,
            platform_id=cid,
            page_platform_id=self.handle,
            parent_platform_id=parent or post_id,
            author_platform_id=author,
            author_name=c.visitor_name,
            created_at=_time(created),
            edited_at=_time(edited),
            text=c.body,
            fields={
                "hidden": c.hidden,
                "post_id": post_id,
                "permalink_url": data["permalink_url"],
            },
            raw=_body(data),
        )

    # --- reading -------------------------------------------------------------------------------

    def read_profile(self) -> PageProfile:
        """The page's profile as the platform shows it: name, about text, links and contact."""
        with self._page() as (_session, page):
            contact = {
                k: v
                for k, v in (
                    ("phone", page.contact_phone),
                    ("email", page.contact_email),
                    ("address", page.contact_address),
                )
                if v
            }
            data = {
                "id": self.handle,
                "name": page.name,
                "about": page.about,
                "links": list(page.links),
                "contact": contact,
            }
            return PageProfile(
                platform=self.platform,
                page_platform_id=self.handle,
                name=page.name,
                about=page.about,
                links=tuple(page.links),
                contact=contact,
                raw=_body(data),
            )

    def fetch_posts(self, since: Cursor | None = None) -> FetchResult:
        """Live posts changed after the cursor (all of them, from the start, when None)."""
        scope: dict[str, Any] = {"feed": "posts"}
        after = self._cursor(since, scope)
        with self._page() as (session, page):
            rows = (
                session.execute(
                    select(SandboxPost)
                    .where(
                        SandboxPost.page_id == page.id,
                        SandboxPost.change_seq > after,
                        SandboxPost.deleted_at.is_(None),
                    )
                    .order_by(SandboxPost.change_seq)
                    .limit(self.page_size + 1)
                )
                .scalars()
                .all()
            )
            rows, cursor, more = self._page_of(rows, after, lambda p: p.change_seq, scope)
            shots = platform.photos_of(session, [p.id for p in rows])
            items = tuple(self._post_item(p, shots.get(p.id, ())) for p in rows)
            return FetchResult(items, cursor, more)

    def fetch_comments(self, post_id: str, since: Cursor | None = None) -> FetchResult:
        """Live comments and replies on one post changed after the cursor."""
        pid = self._id(post_id, "post")
        scope: dict[str, Any] = {"feed": "comments", "post": pid}
        after = self._cursor(since, scope)
        with self._page() as (session, page):
            platform.get_post(session, page, pid)
            rows = (
                session.execute(
                    select(SandboxComment)
                    .where(
                        SandboxComment.post_id == pid,
                        SandboxComment.change_seq > after,
                        SandboxComment.deleted_at.is_(None),
                    )
                    .order_by(SandboxComment.change_seq)
                    .limit(self.page_size + 1)
                )
                .scalars()
                .all()
            )
            rows, cursor, more = self._page_of(rows, after, lambda c: c.change_seq, scope)
            return FetchResult(tuple(self._comment_item(c) for c in rows), cursor, more)

    def live_post_ids(self) -> frozenset[str]:
        """Ids of every post still on the page: a known post missing here was deleted."""
        with self._page() as (session, page):
            ids = session.execute(
                select(SandboxPost.id).where(
                    SandboxPost.page_id == page.id, SandboxPost.deleted_at.is_(None)
                )
            ).scalars()
            return frozenset(str(i) for i in ids)

    def live_comment_ids(self, post_id: str) -> frozenset[str]:
        """Ids of a post's comments and replies still on the platform (hidden ones included)."""
        pid = self._id(post_id, "post")
        with self._page() as (session, page):
            platform.get_post(session, page, pid)
            ids = session.execute(
                select(SandboxComment.id).where(
                    SandboxComment.post_id == pid, SandboxComment.deleted_at.is_(None)
                )
            ).scalars()
            return frozenset(str(i) for i in ids)

    def deleted_post_ids(self, known: AbstractSet[str]) -> frozenset[str]:
        """Of ``known``, the posts no longer on the page."""
        return frozenset(known - self.live_post_ids())

    def deleted_comment_ids(self, post_id: str, known: AbstractSet[str]) -> frozenset[str]:
        """Of ``known``, the post's comments and replies no longer on the platform."""
        pid = self._id(post_id, "post")
        with self._page() as (session, page):
            try:
                platform.get_post(session, page, pid)
            except NoSuchRow as exc:
                raise Gone(self.platform, exc.message) from None
        return frozenset(known - self.live_comment_ids(post_id))

    def fetch_subscribers(self) -> FetchResult:
        """Everyone who has commented on the page, as one subscriber-list item.

        The sandbox has no "follow" button; a visitor who commented is its subscriber. Each
        entry has the visitor's id, latest display name, and whether a block is in force.
        """
        with self._page() as (session, page):
            rows = session.execute(
                select(SandboxComment.visitor_id, SandboxComment.visitor_name)
                .where(SandboxComment.page_id == page.id)
                .order_by(SandboxComment.id)
            ).all()
            names = {r.visitor_id: r.visitor_name for r in rows}  # the latest name wins
            people = [
                {
                    "id": visitor,
                    "name": names[visitor],
                    "blocked": platform.is_blocked(session, page, visitor),
                }
                for visitor in sorted(names)
            ]
        data = {"page": self.handle, "subscribers": people}
        item = CapturedItem(
            kind=ItemKind.SUBSCRIBER_LIST,
            platform=self.platform,
            platform_id=f"{self.handle}:subscribers",
            page_platform_id=self.handle,
            fields={"count": len(people), "subscribers": people},
            raw=_body(data),
        )
        return FetchResult((item,), None)

    # --- acting --------------------------------------------------------------------------------

    def publish(
        self, text: str, media: Sequence[MediaRef] = (), *, idempotency_key: str | None = None
    ) -> str:
        """Publish a post with its photos (given as bytes); returns its id (the sandbox has no
        idempotency keys). A photo the platform cannot take is PlatformError(422, why)."""
        photos = []
        for n, m in enumerate(media, 1):
            if m.data is None:
                raise PlatformError(self.platform, 422, f"photo {n} must be uploaded as bytes")
            photos.append((m.data, m.mime_type or "", m.alt_text or ""))
        with self._page() as (session, page):
            return str(platform.add_post(session, page, text, photos).id)

    def reply(
        self,
        parent_id: str,
        text: str,
        *,
        under: Literal["comment", "post"] = "comment",
        idempotency_key: str | None = None,
    ) -> str:
        """The page's comment under one of its posts, or its reply under a comment."""
        if under == "post":
            pid = self._id(parent_id, "post")
            with self._page() as (session, page):
                return str(platform.add_page_comment(session, page, pid, text).id)
        cid = self._id(parent_id, "comment")
        with self._page() as (session, page):
            parent = platform.get_comment(session, page, cid)
            made = platform.add_page_comment(
                session, page, parent.post_id, text, parent_comment_id=cid
            )
            return str(made.id)

    def find_published(
        self,
        text: str,
        *,
        since: datetime,
        parent_id: str | None = None,
        under: Literal["comment", "post"] = "post",
        until: datetime | None = None,
        exclude: AbstractSet[str] = frozenset(),
        media_types: Collection[str] = (),
    ) -> str | None:
        """The page's own post (or reply under ``parent_id``) with this text (see
        ``textmatch``) made between ``since`` and ``until``."""
        with self._page() as (session, page):
            if parent_id is None:
                query = select(SandboxPost.id, SandboxPost.body, SandboxPost.created_at).where(
                    SandboxPost.page_id == page.id, SandboxPost.created_at >= since
                )
            else:
                query = select(
                    SandboxComment.id, SandboxComment.body, SandboxComment.created_at
                ).where(
                    SandboxComment.page_id == page.id,
                    SandboxComment.visitor_id == platform.page_author_id(page),
                    SandboxComment.created_at >= since,
                )
                parent = self._id(parent_id, under)
                if under == "post":
                    query = query.where(SandboxComment.post_id == parent)
                else:
                    top = session.get(SandboxComment, parent) if parent <= platform.MAX_ID else None
                    top_id = (top.parent_comment_id or top.id) if top is not None else parent
                    query = query.where(SandboxComment.parent_comment_id == top_id)
            rows = session.execute(query.order_by(query.selected_columns[0]).limit(200)).all()
        candidates = [Candidate(str(i), body, clock.as_utc(made)) for i, body, made in rows]
        return pick(text, candidates, since=since, until=until, exclude=exclude)

    def fetch_post(self, post_id: str) -> CapturedItem:
        """Re-read one live post (``PlatformError(404)`` once it is deleted)."""
        pid = self._id(post_id, "post")
        with self._page() as (session, page):
            post = platform.get_post(session, page, pid)
            return self._post_item(post, platform.photos_of(session, [post.id]).get(post.id, ()))

    def fetch_comment(self, comment_id: str) -> CapturedItem:
        """Re-read one live comment or reply (the page's own included)."""
        cid = self._id(comment_id, "comment")
        with self._page() as (session, page):
            return self._comment_item(platform.get_comment(session, page, cid))

    def hide_comment(self, comment_id: str) -> None:
        """Hide a comment from the public (the commenter is not told)."""
        cid = self._id(comment_id, "comment")
        with self._page() as (session, page):
            platform.set_hidden(session, page, cid, True)

    def unhide_comment(self, comment_id: str) -> None:
        """Show a hidden comment again."""
        cid = self._id(comment_id, "comment")
        with self._page() as (session, page):
            platform.set_hidden(session, page, cid, False)

    def delete_comment(self, comment_id: str) -> None:
        """Delete a comment and its replies from the platform."""
        cid = self._id(comment_id, "comment")
        with self._page() as (session, page):
            platform.delete_comment(session, page, cid)

    def delete_post(self, post_id: str) -> None:
        """Delete one of the page's posts."""
        pid = self._id(post_id, "post")
        with self._page() as (session, page):
            platform.delete_post(session, page, pid)

    def restore_comment(self, comment_id: str) -> None:
        """Bring back a deleted comment (and the replies deleted with it)."""
        cid = self._id(comment_id, "comment")
        with self._page() as (session, page):
            platform.restore_comment(session, page, cid)

    def send_message(self, person_id: str, text: str) -> None:
        """Send a visitor a private message from the page (shown to them on the page)."""
        with self._page() as (session, page):
            platform.send_message(session, page, person_id, text)

    def block(self, person_id: str) -> None:
        """Block a visitor (by the id the comments carry) from commenting on the page."""
        with self._page() as (session, page):
            platform.block(session, page, person_id)

    def unblock(self, person_id: str) -> None:
        """Lift a visitor's block."""
        with self._page() as (session, page):
            platform.unblock(session, page, person_id)

    # --- reading what was done (for the reconciler) -----------------------------------------------

    def comment_state(self, comment_id: str) -> CommentState:
        """Visible, hidden or deleted (a comment under a deleted post is deleted with it)."""
        cid = self._id(comment_id, "comment")
        with self._page() as (session, page):
            comment = session.get(SandboxComment, cid) if cid <= platform.MAX_ID else None
            if comment is None or comment.page_id != page.id:
                raise PlatformError(self.platform, 404, f"no comment {cid} on this page")
            post = session.get(SandboxPost, comment.post_id)
            if comment.deleted_at is not None or post is None or post.deleted_at is not None:
                return CommentState.DELETED
            return CommentState.HIDDEN if comment.hidden else CommentState.VISIBLE

    def is_blocked(self, person_id: str) -> bool:
        """True while a block of this visitor on the page is in force."""
        with self._page() as (session, page):
            return platform.is_blocked(session, page, person_id)
