"""Page administrators (§.04): the chief's page and the JSON API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from piodesk.core.errors import DomainError, InvalidInput, NotFound
from piodesk.core.permissions import Actor, Perm, require
from piodesk.pages.tables import Page
from piodesk.people.tables import Account
from piodesk.program import admins
from piodesk.program.routes.common import (
    field_errors,
    int_or_none,
    view,
)
from piodesk.web.context import authenticate, check_csrf, ctx, current_actor

router = APIRouter(include_in_schema=False)
api = APIRouter()  # mounted under /api/v1 by the package


def _admins_page(
    request: Request, page_id: int, *, errors: dict[str, str] | None = None, status: int = 200
) -> HTMLResponse:
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        page = session.get(Page, page_id)
        if page is None:
            raise NotFound(f"no page {page_id}")
        people = list(
            session.execute(
                select(Account).where(Account.active.is_(True)).order_by(Account.display_name)
            ).scalars()
        )
        return view(
            request,
            "program/page_admins.html",
            {
                "page": page,
                "admins": admins.administrators(session, page_id),
                "people": people,
                "errors": errors or {},
                "may_assign": actor.can(Perm.PAGE_ADMINISTRATORS),
            },
            status=status,
        )


@router.get("/pages/{page_id}/administrators", response_class=HTMLResponse)
def page_admins_page(request: Request, page_id: int) -> HTMLResponse:
    """Who administers a page and from which unit; the chief assigns them."""
    actor = authenticate(request).actor
    if not actor.can(Perm.PAGE_ADMINISTRATORS):
        require(actor, Perm.PAGE_VIEW)
    return _admins_page(request, page_id)


@router.post("/pages/{page_id}/administrators/{what}", dependencies=[Depends(check_csrf)])
async def page_admins_action(request: Request, page_id: int, what: str) -> Response:
    """The chief sets the unit, assigns or removes a person."""
    actor = authenticate(request).actor
    form = await request.form()
    try:
        with ctx(request).tx() as session:
            if what == "unit":
                admins.set_unit(session, page_id, actor=actor, unit=str(form.get("unit", "")))
            elif what == "assign":
                admins.assign(
                    session,
                    page_id,
                    actor=actor,
                    account_id=int_or_none(form.get("account", "")) or 0,
                )
            elif what == "remove":
                admins.remove(
                    session,
                    page_id,
                    actor=actor,
                    account_id=int_or_none(form.get("account", "")) or 0,
                    reason=str(form.get("reason", "")) or "removed by the chief",
                )
            else:
                raise InvalidInput(f"unknown action '{what[:20]}'")
    except DomainError as exc:
        default = "unit" if what == "unit" else "account"
        return _admins_page(
            request, page_id, errors=field_errors(exc, default), status=exc.status_code
        )
    return RedirectResponse(f"/pages/{page_id}/administrators", status_code=303)


class UnitIn(BaseModel):
    """A page's administering unit."""

    model_config = ConfigDict(extra="forbid")
    unit: str = Field(max_length=200)


@api.put("/pages/{page_id}/unit")
def api_page_unit(
    request: Request, page_id: int, body: UnitIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """The chief sets the unit that administers the page (§.04)."""
    with ctx(request).tx() as session:
        page = admins.set_unit(session, page_id, actor=actor, unit=body.unit)
        return {"id": page.id, "administering_unit": page.administering_unit}


class AdminIn(BaseModel):
    """A person to administer a page."""

    model_config = ConfigDict(extra="forbid")
    account_id: int


@api.post("/pages/{page_id}/administrators", status_code=201)
def api_page_admin_assign(
    request: Request, page_id: int, body: AdminIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """The chief names a person who administers the page (§.04)."""
    with ctx(request).tx() as session:
        row = admins.assign(session, page_id, actor=actor, account_id=body.account_id)
        return {"page_id": row.page_id, "account_id": row.account_id}


@api.get("/pages/{page_id}/administrators")
def api_page_admins(
    request: Request, page_id: int, actor: Actor = Depends(current_actor)
) -> list[dict[str, Any]]:
    """Who administers the page."""
    require(actor, Perm.PAGE_VIEW)
    with ctx(request).read() as session:
        return [
            {"account_id": acc.id, "name": acc.display_name, "unit": acc.unit}
            for _row, acc in admins.administrators(session, page_id)
        ]


@api.delete("/pages/{page_id}/administrators/{account_id}", status_code=204)
def api_page_admin_remove(
    request: Request,
    page_id: int,
    account_id: int,
    reason: str = "removed by the chief",
    actor: Actor = Depends(current_actor),
) -> Response:
    """The chief removes a person from the page's administrators."""
    with ctx(request).tx() as session:
        admins.remove(session, page_id, actor=actor, account_id=account_id, reason=reason[:500])
    return Response(status_code=204)
