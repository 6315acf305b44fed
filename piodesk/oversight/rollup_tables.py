"""The reports' roll-ups: derived data, rebuilt at will, never evidence.

The transparency report's monthly roll-ups:
``report_rollup_rows`` holds one transparency row per closed month, page and category, as
``oversight/reports.py`` computes it; ``report_rollup_months`` says which months are rolled up,
their all-pages median, and the high-water marks of the tables read when they were made (see
``oversight/rollups.py`` for how a month found stale is computed live instead).

The consistency report's: one row per month of decided cases (``report_consistency_months``),
current as of the marks in ``report_consistency_marks`` (see ``oversight/consistency_rollups.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, Integer, LargeBinary, String
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


class ConsistencyMonth(Base):
    """The cases decided in one month (UTC) as the consistency report compares them, and the
    distinct normalized texts they were decided on, as packed arrays (little-endian): per
    case its id, page (-1: none), outcome code, decision time (µs since 1970) and text; per
    text a 16-byte digest, its word-bigram hashes (each once, sorted) and LSH band keys."""

    __tablename__ = "report_consistency_months"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    cases: Mapped[int] = mapped_column(Integer)
    case_ids: Mapped[bytes] = mapped_column(LargeBinary)
    pages: Mapped[bytes] = mapped_column(LargeBinary)
    outcomes: Mapped[bytes] = mapped_column(LargeBinary)
    decided: Mapped[bytes] = mapped_column(LargeBinary)
    texts: Mapped[bytes] = mapped_column(LargeBinary)  # each case's text, an index
    digests: Mapped[bytes] = mapped_column(LargeBinary)
    sizes: Mapped[bytes] = mapped_column(LargeBinary)  # shingles per text
    shingles: Mapped[bytes] = mapped_column(LargeBinary)
    bands: Mapped[bytes] = mapped_column(LargeBinary)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ConsistencyMarks(Base):
    """What the tables held when the consistency roll-up was last brought up to date."""

    __tablename__ = "report_consistency_marks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    marks: Mapped[dict[str, Any]] = mapped_column(JSONType)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
