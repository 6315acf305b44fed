"""Operations: Prometheus metrics at /metrics, a health check at /health, structured logs.

**/metrics** (Prometheus text format, ``prometheus-client``). Every figure is a count, an age
or a duration; no names, usernames, comment text, tokens or addresses are ever labels, and a
request is labelled by its route *template* (``/moderation/cases/{case_id}``), never by the
path it was called with.

- ``piodesk_http_request_duration_seconds{method,route,status}``: request latency (histogram).
- ``piodesk_job_queue_depth{engine,queue}`` and ``piodesk_job_queue_age_seconds{engine,queue}``:
  the in-process runner (engine ``inprocess``: one queue per periodic job, depth 1 while the job
  is due and not yet run, age how long it has been due) and, when the database has
  Procrastinate's ``procrastinate_jobs`` table, its jobs waiting or running per queue (engine
  ``procrastinate``; age of the oldest waiting job). ``piodesk_job_runs_total`` and
  ``piodesk_job_failures_total`` count the in-process runs.
- ``piodesk_ingest_lag_seconds{page_id}``: per approved page, the time since its last poll
  stored a cursor (a page never polled yet is not listed).
- ``piodesk_intake_backlog_versions`` and ``piodesk_intake_lag_seconds``: archive versions
  intake has not read yet, and the age of the oldest of them (0 when intake is caught up).
- ``piodesk_checkpoint_age_seconds``: the age of the newest signed checkpoint.

Access: with ``PIODESK_METRICS_TOKEN`` set, a scrape must send ``Authorization: Bearer
<token>``; without it, only loopback clients are answered (403 otherwise). Behind a reverse proxy
on the same host every request comes from loopback: set a token, or do not proxy /metrics.

**/health** is public (a load balancer asks it) and says only whether each part is well:
the database answers, its migrations are at the head this code expects, and the newest
checkpoint is recent enough (a chain that moved after a checkpoint older than
``checkpoint_max_age_seconds`` is a checkpoint job that stopped). 200 when all is well, 503
otherwise, with the same JSON either way.

**Logs** go through structlog; ``PIODESK_LOG_FORMAT=json`` writes one JSON object a line (with
an ISO timestamp and level), also for the standard-library loggers (uvicorn, alembic).
"""

from __future__ import annotations

import functools
import hmac
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from piodesk.archive.tables import ArchiveHead, ArchiveVersion, IngestCursor
from piodesk.core import chain, checkpoints, clock, jobs
from piodesk.core.config import Settings
from piodesk.core.migrate import alembic_config
from piodesk.moderation.tables import IntakeMark
from piodesk.pages.tables import Page
from piodesk.web.context import AppContext

log = structlog.get_logger(__name__)

router = APIRouter(include_in_schema=False)
api = APIRouter(include_in_schema=False)  # nothing here is part of the JSON API

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0)


# ---- the queue, ingest and intake figures (read at each scrape) ----------------------------


@dataclass(frozen=True)
class QueueFigure:
    """One queue's depth and the age of its oldest waiting job."""

    engine: str
    queue: str
    depth: int
    age_seconds: float


def in_process_queues(now: float | None = None) -> list[QueueFigure]:
    """Every periodic job of the in-process runners in this process: due (depth 1) or not."""
    now = time.monotonic() if now is None else now
    out = []
    for runner in list(jobs.RUNNERS):
        for job in runner.jobs:
            due = now >= job.next_run
            out.append(QueueFigure("inprocess", job.name, int(due), max(0.0, now - job.next_run)))
    return out


def in_process_counts() -> list[tuple[str, int, int]]:
    """(job name, runs, failures) of every in-process job."""
    return [(j.name, j.runs, j.failures) for r in list(jobs.RUNNERS) for j in r.jobs]


def procrastinate_queues(session: Session) -> list[QueueFigure]:
    """Procrastinate's waiting and running jobs per queue, when its table is in the database
    (nothing otherwise, and nothing when the table is not as expected)."""
    conn = session.connection()
    if conn.dialect.name != "postgresql" or not inspect(conn).has_table("procrastinate_jobs"):
        return []
    columns = {c["name"] for c in inspect(conn).get_columns("procrastinate_jobs")}
    if not {"queue_name", "status"} <= columns:
        return []
    # The oldest waiting job's age: from when it was due (scheduled_at), else when deferred.
    since = "scheduled_at" if "scheduled_at" in columns else None
    age = (
        f"EXTRACT(EPOCH FROM now() - min({since}) FILTER (WHERE status = 'todo'))"
        if since
        else "NULL"
    )
    try:
        with conn.begin_nested():
            rows = conn.execute(
                text(
                    f"SELECT queue_name, count(*), {age} FROM procrastinate_jobs "  # noqa: S608
                    "WHERE status IN ('todo', 'doing') GROUP BY queue_name"
                )
            ).all()
    except SQLAlchemyError:  # a different Procrastinate schema must not break the other figures
        log.warning("procrastinate_jobs could not be read for /metrics")
        return []
    return [
        QueueFigure("procrastinate", str(q), int(n), max(0.0, float(a or 0))) for q, n, a in rows
    ]


def ingest_lag(session: Session, now: datetime) -> dict[int, float]:
    """Per approved page: seconds since its last poll stored a cursor."""
    rows = session.execute(
        select(Page.id, func.max(IngestCursor.updated_at))
        .join(IngestCursor, IngestCursor.page_id == Page.id)
        .where(Page.state == "approved")
        .group_by(Page.id)
    ).all()
    return {page: max(0.0, (now - clock.as_utc(at)).total_seconds()) for page, at in rows if at}


def intake_lag(session: Session, now: datetime) -> tuple[int, float]:
    """(archive versions intake has not read, age in seconds of the oldest of them)."""
    mark = session.execute(select(IntakeMark.last_seq).where(IntakeMark.id == 1)).scalar()
    head = session.execute(select(ArchiveHead.last_seq)).scalar()
    last, head = int(mark or 0), int(head or 0)
    if head <= last:
        return 0, 0.0
    oldest = session.execute(
        select(ArchiveVersion.captured_at)
        .where(ArchiveVersion.seq > last)
        .order_by(ArchiveVersion.seq)
        .limit(1)
    ).scalar()
    age = max(0.0, (now - clock.as_utc(oldest)).total_seconds()) if oldest else 0.0
    return head - last, age


class PiodeskCollector(Collector):
    """Reads the figures from the database and the runners at each scrape."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def describe(self) -> Iterator[Any]:
        """Nothing up front: registering must not read the database (it may be down)."""
        return iter(())

    def collect(self) -> Iterator[Any]:
        now = clock.now()
        depth = GaugeMetricFamily(
            "piodesk_job_queue_depth", "Jobs waiting or running", labels=["engine", "queue"]
        )
        age = GaugeMetricFamily(
            "piodesk_job_queue_age_seconds",
            "Seconds the oldest waiting job has waited",
            labels=["engine", "queue"],
        )
        runs = CounterMetricFamily(
            "piodesk_job_runs", "In-process job runs that finished", labels=["job"]
        )
        failures = CounterMetricFamily(
            "piodesk_job_failures", "In-process job runs that failed", labels=["job"]
        )
        lag = GaugeMetricFamily(
            "piodesk_ingest_lag_seconds",
            "Seconds since an approved page's last poll stored a cursor",
            labels=["page_id"],
        )
        figures = in_process_queues()
        for name, n_runs, n_failures in in_process_counts():
            runs.add_metric([name], n_runs)
            failures.add_metric([name], n_failures)
        backlog, intake_age, newest, up = 0, 0.0, None, 1
        try:
            with self.sessions() as session:
                figures += procrastinate_queues(session)
                for page, seconds in sorted(ingest_lag(session, now).items()):
                    lag.add_metric([str(page)], seconds)
                backlog, intake_age = intake_lag(session, now)
                newest = checkpoints.latest(session)
        except SQLAlchemyError as exc:  # the scrape still answers, and says the database is down
            up = 0
            log.warning("metrics: database unreachable", error=type(exc).__name__)
        yield GaugeMetricFamily(
            "piodesk_database_up", "1 when the database answered this scrape", value=up
        )
        for f in figures:
            depth.add_metric([f.engine, f.queue], f.depth)
            age.add_metric([f.engine, f.queue], f.age_seconds)
        yield from (depth, age, runs, failures, lag)
        yield GaugeMetricFamily(
            "piodesk_intake_backlog_versions",
            "Archive versions intake has not read yet",
            value=backlog,
        )
        yield GaugeMetricFamily(
            "piodesk_intake_lag_seconds",
            "Age of the oldest archive version intake has not read (0: caught up)",
            value=intake_age,
        )
        if newest is not None:
            made = datetime.fromisoformat(newest.made_at)
            yield GaugeMetricFamily(
                "piodesk_checkpoint_age_seconds",
                "Age of the newest signed checkpoint",
                value=max(0.0, (now - clock.as_utc(made)).total_seconds()),
            )


# ---- request latency (an ASGI middleware: no per-request task, unlike BaseHTTPMiddleware) --


class RequestTimer:
    """Times every HTTP request into the histogram, labelled by its route template."""

    def __init__(self, app: ASGIApp, histogram: Histogram) -> None:
        self.app = app
        self.histogram = histogram

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self.histogram.labels(scope["method"], _route_of(scope), str(status[0])).observe(
                time.perf_counter() - start
            )


def _route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    if str(scope.get("path", "")).startswith("/static/"):
        return "/static"
    return "(unmatched)"  # a 404: the path asked for is never a label


# ---- health ----------------------------------------------------------------------------------


def health(sessions: sessionmaker[Session], settings: Settings) -> dict[str, Any]:
    """Each part's state; ``status`` is ``ok`` only when every check is."""
    checks: dict[str, dict[str, Any]] = {}
    try:
        with sessions() as session:
            session.execute(text("SELECT 1"))
            checks["database"] = {"ok": True}
            checks["migrations"] = _migrations(session, settings)
            checks["checkpoint"] = _checkpoint(session, settings)
    except SQLAlchemyError as exc:  # failing to reach the database is the finding itself
        checks["database"] = {"ok": False, "problem": f"unreachable ({type(exc).__name__})"}
        log.warning("health: database unreachable", error=type(exc).__name__)
    ok = all(c["ok"] for c in checks.values()) and "migrations" in checks
    return {"status": "ok" if ok else "unhealthy", "checks": checks}


@functools.cache
def _expected_heads(url: str) -> frozenset[str]:
    """The migrations' head revisions this code ships (read from the scripts once)."""
    return frozenset(ScriptDirectory.from_config(alembic_config(url)).get_heads())


def _migrations(session: Session, settings: Settings) -> dict[str, Any]:
    heads = set(_expected_heads(settings.database_url))
    current = set(MigrationContext.configure(session.connection()).get_current_heads())
    out: dict[str, Any] = {
        "ok": current == heads,
        "current": sorted(current),
        "head": sorted(heads),
    }
    if current != heads:
        out["problem"] = "the database is not at the migrations' head: run `piodesk migrate`"
    return out


def _checkpoint(session: Session, settings: Settings) -> dict[str, Any]:
    newest = checkpoints.latest(session)
    heads = {s.name: s.head(session) for s in chain.chains()}
    counts = {name: h.count if h else 0 for name, h in heads.items()}
    limit = settings.checkpoint_max_age_seconds or 2 * settings.checkpoint_seconds
    out: dict[str, Any] = {"ok": True, "max_age_seconds": limit or None}
    if newest is None:
        out.update(last=None, age_seconds=None, moved_since=any(counts.values()))
        if limit and any(counts.values()):
            out.update(ok=False, problem="records exist and no checkpoint has been signed")
        return out
    age = (clock.now() - clock.as_utc(datetime.fromisoformat(newest.made_at))).total_seconds()
    signed = {n: h.count for n, h in newest.chains.items()}
    moved = any(counts[n] != signed.get(n, 0) for n in counts)
    out.update(last=newest.seq, age_seconds=round(max(0.0, age), 1), moved_since=moved)
    if limit and moved and age > limit:
        out.update(
            ok=False,
            problem=f"chains moved since the last checkpoint, {age:.0f} s old (limit {limit} s)",
        )
    return out


@router.get("/health")
def health_endpoint(request: Request) -> JSONResponse:
    """200 with every check when all is well, 503 with the same JSON when something is not."""
    ctx: AppContext = request.app.state.ctx
    report = health(ctx.sessions, ctx.settings)
    return JSONResponse(
        report,
        status_code=200 if report["status"] == "ok" else 503,
        headers={"Cache-Control": "no-store"},
    )


# ---- /metrics --------------------------------------------------------------------------------


def _may_scrape(request: Request, settings: Settings) -> bool:
    if settings.metrics_token:
        given = request.headers.get("authorization", "")
        scheme, _, token = given.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), settings.metrics_token.encode()
        )
    host = request.client.host if request.client else ""
    return host in LOOPBACK


@router.get("/metrics")
def metrics_endpoint(request: Request) -> Response:
    """The Prometheus text exposition (token or loopback only; see the module's docstring)."""
    ctx: AppContext = request.app.state.ctx
    if not _may_scrape(request, ctx.settings):
        return JSONResponse(
            {"error": "metrics are for the monitoring system: send its bearer token"}
            if ctx.settings.metrics_token
            else {"error": "metrics are answered on loopback only (or set PIODESK_METRICS_TOKEN)"},
            status_code=403,
        )
    registry: CollectorRegistry = request.app.state.metrics_registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


# ---- logs ------------------------------------------------------------------------------------

_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.processors.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_logging(log_format: str) -> None:
    """structlog (and, for JSON, the standard library's loggers) in the chosen format."""
    if log_format == "json":
        renderer: Any = structlog.processors.JSONRenderer()
        processors = [*_SHARED, structlog.processors.format_exc_info, renderer]
    else:
        processors = [*_SHARED, structlog.dev.ConsoleRenderer(colors=False)]
    structlog.configure(processors=processors, cache_logger_on_first_use=False)
    if log_format != "json":
        return
    root = logging.getLogger()
    if any(getattr(h, "piodesk_json", False) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                structlog.stdlib.add_log_level,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
            ],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    handler.piodesk_json = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.INFO)


# ---- wiring ----------------------------------------------------------------------------------


def install(app: FastAPI) -> None:
    """Metrics, health and logging for the app (called once from ``create_app``)."""
    ctx: AppContext = app.state.ctx
    configure_logging(ctx.settings.log_format)
    registry = CollectorRegistry()
    histogram = Histogram(
        "piodesk_http_request_duration_seconds",
        "HTTP request latency by route template",
        ["method", "route", "status"],
        buckets=LATENCY_BUCKETS,
        registry=registry,
    )
    registry.register(PiodeskCollector(ctx.sessions))
    app.state.metrics_registry = registry
    app.include_router(router)
    app.add_middleware(RequestTimer, histogram=histogram)
