"""Storage of legal holds, retention schedules, dispositions, tombstones, redactions and
productions (GO 409 §.40).

Every table here is append-only (database triggers refuse UPDATE and DELETE, migration 0013)
and registered as evidence, so each row is sealed into the audit chain. A state change is a
new row: an acknowledgement, a release, an approval, a certificate, a redaction decision.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from piodesk.core import evidence
from piodesk.core.db import Base, JSONType, UTCDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")

#: The append-only tables (kept in sync with migration 0013 by a test).
APPEND_ONLY = (
    "records_holds",
    "records_hold_acknowledgements",
    "records_hold_releases",
    "records_retention_rules",
    "records_disposition_runs",
    "records_disposition_approvals",
    "records_disposition_certificates",
    "archive_tombstones",
    "records_redactions",
    "records_redaction_decisions",
    "records_productions",
)


class Hold(Base):
    """A legal hold: what it preserves (one scope), why, and the notice sent to custodians."""

    __tablename__ = "records_holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    matter: Mapped[str] = mapped_column(Text)  # the litigation or matter it preserves for
    scope: Mapped[str] = mapped_column(String(12))  # page|author|dates|query|request|items
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id"), nullable=True)
    author_platform_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    date_from: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    date_to: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    query: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    request_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # no FK: requests
    item_ids: Mapped[list[int] | None] = mapped_column(JSONType, nullable=True)
    notice: Mapped[str] = mapped_column(Text)
    custodians: Mapped[list[int]] = mapped_column(JSONType)  # account ids sent the notice
    placed_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    placed_by_name: Mapped[str] = mapped_column(String(100))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HoldAcknowledgement(Base):
    """A custodian's acknowledgement that they received and will follow a hold notice."""

    __tablename__ = "records_hold_acknowledgements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hold_id: Mapped[int] = mapped_column(ForeignKey("records_holds.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    name: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text)
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HoldRelease(Base):
    """A release of a hold: of some records (partial) or all of it (``item_ids`` null)."""

    __tablename__ = "records_hold_releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hold_id: Mapped[int] = mapped_column(ForeignKey("records_holds.id"), index=True)
    item_ids: Mapped[list[int] | None] = mapped_column(JSONType, nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    released_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    released_by_name: Mapped[str] = mapped_column(String(100))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RetentionRule(Base):
    """One setting of the retention schedule for a record type; the latest per type governs."""

    __tablename__ = "records_retention_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_type: Mapped[str] = mapped_column(String(30), index=True)
    period_days: Mapped[int] = mapped_column(Integer)
    citation: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text)
    set_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    set_by_name: Mapped[str] = mapped_column(String(100))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DispositionRun(Base):
    """A prepared disposition: the dry run's list of records past retention and under no hold."""

    __tablename__ = "records_disposition_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime)
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    held: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)  # past retention, but held
    prepared_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    prepared_by_name: Mapped[str] = mapped_column(String(100))
    prepared_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DispositionApproval(Base):
    """The records custodian's approval of a prepared run (a second person: never the preparer)."""

    __tablename__ = "records_disposition_approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("records_disposition_runs.id"), unique=True)
    note: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    approved_by_name: Mapped[str] = mapped_column(String(100))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DispositionCertificate(Base):
    """The certificate of a carried-out disposition: what went, with every destroyed digest."""

    __tablename__ = "records_disposition_certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("records_disposition_runs.id"), unique=True)
    destroyed: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    kept: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)  # held since the dry run
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    carried_out_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    carried_out_by_name: Mapped[str] = mapped_column(String(100))
    carried_out_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ArchiveTombstone(Base):
    """What is left of one archive version whose content a disposition destroyed.

    The version row keeps its chained columns and hash; its text, authors, fields, media and
    raw payload are gone. The tombstone keeps the content digest (format 3 chains it) and the
    link hash (which vouches for versions hashed before format 3), and names the run.
    """

    __tablename__ = "archive_tombstones"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    seq: Mapped[int] = mapped_column(BigId, unique=True)  # the archive version
    item_id: Mapped[int] = mapped_column(ForeignKey("archive_items.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    hash_format: Mapped[int] = mapped_column(Integer)
    link_hash: Mapped[str] = mapped_column(String(64))
    content_sha256: Mapped[str] = mapped_column(String(64))
    raw_sha256: Mapped[str] = mapped_column(String(64))
    media_destroyed: Mapped[list[str]] = mapped_column(JSONType)  # media files removed
    run_id: Mapped[int] = mapped_column(ForeignKey("records_disposition_runs.id"), index=True)
    destroyed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Redaction(Base):
    """A proposed redaction of a span of one version's text (screening's or a person's)."""

    __tablename__ = "records_redactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("archive_items.id"), index=True)
    version_seq: Mapped[int] = mapped_column(BigId)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(80))  # "screening:pii.phone" | "hand"
    request_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    proposed_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    proposed_by_name: Mapped[str] = mapped_column(String(100))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RedactionDecision(Base):
    """A person's confirmation (with an exemption from the regime's list) or rejection."""

    __tablename__ = "records_redaction_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    redaction_id: Mapped[int] = mapped_column(ForeignKey("records_redactions.id"), index=True)
    decision: Mapped[str] = mapped_column(String(10))  # confirm | reject
    exemption: Mapped[str | None] = mapped_column(String(40), nullable=True)
    note: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    decided_by_name: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Production(Base):
    """One production made: its scope, mode, and the hashes of its ZIP and signed manifest."""

    __tablename__ = "records_productions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mode: Mapped[str] = mapped_column(String(10))  # request | subpoena
    request_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    item_ids: Mapped[list[int]] = mapped_column(JSONType)
    bates_first: Mapped[str] = mapped_column(String(40))
    bates_last: Mapped[str] = mapped_column(String(40))
    records: Mapped[int] = mapped_column(Integer)
    versions: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(300))
    zip_sha256: Mapped[str] = mapped_column(String(64))
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    made_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    made_by_name: Mapped[str] = mapped_column(String(100))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)


evidence.register(Hold, "legal hold")
evidence.register(HoldAcknowledgement, "hold acknowledgement")
evidence.register(HoldRelease, "hold release")
evidence.register(RetentionRule, "retention rule")
evidence.register(DispositionRun, "disposition run")
evidence.register(DispositionApproval, "disposition approval")
evidence.register(DispositionCertificate, "disposition certificate")
evidence.register(ArchiveTombstone, "archive tombstone")
evidence.register(Redaction, "redaction")
evidence.register(RedactionDecision, "redaction decision")
evidence.register(Production, "production")
