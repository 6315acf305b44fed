"""Storage of the progress of long records work (imports, productions, disposition runs).

A row says how far one piece of background work is, so that its progress view outlives the
process that runs it (a restart, a deploy) and is read by every web process alike. It is not
a record of the archive: what the work did is in the archive, the import runs, the
certificates and the audit log, each written by the work itself. The row's head (counts,
outcome, heartbeat) changes in place as the work goes on, as a delivery's head does; nothing
here is ever the only trace of anything.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from piodesk.core.db import Base, UTCDateTime


class BackgroundJob(Base):
    """One piece of background work: who started it, how far it is, how it ended."""

    __tablename__ = "records_jobs"
    __table_args__ = (Index("ix_records_jobs_owner_kind", "owner_id", "kind"),)

    token: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(20))  # import | production | disposition
    label: Mapped[str] = mapped_column(String(300))
    ref: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the row it works on
    key: Mapped[str] = mapped_column(String(100), default="")  # e.g. an export's SHA-256
    unit: Mapped[str] = mapped_column(String(20), default="records")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    finished: Mapped[bool] = mapped_column(Boolean, default=False)
    runner: Mapped[str] = mapped_column(String(40))  # the process that runs it
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the heartbeat
