"""The dashboard, and the audit chain's verify in the JSON API (the log's pages: auditlog.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from piodesk.archive.model import ItemState
from piodesk.archive.tables import ArchiveHead, ArchiveItem
from piodesk.core import audit
from piodesk.core.permissions import Actor, Perm, require
from piodesk.moderation import queries as moderation_queries
from piodesk.moderation.routes import age_text
from piodesk.pages.model import PageState
from piodesk.pages.tables import Page
from piodesk.web.context import authenticate, ctx, current_actor, render

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["audit"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness for load balancers."""
    return {"status": "ok"}


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request) -> HTMLResponse:
    """The home page: what needs attention for the signed-in person's roles."""
    actor = authenticate(request).actor
    summary: dict[str, Any] = {}
    with ctx(request).read() as session:
        if actor.can(Perm.PAGE_VIEW):
            counts = dict(
                session.execute(select(Page.state, func.count()).group_by(Page.state)).all()
            )
            summary["pages"] = {s.value: counts.get(s.value, 0) for s in PageState}
            summary["noncompliant"] = (
                session.execute(
                    select(Page)
                    .where(Page.compliant.is_(False), Page.state != PageState.RETIRED.value)
                    .order_by(Page.name)
                )
                .scalars()
                .all()
            )
            summary["awaiting"] = (
                session.execute(
                    select(Page).where(Page.state == PageState.PENDING.value).order_by(Page.name)
                )
                .scalars()
                .all()
            )
        if actor.can(Perm.ARCHIVE_VIEW):
            states = dict(
                session.execute(
                    select(ArchiveItem.state, func.count()).group_by(ArchiveItem.state)
                ).all()
            )
            summary["archive"] = {
                "records": sum(states.values()),
                "versions": session.execute(select(func.max(ArchiveHead.last_seq))).scalar() or 0,
                "states": {s.value: states.get(s.value, 0) for s in ItemState},
                "last_capture": session.execute(
                    select(func.max(ArchiveItem.first_captured_at))
                ).scalar(),
            }
        if actor.can(Perm.MODERATION_VIEW):
            count, oldest = moderation_queries.oldest_open(session, actor=actor)
            summary["moderation"] = {
                "open": count,
                "oldest": age_text(oldest) if oldest else None,
                **moderation_queries.dashboard_counts(session, actor=actor),
            }
        if actor.can(Perm.MODERATION_ADVISE):
            summary["counsel_waiting"] = len(
                moderation_queries.consultations_for_counsel(session, actor=actor)
            )
        if actor.can(Perm.REPORT_FILE):
            summary["my_reports"] = moderation_queries.my_reports(session, actor=actor)[:5]
    return render(request, "dashboard.html", summary)


@api.get("/audit/verify")
def api_audit_verify(request: Request, actor: Actor = Depends(current_actor)) -> dict[str, Any]:
    """Recompute the audit chain and report the first event that does not match."""
    require(actor, Perm.AUDIT_VIEW)
    with ctx(request).read() as session:
        result = audit.verify(session)
    return {
        "ok": result.ok,
        "events_checked": result.events_checked,
        "first_bad_seq": result.first_bad_seq,
        "problem": result.problem,
    }
