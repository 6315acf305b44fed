"""The sandbox platform's own storage: its pages, posts, comments, blocks and change counter.

These rows are the *platform's* state, the way Facebook's servers hold a page's feed: a comment
may be edited, hidden or deleted here. They are not piodesk's records; the archive (§.40) keeps
every version it captured through the connector. Deletion is soft (``deleted_at``) so the
platform can answer "gone" honestly, but neither the connector nor the public page shows a
deleted row.

The platform has its own pages (``sandbox_pages``: handle, name, profile), as Facebook has its
own: piodesk's registry (``pages``) records which of them the department uses and whether the
chief approved it, and the platform knows nothing of that. The two meet only at the handle.

Every write to a page's posts or comments takes the next number from the page's
``sandbox_feeds`` row (locked for the write) and stores it in the row's ``change_seq``. Change
numbers therefore commit in order, and a reader that has seen everything up to number N can ask
for "changes after N" without ever missing one; see ``connector.py``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from piodesk.core.db import Base, JSONType, UTCDateTime


class SandboxPage(Base):
    """A page on the sandbox platform: its handle, its name and the profile the public sees."""

    __tablename__ = "sandbox_pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    handle: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    maintained_by: Mapped[str] = mapped_column(String(200), default="")
    about: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list[str]] = mapped_column(JSONType, default=list)
    contact_phone: Mapped[str] = mapped_column(String(60), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_address: Mapped[str] = mapped_column(String(300), default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SandboxFeed(Base):
    """One row per sandbox page: the last change number handed out (locked by every write)."""

    __tablename__ = "sandbox_feeds"

    page_id: Mapped[int] = mapped_column(ForeignKey("sandbox_pages.id"), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class SandboxPost(Base):
    """A post the department published on a sandbox page."""

    __tablename__ = "sandbox_posts"
    __table_args__ = (Index("ix_sandbox_posts_page_seq", "page_id", "change_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("sandbox_pages.id"))
    author_name: Mapped[str] = mapped_column(String(200))  # the page's display name when posted
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    change_seq: Mapped[int] = mapped_column(BigInteger)


class SandboxComment(Base):
    """A visitor's comment on a post, or a reply to a comment (``parent_comment_id``)."""

    __tablename__ = "sandbox_comments"
    __table_args__ = (
        Index("ix_sandbox_comments_post_seq", "post_id", "change_seq"),
        Index("ix_sandbox_comments_page_visitor", "page_id", "visitor_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("sandbox_pages.id"))  # copied from the post
    post_id: Mapped[int] = mapped_column(ForeignKey("sandbox_posts.id"))
    parent_comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("sandbox_comments.id"), nullable=True, index=True
    )
    visitor_id: Mapped[str] = mapped_column(String(40))  # public id derived from the cookie
    visitor_name: Mapped[str] = mapped_column(String(80))  # as typed, at the time
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    change_seq: Mapped[int] = mapped_column(BigInteger)


class SandboxBlock(Base):
    """A visitor blocked from commenting on a page; lifting it keeps the row (``lifted_at``)."""

    __tablename__ = "sandbox_blocks"
    __table_args__ = (
        # At most one block in force per visitor and page.
        Index(
            "uq_sandbox_blocks_active",
            "page_id",
            "visitor_id",
            unique=True,
            sqlite_where=text("lifted_at IS NULL"),
            postgresql_where=text("lifted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("sandbox_pages.id"))
    visitor_id: Mapped[str] = mapped_column(String(40))
    blocked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SandboxMessage(Base):
    """A private message from the page to a visitor (how piodesk delivers a §.20 warning)."""

    __tablename__ = "sandbox_messages"
    __table_args__ = (Index("ix_sandbox_messages_page_visitor", "page_id", "visitor_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("sandbox_pages.id"))
    visitor_id: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SandboxPhoto(Base):
    """A photo the page published with a post (the platform keeps the bytes, as Facebook does)."""

    __tablename__ = "sandbox_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("sandbox_posts.id"), index=True)
    mime_type: Mapped[str] = mapped_column(String(40))
    alt_text: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[bytes] = mapped_column(LargeBinary)
