"""Storage of records requests. Every row is a record (§.40) and evidence: each change is sealed
into the audit chain (core/evidence.py).

A request carries a few *head* columns (state, assignee, saved search) that change as the work
moves on; every such change is an audited event with its own append-only row in
``records_request_events``, which is also the clock's source: the due dates are derived from
those events, never stored. Notes, review decisions, letters, fee entries, template versions
and calendar changes are append-only (database triggers refuse UPDATE and DELETE): a review
decision changed later is a new row, the latest row per record wins.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from piodesk.core import evidence
from piodesk.core.db import Base, JSONType, UTCDateTime

#: Tables whose rows are never updated or deleted (the migration's triggers).
APPEND_ONLY = (
    "records_request_events",
    "records_request_notes",
    "records_review_items",
    "records_letters",
    "records_letter_templates",
    "records_fee_entries",
    "records_calendar_days",
)


class RecordsRequest(Base):
    """An open-records request as it arrived, and where it stands (head columns)."""

    __tablename__ = "records_requests"
    __table_args__ = (Index("ix_records_requests_state", "state", "received_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    regime: Mapped[str] = mapped_column(String(40))  # a key of the regime file
    requester_name: Mapped[str] = mapped_column(String(200))
    requester_contact: Mapped[str] = mapped_column(String(300))
    requester_organization: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(20))  # model.Channel
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text)  # the request, as the requester wrote it
    scope: Mapped[str] = mapped_column(Text)  # the custodian's reading: pages, dates, kinds
    single_document: Mapped[bool] = mapped_column(Boolean)  # one specifically identified record
    logged_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    logged_by_name: Mapped[str] = mapped_column(String(200))
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Head (each change is an audited event row):
    state: Mapped[str] = mapped_column(String(24))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    assignee_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    saved_search: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)


class RequestEvent(Base):
    """Something that happened to a request: a state move, a clock event, an assignment."""

    __tablename__ = "records_request_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("records_requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # deadline.ClockKind, or state | assign | search
    at: Mapped[datetime] = mapped_column(UTCDateTime)  # when it happened (may precede recording)
    from_state: Mapped[str | None] = mapped_column(String(24), nullable=True)
    to_state: Mapped[str | None] = mapped_column(String(24), nullable=True)
    days: Mapped[int | None] = mapped_column(Integer, nullable=True)  # extension days
    note: Mapped[str] = mapped_column(Text)  # the finding, the reason, the pause's cause
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RequestNote(Base):
    """A custodian's note on a request (internal)."""

    __tablename__ = "records_request_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("records_requests.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    author_name: Mapped[str] = mapped_column(String(200))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReviewItem(Base):
    """An archive record in a request's review set, and the custodian's call on it.

    ``responsive`` None: added, not yet decided. A later row for the same record replaces the
    call (the latest row wins); ``removed`` takes the record out of the set.
    """

    __tablename__ = "records_review_items"
    __table_args__ = (Index("ix_records_review_items_request", "request_id", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("records_requests.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("archive_items.id"))
    responsive: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    added_by_name: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LetterTemplate(Base):
    """A version of the agency's template for one kind of letter (Jinja2 text)."""

    __tablename__ = "records_letter_templates"
    __table_args__ = (Index("ix_records_letter_templates_kind", "kind", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # model.LetterKind
    version: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(200))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Letter(Base):
    """A letter sent to the requester, exactly as sent (a record)."""

    __tablename__ = "records_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("records_requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    template_version: Mapped[int] = mapped_column(Integer)  # 0: piodesk's default template
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    grounds: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)  # a denial's exemptions
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(200))


class FeeEntry(Base):
    """A line of a request's fees log: time spent, copies, a payment or a waiver."""

    __tablename__ = "records_fee_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("records_requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # model.FeeKind
    minutes: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(Integer)  # payment or waiver
    note: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(200))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CalendarDay(Base):
    """The agency's change to the working calendar: a day closed, or a holiday worked.

    The latest row per day wins; ``change`` "library" returns the day to the library's calendar.
    """

    __tablename__ = "records_calendar_days"
    __table_args__ = (Index("ix_records_calendar_days_day", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    change: Mapped[str] = mapped_column(String(10))  # closed | open | library
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


evidence.register(RecordsRequest, "records request")
evidence.register(RequestEvent, "records request event")
evidence.register(RequestNote, "records request note")
evidence.register(ReviewItem, "review decision")
evidence.register(LetterTemplate, "letter template")
evidence.register(Letter, "letter")
evidence.register(FeeEntry, "fee entry")
evidence.register(CalendarDay, "calendar change")
