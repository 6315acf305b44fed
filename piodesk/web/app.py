"""The web application: server-rendered pages (Jinja2 + htmx) and the JSON API, both thin.

Routes parse input, call one service action inside one transaction, and render. Security
headers (a strict Content-Security-Policy among them) are set on every response.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import structlog
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from piodesk import __version__
from piodesk.core.config import Settings
from piodesk.core.db import make_engine, make_sessionmaker
from piodesk.core.errors import DomainError
from piodesk.pages.model import Agency
from piodesk.web.api_errors import ERROR_RESPONSES, allowed_methods
from piodesk.web.context import AppContext, LoginRequired, render
from piodesk.web.hardening import (
    BodyLimit,
    SecureTransport,
    api_origin_check,
    body_limit_for,
    bounded_path_ids,
)

STATIC = Path(__file__).parent / "static"
log = structlog.get_logger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeaders(BaseHTTPMiddleware):
    """Strict CSP and friends on every response: content from users can never run as script."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.url.path.startswith(("/api", "/login")) or "text/html" in response.headers.get(
            "content-type", ""
        ):
            response.headers["Cache-Control"] = "no-store"
        return response


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def reconcile_platform_actions(sessions: sessionmaker[Session], settings: Settings) -> object:
    """The reconciler job: settle platform actions a crash left pending, by reading the platform."""
    from piodesk.jobs.registry import JobEnv
    from piodesk.jobs.registry import reconcile_platform_actions as job

    return job(JobEnv(sessions, settings))


def _lifespan(settings: Settings, run_jobs: bool) -> Any:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The jobs (piodesk/jobs/): in-process threads on SQLite, Procrastinate workers on
        # PostgreSQL; the registry there declares each one once.
        stop = None
        if run_jobs:
            from piodesk import jobs
            from piodesk.program.jobs import program_settings_of

            ctx: AppContext = app.state.ctx
            stop = jobs.start(jobs.JobEnv(ctx.sessions, settings, program_settings_of(app)))
        yield
        if stop is not None:
            stop()

    return lifespan


def create_app(settings: Settings, engine: Engine | None = None, *, jobs: bool = False) -> FastAPI:
    """Build the application for ``settings``; ``jobs`` starts the in-process job runner."""
    engine = engine or make_engine(settings.database_url)
    app = FastAPI(
        lifespan=_lifespan(settings, jobs),
        title="piodesk",
        version=__version__,
        description="Runs a police department's official social media program by GO 409. "
        "Authenticate with `Authorization: Bearer <token>` (create one with "
        "`piodesk user token USERNAME`).",
        openapi_url="/api/openapi.json",
        dependencies=[Depends(bounded_path_ids)],  # ids beyond 64 bits are 404, on every route
        responses=ERROR_RESPONSES,  # every refusal is {"error": ...}; documented once for all
        docs_url=None,  # Swagger UI loads scripts from a CDN, which the CSP (rightly) blocks
        redoc_url=None,
    )
    app.state.ctx = AppContext(
        settings=settings,
        engine=engine,
        sessions=make_sessionmaker(engine),
        agency=Agency.from_settings(settings),
    )
    # Innermost (added first): its 413 raised mid-stream must reach the app's own handler, and
    # SecurityHeaders (a BaseHTTPMiddleware) would wrap it in an exception group on the way.
    # No part outside it reads the body, so an oversized one is still never read in.
    app.add_middleware(BodyLimit, limit_for=body_limit_for(settings))
    app.add_middleware(SecurityHeaders)
    app.add_middleware(SecureTransport, settings=settings)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, exc: DomainError) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": exc.message}, status_code=exc.status_code)
        return render(request, "error.html", {"message": exc.message}, status=exc.status_code)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        if _wants_json(request):
            return JSONResponse(
                {"error": "authentication required: send Authorization: Bearer <token>"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            problems.append(f"{where or 'body'}: {err.get('msg', 'invalid')}")
        message = "invalid request: " + "; ".join(problems[:10])
        if _wants_json(request):
            return JSONResponse({"error": message, "problems": problems}, status_code=422)
        return render(request, "error.html", {"message": message}, status=422)

    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, exc: DataError) -> Response:
        # Ids beyond 64 bits are refused up front (bounded_path_ids); on PostgreSQL some id
        # columns are 32-bit, and a number too big for the column names no row either.
        if "out of range" not in str(exc.orig).lower():
            raise exc
        message = "no such record: the number is out of range"
        if _wants_json(request):
            return JSONResponse({"error": message}, status_code=404)
        return render(request, "error.html", {"message": message}, status=404)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = str(exc.detail)
        # Keep the exception's headers: a 405 must say which methods the path takes (Allow).
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
        if _wants_json(request):
            return JSONResponse({"error": message}, status_code=exc.status_code, headers=headers)
        response = render(request, "error.html", {"message": message}, status=exc.status_code)
        response.headers.update(headers)
        return response

    from piodesk.archive import routes as archive_routes
    from piodesk.connectors.sandbox import routes as sandbox_routes
    from piodesk.moderation import api as moderation_api
    from piodesk.moderation import due_routes as moderation_due_routes
    from piodesk.moderation import routes as moderation_routes
    from piodesk.oversight import routes as oversight_routes
    from piodesk.pages import routes as page_routes
    from piodesk.people import routes as people_routes
    from piodesk.program import routes as program_routes
    from piodesk.publishing import outbox_routes
    from piodesk.publishing import routes as publishing_review_routes
    from piodesk.records import routes as records_routes
    from piodesk.records.requests import routes as records_request_routes
    from piodesk.web import auditlog as auditlog_routes
    from piodesk.web import checkpoints as checkpoint_routes
    from piodesk.web import operations
    from piodesk.web import routes as web_routes

    for module in (
        web_routes,
        people_routes,
        page_routes,
        archive_routes,
        sandbox_routes,
        moderation_routes,
        moderation_due_routes,
        oversight_routes,
        checkpoint_routes,
        records_request_routes,
        records_routes,
        outbox_routes,
        publishing_review_routes,
        auditlog_routes,
        program_routes,
    ):
        app.include_router(module.router)
        # A cookie-authenticated API write must come from piodesk's own pages (CSRF).
        app.include_router(module.api, dependencies=[Depends(api_origin_check)])
    # The moderation pages and their JSON API are separate modules.
    app.include_router(moderation_api.api, dependencies=[Depends(api_origin_check)])
    operations.install(app)  # /metrics, /health, request latency, structured logs
    return app
