"""The administrator's account screens: everything the accounts API does, in the browser.

Create (errors beside the fields, typed text kept), deactivate and reactivate, change roles
and page scopes (sensitive roles wait for the approver's second look), unlock, start a password
reset, list and revoke a person's API tokens; the approver's list of waiting role grants.
Included by :mod:`piodesk.people.routes`; every action is the same service call the API makes.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.core.errors import DomainError
from piodesk.core.permissions import Actor, Perm, Role, require
from piodesk.pages.tables import Page
from piodesk.people import actions, tokens
from piodesk.people.lookup import get_account
from piodesk.people.model import SENSITIVE_ROLES
from piodesk.people.tables import RoleGrant
from piodesk.web.context import authenticate, check_csrf, ctx, render

router = APIRouter(include_in_schema=False)

#: Which form field a service's message is about (its messages start with the field's name).
_FIELDS = (
    ("username", "username"),
    ("display name", "display_name"),
    ("full name", "display_name"),
    ("email", "email"),
    ("unit", "unit"),
    ("password", "password"),
    ("an account with the role", "password"),
    ("unknown role", "roles"),
    ("an account needs", "roles"),
    ("reason", "reason"),
)


def field_of(message: str, default: str = "form") -> str:
    """The form field a refusal names (shown beside it), or ``default``."""
    low = message.lower()
    for prefix, name in _FIELDS:
        if low.startswith(prefix):
            return name
    return default


def _approver(request: Request) -> Role:
    return Role(ctx(request).settings.role_approver)


def _pages(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Page.id, Page.name).order_by(Page.name)).all())


def _grants_by_account(session: Session) -> dict[int, RoleGrant]:
    rows = session.execute(select(RoleGrant).where(RoleGrant.state == "pending")).scalars()
    return {g.account_id: g for g in rows}


def accounts_list(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The people list and the add-a-person form (re-shown with errors beside the fields)."""
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        accounts = actions.list_accounts(session, actor=actor)
        pages = _pages(session)
        grants = _grants_by_account(session)
    return render(
        request,
        "accounts.html",
        {
            "accounts": accounts,
            "roles": list(Role),
            "pages": pages,
            "grants": grants,
            "sensitive": SENSITIVE_ROLES,
            "errors": errors or {},
            "values": values or {"roles": []},
            "approver": _approver(request),
        },
        status=status,
    )


def detail(
    request: Request,
    account_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    notice: str = "",
    link: str = "",
    status: int = 200,
) -> HTMLResponse:
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        if _approver(request) not in actor.roles:
            require(actor, Perm.ACCOUNT_VIEW)  # the approver sees whom a grant is for
        account = get_account(session, account_id)
        mine = (
            tokens.list_tokens(session, actor=actor, account_id=account.id)
            if actor.can(Perm.ACCOUNT_MANAGE)
            else []
        )
        grant = actions.pending_grant(session, account.id)
        past = list(
            session.execute(
                select(RoleGrant)
                .where(RoleGrant.account_id == account.id, RoleGrant.state != "pending")
                .order_by(RoleGrant.id.desc())
            ).scalars()
        )
        pages = _pages(session)
        roles_now = [r.role for r in account.roles]
        scope_now = [s.page_id for s in account.page_scopes]
        view = {
            "account": account,
            "tokens": mine,
            "grant": grant,
            "past_grants": past,
            "pages": pages,
            "roles": list(Role),
            "sensitive": SENSITIVE_ROLES,
            "values": values or {"roles": roles_now, "page_scope": scope_now},
            "errors": errors or {},
            "notice": notice,
            "link": link,
            "approver": _approver(request),
        }
        return render(request, "people/account_admin.html", view, status=status)


@router.get("/accounts/{account_id}", response_class=HTMLResponse)
def account_detail(request: Request, account_id: int) -> HTMLResponse:
    """One person: roles and pages, sign-in waits, password reset, tokens, role grants."""
    return detail(request, account_id)


def _ids(values: list[Any]) -> list[int]:
    out = []
    for v in values:
        try:
            out.append(int(str(v)))
        except ValueError:
            continue
    return out


@router.post("/accounts/{account_id}/roles", dependencies=[Depends(check_csrf)])
async def account_roles(request: Request, account_id: int) -> Response:
    """Change roles and page scopes; sensitive roles and wider pages wait for the approver."""
    actor = authenticate(request).actor
    form = await request.form()
    roles = [str(r) for r in form.getlist("roles")]
    scope = _ids(list(form.getlist("page_scope")))
    reason = str(form.get("reason", ""))
    try:
        with ctx(request).tx() as session:
            account = actions.set_roles(
                session, account_id, actor=actor, roles=roles, page_scope=scope, reason=reason
            )
            waiting = actions.pending_grant(session, account.id)
    except DomainError as exc:
        return detail(
            request,
            account_id,
            errors={field_of(exc.message, "roles"): exc.message},
            values={"roles": roles, "page_scope": scope, "reason": reason},
            status=exc.status_code,
        )
    notice = "Roles changed."
    if waiting is not None:
        notice += " The sensitive part waits for the approver's decision."
    return detail(request, account_id, notice=notice)


@router.post("/accounts/{account_id}/unlock", dependencies=[Depends(check_csrf)])
async def account_unlock(request: Request, account_id: int) -> Response:
    """Clear every sign-in wait on the account."""
    actor = authenticate(request).actor
    form = await request.form()
    reason = str(form.get("reason", ""))
    try:
        with ctx(request).tx() as session:
            cleared = actions.unlock(session, account_id, actor=actor, reason=reason)
    except DomainError as exc:
        return detail(
            request,
            account_id,
            errors={"unlock": exc.message},
            values=None,
            status=exc.status_code,
        )
    return detail(request, account_id, notice=f"Sign-in waits cleared: {cleared}.")


@router.post("/accounts/{account_id}/password-link", dependencies=[Depends(check_csrf)])
async def account_password_link(request: Request, account_id: int) -> Response:
    """Start a password reset: the one-time link is shown here once."""
    actor = authenticate(request).actor
    form = await request.form()
    reason = str(form.get("reason", ""))
    settings = ctx(request).settings
    try:
        with ctx(request).tx() as session:
            token = actions.issue_password_link(
                session,
                account_id,
                actor=actor,
                reason=reason,
                hours=settings.password_link_hours,
                approver=_approver(request),
            )
    except DomainError as exc:
        return detail(request, account_id, errors={"reset": exc.message}, status=exc.status_code)
    return detail(
        request,
        account_id,
        notice="Hand this one-time link to the account's owner; it is shown only now.",
        link=f"/password?token={token}",
    )


@router.post("/accounts/{account_id}/email", dependencies=[Depends(check_csrf)])
async def account_email(request: Request, account_id: int) -> Response:
    """Set where the person's notifications are e-mailed."""
    actor = authenticate(request).actor
    form = await request.form()
    email = str(form.get("email", ""))
    try:
        with ctx(request).tx() as session:
            actions.set_email(session, account_id, actor=actor, email=email)
    except DomainError as exc:
        return detail(
            request,
            account_id,
            errors={"email": exc.message},
            values=None,
            status=exc.status_code,
        )
    return detail(request, account_id, notice="E-mail address saved.")


@router.post("/accounts/{account_id}/tokens/{token_id}/revoke", dependencies=[Depends(check_csrf)])
async def account_token_revoke(request: Request, account_id: int, token_id: int) -> Response:
    """Revoke one of the person's API tokens."""
    actor = authenticate(request).actor
    form = await request.form()
    try:
        with ctx(request).tx() as session:
            tokens.revoke_token(
                session,
                token_id,
                actor=actor,
                reason=str(form.get("reason", "")) or "revoked by an administrator",
            )
    except DomainError as exc:
        return detail(request, account_id, errors={"tokens": exc.message}, status=exc.status_code)
    return detail(request, account_id, notice="Token revoked.")


# ---- the approver's waiting grants ------------------------------------------------------------


def _grants_page(
    request: Request,
    *,
    errors: dict[int, str] | None = None,
    notice: str = "",
    link: str = "",
    status: int = 200,
) -> HTMLResponse:
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        grants = actions.list_grants(session, actor=actor, approver=_approver(request))
        names = {g.id: get_account(session, g.account_id).display_name for g in grants}
        pages = _pages(session)
    return render(
        request,
        "people/grants.html",
        {
            "grants": grants,
            "names": names,
            "pages": pages,
            "errors": errors or {},
            "notice": notice,
            "link": link,
            "approver": _approver(request),
        },
        status=status,
    )


@router.get("/role-grants", response_class=HTMLResponse)
def grants_page(request: Request) -> HTMLResponse:
    """Role grants waiting for the approver (the chief by default)."""
    return _grants_page(request)


@router.post("/role-grants/{grant_id}/{decision}", dependencies=[Depends(check_csrf)])
async def grant_decide(request: Request, grant_id: int, decision: str) -> Response:
    """The approver approves or declines a waiting grant."""
    actor: Actor = authenticate(request).actor
    form = await request.form()
    reason = str(form.get("reason", ""))
    if decision not in ("approve", "decline"):
        return RedirectResponse("/role-grants", status_code=303)
    link = ""
    try:
        with ctx(request).tx() as session:
            if decision == "approve":
                _grant, token = actions.approve_grant(
                    session,
                    grant_id,
                    actor=actor,
                    reason=reason,
                    approver=_approver(request),
                    link_hours=ctx(request).settings.password_link_hours,
                )
                link = f"/password?token={token}" if token else ""
            else:
                actions.decline_grant(
                    session, grant_id, actor=actor, reason=reason, approver=_approver(request)
                )
    except DomainError as exc:
        return _grants_page(request, errors={grant_id: exc.message}, status=exc.status_code)
    notice = "Grant approved." if decision == "approve" else "Grant declined."
    if link:
        notice += " Hand the owner this one-time link to set their password; it is shown only now."
    return _grants_page(request, notice=notice, link=link)
