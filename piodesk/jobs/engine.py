"""The distributed engine: the registry's jobs as Procrastinate tasks on PostgreSQL.

Any number of ``piodesk worker`` processes, on any machines, share one queue table in
piodesk's own database (no broker to run). What Procrastinate gives, and how piodesk uses it:

- **periodic jobs once per period across all workers**: each registry job is a periodic task;
  the database refuses a second defer of the same period, so N workers schedule it once. A
  queueing lock keeps at most one run waiting, so a slow job never piles up behind itself.
- **ingestion one job per page**: the ``ingest`` round defers ``ingest-page`` for every approved
  page, with ``lock="page:<id>"`` (two workers never poll one page at once: the second waits)
  and ``queueing_lock="ingest:<id>"`` (a page already waiting is not queued twice).
- **retries with backoff** for the jobs the registry marks safe (reads and piodesk's own
  writes); never for a platform send (the outbox's reconciler settles those).
- **stalled jobs**: each worker heartbeats; a job whose worker stopped heartbeating (killed,
  machine lost) is put back to run again by the ``retry-stalled-jobs`` periodic task.
- **in the caller's transaction**: see :mod:`piodesk.jobs.queue`.

The schema is Procrastinate's own (its tables and functions, ``procrastinate_*``), applied by
``piodesk worker`` on start when it is missing (under an advisory lock, so N workers starting
at once apply it once), or by ``piodesk worker --apply-schema``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

import procrastinate
import psycopg
import structlog
from procrastinate.exceptions import AlreadyEnqueued, UniqueViolation
from procrastinate.jobs import Status
from procrastinate.schema import SchemaManager
from sqlalchemy import make_url, text
from sqlalchemy.orm import Session

from piodesk.jobs import queue as job_queue
from piodesk.jobs.pipeline import intake_range, write_screened
from piodesk.jobs.registry import (
    INTAKE,
    MAIN,
    OUTBOX,
    PERIODIC,
    JobEnv,
    ingest_one,
    pages_to_poll,
)

log = structlog.get_logger(__name__)

INGEST_PAGE = "piodesk.ingest-page"
INTAKE_RANGE = "piodesk.intake-range"
RETRY_STALLED = "piodesk.retry-stalled-jobs"
QUEUES = (MAIN, INTAKE, OUTBOX)
#: Backoff for the jobs safe to retry: 2, 4, 8, 16 s after the first failure, then it fails.
SAFE_RETRY = procrastinate.RetryStrategy(max_attempts=4, exponential_wait=2)
#: Seconds a starting worker waits for screening's compiled gate before taking jobs anyway.
GATE_WAIT = 120.0
_SCHEMA_LOCK = 409_001  # pg_advisory_lock key: one worker applies the schema, the rest wait


def conninfo(database_url: str) -> str:
    """libpq's form of a SQLAlchemy PostgreSQL URL (options such as search_path kept)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError(f"Procrastinate needs PostgreSQL, not {url.get_backend_name()}")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def uses_procrastinate(settings: Any) -> bool:
    """Whether this installation's jobs run on Procrastinate (PostgreSQL, unless told not to)."""
    engine = getattr(settings, "jobs_engine", "auto")
    if engine == "inprocess":
        return False
    backend = make_url(str(settings.database_url)).get_backend_name()
    return backend == "postgresql"


def schema_applied(conn: psycopg.Connection[Any]) -> bool:
    """Whether Procrastinate's tables are in this connection's search path."""
    row = conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL").fetchone()
    return bool(row and row[0])


def ensure_schema(database_url: str) -> bool:
    """Apply Procrastinate's schema if it is missing; True when this call applied it."""
    with psycopg.connect(conninfo(database_url), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
        try:
            if schema_applied(conn):
                return False
            with conn.transaction():
                conn.execute(SchemaManager.get_schema())  # its own, vetted SQL
            log.info("procrastinate schema applied")
            return True
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))


def deferrer(database_url: str) -> procrastinate.App:
    """An app that only defers, on connections it is handed (never opened: no pool)."""
    return procrastinate.App(
        connector=procrastinate.SyncPsycopgConnector(conninfo=conninfo(database_url))
    )


def cron_for(seconds: float) -> str:
    """A cron line (seconds in the sixth field) for "every ``seconds``", rounded to one."""
    s = max(1, round(seconds))
    if s < 60:
        return f"* * * * * */{s}"
    m = s // 60
    if m < 60:
        return f"*/{m} * * * *"
    h = m // 60
    return f"0 */{h} * * *" if h < 24 else "0 0 * * *"


def _polling(app: procrastinate.App, page_id: int) -> bool:
    """Whether a poll of this page is waiting or running (the round leaves it be)."""
    row = app.connector.get_sync_connector().execute_query_one(
        "SELECT count(*) AS n FROM procrastinate_jobs "
        "WHERE lock = %(lock)s AND status IN ('todo', 'doing')",
        lock=f"page:{page_id}",
    )
    return bool(row["n"])


def defer_ingest(app: procrastinate.App, page_id: int, *, round_: bool = False) -> int | None:
    """Queue a poll of one page. ``lock`` makes two polls of a page run one after the other,
    never at once; a periodic round (``round_``) also carries a queueing lock, so that a page
    is never waiting twice. None when the round found one already waiting."""
    options: dict[str, Any] = {"lock": f"page:{page_id}"}
    if round_:
        options["queueing_lock"] = f"ingest:{page_id}"
    try:
        job_id: int = app.configure_task(INGEST_PAGE, **options).defer(page_id=page_id)
    except AlreadyEnqueued:
        return None
    return job_id


def defer_ingest_round(app: procrastinate.App, env: JobEnv) -> list[int]:
    """The periodic ingest round: one ``ingest-page`` job for every approved page, except the
    pages whose poll is still waiting or running (the next round comes soon enough; and a
    poll put back after its worker died must not find its place taken)."""
    deferred = []
    for page_id in pages_to_poll(env):
        if _polling(app, page_id):
            continue
        if (job_id := defer_ingest(app, page_id, round_=True)) is not None:
            deferred.append(job_id)
    return deferred


def earlier_range(session: Session, mark: int, after: int) -> bool:
    """Whether an intake-range job overlapping the versions (mark, after] is waiting or
    running (what the pipeline's writer asks before it screens a gap itself)."""
    return bool(
        session.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM procrastinate_jobs WHERE task_name = :task "
                "AND status IN ('todo', 'doing') AND (args->>'after')::bigint < :after "
                "AND (args->>'upto')::bigint > :mark)"
            ),
            {"task": INTAKE_RANGE, "after": after, "mark": mark},
        ).scalar()
    )


def _once_per_period(env: JobEnv, fn: Any) -> Any:
    """``fn`` run once for its period. Procrastinate defers a period once, but a worker whose
    clock loop lags (a loaded machine) can defer a period that another worker's newer defer has
    already pruned from its table; the second job of that period then stands down here."""

    def run(context: procrastinate.JobContext, timestamp: int) -> object:
        job = context.job
        with env.sessions() as session:
            earlier = session.execute(
                text(
                    "SELECT EXISTS (SELECT 1 FROM procrastinate_jobs WHERE task_name = :task "
                    "AND args->>'timestamp' = :ts AND id < :id)"
                ),
                {"task": job.task_name, "ts": str(timestamp), "id": job.id},
            ).scalar()
        if earlier:
            log.info("period already run", task=job.task_name, timestamp=timestamp)
            return None
        return fn(timestamp)

    return run


def build_app(
    env: JobEnv, *, stalled_after: float = 30.0, periodic: bool = True
) -> procrastinate.App:
    """The worker's app: every registry job as a task, periodic where it has a period."""
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo(str(env.settings.database_url)))
    )

    @app.task(name=INGEST_PAGE, queue=MAIN, retry=SAFE_RETRY)
    def ingest_page_task(page_id: int) -> object:
        return ingest_one(env, page_id)

    @app.task(name=INTAKE_RANGE, queue=INTAKE, retry=SAFE_RETRY)
    def intake_range_task(after: int, upto: int) -> object:
        report = intake_range(
            env.sessions, env.screener, after=after, upto=upto, pending=earlier_range
        )
        written = report.written
        return {
            "screened_ahead": report.screened_ahead,
            "staged": report.staged,
            # Whether this job was the writer, and for how many ranges (its own and others').
            "wrote_ranges": written.ranges if written else 0,
            "cases": written.intake.cases_opened if written else 0,
        }

    def ingest_round(timestamp: int) -> object:
        return len(defer_ingest_round(app, env))

    def intake_sweep(timestamp: int) -> object:
        # A backstop: staged ranges nobody wrote (the range after a gap whose job is lost has
        # waited long enough), then what no range job covers (a capture made outside a
        # worker). While range jobs are on their way intake_all would only screen their
        # versions a second time, so it leaves them be.
        written = write_screened(env.sessions, env.screener, pending=earlier_range)
        with env.sessions() as session:
            if earlier_range(session, -1, 2**62):
                return {"wrote_ranges": written.ranges}
        return spec_run("moderation-intake")

    def spec_run(name: str) -> object:
        return next(s for s in PERIODIC if s.name == name).run(env)

    special: dict[str, Any] = {"ingest": ingest_round, "moderation-intake": intake_sweep}

    for spec in PERIODIC:
        seconds = spec.period(env)
        name = f"piodesk.{spec.name}"
        fn: Any = special.get(spec.name) or (lambda timestamp, _run=partial(spec.run, env): _run())
        task = app.task(
            name=name,
            queue=spec.lane,
            queueing_lock=name,
            pass_context=True,
            # A periodic job is tried again at its next period, not by the engine: a retry
            # would collide with that period's run, waiting under the same queueing lock.
            retry=False,
        )(_once_per_period(env, fn))
        if periodic and seconds > 0:
            app.periodic(cron=cron_for(seconds), periodic_id=spec.name)(task)

    @app.task(name=RETRY_STALLED, queue=MAIN, queueing_lock=RETRY_STALLED)
    async def retry_stalled_jobs(timestamp: int) -> int:
        stalled = list(
            await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after)
        )
        for job in stalled:
            log.warning("stalled job put back", job=job.id, task=job.task_name, lock=job.lock)
            try:
                await app.job_manager.retry_job(job)
            except UniqueViolation:
                # The same job (its queueing lock) is already waiting and will do this work:
                # close the stalled one as failed, with the reason in the log.
                log.warning("stalled job superseded by a waiting copy", job=job.id)
                await app.job_manager.finish_job(job, status=Status.FAILED, delete_job=False)
        return len(stalled)

    if periodic:
        app.periodic(cron=cron_for(max(1.0, stalled_after / 3)), periodic_id="stalled")(
            retry_stalled_jobs
        )
    return app


def run_worker(
    env: JobEnv,
    *,
    concurrency: int = 2,
    queues: Iterable[str] | None = None,
    heartbeat: float = 10.0,
    stalled_after: float = 30.0,
    name: str | None = None,
) -> None:
    """Run one worker until SIGINT/SIGTERM (finishing the jobs in progress)."""
    url = str(env.settings.database_url)
    ensure_schema(url)
    job_queue.activate(deferrer(url))
    app = build_app(env, stalled_after=stalled_after)
    if queues is None or INTAKE in queues:
        # Load the models and the compiled gate now, not on the first comment's clock: until
        # the gate is ready screening is several times slower (the same findings), and a
        # worker taking range jobs meanwhile would screen them slowly while the gate's
        # compile competes for the same cores.
        env.screener.wait_for_gate(timeout=GATE_WAIT)
    log.info("worker starting", queues=list(queues or QUEUES), concurrency=concurrency)
    try:
        app.run_worker(
            queues=list(queues) if queues else None,
            concurrency=concurrency,
            name=name,
            update_heartbeat_interval=heartbeat,
            stalled_worker_timeout=stalled_after,
            # Keep finished jobs: their rows are the history of what ran (pruned by a
            # retention job, not deleted on the spot).
            delete_jobs="never",
        )
    finally:
        job_queue.activate(None)


def job_counts(database_url: str) -> dict[str, dict[str, int]]:
    """Jobs by task and status (for `piodesk worker --status` and the tests)."""
    out: dict[str, dict[str, int]] = {}
    with psycopg.connect(conninfo(database_url)) as conn:
        if not schema_applied(conn):
            return out
        for task, status, n in conn.execute(
            "SELECT task_name, status::text, count(*) FROM procrastinate_jobs GROUP BY 1, 2"
        ):
            out.setdefault(task, {})[status] = n
    return out
