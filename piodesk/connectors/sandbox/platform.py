"""What the sandbox platform does: the page posts; visitors comment, reply and edit; the page
hides, deletes and blocks.

Each function works in the caller's transaction (the connector opens one per call, the public
page one per request), so the connector and the public page share one code path. These are the
platform's own operations, not piodesk actions: the platform does not know piodesk's roles or
its registry of pages (its pages are its own, :func:`open_page`), and piodesk's moderation
actions audit their decisions before they call the connector.

Every write takes the next change number of the page (:func:`_next_seq`) and stamps it on the
rows it changes; readers page through "changes after N" (see ``connector.py``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from piodesk.connectors.sandbox.tables import (
    SandboxBlock,
    SandboxComment,
    SandboxFeed,
    SandboxMessage,
    SandboxPage,
    SandboxPhoto,
    SandboxPost,
)
from piodesk.core import clock
from piodesk.core.errors import Conflict, DomainError, InvalidInput, NotFound

MAX_COMMENT = 2000
MAX_NAME = 80
MAX_POST = 10_000


class VisitorBlocked(DomainError):
    """The page has blocked this visitor from commenting (GO 409 §.04, §.20)."""

    status_code = 403


def visitor_id_for(token: str) -> str:
    """The public id of the visitor holding cookie ``token``.

    The cookie's value is a secret (whoever holds it comments as that visitor); the id stored
    with comments, captured into the archive and disclosed in public records is a one-way hash
    of it, so nothing read from piodesk lets anyone impersonate a visitor.
    """
    return "v" + hashlib.sha256(("sandbox-visitor:" + token).encode()).hexdigest()[:24]


def _text(label: str, value: str, *, max_len: int) -> str:
    text = value.replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput(f"{label} is empty; please write something")
    if len(text) > max_len:
        raise InvalidInput(
            f"{label} is {len(text):,} characters long; the limit is {max_len:,}. "
            "Please shorten it and send it again."
        )
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise InvalidInput(f"{label} contains control characters")
    return text


def open_page(
    session: Session,
    handle: str,
    *,
    name: str,
    maintained_by: str = "",
    about: str = "",
    links: tuple[str, ...] | list[str] = (),
    contact_phone: str = "",
    contact_email: str = "",
    contact_address: str = "",
) -> SandboxPage:
    """Open a page on the platform (what signing up for a page is on Facebook)."""
    handle = _text("The handle", handle, max_len=200)
    if find_page(session, handle) is not None:
        raise Conflict(f"the sandbox already has a page called '{handle}'")
    page = SandboxPage(
        handle=handle,
        name=_text("The page name", name, max_len=200),
        maintained_by=maintained_by.strip()[:200],
        about=about.strip(),
        links=[str(link) for link in links],
        contact_phone=contact_phone.strip()[:60],
        contact_email=contact_email.strip()[:254],
        contact_address=contact_address.strip()[:300],
        opened_at=clock.now(),
    )
    session.add(page)
    session.flush()
    return page


def find_page(session: Session, handle: str) -> SandboxPage | None:
    """The platform's page with this handle (piodesk's registry is not asked)."""
    return session.execute(
        select(SandboxPage).where(SandboxPage.handle == handle)
    ).scalar_one_or_none()


def public_page(session: Session, handle: str) -> SandboxPage:
    """A page the public may see: every page the platform has is public, like on Facebook."""
    page = find_page(session, handle)
    if page is None:
        raise NotFound(f"there is no sandbox page called '{handle[:200]}'")
    return page


def _next_seq(session: Session, page: SandboxPage) -> int:
    """Take the page's next change number; the lock holds until the caller commits.

    Holding the feed row's lock until commit makes change numbers commit in order on
    PostgreSQL (SQLite serialises writers anyway), so "changes after N" never skips one.
    """
    query = select(SandboxFeed).where(SandboxFeed.page_id == page.id).with_for_update()
    feed = session.execute(query).scalar_one_or_none()
    if feed is None:
        # First write to this page: lock the page row so that two first writers do not both
        # create the counter.
        session.execute(select(SandboxPage.id).where(SandboxPage.id == page.id).with_for_update())
        feed = session.execute(query).scalar_one_or_none()
        if feed is None:
            feed = SandboxFeed(page_id=page.id, last_seq=0)
            session.add(feed)
    feed.last_seq += 1
    session.flush()
    return feed.last_seq


# Ids are 32-bit integers on PostgreSQL; a larger number is simply not a row (not a crash).
_MAX_ID = 2**31 - 1
MAX_ID = _MAX_ID  # for the connector's reads


def _live_post(session: Session, page: SandboxPage, post_id: int) -> SandboxPost:
    post = session.get(SandboxPost, post_id) if 0 < post_id <= _MAX_ID else None
    if post is None or post.page_id != page.id:
        raise NotFound(f"no post {post_id} on this page")
    if post.deleted_at is not None:
        raise NotFound(f"post {post_id} was deleted")
    return post


def _live_comment(session: Session, page: SandboxPage, comment_id: int) -> SandboxComment:
    comment = session.get(SandboxComment, comment_id) if 0 < comment_id <= _MAX_ID else None
    if comment is None or comment.page_id != page.id:
        raise NotFound(f"no comment {comment_id} on this page")
    if comment.deleted_at is not None:
        raise NotFound(f"comment {comment_id} was deleted")
    _live_post(session, page, comment.post_id)
    return comment


def get_post(session: Session, page: SandboxPage, post_id: int) -> SandboxPost:
    """A post that is still on the page (else NotFound, also for a deleted one)."""
    return _live_post(session, page, post_id)


def get_comment(session: Session, page: SandboxPage, comment_id: int) -> SandboxComment:
    """A comment that is still on the page (else NotFound, also for a deleted one)."""
    return _live_comment(session, page, comment_id)


#: The photos the platform takes, like the big platforms: a few common image types, not huge.
PHOTO_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 4
_MAGIC = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}


#: Videos, as the big platforms take them: MP4 or QuickTime, one a post, without photos.
VIDEO_TYPES = {"video/mp4", "video/quicktime"}
MAX_VIDEO_BYTES = 100 * 1000 * 1000


def _check_photo(n: int, mime: str, data: bytes) -> None:
    if mime in VIDEO_TYPES:
        if len(data) > MAX_VIDEO_BYTES:
            raise InvalidInput(
                f"video {n} is {len(data):,} bytes; the limit is {MAX_VIDEO_BYTES:,}"
            )
        if data[4:8] != b"ftyp" and data[4:8] not in (b"moov", b"mdat", b"free", b"wide"):
            raise InvalidInput(f"video {n} is not a readable MP4 or QuickTime video")
        return
    if mime not in PHOTO_TYPES:
        raise InvalidInput(
            f"photo {n} is {mime or 'of no stated type'}; the platform takes JPEG, PNG, GIF or "
            "WebP images, and MP4 or QuickTime videos"
        )
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput(f"photo {n} is {len(data):,} bytes; the limit is {MAX_PHOTO_BYTES:,}")
    if not data.startswith(_MAGIC[mime]):
        raise InvalidInput(f"photo {n} is not a readable {mime.split('/')[1].upper()} image")


def add_post(
    session: Session,
    page: SandboxPage,
    body: str,
    photos: list[tuple[bytes, str, str]] | None = None,
) -> SandboxPost:
    """The page publishes a post, with photos given as (bytes, MIME type, alt text)."""
    photos = photos or []
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(f"a post takes at most {MAX_PHOTOS} photos")
    for n, (data, mime, _alt) in enumerate(photos, 1):
        _check_photo(n, mime, data)
    if any(mime in VIDEO_TYPES for _d, mime, _a in photos) and len(photos) > 1:
        raise InvalidInput("a post takes one video, without photos beside it")
    post = SandboxPost(
        page_id=page.id,
        author_name=page.name,
        body=_text("The post", body, max_len=MAX_POST),
        created_at=clock.now(),
        change_seq=_next_seq(session, page),
    )
    session.add(post)
    session.flush()
    for data, mime, alt in photos:
        session.add(SandboxPhoto(post_id=post.id, mime_type=mime, alt_text=alt[:1500], data=data))
    session.flush()
    return post


def photos_of(session: Session, post_ids: list[int]) -> dict[int, list[SandboxPhoto]]:
    """The photos of these posts (metadata; the bytes load when served), by post id."""
    out: dict[int, list[SandboxPhoto]] = {}
    if not post_ids:
        return out
    rows = session.execute(
        select(SandboxPhoto).where(SandboxPhoto.post_id.in_(post_ids)).order_by(SandboxPhoto.id)
    ).scalars()
    for row in rows:
        out.setdefault(row.post_id, []).append(row)
    return out


def public_photo(session: Session, photo_id: int) -> SandboxPhoto:
    """A photo of a live post (NotFound otherwise)."""
    row = session.get(SandboxPhoto, photo_id) if 0 < photo_id <= _MAX_ID else None
    post = session.get(SandboxPost, row.post_id) if row is not None else None
    if row is None or post is None or post.deleted_at is not None:
        raise NotFound("there is no such photo")
    return row


def page_author_id(page: SandboxPage) -> str:
    """The author id the page's own comments carry (visitors' ids start with "v")."""
    return f"page-{page.id}"


def add_page_comment(
    session: Session,
    page: SandboxPage,
    post_id: int,
    body: str,
    *,
    parent_comment_id: int | None = None,
) -> SandboxComment:
    """The page comments under one of its posts (an update threaded under a notice), or
    replies under a visitor's comment (threads are one level deep, as for visitors)."""
    text = _text("The reply", body, max_len=MAX_COMMENT)
    post = _live_post(session, page, post_id)
    if parent_comment_id is not None:
        parent = _live_comment(session, page, parent_comment_id)
        if parent.post_id != post.id:
            raise NotFound(f"no comment {parent_comment_id} under post {post_id}")
        parent_comment_id = parent.parent_comment_id or parent.id
    comment = SandboxComment(
        page_id=page.id,
        post_id=post.id,
        parent_comment_id=parent_comment_id,
        visitor_id=page_author_id(page),
        visitor_name=page.name,
        body=text,
        created_at=clock.now(),
        hidden=False,
        change_seq=_next_seq(session, page),
    )
    session.add(comment)
    session.flush()
    return comment


def edit_post(session: Session, page: SandboxPage, post_id: int, body: str) -> SandboxPost:
    """The page corrects the text of one of its posts."""
    post = _live_post(session, page, post_id)
    text = _text("The post", body, max_len=MAX_POST)
    if text != post.body:
        post.body, post.edited_at = text, clock.now()
        post.change_seq = _next_seq(session, page)
    return post


def is_blocked(session: Session, page: SandboxPage, visitor_id: str) -> bool:
    """True while a block of this visitor on this page is in force."""
    return (
        session.execute(
            select(SandboxBlock.id).where(
                SandboxBlock.page_id == page.id,
                SandboxBlock.visitor_id == visitor_id,
                SandboxBlock.lifted_at.is_(None),
            )
        ).first()
        is not None
    )


BLOCKED_MESSAGE = (
    "The department has blocked you from commenting on this page, under its social media "
    "policy (GO 409 §.20). You can still read the page."
)


def add_comment(
    session: Session,
    page: SandboxPage,
    post_id: int,
    *,
    visitor_id: str,
    visitor_name: str,
    body: str,
    parent_comment_id: int | None = None,
) -> SandboxComment:
    """A visitor comments on a post, or replies to a comment (the public page's form)."""
    name = _text("Your name", visitor_name, max_len=MAX_NAME)
    text = _text("Your comment", body, max_len=MAX_COMMENT)
    post = _live_post(session, page, post_id)
    if is_blocked(session, page, visitor_id):
        raise VisitorBlocked(BLOCKED_MESSAGE)
    if parent_comment_id is not None:
        parent = _live_comment(session, page, parent_comment_id)
        # As on Facebook, threads are one level deep: a reply to a reply joins the thread.
        top = _live_comment(session, page, parent.parent_comment_id or parent.id)
        if parent.post_id != post.id or parent.hidden or top.hidden:
            raise NotFound(f"no comment {parent_comment_id} to reply to under this post")
        parent_comment_id = top.id
    comment = SandboxComment(
        page_id=page.id,
        post_id=post.id,
        parent_comment_id=parent_comment_id,
        visitor_id=visitor_id,
        visitor_name=name,
        body=text,
        created_at=clock.now(),
        hidden=False,
        change_seq=_next_seq(session, page),
    )
    session.add(comment)
    session.flush()
    return comment


def edit_comment(
    session: Session, page: SandboxPage, comment_id: int, *, visitor_id: str, body: str
) -> SandboxComment:
    """A visitor edits the text of their own comment."""
    comment = _live_comment(session, page, comment_id)
    if comment.visitor_id != visitor_id:
        raise NotFound(f"no comment {comment_id} of yours on this page")
    text = _text("Your comment", body, max_len=MAX_COMMENT)
    if is_blocked(session, page, visitor_id):
        raise VisitorBlocked(BLOCKED_MESSAGE)
    if text != comment.body:
        comment.body, comment.edited_at = text, clock.now()
        comment.change_seq = _next_seq(session, page)
    return comment


def set_hidden(
    session: Session, page: SandboxPage, comment_id: int, hidden: bool
) -> SandboxComment:
    """The page hides a comment from the public, or shows it again (idempotent)."""
    comment = _live_comment(session, page, comment_id)
    if comment.hidden != hidden:
        comment.hidden = hidden
        comment.change_seq = _next_seq(session, page)
    return comment


def delete_comment(session: Session, page: SandboxPage, comment_id: int) -> None:
    """The page deletes a comment; its replies go with it, as on Facebook."""
    comment = _live_comment(session, page, comment_id)
    now, seq = clock.now(), _next_seq(session, page)
    comment.deleted_at, comment.change_seq = now, seq
    session.execute(
        update(SandboxComment)
        .where(
            SandboxComment.parent_comment_id == comment.id,
            SandboxComment.deleted_at.is_(None),
        )
        .values(deleted_at=now, change_seq=seq)
    )


def restore_comment(session: Session, page: SandboxPage, comment_id: int) -> SandboxComment:
    """The page brings back a comment it deleted, with the replies that went with it.

    Idempotent for a live comment. Unlike Facebook, the sandbox deletes softly, so it can.
    """
    comment = session.get(SandboxComment, comment_id) if 0 < comment_id <= _MAX_ID else None
    if comment is None or comment.page_id != page.id:
        raise NotFound(f"no comment {comment_id} on this page")
    _live_post(session, page, comment.post_id)
    if comment.deleted_at is None:
        return comment
    deleted_at, seq = comment.deleted_at, _next_seq(session, page)
    comment.deleted_at, comment.change_seq = None, seq
    session.execute(
        update(SandboxComment)
        .where(
            SandboxComment.parent_comment_id == comment.id,
            SandboxComment.deleted_at == deleted_at,
        )
        .values(deleted_at=None, change_seq=seq)
    )
    return comment


MAX_MESSAGE = 5_000


def send_message(session: Session, page: SandboxPage, visitor_id: str, body: str) -> SandboxMessage:
    """The page sends a visitor a private message (seen only by that visitor)."""
    if not visitor_known(session, page, visitor_id):
        raise NotFound(f"no visitor {visitor_id[:40]} has interacted with this page")
    message = SandboxMessage(
        page_id=page.id,
        visitor_id=visitor_id,
        body=_text("The message", body, max_len=MAX_MESSAGE),
        sent_at=clock.now(),
    )
    session.add(message)
    session.flush()
    return message


def messages_for(session: Session, page: SandboxPage, visitor_id: str) -> list[SandboxMessage]:
    """The page's private messages to one visitor, newest first."""
    return list(
        session.execute(
            select(SandboxMessage)
            .where(SandboxMessage.page_id == page.id, SandboxMessage.visitor_id == visitor_id)
            .order_by(SandboxMessage.id.desc())
            .limit(20)
        ).scalars()
    )


def delete_post(session: Session, page: SandboxPage, post_id: int) -> None:
    """The page deletes one of its posts (its comments can no longer be read)."""
    post = _live_post(session, page, post_id)
    post.deleted_at, post.change_seq = clock.now(), _next_seq(session, page)


def visitor_known(session: Session, page: SandboxPage, visitor_id: str) -> bool:
    """True when the visitor has ever commented on the page (the people a page can block)."""
    return (
        session.execute(
            select(SandboxComment.id).where(
                SandboxComment.page_id == page.id, SandboxComment.visitor_id == visitor_id
            )
        ).first()
        is not None
    )


def block(session: Session, page: SandboxPage, visitor_id: str) -> None:
    """Block a visitor from commenting (idempotent; the §.20 warning comes first, in piodesk)."""
    if not visitor_known(session, page, visitor_id):
        raise NotFound(f"no visitor {visitor_id[:40]} has interacted with this page")
    _next_seq(session, page)  # serialises blocks of the same page like every other write
    if not is_blocked(session, page, visitor_id):
        session.add(SandboxBlock(page_id=page.id, visitor_id=visitor_id, blocked_at=clock.now()))
        session.flush()


def unblock(session: Session, page: SandboxPage, visitor_id: str) -> None:
    """Lift a block (idempotent); the block's row stays, with the time it was lifted."""
    if not visitor_known(session, page, visitor_id):
        raise NotFound(f"no visitor {visitor_id[:40]} has interacted with this page")
    _next_seq(session, page)
    session.execute(
        update(SandboxBlock)
        .where(
            SandboxBlock.page_id == page.id,
            SandboxBlock.visitor_id == visitor_id,
            SandboxBlock.lifted_at.is_(None),
        )
        .values(lifted_at=clock.now())
    )


# ---- the public page ------------------------------------------------------------------------


@dataclass
class CommentView:
    """A visible comment on the public page, with its visible replies."""

    id: int
    visitor_name: str
    body: str
    created_at: datetime
    edited: bool
    mine: bool
    replies: list[CommentView] = field(default_factory=list)


@dataclass
class PostView:
    """A post on the public page with its visible comments, oldest comment first."""

    id: int
    author_name: str
    body: str
    created_at: datetime
    edited: bool
    comments: list[CommentView] = field(default_factory=list)
    photos: list[tuple[int, str]] = field(default_factory=list)  # (photo id, alt text)
    videos: set[int] = field(default_factory=set)  # which of the photos are videos
    threads: int = 0  # visible comments under the post (not counting replies)

    @property
    def earlier(self) -> int:
        """Visible comments (threads) not shown here: the post's own page has them all."""
        return self.threads - len(self.comments)


#: Threads (a comment and its replies) each post shows on the page's feed, the newest ones; the
#: post's own page (:func:`public_post`) shows every thread. A page with a thousand comments
#: would otherwise render a thousand threads for every visit.
THREADS_ON_FEED = 10


def public_feed(
    session: Session,
    page: SandboxPage,
    *,
    visitor_id: str | None,
    before: int | None = None,
    limit: int = 20,
    threads: int = THREADS_ON_FEED,
) -> list[PostView]:
    """The page's newest posts (older than post ``before``, if given) and what the public sees
    under them: each post's newest ``threads`` visible comments with their replies, oldest
    first. Hidden and deleted comments are not shown, nor are replies under them.
    """
    query = select(SandboxPost).where(
        SandboxPost.page_id == page.id, SandboxPost.deleted_at.is_(None)
    )
    if before is not None:
        query = query.where(SandboxPost.id < min(before, _MAX_ID))
    posts = session.execute(query.order_by(SandboxPost.id.desc()).limit(limit)).scalars().all()
    views = {p.id: _post_view(p) for p in posts}
    _fill(session, views, visitor_id, threads)
    return list(views.values())


def public_post(
    session: Session, page: SandboxPage, post_id: int, *, visitor_id: str | None
) -> PostView:
    """One live post of the page with every visible comment and reply (its own page)."""
    post = _live_post(session, page, post_id)
    views = {post.id: _post_view(post)}
    _fill(session, views, visitor_id, None)
    return views[post.id]


def _post_view(p: SandboxPost) -> PostView:
    return PostView(p.id, p.author_name, p.body, p.created_at, p.edited_at is not None)


_SHOWN = (
    SandboxComment.id,
    SandboxComment.post_id,
    SandboxComment.parent_comment_id,
    SandboxComment.visitor_id,
    SandboxComment.visitor_name,
    SandboxComment.body,
    SandboxComment.created_at,
    SandboxComment.edited_at,
)


def _fill(
    session: Session, views: dict[int, PostView], visitor_id: str | None, threads: int | None
) -> None:
    """The photos, visible threads (each post's newest ``threads``; None: all) and thread
    counts of the posts."""
    if not views:
        return
    for post_id, shots in photos_of(session, list(views)).items():
        views[post_id].photos = [(p.id, p.alt_text) for p in shots]
        views[post_id].videos = {p.id for p in shots if p.mime_type in VIDEO_TYPES}
    visible = (
        SandboxComment.post_id.in_(views),
        SandboxComment.deleted_at.is_(None),
        SandboxComment.hidden.is_(False),
    )
    top_level = (*visible, SandboxComment.parent_comment_id.is_(None))
    if threads is None:
        tops = session.execute(select(*_SHOWN).where(*top_level).order_by(SandboxComment.id)).all()
        for post in views.values():
            post.threads = 0
        for c in tops:
            views[c.post_id].threads += 1
    else:
        # Each post's newest threads, ranked in SQL: only what the feed shows is read.
        rank = (
            func.row_number()
            .over(partition_by=SandboxComment.post_id, order_by=SandboxComment.id.desc())
            .label("rank")
        )
        ranked = select(SandboxComment.id, rank).where(*top_level).subquery()
        tops = session.execute(
            select(*_SHOWN)
            .join(ranked, ranked.c.id == SandboxComment.id)
            .where(ranked.c.rank <= threads)
            .order_by(SandboxComment.id)
        ).all()
        for post_id, n in session.execute(
            select(SandboxComment.post_id, func.count())
            .where(*top_level)
            .group_by(SandboxComment.post_id)
        ):
            views[post_id].threads = n
    top: dict[int, CommentView] = {}
    for c in tops:
        top[c.id] = _comment_view(c, visitor_id)
        views[c.post_id].comments.append(top[c.id])
    ids = list(top)
    for start in range(0, len(ids), 500):  # replies under a hidden comment stay out of view
        for c in session.execute(
            select(*_SHOWN)
            .where(*visible, SandboxComment.parent_comment_id.in_(ids[start : start + 500]))
            .order_by(SandboxComment.id)
        ):
            top[c.parent_comment_id].replies.append(_comment_view(c, visitor_id))


def _comment_view(c: Any, visitor_id: str | None) -> CommentView:
    return CommentView(
        c.id,
        c.visitor_name,
        c.body,
        c.created_at,
        c.edited_at is not None,
        visitor_id is not None and c.visitor_id == visitor_id,
    )
