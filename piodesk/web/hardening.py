"""Request hardening shared by every route: body size limits, an Origin/CSRF check on
cookie-authenticated API writes, HSTS, and path ids that fit a 64-bit column.

Each is done once, here, instead of in each route (so a new route cannot forget it).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from starlette.datastructures import FormData, Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from piodesk.core.config import Settings
from piodesk.core.errors import DomainError, InvalidInput, NotFound

#: Paths anyone may post to without signing in: their bodies are small.
PUBLIC_PREFIXES = ("/sandbox/", "/login", "/password", "/public/", "/appeal")
#: A database id column is a signed 64-bit integer; anything beyond names no row.
MAX_ID = 2**63 - 1
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Signed-in forms that carry a photo or a video (publishing: a story sent with a phone
#: picture, or a video up to publishing.video.MAX_VIDEO_BYTES, 99 MB, and the form around it).
UPLOAD_PATHS = {"/stories": 100 * 1024 * 1024}
#: The imports form (records/imports.py: MAX_UPLOAD_BYTES, 512 MB, plus its small fields).
UPLOAD_PATHS["/records/imports"] = 513 * 1024 * 1024
#: The same upload through the JSON API (records/api.py).
UPLOAD_PATHS["/api/v1/records/imports"] = 513 * 1024 * 1024


class BadForm(DomainError):
    """A form field came in a shape piodesk does not take (a file where text belongs)."""

    status_code = 400


def body_limit_for(settings: Settings) -> Callable[[str], int]:
    """The largest body (bytes) accepted on a path: small on public forms."""

    def limit(path: str) -> int:
        if path.startswith(PUBLIC_PREFIXES):
            return settings.max_public_body_bytes
        if path in UPLOAD_PATHS:
            return max(settings.max_body_bytes, UPLOAD_PATHS[path])
        return settings.max_body_bytes

    return limit


def _too_large(limit: int) -> str:
    return f"the request body is larger than this endpoint accepts ({limit:,} bytes)"


class BodyLimit:
    """Refuse bodies over the path's limit: at once from Content-Length, else while streaming.

    Nothing over the limit is ever read into memory or spooled to a temporary file: the count
    runs on each chunk as the server receives it.
    """

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            status = 413 if declared.isdigit() else 400
            body = (_too_large(limit) if status == 413 else "bad Content-Length").encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", b"text/plain; charset=utf-8"),
                        (b"content-length", str(len(body)).encode()),
                        (b"connection", b"close"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the route's body read: the app's handler answers 413.
                    raise HTTPException(413, _too_large(limit))
            return message

        await self.app(scope, limited, send)


class SecureTransport:
    """HSTS on every response when cookies are Secure (the site is served over HTTPS)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.settings.cookie_secure:
            await self.app(scope, receive, send)
            return

        async def with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append(
                    (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
                )
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_hsts)


def _out_of_range(raw: object) -> bool:
    try:
        value = int(str(raw))
    except ValueError:
        return False  # the route's own validation answers 422
    return not -MAX_ID - 1 <= value <= MAX_ID


def bounded_path_ids(request: Request) -> None:
    """App-wide dependency: an integer path id beyond 64 bits names nothing, so 404 (and an
    integer query parameter beyond 64 bits, e.g. ``?before=``, is a 422, not a database
    OverflowError)."""
    route: Any = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    for param in dependant.path_params:
        raw = request.path_params.get(param.name)
        if param.field_info.annotation is int and raw is not None and _out_of_range(raw):
            raise NotFound(f"no {param.name.replace('_', ' ')} {str(raw)[:40]}")
    for param in dependant.query_params:
        if param.field_info.annotation not in (int, int | None):
            continue
        for raw in request.query_params.getlist(param.alias):
            if _out_of_range(raw):
                raise InvalidInput(f"{param.alias}: the number is out of range")


def _same_origin(request: Request, origin: str) -> bool:
    parts = urlsplit(origin)
    host = request.headers.get("host", "")
    return (
        bool(parts.scheme and parts.netloc)
        and parts.netloc == host
        and (
            parts.scheme == request.url.scheme
            or request.headers.get("x-forwarded-proto") == parts.scheme
        )
    )


class CrossSiteWrite(DomainError):
    """A cookie-authenticated API write came from another site."""

    status_code = 403


async def api_origin_check(request: Request) -> None:
    """API routers' dependency: a write that rides on a session cookie (no bearer token) must
    come from piodesk's own pages: a matching Origin (or Referer), or the session's CSRF token
    in ``X-CSRF-Token``, as the HTML forms send it."""
    from piodesk.web.context import SESSION_COOKIE, authenticate

    if request.method not in WRITE_METHODS:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    if not request.cookies.get(SESSION_COOKIE):
        return  # nothing ambient to ride on; authentication answers 401
    auth = authenticate(request)
    sent = request.headers.get("x-csrf-token")
    if sent and auth.csrf and hmac.compare_digest(sent, auth.csrf):
        return
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin and origin != "null" and _same_origin(request, origin):
        return
    raise CrossSiteWrite(
        "a signed-in API write must come from piodesk's own pages (matching Origin) or carry "
        "the session's X-CSRF-Token; scripts should use an API token"
    )


async def text_form(request: Request) -> FormData:
    """A form of text fields only: a file part where text belongs is a clear 400, not stored."""
    try:
        form = await request.form(max_files=0)
    except HTTPException as exc:
        if exc.status_code == 400 and "files" in str(exc.detail).lower():
            raise BadForm("this form takes text fields only; a file cannot be sent here") from None
        raise
    return form
