"""Access authorizations (§.12): the register, the report, the forms and the JSON API."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from piodesk.core import clock
from piodesk.core.errors import DomainError, InvalidInput
from piodesk.core.permissions import Actor, Perm
from piodesk.pages.tables import Page
from piodesk.people.tables import Account
from piodesk.program import authorizations
from piodesk.program.model import (
    FieldErrors,
)
from piodesk.program.routes.common import (
    field_errors,
    int_or_none,
    names_by_id,
    view,
)
from piodesk.program.tables import AccessAuthorization
from piodesk.web.context import authenticate, check_csrf, ctx, current_actor

router = APIRouter(include_in_schema=False)
api = APIRouter()  # mounted under /api/v1 by the package


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise FieldErrors(
            {field: f"{field.replace('_', ' ')}: a date such as 2026-12-31"}
        ) from None


def _authorizations_page(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    actor = authenticate(request).actor
    day_text = request.query_params.get("day", "")[:10]
    try:
        day = date.fromisoformat(day_text) if day_text else clock.now().date()
    except ValueError:
        day = clock.now().date()
    with ctx(request).read() as session:
        register = authorizations.list_authorizations(session, actor=actor)
        report = (
            authorizations.authorized_on(session, actor=actor, day=day)
            if actor.can(Perm.AUTHORIZATION_VIEW)
            else []
        )
        people = (
            list(
                session.execute(
                    select(Account).where(Account.active.is_(True)).order_by(Account.display_name)
                ).scalars()
            )
            if actor.can(Perm.AUTHORIZATION_GRANT)
            else []
        )
        pages = dict(session.execute(select(Page.id, Page.name).order_by(Page.name)).all())
        return view(
            request,
            "program/authorizations.html",
            {
                "register": register,
                "report": report,
                "day": day,
                "today": clock.now().date(),
                "names": names_by_id(session),
                "people": people,
                "pages": pages,
                "errors": errors or {},
                "values": values or {"uses": []},
                "in_force": authorizations.in_force,
            },
            status=status,
        )


@router.get("/authorizations", response_class=HTMLResponse)
def authorizations_page(request: Request) -> HTMLResponse:
    """The register, the report of everyone authorized on a day, and the grant form."""
    return _authorizations_page(request)


@router.post("/authorizations", dependencies=[Depends(check_csrf)])
async def authorizations_grant(request: Request) -> Response:
    """Grant an authorization; refusals beside their fields, the form kept."""
    actor = authenticate(request).actor
    form = await request.form()
    keys = ("account", "device_class", "devices", "starts_on", "expires_on", "reason", "review")
    values: dict[str, Any] = {k: str(form.get(k, "")) for k in keys}
    values["uses"] = [str(u) for u in form.getlist("uses")]
    values["page_ids"] = [int(str(p)) for p in form.getlist("page_ids") if str(p).isdigit()]
    try:
        errs: dict[str, str] = {}
        starts = expires = clock.now().date()
        for name in ("starts_on", "expires_on"):
            try:
                parsed = _date(values[name], name)
                starts, expires = (parsed, expires) if name == "starts_on" else (starts, parsed)
            except FieldErrors as exc:
                errs.update(exc.fields)
        if errs:
            raise FieldErrors(errs)
        with ctx(request).tx() as session:
            authorizations.grant(
                session,
                actor=actor,
                account_id=int_or_none(values["account"]) or 0,
                device_class=values["device_class"],
                devices=values["devices"],
                uses=values["uses"],
                starts_on=starts,
                expires_on=expires,
                page_ids=values["page_ids"],
                review_every_days=int_or_none(values["review"]) or 90,
                reason=values["reason"],
            )
    except DomainError as exc:
        return _authorizations_page(
            request, errors=field_errors(exc, "form"), values=values, status=exc.status_code
        )
    return RedirectResponse("/authorizations", status_code=303)


@router.post("/authorizations/{auth_id}/{what}", dependencies=[Depends(check_csrf)])
async def authorization_action(request: Request, auth_id: int, what: str) -> Response:
    """Review (still needed) or revoke an authorization."""
    actor = authenticate(request).actor
    form = await request.form()
    text = str(form.get("reason", ""))
    try:
        with ctx(request).tx() as session:
            if what == "review":
                authorizations.review(session, auth_id, actor=actor, note=text)
            elif what == "revoke":
                authorizations.revoke(session, auth_id, actor=actor, reason=text)
            else:
                raise InvalidInput(f"unknown action '{what[:20]}'")
    except DomainError as exc:
        message = (
            exc.fields.get("reason", exc.message) if isinstance(exc, FieldErrors) else exc.message
        )
        return _authorizations_page(
            request, errors={f"auth-{auth_id}": message}, status=exc.status_code
        )
    return RedirectResponse(f"/authorizations#auth-{auth_id}", status_code=303)


class AuthorizationIn(BaseModel):
    """An authorization to grant (§.12)."""

    model_config = ConfigDict(extra="forbid")
    account_id: int
    device_class: str = Field(max_length=30)
    devices: str = Field(max_length=2000)
    uses: list[str] = Field(max_length=10)
    starts_on: date
    expires_on: date
    page_ids: list[int] = Field(default_factory=list, max_length=1000)
    review_every_days: int = 90
    reason: str = Field(max_length=2000)


def authorization_out(a: AccessAuthorization) -> dict[str, Any]:
    """The API view of an authorization."""
    return {
        "id": a.id,
        "account_id": a.account_id,
        "device_class": a.device_class,
        "devices": a.devices,
        "uses": list(a.uses),
        "page_ids": list(a.page_ids),
        "starts_on": a.starts_on.isoformat(),
        "expires_on": a.expires_on.isoformat(),
        "review_due_on": a.review_due_on.isoformat(),
        "state": a.state,
        "granted_by": a.granted_by_name,
    }


@api.post("/authorizations", status_code=201)
def api_grant(
    request: Request, body: AuthorizationIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Grant an authorization."""
    with ctx(request).tx() as session:
        return authorization_out(authorizations.grant(session, actor=actor, **body.model_dump()))


@api.get("/authorizations")
def api_authorizations(
    request: Request, actor: Actor = Depends(current_actor)
) -> list[dict[str, Any]]:
    """The register (or your own authorizations)."""
    with ctx(request).read() as session:
        return [
            authorization_out(a) for a in authorizations.list_authorizations(session, actor=actor)
        ]


@api.get("/authorizations/report")
def api_authorized_on(
    request: Request, day: date | None = None, actor: Actor = Depends(current_actor)
) -> list[dict[str, Any]]:
    """Everyone authorized on ``day`` (today by default)."""
    with ctx(request).read() as session:
        return [
            {"account": a.display_name, **authorization_out(r)}
            for a, r in authorizations.authorized_on(session, actor=actor, day=day)
        ]


class ReasonIn(BaseModel):
    """A note or reason."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(default="", max_length=2000)


@api.post("/authorizations/{auth_id}/{what}")
def api_authorization_action(
    request: Request,
    auth_id: int,
    what: str,
    body: ReasonIn,
    actor: Actor = Depends(current_actor),
) -> dict[str, Any]:
    """``review`` (still needed) or ``revoke`` an authorization."""
    with ctx(request).tx() as session:
        if what == "review":
            row = authorizations.review(session, auth_id, actor=actor, note=body.reason)
        elif what == "revoke":
            row = authorizations.revoke(session, auth_id, actor=actor, reason=body.reason)
        else:
            raise InvalidInput(f"unknown action '{what[:20]}'")
        return authorization_out(row)
