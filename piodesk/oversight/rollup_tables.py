"""The transparency report's monthly roll-ups: derived data, rebuilt at will, never evidence.

``report_rollup_rows`` holds one transparency row per closed month, page and category, as
``oversight/reports.py`` computes it; ``report_rollup_months`` says which months are rolled up,
their all-pages median, and the high-water marks of the tables read when they were made (see
``oversight/rollups.py`` for how a month found stale is computed live instead).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, Integer, String
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
