"""Moderation storage: screenings, cases, decisions, counsel, warnings, blocks, reports.

What people decided and said is evidence, so those rows are append-only (database triggers
refuse UPDATE and DELETE, like the audit log): screenings, decisions, consultations and advice,
warnings, reports, response answers. A case, a block and a response request carry a few
*head* columns (state, outcome, lifted) that change as the work moves on; each such change is
an audit event, and the append-only rows it rests on say why.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from piodesk.core import evidence
from piodesk.core.db import Base, JSONType, UTCDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")

#: Tables whose rows are never updated or deleted (see the migration's triggers).
APPEND_ONLY = (
    "moderation_screenings",
    "moderation_decisions",
    "moderation_consultations",
    "moderation_advice",
    "moderation_warnings",
    "moderation_reports",
    "moderation_answers",
    # Due process and corrections (migration 0016):
    "moderation_proposals",
    "moderation_concurrences",
    "moderation_reopenings",
    "moderation_notices",
    "moderation_appeals",
    "moderation_appeal_decisions",
    "moderation_person_notes",
)


class IntakeMark(Base):
    """How far intake has read the archive's version chain (one row, id=1)."""

    __tablename__ = "moderation_intake"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigId)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ScreenedRange(Base):
    """A range of the archive's versions screened by a worker, waiting for intake's writer.

    Workers screen their ranges in parallel and leave the findings here; the one writer
    holding intake's mark turns every range contiguous from the mark into screenings and cases
    in one transaction, and deletes the ranges it wrote. Not evidence: a work queue (like
    Procrastinate's jobs) whose rows say what screening *would* store. The screenings the
    writer stores from them are the evidence, sealed into the audit chain."""

    __tablename__ = "moderation_screened_ranges"

    # Ranges come from capture transactions, which lock the archive's head: they never overlap,
    # so the range's end names it.
    upto: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    after: Mapped[int] = mapped_column(BigId)
    #: sha256 of each text screened -> its ScreeningResult as JSON (moderation/screened.py).
    verdicts: Mapped[dict[str, Any]] = mapped_column(JSONType)
    screened_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Screening(Base):
    """What the screening engine said about one captured version of a comment."""

    __tablename__ = "moderation_screenings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("archive_items.id"), index=True)
    version_seq: Mapped[int] = mapped_column(BigId)  # the archive version that was screened
    text_sha256: Mapped[str] = mapped_column(String(64))  # a hide or unhide is not re-screened
    screened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ruleset_version: Mapped[str] = mapped_column(String(80))
    model_version: Mapped[str] = mapped_column(String(200))
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    needs_response: Mapped[bool] = mapped_column(Boolean)


class Case(Base):
    """One comment (or post) in the PIO's queue, from screening or an employee's report."""

    __tablename__ = "moderation_cases"
    __table_args__ = (
        Index("ix_moderation_cases_state_opened", "state", "opened_at"),
        Index("ix_moderation_cases_page_state", "page_id", "state"),
        Index("ix_moderation_cases_author", "platform", "author_platform_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id"), nullable=True)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("archive_items.id"), nullable=True, index=True
    )
    url: Mapped[str | None] = mapped_column(String(1000), nullable=True)  # reported link
    platform: Mapped[str | None] = mapped_column(String(20), nullable=True)
    kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    author_platform_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    author_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    source: Mapped[str] = mapped_column(String(20))  # screening | report
    screening_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderation_screenings.id"), nullable=True
    )
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Head (derived from decisions; every change audited):
    state: Mapped[str] = mapped_column(String(14))
    outcome: Mapped[str | None] = mapped_column(String(10), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class CaseCategory(Base):
    """A category a case's findings (or a report) name: the queue filters on these."""

    __tablename__ = "moderation_case_categories"
    __table_args__ = (Index("ix_moderation_case_categories_category", "category", "case_id"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("moderation_cases.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)


class Decision(Base):
    """A PIO's decision on a case: keep, hide, remove or restore, with its §.20 reason."""

    __tablename__ = "moderation_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("moderation_cases.id"), index=True)
    action: Mapped[str] = mapped_column(String(10))  # keep | hide | remove | restore
    reason: Mapped[str] = mapped_column(String(20))  # a §.20 category or no_violation
    note: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    platform_effect: Mapped[str] = mapped_column(String(300))  # what the platform was asked
    counsel_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    archive_seq: Mapped[int | None] = mapped_column(BigId, nullable=True)  # version it recorded


class Consultation(Base):
    """A PIO's question to legal counsel about a case (§.20)."""

    __tablename__ = "moderation_consultations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("moderation_cases.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    asked_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    asked_by_name: Mapped[str] = mapped_column(String(100))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Advice(Base):
    """Legal counsel's answer to a consultation; the decision stays with the PIO."""

    __tablename__ = "moderation_advice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("moderation_consultations.id"), unique=True
    )
    advice: Mapped[str] = mapped_column(Text)
    recommends: Mapped[str] = mapped_column(String(10))  # keep | hide | remove | none
    # Counsel concurs with blocking the comment's author without a prior warning (§.20).
    concurs_block: Mapped[bool] = mapped_column(Boolean, default=False)
    advised_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    advised_by_name: Mapped[str] = mapped_column(String(100))
    advised_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Warning_(Base):
    """A warning with an explanation to a person, before any block (§.20)."""

    __tablename__ = "moderation_warnings"
    __table_args__ = (Index("ix_moderation_warnings_person", "platform", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"))
    platform: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[str] = mapped_column(String(200))
    person_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("moderation_cases.id"), nullable=True)
    category: Mapped[str] = mapped_column(String(20))
    explanation: Mapped[str] = mapped_column(Text)
    delivery: Mapped[str] = mapped_column(String(300))  # how it reached the person, or why not
    delivered: Mapped[bool] = mapped_column(Boolean)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    warned_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Block(Base):
    """A person blocked from a page: its reason, grounds, review date, and lifting."""

    __tablename__ = "moderation_blocks"
    __table_args__ = (
        Index("ix_moderation_blocks_person", "platform", "person_id"),
        # One block in force per person and page, kept by the database itself: two PIOs
        # blocking the same person at once cannot leave two blocks in force.
        Index(
            "ux_moderation_blocks_in_force",
            "page_id",
            "platform",
            "person_id",
            unique=True,
            sqlite_where=text("lifted_at IS NULL"),
            postgresql_where=text("lifted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"))
    platform: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[str] = mapped_column(String(200))
    person_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("moderation_cases.id"), nullable=True)
    category: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    warning_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderation_warnings.id"), nullable=True
    )
    concurrence_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderation_advice.id"), nullable=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    blocked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Head (audited changes):
    review_due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lifted_by_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lift_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Report(Base):
    """An employee's report of a post or comment to the PIO (§.22)."""

    __tablename__ = "moderation_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    reporter_name: Mapped[str] = mapped_column(String(100))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("archive_items.id"), nullable=True)
    url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    category: Mapped[str | None] = mapped_column(String(20), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    case_id: Mapped[int] = mapped_column(ForeignKey("moderation_cases.id"), index=True)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ResponseRequest(Base):
    """A comment that asks the department something (§.12): open until someone answers."""

    __tablename__ = "moderation_response_requests"
    __table_args__ = (Index("ix_moderation_response_requests_state", "state", "detected_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("archive_items.id"), unique=True)
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id"), nullable=True)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(12))  # open | answered | no_response
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Answer(Base):
    """Who answered a comment's question, when and how (§.12)."""

    __tablename__ = "moderation_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("moderation_response_requests.id"), index=True
    )
    outcome: Mapped[str] = mapped_column(String(12))  # answered | no_response
    note: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)


# ---- due process, corrections, the queue's working parts (migration 0016) ----------------


class Proposal(Base):
    """A hide or removal the viewpoint guard held for a second person (§.20)."""

    __tablename__ = "moderation_proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("moderation_cases.id"), index=True)
    action: Mapped[str] = mapped_column(String(10))  # hide | remove
    reason: Mapped[str] = mapped_column(String(20))  # the §.20 category
    note: Mapped[str] = mapped_column(Text)
    guard: Mapped[list[str]] = mapped_column(JSONType)  # model.Guard values
    guard_text: Mapped[str] = mapped_column(Text)  # the same, as the case page says it
    proposed_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    proposed_by_name: Mapped[str] = mapped_column(String(100))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Concurrence(Base):
    """A second PIO's (or counsel's) answer to a held hide or removal: concur or decline."""

    __tablename__ = "moderation_concurrences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("moderation_proposals.id"), unique=True)
    verdict: Mapped[str] = mapped_column(String(10))  # concur | decline
    note: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20))  # pio | legal_counsel
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Reopening(Base):
    """A decided case opened again, with the reason (a correction)."""

    __tablename__ = "moderation_reopenings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("moderation_cases.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    previous_outcome: Mapped[str | None] = mapped_column(String(10), nullable=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    reopened_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Notice(Base):
    """The notice a blocked person gets: reason, date, review date, how to appeal (§.20).

    The appeal code itself is given to the person only; the row keeps its SHA-256.
    """

    __tablename__ = "moderation_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    block_id: Mapped[int] = mapped_column(ForeignKey("moderation_blocks.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    code_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    delivered: Mapped[bool] = mapped_column(Boolean)
    delivery: Mapped[str] = mapped_column(String(300))
    actor_name: Mapped[str] = mapped_column(String(100))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Appeal(Base):
    """A blocked person's appeal, from the platform notice or the public form."""

    __tablename__ = "moderation_appeals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    block_id: Mapped[int] = mapped_column(ForeignKey("moderation_blocks.id"), index=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("moderation_notices.id"))
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(300))
    via: Mapped[str] = mapped_column(String(20))  # notice | form
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AppealDecision(Base):
    """The decision on an appeal, by someone other than whoever placed the block."""

    __tablename__ = "moderation_appeal_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("moderation_appeals.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(10))  # upheld | lifted
    note: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PersonNote(Base):
    """The office's note on a commenter (what to know next time), append-only."""

    __tablename__ = "moderation_person_notes"
    __table_args__ = (Index("ix_moderation_person_notes_person", "platform", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    noted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Claim(Base):
    """Who works a case now (claimed, or assigned by a colleague). Head row, audited."""

    __tablename__ = "moderation_claims"

    case_id: Mapped[int] = mapped_column(ForeignKey("moderation_cases.id"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Viewer(Base):
    """Who looked at a case lately (presence, not evidence)."""

    __tablename__ = "moderation_viewers"

    case_id: Mapped[int] = mapped_column(ForeignKey("moderation_cases.id"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SavedReply(Base):
    """A saved explanation for warnings, kept by the PIO office."""

    __tablename__ = "moderation_saved_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    created_by_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Every row above that records what someone decided or said is evidence: each change to one is
# sealed into the audit chain and `piodesk audit verify` checks it (core/evidence.py). The
# intake mark and case categories are indexes derived from these rows, not evidence.
evidence.register(Screening, "screening")
evidence.register(Case, "case")
evidence.register(Decision, "decision")
evidence.register(Consultation, "consultation")
evidence.register(Advice, "advice")
evidence.register(Warning_, "warning")
evidence.register(Block, "block")
evidence.register(Report, "report")
evidence.register(ResponseRequest, "response request")
evidence.register(Answer, "answer")
evidence.register(Proposal, "held decision", target="proposal")
evidence.register(Concurrence, "concurrence")
evidence.register(Reopening, "reopening")
evidence.register(Notice, "block notice", target="notice")
evidence.register(Appeal, "appeal")
evidence.register(AppealDecision, "appeal decision")
evidence.register(PersonNote, "person note")
