"""``piodesk worker``: one Procrastinate worker on the configured PostgreSQL database.

Start as many as the work needs, on any machines that reach the database; each runs every
queue unless told which (``--queue intake`` for a screening-only worker).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from piodesk.jobs.registry import QUEUE_NAMES, describe

err = Console(stderr=True)
out = Console()


def worker(
    concurrency: Annotated[
        int,
        typer.Option(
            min=1, max=64, help="Jobs this worker runs at once (threads; screening is CPU-bound)."
        ),
    ] = 2,
    queue: Annotated[
        list[str] | None,
        typer.Option(help=f"Only these queues ({', '.join(QUEUE_NAMES)}); repeat. Default: all."),
    ] = None,
    heartbeat: Annotated[
        float, typer.Option(min=0.1, help="Seconds between this worker's heartbeats.")
    ] = 10.0,
    stalled_after: Annotated[
        float,
        typer.Option(
            min=1.0,
            help="A worker silent this long is taken as dead; its jobs are put back to run.",
        ),
    ] = 30.0,
    name: Annotated[str | None, typer.Option(help="This worker's name in the logs.")] = None,
    apply_schema: Annotated[
        bool, typer.Option("--apply-schema", help="Apply Procrastinate's schema and exit.")
    ] = False,
    status: Annotated[
        bool, typer.Option("--status", help="Print the jobs by task and state, and exit.")
    ] = False,
    list_jobs: Annotated[
        bool, typer.Option("--list", help="Print the jobs piodesk runs, and exit.")
    ] = False,
) -> None:
    """Run a job worker (PostgreSQL): ingest, intake, outbox, checkpoints and the rest."""
    from piodesk.cli import load_settings

    if list_jobs:
        out.print_json(json.dumps(describe()))
        return
    settings = load_settings()
    from piodesk.jobs.engine import ensure_schema, job_counts, run_worker, uses_procrastinate

    if not uses_procrastinate(settings):
        err.print(
            "[red]piodesk worker needs PostgreSQL[/red] (PIODESK_DATABASE_URL=postgresql+psycopg"
            "://…): on SQLite the web server runs the jobs itself; PIODESK_JOBS_ENGINE is "
            f"{settings.jobs_engine}."
        )
        raise typer.Exit(2)
    if bad := sorted(set(queue or ()) - set(QUEUE_NAMES)):
        err.print(f"[red]unknown queue[/red] {', '.join(bad)}: use {', '.join(QUEUE_NAMES)}")
        raise typer.Exit(2)
    if apply_schema:
        applied = ensure_schema(str(settings.database_url))
        out.print("Procrastinate schema applied" if applied else "Procrastinate schema present")
        return
    if status:
        out.print_json(json.dumps(job_counts(str(settings.database_url))))
        return
    from piodesk.core.db import make_engine, make_sessionmaker
    from piodesk.jobs.registry import JobEnv

    # The schema is `piodesk migrate`'s (or `piodesk serve`'s) to change, never N workers' at
    # once: a worker runs on the database as it finds it.
    engine = make_engine(settings.database_url)
    run_worker(
        JobEnv(make_sessionmaker(engine), settings),
        concurrency=concurrency,
        queues=queue or None,
        heartbeat=heartbeat,
        stalled_after=stalled_after,
        name=name,
    )
    engine.dispose()
