"""The reports' roll-ups: derived data, rebuilt at will, never evidence.

The transparency report's monthly roll-ups:
``report_rollup_rows`` holds one transparency row per closed month, page and category, as
``oversight/reports.py`` computes it; ``report_rollup_months`` says which months are rolled up,
their all-pages median, and the high-water marks of the tables read when they were made (see
``oversight/rollups.py`` for how a month found stale is computed live instead).

The consistency report's: one row per decided case (``report_consistency_cases``) and per
distinct text decided on (``report_consistency_texts``), current as of the marks in
``report_consistency_marks`` (see ``oversight/consistency_rollups.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from piodesk.core.db import Base, JSONType, UTCDateTime


class RollupRow(Base):
    """One month, page and category of the transparency report (counts as of the roll-up)."""

    __tablename__ = "report_rollup_rows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    page_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    category: Mapped[str] = mapped_column(String(30))
    captured: Mapped[int | None] = mapped_column(Integer, nullable=True)
    flagged: Mapped[int] = mapped_column(Integer)
    kept: Mapped[int] = mapped_column(Integer)
    hidden: Mapped[int] = mapped_column(Integer)
    removed: Mapped[int] = mapped_column(Integer)
    restored: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[int] = mapped_column(Integer)
    blocks: Mapped[int] = mapped_column(Integer)
    decided: Mapped[int] = mapped_column(Integer)
    median_hours_to_decision: Mapped[float | None] = mapped_column(Float, nullable=True)
    acted_without_finding: Mapped[int] = mapped_column(Integer)
    acted_against_finding: Mapped[int] = mapped_column(Integer)


class RollupMonth(Base):
    """A rolled-up month: its all-pages median and what the tables held when it was made."""

    __tablename__ = "report_rollup_months"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    median_hours_to_decision: Mapped[float | None] = mapped_column(Float, nullable=True)
    marks: Mapped[dict[str, Any]] = mapped_column(JSONType)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


# ---- the consistency report's roll-ups (``oversight/consistency_rollups.py``) ---------------


class ConsistencyText(Base):
    """A distinct normalized text some decided case was decided on: its word-bigram hashes
    (each once, sorted; uint64 little-endian) and its LSH band keys at the default threshold."""

    __tablename__ = "report_consistency_texts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the normalized text
    shingles: Mapped[bytes] = mapped_column(LargeBinary)
    bands: Mapped[bytes] = mapped_column(LargeBinary)


class ConsistencyCase(Base):
    """A decided case as the consistency report compares it (as of the roll-up's marks)."""

    __tablename__ = "report_consistency_cases"

    case_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    decided_us: Mapped[int] = mapped_column(BigInteger, index=True)  # µs since 1970, UTC
    page_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    outcome: Mapped[str] = mapped_column(String(10))
    text_id: Mapped[int] = mapped_column(Integer, index=True)


class ConsistencyMarks(Base):
    """What the tables held when the consistency roll-up was last brought up to date."""

    __tablename__ = "report_consistency_marks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    marks: Mapped[dict[str, Any]] = mapped_column(JSONType)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
