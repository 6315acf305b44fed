"""The investigative-use log (§.15): the pages and the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from piodesk.core import clock
from piodesk.core.errors import DomainError
from piodesk.core.permissions import Actor, Perm
from piodesk.program import investigations
from piodesk.program.model import (
    FieldErrors,
    Purpose,
)
from piodesk.program.routes.common import (
    field_errors,
    view,
)
from piodesk.program.tables import InvestigativeReview, InvestigativeUse
from piodesk.web.context import authenticate, check_csrf, ctx, current_actor

router = APIRouter(include_in_schema=False)
api = APIRouter()  # mounted under /api/v1 by the package


def _parse_when(value: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise FieldErrors({"used_at": "when: a date and time such as 2026-12-03T14:30"}) from None
    return clock.as_utc(parsed)


def _investigations_page(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    actor = authenticate(request).actor
    qp = request.query_params
    query = investigations.UseQuery(
        text=qp.get("q", "")[:200],
        case_number=qp.get("case", "")[:60],
        purpose=qp.get("purpose", "") if qp.get("purpose", "") in set(Purpose) else "",
        unreviewed=qp.get("unreviewed") == "1",
    )
    with ctx(request).read() as session:
        rows = investigations.search_uses(session, actor=actor, query=query)
        return view(
            request,
            "program/investigations.html",
            {
                "rows": rows,
                "query": query,
                "errors": errors or {},
                "values": values or {},
                "may_log": actor.can(Perm.INVESTIGATION_LOG),
            },
            status=status,
        )


@router.get("/investigations", response_class=HTMLResponse)
def investigations_page(request: Request) -> HTMLResponse:
    """Log an investigative use; search the log (custodian, supervisors, auditor)."""
    return _investigations_page(request)


@router.post("/investigations", dependencies=[Depends(check_csrf)])
async def investigations_log(request: Request) -> Response:
    """Log a use; refused without a purpose or case number, beside the field."""
    actor = authenticate(request).actor
    form = await request.form()
    keys = ("purpose", "purpose_detail", "case_number", "viewed", "evidence_kept", "used_at")
    values = {k: str(form.get(k, "")) for k in keys}
    try:
        when = _parse_when(values["used_at"])
        with ctx(request).tx() as session:
            row = investigations.log_use(
                session,
                actor=actor,
                purpose=values["purpose"],
                purpose_detail=values["purpose_detail"],
                case_number=values["case_number"],
                viewed=values["viewed"].splitlines(),
                evidence_kept=values["evidence_kept"],
                used_at=when,
            )
            use_id = row.id
    except DomainError as exc:
        return _investigations_page(
            request, errors=field_errors(exc, "form"), values=values, status=exc.status_code
        )
    return RedirectResponse(f"/investigations/{use_id}", status_code=303)


def _use_page(
    request: Request, use_id: int, *, errors: dict[str, str] | None = None, status: int = 200
) -> HTMLResponse:
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        row = investigations.get_use(session, use_id, actor=actor)
        review = investigations.review_of(session, use_id)
        return view(
            request,
            "program/investigation.html",
            {
                "use": row,
                "review": review,
                "may_review": actor.can(Perm.INVESTIGATION_REVIEW)
                and review is None
                and row.officer_id != actor.account_id,
                "errors": errors or {},
            },
            status=status,
        )


@router.get("/investigations/{use_id}", response_class=HTMLResponse)
def investigation_page(request: Request, use_id: int) -> HTMLResponse:
    """One logged use and its review."""
    return _use_page(request, use_id)


@router.post("/investigations/{use_id}/review", dependencies=[Depends(check_csrf)])
async def investigation_review(request: Request, use_id: int) -> Response:
    """A supervisor reviews the entry."""
    actor = authenticate(request).actor
    form = await request.form()
    try:
        with ctx(request).tx() as session:
            investigations.review_use(
                session,
                use_id,
                actor=actor,
                outcome=str(form.get("outcome", "")),
                comment=str(form.get("comment", "")),
            )
    except DomainError as exc:
        return _use_page(
            request, use_id, errors=field_errors(exc, "comment"), status=exc.status_code
        )
    return RedirectResponse(f"/investigations/{use_id}", status_code=303)


class UseIn(BaseModel):
    """An investigative use to log."""

    model_config = ConfigDict(extra="forbid")
    purpose: str = Field(max_length=40)
    case_number: str = Field(max_length=100)
    viewed: list[str] = Field(max_length=200)
    evidence_kept: str = Field(default="", max_length=5000)
    purpose_detail: str = Field(default="", max_length=2000)
    used_at: datetime | None = None


def use_out(u: InvestigativeUse, r: InvestigativeReview | None) -> dict[str, Any]:
    """The API view of a logged use."""
    return {
        "id": u.id,
        "purpose": u.purpose,
        "purpose_detail": u.purpose_detail,
        "case_number": u.case_number,
        "officer": u.officer_name,
        "used_at": u.used_at.isoformat(),
        "viewed": list(u.viewed),
        "evidence_kept": u.evidence_kept,
        "review": None if r is None else {"outcome": r.outcome, "by": r.reviewer_name},
    }


@api.post("/investigations", status_code=201)
def api_log_use(
    request: Request, body: UseIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Log an investigative use (§.15)."""
    with ctx(request).tx() as session:
        row = investigations.log_use(session, actor=actor, **body.model_dump())
        return use_out(row, None)


@api.get("/investigations")
def api_uses(
    request: Request,
    q: str = "",
    case: str = "",
    purpose: str = "",
    unreviewed: bool = False,
    actor: Actor = Depends(current_actor),
) -> list[dict[str, Any]]:
    """Search the log (every entry for its readers; your own otherwise)."""
    query = investigations.UseQuery(q[:200], case[:60], purpose[:40], unreviewed)
    with ctx(request).read() as session:
        return [
            use_out(u, r) for u, r in investigations.search_uses(session, actor=actor, query=query)
        ]


class ReviewIn(BaseModel):
    """A supervisor's review."""

    model_config = ConfigDict(extra="forbid")
    outcome: str = Field(max_length=20)
    comment: str = Field(default="", max_length=3000)


@api.post("/investigations/{use_id}/review", status_code=201)
def api_review_use(
    request: Request, use_id: int, body: ReviewIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Review a logged use (supervisors; never your own)."""
    with ctx(request).tx() as session:
        review = investigations.review_use(session, use_id, actor=actor, **body.model_dump())
        return {"id": review.id, "outcome": review.outcome, "by": review.reviewer_name}
