"""The program's pages and JSON API: memos, the investigative log, authorizations,
notifications and page administrators. Thin: parse, call one action, render."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from piodesk.core import clock
from piodesk.core.errors import DomainError, InvalidInput, NotFound
from piodesk.core.permissions import Actor, Perm, require
from piodesk.pages.tables import Page
from piodesk.people.tables import Account
from piodesk.program import admins, authorizations, investigations, memos, notifications
from piodesk.program.config import ProgramSettings
from piodesk.program.jobs import program_settings_of
from piodesk.program.model import (
    AUTH_STATE_LABELS,
    DEVICE_LABELS,
    MEMO_STATE_LABELS,
    PURPOSE_LABELS,
    REVIEW_LABELS,
    USE_LABELS,
    FieldErrors,
    MemoState,
    Purpose,
)
from piodesk.program.tables import AccessAuthorization, InvestigativeReview, InvestigativeUse, Memo
from piodesk.web.context import authenticate, check_csrf, ctx, current_actor, render

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["program"])

LABELS = {
    "purposes": PURPOSE_LABELS,
    "reviews": REVIEW_LABELS,
    "memo_states": MEMO_STATE_LABELS,
    "devices": DEVICE_LABELS,
    "uses": USE_LABELS,
    "auth_states": AUTH_STATE_LABELS,
}


def program_settings(request: Request) -> ProgramSettings:
    """The program's settings (``PIODESK_*``), read once per app; tests may set their own."""
    return program_settings_of(request.app)


def _errors(exc: DomainError, default: str) -> dict[str, str]:
    return exc.fields if isinstance(exc, FieldErrors) else {default: exc.message}


def _view(request: Request, template: str, data: dict[str, Any], status: int = 200) -> HTMLResponse:
    return render(request, template, {**LABELS, **data}, status=status)


def _names(session: Any) -> dict[int, str]:
    return dict(session.execute(select(Account.id, Account.display_name)).all())


# ---- suggestion memos (§.15) ------------------------------------------------------------------


def _memos_page(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        lists = memos.list_memos(session, actor=actor)
        sups = [a for a in memos.supervisors(session) if a.id != actor.account_id]
        return _view(
            request,
            "program/memos.html",
            {
                **lists,
                "supervisors": sups,
                "errors": errors or {},
                "values": values or {},
            },
            status=status,
        )


@router.get("/memos", response_class=HTMLResponse)
def memos_page(request: Request) -> HTMLResponse:
    """Your suggestion memos, the ones waiting for you, and the form to file one."""
    return _memos_page(request)


def _int_or_none(value: Any) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


@router.post("/memos", dependencies=[Depends(check_csrf)])
async def memos_file(request: Request) -> Response:
    """File a suggestion memo; refusals are shown beside their fields."""
    actor = authenticate(request).actor
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("title", "body", "supervisor")}
    try:
        with ctx(request).tx() as session:
            memo = memos.file_memo(
                session,
                actor=actor,
                title=values["title"],
                body=values["body"],
                supervisor_id=_int_or_none(values["supervisor"]),
                levels=program_settings(request).memo_levels,
            )
            memo_id = memo.id
    except DomainError as exc:
        return _memos_page(
            request, errors=_errors(exc, "form"), values=values, status=exc.status_code
        )
    return RedirectResponse(f"/memos/{memo_id}", status_code=303)


def _memo_page(
    request: Request,
    memo_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        memo = memos.get_memo(session, memo_id, actor=actor)
        return _view(
            request,
            "program/memo.html",
            {
                "memo": memo,
                "events": memos.history(session, memo.id),
                "mine_to_act": memos.waiting_for(session, memo, actor),
                "is_author": memo.author_id == actor.account_id,
                "errors": errors or {},
                "values": values or {},
                "open": memo.state in (MemoState.ROUTING.value, MemoState.RETURNED.value),
            },
            status=status,
        )


@router.get("/memos/{memo_id}", response_class=HTMLResponse)
def memo_page(request: Request, memo_id: int) -> HTMLResponse:
    """One memo: where it is on its route, what each step said."""
    return _memo_page(request, memo_id)


@router.post("/memos/{memo_id}/{what}", dependencies=[Depends(check_csrf)])
async def memo_action(request: Request, memo_id: int, what: str) -> Response:
    """Act at your step (approve, return, decline), or as author resubmit or withdraw."""
    actor = authenticate(request).actor
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("comment", "body", "action")}
    try:
        with ctx(request).tx() as session:
            if what == "act":
                memos.act(
                    session,
                    memo_id,
                    actor=actor,
                    action=values["action"],
                    comment=values["comment"],
                )
            elif what == "resubmit":
                memos.resubmit(
                    session, memo_id, actor=actor, body=values["body"], comment=values["comment"]
                )
            elif what == "withdraw":
                memos.withdraw(session, memo_id, actor=actor, reason=values["comment"])
            else:
                raise InvalidInput(f"unknown memo action '{what[:20]}'")
    except DomainError as exc:
        return _memo_page(
            request,
            memo_id,
            errors=_errors(exc, "comment"),
            values=values,
            status=exc.status_code,
        )
    return RedirectResponse(f"/memos/{memo_id}", status_code=303)


# ---- the investigative-use log (§.15) ---------------------------------------------------------


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
        return _view(
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
            request, errors=_errors(exc, "form"), values=values, status=exc.status_code
        )
    return RedirectResponse(f"/investigations/{use_id}", status_code=303)


def _use_page(
    request: Request, use_id: int, *, errors: dict[str, str] | None = None, status: int = 200
) -> HTMLResponse:
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        row = investigations.get_use(session, use_id, actor=actor)
        review = investigations.review_of(session, use_id)
        return _view(
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
        return _use_page(request, use_id, errors=_errors(exc, "comment"), status=exc.status_code)
    return RedirectResponse(f"/investigations/{use_id}", status_code=303)


# ---- access authorizations (§.12) -------------------------------------------------------------


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
        return _view(
            request,
            "program/authorizations.html",
            {
                "register": register,
                "report": report,
                "day": day,
                "today": clock.now().date(),
                "names": _names(session),
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
                account_id=_int_or_none(values["account"]) or 0,
                device_class=values["device_class"],
                devices=values["devices"],
                uses=values["uses"],
                starts_on=starts,
                expires_on=expires,
                page_ids=values["page_ids"],
                review_every_days=_int_or_none(values["review"]) or 90,
                reason=values["reason"],
            )
    except DomainError as exc:
        return _authorizations_page(
            request, errors=_errors(exc, "form"), values=values, status=exc.status_code
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


# ---- notifications ----------------------------------------------------------------------------


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(request: Request) -> HTMLResponse:
    """Your notifications, newest first."""
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        rows = notifications.list_notifications(session, actor=actor)
        return _view(request, "program/notifications.html", {"rows": rows})


@router.post("/notifications/{notification_id}/read", dependencies=[Depends(check_csrf)])
def notification_read(request: Request, notification_id: int) -> Response:
    """Mark one read and open what it is about."""
    actor = authenticate(request).actor
    with ctx(request).tx() as session:
        row = notifications.mark_read(session, notification_id, actor=actor)
        link = row.link or "/notifications"
    return RedirectResponse(link, status_code=303)


# ---- page administrators (§.04) ---------------------------------------------------------------


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
        return _view(
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
                    account_id=_int_or_none(form.get("account", "")) or 0,
                )
            elif what == "remove":
                admins.remove(
                    session,
                    page_id,
                    actor=actor,
                    account_id=_int_or_none(form.get("account", "")) or 0,
                    reason=str(form.get("reason", "")) or "removed by the chief",
                )
            else:
                raise InvalidInput(f"unknown action '{what[:20]}'")
    except DomainError as exc:
        default = "unit" if what == "unit" else "account"
        return _admins_page(request, page_id, errors=_errors(exc, default), status=exc.status_code)
    return RedirectResponse(f"/pages/{page_id}/administrators", status_code=303)


# ---- JSON API ---------------------------------------------------------------------------------


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


class MemoIn(BaseModel):
    """A suggestion memo to file."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(max_length=200)
    body: str = Field(max_length=20000)
    supervisor_id: int | None = None


def memo_out(m: Memo) -> dict[str, Any]:
    """The API view of a memo and where it is."""
    return {
        "id": m.id,
        "title": m.title,
        "author": m.author_name,
        "state": m.state,
        "step": m.step,
        "at": m.route[m.step]["label"],
        "route": [s["label"] for s in m.route],
    }


@api.post("/memos", status_code=201)
def api_file_memo(
    request: Request, body: MemoIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """File a suggestion memo (§.15); it goes to the supervisor named."""
    with ctx(request).tx() as session:
        memo = memos.file_memo(
            session, actor=actor, levels=program_settings(request).memo_levels, **body.model_dump()
        )
        return memo_out(memo)


@api.get("/memos")
def api_memos(request: Request, actor: Actor = Depends(current_actor)) -> dict[str, Any]:
    """Your memos, those waiting for you, and (for readers of all) every memo."""
    with ctx(request).read() as session:
        return {
            k: [memo_out(m) for m in v] for k, v in memos.list_memos(session, actor=actor).items()
        }


class MemoActIn(BaseModel):
    """What a step does (approve, return, decline) or an author's resubmission."""

    model_config = ConfigDict(extra="forbid")
    action: str = Field(default="", max_length=20)
    comment: str = Field(default="", max_length=5000)
    body: str = Field(default="", max_length=20000)


@api.post("/memos/{memo_id}/{what}")
def api_memo_action(
    request: Request,
    memo_id: int,
    what: str,
    body: MemoActIn,
    actor: Actor = Depends(current_actor),
) -> dict[str, Any]:
    """``act`` at your step, or as author ``resubmit`` / ``withdraw``."""
    with ctx(request).tx() as session:
        if what == "act":
            memo = memos.act(
                session, memo_id, actor=actor, action=body.action, comment=body.comment
            )
        elif what == "resubmit":
            memo = memos.resubmit(
                session, memo_id, actor=actor, body=body.body, comment=body.comment
            )
        elif what == "withdraw":
            memo = memos.withdraw(session, memo_id, actor=actor, reason=body.comment)
        else:
            raise InvalidInput(f"unknown memo action '{what[:20]}'")
        return memo_out(memo)


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


@api.get("/notifications")
def api_notifications(
    request: Request, actor: Actor = Depends(current_actor)
) -> list[dict[str, Any]]:
    """Your notifications, newest first."""
    with ctx(request).read() as session:
        return [
            {
                "id": n.id,
                "kind": n.kind,
                "subject": n.subject,
                "body": n.body,
                "link": n.link,
                "created_at": n.created_at.isoformat(),
                "read": n.read_at is not None,
            }
            for n in notifications.list_notifications(session, actor=actor)
        ]


@api.post("/notifications/{notification_id}/read", status_code=204)
def api_notification_read(
    request: Request, notification_id: int, actor: Actor = Depends(current_actor)
) -> Response:
    """Mark one of your notifications read."""
    with ctx(request).tx() as session:
        notifications.mark_read(session, notification_id, actor=actor)
    return Response(status_code=204)


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
