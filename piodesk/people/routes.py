"""Sign-in, sign-out, account management pages and the accounts API."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from piodesk.core.errors import AuthenticationFailed, DomainError
from piodesk.core.permissions import Actor, Role
from piodesk.people import actions, admin_pages, tokens
from piodesk.people.model import LockoutPolicy
from piodesk.people.tables import Account, ApiToken, RoleGrant
from piodesk.program.authorizations import DeviceCheck, check_sign_in
from piodesk.program.routes import program_settings
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
router.include_router(admin_pages.router)  # the administrator's account screens


def _safe_next(target: str) -> str:
    # Only same-site paths: an open redirect after sign-in is a phishing tool.
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _source(request: Request) -> str:
    # The peer address as the server sees it (behind a proxy, run uvicorn with
    # --proxy-headers so this is the client's address, not the proxy's).
    return request.client.host if request.client else ""


def _approver(request: Request) -> Role:
    return Role(ctx(request).settings.role_approver)


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
    device: DeviceCheck | None = None
    # Read, then hash with no transaction open (argon2 takes ~50 ms of CPU; under SQLite a
    # write transaction would hold the database's one write lock all that time), then record.
    with app.read() as session:
        attempt = actions.begin_sign_in(session, username, source=_source(request))
    verdict = attempt.check(password)
    # The transaction commits on failure too: the failed-attempt count and any lock-out must stick.
    with app.tx() as session:
        try:
            account = actions.finish_sign_in(session, attempt, verdict, password, policy=policy)
        except AuthenticationFailed as exc:
            failure = exc
        else:
            # §.12: a sign-in to publishing or moderation from an unauthorized device class is
            # recorded (and refused when the agency says so); the event commits either way.
            device = check_sign_in(
                session, account, source=_source(request), settings=program_settings(request)
            )
            if device is None or not device.refused:
                token, _csrf = actions.start_session(
                    session, account, hours=app.settings.session_hours
                )
    if failure is not None:
        return _login_page(request, failure.message, status=401, nxt=_safe_next(next))
    if device is not None and device.refused:
        return _login_page(request, device.message, status=403, nxt=_safe_next(next))
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
    return admin_pages.accounts_list(request)


@router.post("/accounts", dependencies=[Depends(check_csrf)])
async def accounts_create(request: Request) -> Response:
    """An administrator adds an account from the form; a refusal is shown beside its field."""
    actor = authenticate(request).actor
    form = await request.form()
    roles = [str(r) for r in form.getlist("roles")]
    values = {k: str(form.get(k, "")) for k in ("username", "display_name", "unit", "email")}
    values["reason"] = str(form.get("reason", ""))
    scope = [int(str(p)) for p in form.getlist("page_scope") if str(p).isdigit()]
    try:
        with ctx(request).tx() as session:
            account = actions.create_account(
                session,
                actor=actor,
                username=values["username"],
                display_name=values["display_name"],
                password=str(form.get("password", "")) or None,
                roles=roles,
                unit=values["unit"],
                email=values["email"],
                page_scope=scope,
                reason=values["reason"],
            )
            account_id = account.id
    except DomainError as exc:
        return admin_pages.accounts_list(
            request,
            errors={admin_pages.field_of(exc.message): exc.message},
            values={**values, "roles": roles, "page_scope": scope},
            status=exc.status_code,
        )
    return RedirectResponse(f"/accounts/{account_id}", status_code=303)


@router.post("/accounts/{account_id}/active", dependencies=[Depends(check_csrf)])
async def accounts_set_active(request: Request, account_id: int) -> Response:
    """Deactivate or reactivate an account, with a reason."""
    actor = authenticate(request).actor
    form = await request.form()
    try:
        with ctx(request).tx() as session:
            actions.set_active(
                session,
                account_id,
                actor=actor,
                active=form.get("active") == "1",
                reason=str(form.get("reason", "")),
            )
    except DomainError as exc:
        return admin_pages.detail(
            request, account_id, errors={"active": exc.message}, status=exc.status_code
        )
    return RedirectResponse(f"/accounts/{account_id}", status_code=303)


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
    pending_grant: int | None = None  # a grant of sensitive roles waiting for the approver


def account_out(a: Account, pending: RoleGrant | None = None) -> AccountOut:
    """The API view of an account."""
    return AccountOut(
        id=a.id,
        username=a.username,
        display_name=a.display_name,
        unit=a.unit,
        roles=[r.role for r in a.roles],
        page_scope=[s.page_id for s in a.page_scopes],
        active=a.active,
        pending_grant=pending.id if pending else None,
    )


class AccountIn(BaseModel):
    """A new account."""

    model_config = ConfigDict(extra="forbid")
    username: str = Field(max_length=40)
    display_name: str = Field(max_length=120)
    # Left out for sensitive roles: the owner sets it through the approver's one-time link.
    password: str | None = Field(default=None, max_length=256)
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
        return account_out(account, actions.pending_grant(session, account.id))


@api.put("/accounts/{account_id}/roles", response_model=AccountOut)
def api_account_roles(
    request: Request, account_id: int, body: RolesIn, actor: Actor = Depends(current_actor)
) -> AccountOut:
    """Change an account's roles (administrators)."""
    with ctx(request).tx() as session:
        account = actions.set_roles(session, account_id, actor=actor, **body.model_dump())
        return account_out(account, actions.pending_grant(session, account.id))


# ---- role grants (a second person approves sensitive roles) ---------------------------------


class GrantOut(BaseModel):
    """A grant of sensitive roles and where it stands."""

    id: int
    account_id: int
    roles: list[str]
    page_scope: list[int]
    state: str
    reason: str
    proposed_by: str
    decided_by: str
    decision_reason: str


def grant_out(g: RoleGrant) -> GrantOut:
    """The API view of a role grant."""
    return GrantOut(
        id=g.id,
        account_id=g.account_id,
        roles=list(g.roles),
        page_scope=list(g.page_scope),
        state=g.state,
        reason=g.reason,
        proposed_by=g.proposed_by_name,
        decided_by=g.decided_by_name,
        decision_reason=g.decision_reason,
    )


class DecisionIn(BaseModel):
    """The approver's reason (required to decline)."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(default="", max_length=500)


@api.get("/role-grants", response_model=list[GrantOut])
def api_grants(
    request: Request, state: str = "pending", actor: Actor = Depends(current_actor)
) -> list[GrantOut]:
    """Role grants (pending by default; ``state=`` approved, declined or all)."""
    with ctx(request).read() as session:
        rows = actions.list_grants(
            session,
            actor=actor,
            state=None if state == "all" else state[:20],
            approver=_approver(request),
        )
        return [grant_out(g) for g in rows]


@api.post("/role-grants/{grant_id}/approve")
def api_grant_approve(
    request: Request, grant_id: int, body: DecisionIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """The approver approves a grant; the owner's one-time password link comes back once."""
    with ctx(request).tx() as session:
        grant, link = actions.approve_grant(
            session,
            grant_id,
            actor=actor,
            reason=body.reason,
            approver=_approver(request),
            link_hours=ctx(request).settings.password_link_hours,
        )
        out: dict[str, Any] = grant_out(grant).model_dump()
    out["password_link"] = f"/password?token={link}" if link else None
    return out


@api.post("/role-grants/{grant_id}/decline", response_model=GrantOut)
def api_grant_decline(
    request: Request, grant_id: int, body: DecisionIn, actor: Actor = Depends(current_actor)
) -> GrantOut:
    """The approver declines a grant, with a reason."""
    with ctx(request).tx() as session:
        grant = actions.decline_grant(
            session, grant_id, actor=actor, reason=body.reason, approver=_approver(request)
        )
        return grant_out(grant)


# ---- sign-in waits, passwords, tokens --------------------------------------------------------


class ReasonIn(BaseModel):
    """Why an administrator does this."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500)


@api.post("/accounts/{account_id}/unlock")
def api_unlock(
    request: Request, account_id: int, body: ReasonIn, actor: Actor = Depends(current_actor)
) -> dict[str, int]:
    """Clear every sign-in wait on an account (administrators; audited)."""
    with ctx(request).tx() as session:
        return {"cleared": actions.unlock(session, account_id, actor=actor, reason=body.reason)}


@api.post("/accounts/{account_id}/password-link", status_code=201)
def api_password_link(
    request: Request, account_id: int, body: ReasonIn, actor: Actor = Depends(current_actor)
) -> dict[str, str]:
    """Start a password reset: a one-time link for the account's owner (shown once)."""
    settings = ctx(request).settings
    with ctx(request).tx() as session:
        token = actions.issue_password_link(
            session,
            account_id,
            actor=actor,
            reason=body.reason,
            hours=settings.password_link_hours,
            approver=_approver(request),
        )
    return {"password_link": f"/password?token={token}"}


class PasswordIn(BaseModel):
    """A password change: the current password proves it is the owner."""

    model_config = ConfigDict(extra="forbid")
    current: str = Field(max_length=256)
    new: str = Field(max_length=256)


@api.post("/me/password", status_code=204)
def api_change_password(
    request: Request, body: PasswordIn, actor: Actor = Depends(current_actor)
) -> Response:
    """Change your own password (other sessions end)."""
    with ctx(request).tx() as session:
        actions.change_password(
            session,
            actor=actor,
            current=body.current,
            new=body.new,
            keep_session=request.cookies.get(SESSION_COOKIE),
        )
    return Response(status_code=204)


class TokenIn(BaseModel):
    """A new API token for yourself."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=80)
    days: int = Field(default=90)
    scopes: list[str] = Field(default_factory=lambda: ["read"], max_length=4)


class TokenOut(BaseModel):
    """A token as lists show it (never the secret)."""

    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: str
    expires_at: str | None
    revoked: bool


def token_out(t: ApiToken) -> TokenOut:
    """The API view of a token."""
    return TokenOut(
        id=t.id,
        name=t.name,
        prefix=t.prefix,
        scopes=t.scopes.split(),
        created_at=t.created_at.isoformat(),
        expires_at=t.expires_at.isoformat() if t.expires_at else None,
        revoked=t.revoked,
    )


@api.get("/tokens", response_model=list[TokenOut])
def api_tokens(
    request: Request, account_id: int | None = None, actor: Actor = Depends(current_actor)
) -> list[TokenOut]:
    """Your tokens (administrators: ``account_id=`` for someone else's)."""
    with ctx(request).read() as session:
        rows = tokens.list_tokens(session, actor=actor, account_id=account_id)
        return [token_out(t) for t in rows]


@api.post("/tokens", status_code=201)
def api_token_create(
    request: Request, body: TokenIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Create a token for yourself; the secret is in this answer only."""
    with ctx(request).tx() as session:
        row, secret = tokens.issue_api_token(
            session,
            actor=actor,
            name=body.name,
            days=body.days,
            scopes=body.scopes,
            max_days=ctx(request).settings.token_max_days,
        )
        return {**token_out(row).model_dump(), "secret": secret}


@api.delete("/tokens/{token_id}", response_model=TokenOut)
def api_token_revoke(
    request: Request, token_id: int, actor: Actor = Depends(current_actor)
) -> TokenOut:
    """Revoke one token (yours, or anyone's as an administrator)."""
    with ctx(request).tx() as session:
        return token_out(tokens.revoke_token(session, token_id, actor=actor))


# ---- the one-time password link page ---------------------------------------------------------


def _password_page(
    request: Request, token: str, *, error: str = "", done: bool = False, status: int = 200
) -> Response:
    csrf = new_login_csrf()
    response = render(
        request,
        "password.html",
        {"token": token, "error": error, "done": done, "login_csrf": csrf},
        status=status,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        csrf,
        httponly=True,
        samesite="strict",
        secure=ctx(request).settings.cookie_secure,
    )
    return response


@router.get("/password", response_class=HTMLResponse)
def password_form(request: Request, token: str = "") -> Response:
    """The page a one-time link opens: choose a new password."""
    return _password_page(request, token[:200])


@router.post("/password")
def password_set(
    request: Request,
    token: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Set the password with the link's token (it works once)."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        raise CsrfFailed("the form expired; open the link again")
    try:
        with ctx(request).tx() as session:
            actions.use_password_link(session, token, password)
    except DomainError as exc:
        return _password_page(request, token, error=exc.message, status=exc.status_code)
    return _password_page(request, "", done=True)


# ---- your account: password change and your tokens -------------------------------------------


def _account_page(
    request: Request, *, errors: dict[str, str] | None = None, changed: bool = False
) -> HTMLResponse:
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        mine = tokens.list_tokens(session, actor=actor) if actor.account_id else []
    return render(
        request,
        "account.html",
        {"tokens": mine, "errors": errors or {}, "changed": changed},
        status=422 if errors else 200,
    )


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request) -> HTMLResponse:
    """Your account: change your password, see and revoke your API tokens."""
    return _account_page(request)


@router.post("/account/password", dependencies=[Depends(check_csrf)])
async def account_password(request: Request) -> Response:
    """Change your password from the form; a wrong current one is shown beside its field."""
    actor = authenticate(request).actor
    form = await request.form()
    try:
        with ctx(request).tx() as session:
            actions.change_password(
                session,
                actor=actor,
                current=str(form.get("current", "")),
                new=str(form.get("new", "")),
                keep_session=request.cookies.get(SESSION_COOKIE),
            )
    except AuthenticationFailed as exc:
        return _account_page(request, errors={"current": exc.message})
    except DomainError as exc:
        return _account_page(request, errors={"new": exc.message})
    return _account_page(request, changed=True)


@router.post("/account/tokens/{token_id}/revoke", dependencies=[Depends(check_csrf)])
def account_token_revoke(request: Request, token_id: int) -> Response:
    """Revoke one of your tokens."""
    actor = authenticate(request).actor
    with ctx(request).tx() as session:
        tokens.revoke_token(session, token_id, actor=actor, reason="revoked on the account page")
    return RedirectResponse(f"/account#token-{token_id}", status_code=303)
