"""Storage of platform actions: every change piodesk asks of a platform, intent first.

A row is written, and committed, *before* the platform is asked; it then records what came
of it. So a crash between the platform's answer and piodesk's record leaves a pending row,
which the reconciler settles by reading the platform (``connectors.intents.reconcile``). The
columns of what was asked never change; ``state``, ``settled_at``, ``outcome`` and
``result_id`` are the row's head, each change an audited event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from piodesk.core import evidence
from piodesk.core.db import Base, JSONType, UTCDateTime


class PlatformAction(Base):
    """One action asked of a platform (hide, remove, restore, warn, block, lift, publish…)."""

    __tablename__ = "platform_actions"
    __table_args__ = (
        Index("ix_platform_actions_state_requested", "state", "requested_at"),
        Index("ix_platform_actions_subject", "subject_type", "subject_id"),
        # At most one action in flight on the same thing (a comment, a person on a page):
        # a second one waits for the first to be settled instead of racing it.
        Index(
            "ux_platform_actions_pending_lock",
            "lock_key",
            unique=True,
            sqlite_where=text("state = 'pending' AND lock_key IS NOT NULL"),
            postgresql_where=text("state = 'pending' AND lock_key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(
        String(40)
    )  # what records the outcome, e.g. moderation:block
    kind: Mapped[str] = mapped_column(String(20))  # the platform call, e.g. hide_comment
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"))
    platform: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(200))  # the platform's id of the comment/person
    lock_key: Mapped[str | None] = mapped_column(String(260), nullable=True)
    subject_type: Mapped[str] = mapped_column(String(40))  # piodesk's record: case, block, person
    subject_id: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # what records it
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    requested_by_name: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Head (audited changes):
    state: Mapped[str] = mapped_column(
        String(12)
    )  # pending|succeeded|failed|unconfirmed|superseded
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str] = mapped_column(Text, default="")  # the platform's answer, or why not
    result_id: Mapped[str | None] = mapped_column(String(80), nullable=True)  # e.g. decision id


# An intent is evidence of what piodesk asked a platform and when: sealed like moderation's rows.
evidence.register(PlatformAction, "platform action")
