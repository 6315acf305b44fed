"""The page registry: pages, every version of their profile, and every §.10 check."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from piodesk.core import evidence
from piodesk.core.db import Base, JSONType, UTCDateTime


class Page(Base):
    """One department account on one platform, with its §.04 approval."""

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("platform", "handle"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    handle: Mapped[str] = mapped_column(String(200))  # account name or id on the platform
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500), default="")
    administering_unit: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20), index=True)
    registered_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    retired_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    profile_version: Mapped[int] = mapped_column(Integer, default=0)
    compliant: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # latest check


class PageProfileVersion(Base):
    """One version of a page's public profile. Never changed: an edit adds a version."""

    __tablename__ = "page_profile_versions"
    __table_args__ = (UniqueConstraint("page_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    about: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list[str]] = mapped_column(JSONType, default=list)
    contact_phone: Mapped[str] = mapped_column(String(60), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_address: Mapped[str] = mapped_column(String(300), default="")
    target_audience: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)


class ComplianceCheck(Base):
    """The §.10 report for one profile version, as it was computed."""

    __tablename__ = "page_compliance_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), index=True)
    profile_version: Mapped[int] = mapped_column(Integer)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    compliant: Mapped[bool] = mapped_column(Boolean)
    report: Mapped[dict[str, Any]] = mapped_column(JSONType)
    agency_name: Mapped[str] = mapped_column(String(200))  # the configuration it was checked with


class PageConnection(Base):
    """How piodesk reaches a page on its platform: settings, and credentials encrypted at rest."""

    __tablename__ = "page_connections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), unique=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType)  # non-secret: base URL, ids
    credential: Mapped[bytes] = mapped_column(LargeBinary)  # Fernet token; never shown back
    connected_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime)


# The registry is evidence of what the chief approved and when (§.04): every change to a page,
# its profile versions and its §.10 checks is sealed into the audit chain (core/evidence.py).
evidence.register(Page, "page")
evidence.register(PageProfileVersion, "page profile version")
evidence.register(ComplianceCheck, "compliance check")
