"""Storage of the cadre, the stories it submits, their review and their approval.

A submission is a public record from the moment it is sent (§.40: "communications submitted
for posting"), so what people wrote and decided is append-only (database triggers refuse
UPDATE and DELETE): every version of the text, every media record, every note, resolution,
attestation and approval, every step of a cadre membership. A membership and a submission
carry a few *head* columns (state, current version, pages, time) that move as the work goes
on; each such change is an audit event, and the rows above say why. Every table here is
registered as evidence, so each row's digest rides on the audit chain (core/evidence.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from piodesk.core import evidence
from piodesk.core.db import Base, JSONType, UTCDateTime

#: Tables whose rows are never updated or deleted (see migration 0014's triggers).
APPEND_ONLY = (
    "cadre_events",
    "story_versions",
    "story_media",
    "story_notes",
    "story_resolutions",
    "story_attestations",
    "story_approvals",
    "approval_policies",
)


class CadreMember(Base):
    """One person's membership of the Social Media Cadre (§.30): a head row with its state."""

    __tablename__ = "cadre_members"
    __table_args__ = (
        # One membership in progress per person; ended ones are kept beside a new one.
        Index(
            "ux_cadre_members_open",
            "account_id",
            unique=True,
            sqlite_where=text("state != 'ended'"),
            postgresql_where=text("state != 'ended'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    division: Mapped[str] = mapped_column(String(120))
    state: Mapped[str] = mapped_column(String(20), index=True)
    recommended_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    recommended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CadreEvent(Base):
    """One step of a membership: who took it, in which role, why, with what record."""

    __tablename__ = "cadre_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("cadre_members.id"), index=True)
    step: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType)  # e.g. the training record
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Submission(Base):
    """A story a cadre member sent to the PIO office, and the post it becomes (head row)."""

    __tablename__ = "story_submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    author_name: Mapped[str] = mapped_column(String(120))  # a copy: survives renames
    member_id: Mapped[int] = mapped_column(ForeignKey("cadre_members.id"))
    title: Mapped[str] = mapped_column(String(200))
    division: Mapped[str] = mapped_column(String(120))
    event_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    head_version: Mapped[int] = mapped_column(Integer)
    # Approvals count for one version in one round: a changed plan or a send-back starts anew.
    approval_round: Mapped[int] = mapped_column(Integer)
    category: Mapped[str | None] = mapped_column(String(20), nullable=True)
    page_ids: Mapped[list[int]] = mapped_column(JSONType)
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    archive_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("archive_items.id"), nullable=True
    )
    publication_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StoryVersion(Base):
    """One version of a story's text and sources, with what screening found in it (§.12)."""

    __tablename__ = "story_versions"
    __table_args__ = (Index("ux_story_versions", "submission_id", "version", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("story_submissions.id"))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    sources: Mapped[list[str]] = mapped_column(JSONType)  # §.04: where the facts come from
    edited_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    edited_by_name: Mapped[str] = mapped_column(String(120))
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text)  # why it was changed
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    ruleset_version: Mapped[str] = mapped_column(String(80))


class StoryMedia(Base):
    """A photo or video of a story and what is on record for it (§.12). A correction is a new
    row that replaces the old one; ``removed`` takes it off the story."""

    __tablename__ = "story_media"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("story_submissions.id"), index=True)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("story_media.id"), nullable=True)
    removed: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # photo | video
    mime_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    original_sha256: Mapped[str] = mapped_column(String(64))  # as sent (the record)
    published_sha256: Mapped[str] = mapped_column(String(64))  # what goes out: no metadata
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    metadata_removed: Mapped[list[str]] = mapped_column(JSONType)  # e.g. ["GPS", "Model"]
    source: Mapped[str] = mapped_column(String(200))
    rights: Mapped[str] = mapped_column(String(20))
    licence: Mapped[str] = mapped_column(Text)
    depicts: Mapped[list[str]] = mapped_column(JSONType)
    consent_reference: Mapped[str] = mapped_column(String(300))
    alt_text: Mapped[str] = mapped_column(Text)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    added_by_name: Mapped[str] = mapped_column(String(120))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StoryNote(Base):
    """What a reviewer or the author wrote about a story: notes, reasons for sending it back
    or not releasing it, a withdrawal."""

    __tablename__ = "story_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("story_submissions.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # note | rejection | send_back | withdrawal
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    author_name: Mapped[str] = mapped_column(String(120))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StoryResolution(Base):
    """How the PIO office resolved one §.12 finding of one version: changed, or kept (why)."""

    __tablename__ = "story_resolutions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("story_submissions.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    finding_key: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(40))
    rule: Mapped[str] = mapped_column(String(80))
    evidence: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(10))  # changed | kept
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(120))
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StoryAttestation(Base):
    """A reviewer's §.04 attestation that one version is factual, accurate and complete."""

    __tablename__ = "story_attestations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("story_submissions.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    statement: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(120))
    attested_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StoryApproval(Base):
    """One approver's decision at one tier on one version: approve, or send back with a note.

    Approvals are for a version: when the text changes they no longer count (they expire)."""

    __tablename__ = "story_approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("story_submissions.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    round: Mapped[int] = mapped_column(Integer)  # a send-back starts a new round
    tier: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(10))  # approve | send_back
    note: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApprovalPolicyRow(Base):
    """The approval tiers as set at one time (the latest row is in force)."""

    __tablename__ = "approval_policies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tiers: Mapped[dict[str, Any]] = mapped_column(JSONType)
    reason: Mapped[str] = mapped_column(Text)
    set_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    set_by_name: Mapped[str] = mapped_column(String(120))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


evidence.register(CadreMember, "cadre membership")
evidence.register(CadreEvent, "cadre step")
evidence.register(Submission, "submission")
evidence.register(StoryVersion, "story version")
evidence.register(StoryMedia, "story media")
evidence.register(StoryNote, "story note")
evidence.register(StoryResolution, "finding resolution")
evidence.register(StoryAttestation, "attestation")
evidence.register(StoryApproval, "approval")
evidence.register(ApprovalPolicyRow, "approval policy")
