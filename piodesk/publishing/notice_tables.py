"""Storage of time-sensitive notices (§.15): what was written, who approved it, its CAP id.

A notice's content (template, fields, times, the post's text, expiry, pages, the incident it
belongs to) never changes once drafted; its head (state, CAP identifier, approval, the
publication it became) changes once, at approval or withdrawal, audited, and the row is
sealed into the audit chain (core/evidence.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from piodesk.core import evidence
from piodesk.core.db import Base, JSONType, UTCDateTime


class Notice(Base):
    """One message of an incident: the alert, an update, the all-clear or a cancel."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_state_approved", "state", "approved_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # alert | update | all_clear | cancel
    template: Mapped[str] = mapped_column(String(30))
    values: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    times: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)  # UTC ISO
    note: Mapped[str] = mapped_column(Text, default="")  # what an update says is new
    text: Mapped[str] = mapped_column(Text)  # the social post, as composed
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    page_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    original_id: Mapped[int | None] = mapped_column(
        ForeignKey("notices.id"), nullable=True, index=True
    )
    drafted_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    drafted_by_name: Mapped[str] = mapped_column(String(100))
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Head (set once, audited):
    state: Mapped[str] = mapped_column(String(12))
    identifier: Mapped[str | None] = mapped_column(String(120), unique=True, nullable=True)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    approved_by_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("publications.id"), nullable=True)
    extra: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # (reserved)


evidence.register(Notice, "notice")
