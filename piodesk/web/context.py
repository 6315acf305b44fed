"""What every route needs: the app's context, the signed-in actor, CSRF and rendering."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core.config import Settings
from piodesk.core.db import reading, transaction
from piodesk.core.errors import DomainError
from piodesk.core.permissions import ROLE_LABELS, Actor, Perm
from piodesk.pages.model import Agency
from piodesk.people import actions as people
from piodesk.web.labels import TEMPLATE_FILTERS

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.globals.update(Perm=Perm, ROLE_LABELS=ROLE_LABELS)
TEMPLATES.env.filters.update(TEMPLATE_FILTERS)  # codes in words (web/labels.py)

SESSION_COOKIE = "piodesk_session"
LOGIN_CSRF_COOKIE = "piodesk_login_csrf"


class LoginRequired(Exception):
    """No valid session or token came with the request."""


class CsrfFailed(DomainError):
    """A form came without the token that proves it came from piodesk's own page."""

    status_code = 403


@dataclass
class AppContext:
    """The application's long-lived parts."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    agency: Agency

    @contextmanager
    def tx(self) -> Iterator[Session]:
        """One transaction that may write: committed when the block ends, rolled back on error."""
        with transaction(self.sessions) as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session for pages and API answers that change nothing."""
        with reading(self.sessions) as session:
            yield session


def ctx(request: Request) -> AppContext:
    """The app context of this request."""
    context: AppContext = request.app.state.ctx
    return context


@dataclass(frozen=True)
class Auth:
    """Who made the request, and the CSRF token their forms must echo (web sessions only)."""

    actor: Actor
    csrf: str | None


def authenticate(request: Request) -> Auth:
    """The signed-in actor (session cookie) or API caller (bearer token); else LoginRequired."""
    cached: Auth | None = getattr(request.state, "auth", None)
    if cached is not None:
        return cached
    header = request.headers.get("authorization", "")
    auth: Auth | None = None
    with ctx(request).read() as session:
        if header.lower().startswith("bearer "):
            actor = people.resolve_api_token(session, header[7:].strip())
            auth = Auth(actor, None) if actor else None
        elif token := request.cookies.get(SESSION_COOKIE):
            resolved = people.resolve_session(session, token)
            auth = Auth(resolved[0], resolved[1]) if resolved else None
    if auth is None:
        raise LoginRequired
    request.state.auth = auth
    return auth


def current_actor(request: Request) -> Actor:
    """FastAPI dependency: the actor behind the request."""
    return authenticate(request).actor


async def check_csrf(request: Request) -> None:
    """Refuse a cookie-authenticated form post whose CSRF token does not match the session's."""
    auth = authenticate(request)
    if auth.csrf is None:  # bearer-token API calls carry no cookie, so CSRF cannot ride on them
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, auth.csrf):
        raise CsrfFailed("the form's security token is missing or stale; reload the page and retry")


def new_login_csrf() -> str:
    """A fresh token for the sign-in form (double-submitted as a cookie)."""
    return secrets.token_urlsafe(24)


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """Render a template with the actor, CSRF token and agency available to it."""
    auth: Auth | None = getattr(request.state, "auth", None)
    data = {
        "request": request,
        "actor": auth.actor if auth else None,
        "csrf": auth.csrf if auth else "",
        "agency": ctx(request).agency,
        **(context or {}),
    }
    return TEMPLATES.TemplateResponse(request, template, data, status_code=status)
