"""Storage of the outbox: what is published (``publications``) and one delivery per page.

A publication is what the PIO office released: its text, media, kind, where it came from
(``source``: the approved post, the notice, the answered comment) and what it is threaded
under. It is evidence (§.40, "communications ... posted") and append-only: database triggers
refuse UPDATE and DELETE. A correction is a new publication.

A delivery is that publication on one page. Its head (state, the platform's id and URL, the
platform's error, the last platform action) changes as it goes out; every change is an audit
event in the same transaction, and the row is sealed into the audit chain (core/evidence.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from piodesk.core import evidence
from piodesk.core.db import Base, JSONType, UTCDateTime

#: Tables whose rows are never updated or deleted (see migration 0015's triggers).
APPEND_ONLY = ("publications",)
#: Append-only since migration 0023 (threaded updates sent as new posts).
APPEND_ONLY_0023 = ("delivery_standalone",)
#: Append-only since migration 0027 (a platform post is one delivery's).
APPEND_ONLY_0027 = ("outbox_post_claims",)


class Publication(Base):
    """One thing the department publishes, to one or more pages (never changed)."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # post | reply | notice
    source: Mapped[str] = mapped_column(String(80), index=True)  # e.g. post:12, notice:3
    text: Mapped[str] = mapped_column(Text)
    media: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    # A reply: the platform's id of the comment it answers (one page only).
    reply_to_external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # An update or all-clear: threaded under this publication's post on each page.
    thread_under_id: Mapped[int | None] = mapped_column(
        ForeignKey("publications.id"), nullable=True, index=True
    )
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    created_by_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Delivery(Base):
    """One publication on one page: pending → sending → sent | failed | unconfirmed."""

    __tablename__ = "publication_deliveries"
    __table_args__ = (
        UniqueConstraint("publication_id", "page_id"),
        Index("ix_publication_deliveries_state_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"), index=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"))
    platform: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)  # now, or the scheduled time
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Head (each change audited):
    state: Mapped[str] = mapped_column(String(12))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # sends started (a person's retries)
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("platform_actions.id"), nullable=True
    )  # the last platform action
    external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    external_url: Mapped[str] = mapped_column(String(1000), default="")
    error: Mapped[str] = mapped_column(Text, default="")  # the platform's own words
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class StandaloneDecision(Base):
    """A person's decision that an update (or all clear) goes out on a page as a new post,
    because its original is not on that page (failed, or unconfirmed). Never changed."""

    __tablename__ = "delivery_standalone"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("publication_deliveries.id"), unique=True)
    original_state: Mapped[str] = mapped_column(String(12))  # the original's, when decided
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    decided_by_name: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PostClaim(Base):
    """A platform post (or reply) recorded for one delivery: the database's word that no
    other delivery records it too. Written with the delivery's ``sent`` step; never changed.

    Ids are the platform's, so they are unique per page and per place: the sandbox numbers
    its posts and its comments apart (post 7 and comment 7 are two things), hence the parent
    (what a reply or a threaded update sits under; '' for a post of its own) in the key. Not
    evidence of its own: every claim repeats what the sealed delivery row already says, and
    exists so that two workers recording one post at the same moment cannot both succeed."""

    __tablename__ = "outbox_post_claims"
    __table_args__ = (UniqueConstraint("page_id", "parent_external_id", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("publication_deliveries.id"), unique=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"))
    parent_external_id: Mapped[str] = mapped_column(String(200), default="")
    external_id: Mapped[str] = mapped_column(String(200))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)


evidence.register(Publication, "publication")
evidence.register(Delivery, "delivery")
