"""Storage of the program's records: device authorizations (§.12), the investigative-use log
and suggestion memos (§.15), page administrators (§.04), notifications and the mail outbox.

The investigative log, its reviews and every step of a memo are evidence and append-only
(database triggers refuse UPDATE and DELETE). An authorization and a memo carry a few *head*
columns (state, step, review date) that change as the work moves on; each change is an audited
event that seals the row (core/evidence.py). Notifications and the outbox are delivery state,
not records.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from piodesk.core import evidence
from piodesk.core.db import Base, JSONType, UTCDateTime

#: Tables whose rows are never updated or deleted (see migration 0018's triggers).
APPEND_ONLY = ("investigative_uses", "investigative_reviews", "memo_events")


class AccessAuthorization(Base):
    """Who may use a department computer or a personally owned device for department social
    media (§.12): which pages, devices and uses, from when until when, granted by whom."""

    __tablename__ = "access_authorizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    device_class: Mapped[str] = mapped_column(String(30))  # department_computer | personal_device
    page_ids: Mapped[list[int]] = mapped_column(JSONType)  # empty: every page
    devices: Mapped[str] = mapped_column(Text)  # which devices (asset tags, phone model)
    uses: Mapped[list[str]] = mapped_column(JSONType)  # publishing, moderation, monitoring …
    starts_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date, index=True)
    review_every_days: Mapped[int] = mapped_column(Integer)
    review_due_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20), index=True)  # active | revoked
    reason: Mapped[str] = mapped_column(Text)
    granted_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    granted_by_name: Mapped[str] = mapped_column(String(200))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_reviewed_by: Mapped[str] = mapped_column(String(200), default="")
    revoked_by_name: Mapped[str] = mapped_column(String(200), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
    # When the expiry reminder went out, and for which review date the review reminder did
    # (delivery state, not part of the record).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    review_reminded_for: Mapped[date | None] = mapped_column(Date, nullable=True)


class InvestigativeUse(Base):
    """One investigative use of social media (§.15), as the person who made it logged it."""

    __tablename__ = "investigative_uses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(40), index=True)
    purpose_detail: Mapped[str] = mapped_column(Text)
    case_number: Mapped[str] = mapped_column(String(60), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    officer_name: Mapped[str] = mapped_column(String(200))
    used_at: Mapped[datetime] = mapped_column(UTCDateTime)
    viewed: Mapped[list[str]] = mapped_column(JSONType)  # accounts or pages viewed
    evidence_kept: Mapped[str] = mapped_column(Text)
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class InvestigativeReview(Base):
    """A supervisor's review of one logged use (one per entry)."""

    __tablename__ = "investigative_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_id: Mapped[int] = mapped_column(ForeignKey("investigative_uses.id"), unique=True)
    reviewer_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reviewer_name: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(20))  # proper | concern
    comment: Mapped[str] = mapped_column(Text)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Memo(Base):
    """A suggestion for a new use of social media, routed up the chain of command (§.15)."""

    __tablename__ = "memos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    author_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # The steps, in order: [{"label": …, "account_id": int | None, "role": "chief" | None}].
    route: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    step: Mapped[int] = mapped_column(Integer)  # index into route of the step it waits at
    state: Mapped[str] = mapped_column(String(20), index=True)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MemoEvent(Base):
    """One step of a memo's journey: filed, approved, returned, declined, resubmitted."""

    __tablename__ = "memo_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    memo_id: Mapped[int] = mapped_column(ForeignKey("memos.id"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    step_label: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_name: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)  # the memo's text as filed or resubmitted
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class PageAdministrator(Base):
    """A person who administers a page, assigned by the chief (§.04)."""

    __tablename__ = "page_administrators"
    __table_args__ = (UniqueConstraint("page_id", "account_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    assigned_by_name: Mapped[str] = mapped_column(String(200))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Notification(Base):
    """One message in a person's in-app list (and, with an address, in the mail outbox)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_recipient_read", "recipient_id", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MailOutbox(Base):
    """An e-mail waiting to go out through the configured SMTP server, retried until sent."""

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL"), nullable=True
    )
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), index=True)  # queued | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


# What people were authorized to do, what they did and who reviewed it are records (§.12,
# §.15, §.40): every change is sealed into the audit chain and `piodesk audit verify` checks it.
evidence.register(
    AccessAuthorization, "access authorization", exclude=("reminded_at", "review_reminded_for")
)
evidence.register(InvestigativeUse, "investigative use")
evidence.register(InvestigativeReview, "investigative review")
evidence.register(Memo, "memo")
evidence.register(MemoEvent, "memo event")
evidence.register(PageAdministrator, "page administrator")
