"""Sign-in, sign-out, account management pages and the accounts API."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from piodesk.core.errors import AuthenticationFailed
from piodesk.core.permissions import Actor, Role
from piodesk.people import actions
from piodesk.people.model import LockoutPolicy
from piodesk.people.tables import Account
from piodesk.web.context import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CsrfFailed,
    authenticate,
    check_csrf,
    ctx,
    current_actor,
    new_login_csrf,
    render,
)

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["accounts"])


def _safe_next(target: str) -> str:
    # Only same-site paths: an open redirect after sign-in is a phishing tool.
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _login_page(request: Request, error: str = "", status: int = 200, nxt: str = "/") -> Response:
    token = new_login_csrf()
    response = render(
        request, "login.html", {"error": error, "login_csrf": token, "next": nxt}, status=status
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=ctx(request).settings.cookie_secure,
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    """The sign-in page."""
    return _login_page(request, nxt=_safe_next(next))


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Check the password; on success start a session and go to the page asked for."""
    app = ctx(request)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        raise CsrfFailed("the sign-in form expired; please try again")
    policy = LockoutPolicy(app.settings.lockout_attempts, app.settings.lockout_minutes)
    failure: AuthenticationFailed | None = None
    # The transaction commits on failure too: the failed-attempt count and any lock-out must stick.
    with app.tx() as session:
        try:
            account = actions.authenticate(session, username, password, policy=policy)
        except AuthenticationFailed as exc:
            failure = exc
        else:
            token, _csrf = actions.start_session(session, account, hours=app.settings.session_hours)
    if failure is not None:
        return _login_page(request, failure.message, status=401, nxt=_safe_next(next))
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=app.settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=app.settings.cookie_secure,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request) -> Response:
    """End the session."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with ctx(request).tx() as session:
            actions.end_session(session, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/accounts", response_class=HTMLResponse)
def accounts_page(request: Request) -> HTMLResponse:
    """Everyone with an account, their roles and state."""
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        accounts = actions.list_accounts(session, actor=actor)
    return render(request, "accounts.html", {"accounts": accounts, "roles": list(Role)})


@router.post("/accounts", dependencies=[Depends(check_csrf)])
async def accounts_create(request: Request) -> Response:
    """An administrator adds an account from the form."""
    actor = authenticate(request).actor
    form = await request.form()
    roles = [str(r) for r in form.getlist("roles")]
    with ctx(request).tx() as session:
        account = actions.create_account(
            session,
            actor=actor,
            username=str(form.get("username", "")),
            display_name=str(form.get("display_name", "")),
            password=str(form.get("password", "")),
            roles=roles,
            unit=str(form.get("unit", "")),
            email=str(form.get("email", "")),
            reason=str(form.get("reason", "")),
        )
    return RedirectResponse(f"/accounts#account-{account.id}", status_code=303)


@router.post("/accounts/{account_id}/active", dependencies=[Depends(check_csrf)])
async def accounts_set_active(request: Request, account_id: int) -> Response:
    """Deactivate or reactivate an account, with a reason."""
    actor = authenticate(request).actor
    form = await request.form()
    with ctx(request).tx() as session:
        actions.set_active(
            session,
            account_id,
            actor=actor,
            active=form.get("active") == "1",
            reason=str(form.get("reason", "")),
        )
    return RedirectResponse("/accounts", status_code=303)


# ---- JSON API -------------------------------------------------------------------------------


class AccountOut(BaseModel):
    """An account as the API shows it (never the password hash)."""

    id: int
    username: str
    display_name: str
    unit: str
    roles: list[str]
    page_scope: list[int]
    active: bool


def account_out(a: Account) -> AccountOut:
    """The API view of an account."""
    return AccountOut(
        id=a.id,
        username=a.username,
        display_name=a.display_name,
        unit=a.unit,
        roles=[r.role for r in a.roles],
        page_scope=[s.page_id for s in a.page_scopes],
        active=a.active,
    )


class AccountIn(BaseModel):
    """A new account."""

    model_config = ConfigDict(extra="forbid")
    username: str = Field(max_length=40)
    display_name: str = Field(max_length=120)
    password: str = Field(max_length=256)
    roles: list[str] = Field(min_length=1, max_length=10)
    unit: str = Field(default="", max_length=120)
    email: str = Field(default="", max_length=254)
    page_scope: list[int] = Field(default_factory=list, max_length=1000)
    reason: str = Field(default="", max_length=500)


class RolesIn(BaseModel):
    """A change of roles."""

    model_config = ConfigDict(extra="forbid")
    roles: list[str] = Field(min_length=1, max_length=10)
    page_scope: list[int] = Field(default_factory=list, max_length=1000)
    reason: str = Field(min_length=1, max_length=500)


@api.get("/me")
def api_me(actor: Actor = Depends(current_actor)) -> dict[str, Any]:
    """Who the token belongs to."""
    return {"username": actor.username, "roles": sorted(actor.roles)}


@api.get("/accounts", response_model=list[AccountOut])
def api_accounts(request: Request, actor: Actor = Depends(current_actor)) -> list[AccountOut]:
    """List accounts."""
    with ctx(request).read() as session:
        return [account_out(a) for a in actions.list_accounts(session, actor=actor)]


@api.post("/accounts", response_model=AccountOut, status_code=201)
def api_account_create(
    request: Request, body: AccountIn, actor: Actor = Depends(current_actor)
) -> AccountOut:
    """Create an account (administrators)."""
    with ctx(request).tx() as session:
        account = actions.create_account(session, actor=actor, **body.model_dump())
        return account_out(account)


@api.put("/accounts/{account_id}/roles", response_model=AccountOut)
def api_account_roles(
    request: Request, account_id: int, body: RolesIn, actor: Actor = Depends(current_actor)
) -> AccountOut:
    """Change an account's roles (administrators)."""
    with ctx(request).tx() as session:
        account = actions.set_roles(session, account_id, actor=actor, **body.model_dump())
        return account_out(account)
