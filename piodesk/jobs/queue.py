"""Deferring a job in the same transaction as the change that asks for it (PostgreSQL).

When this process runs on Procrastinate (a ``piodesk worker``, or the web app on PostgreSQL),
:func:`defer` inserts the job through Procrastinate on the SQLAlchemy session's own psycopg
connection: the job exists if and only if the change commits, and Procrastinate's NOTIFY fires
at the commit, so a worker picks it up at once. Anywhere else (SQLite, the in-process runner,
a CLI command) it does nothing: the periodic sweep of the same job does the work a moment later.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    import procrastinate

log = structlog.get_logger(__name__)

# One process, one database: the worker (or web app) that opened Procrastinate says so here.
_deferrer: procrastinate.App | None = None


def activate(app: procrastinate.App | None) -> None:
    """Make :func:`defer` insert jobs through ``app`` (None: stop)."""
    global _deferrer
    _deferrer = app


def active() -> bool:
    """Whether jobs deferred here reach Procrastinate."""
    return _deferrer is not None


def defer(
    session: Session,
    task: str,
    *,
    lock: str | None = None,
    queueing_lock: str | None = None,
    queue: str | None = None,
    **args: Any,
) -> int | None:
    """Queue ``task(**args)`` in ``session``'s transaction; the job's id, or None when this
    process does not run on Procrastinate or an identical job (``queueing_lock``) is waiting."""
    if _deferrer is None or session.get_bind().dialect.name != "postgresql":
        return None
    from procrastinate.exceptions import AlreadyEnqueued

    options: dict[str, Any] = {"lock": lock, "queueing_lock": queueing_lock}
    if queue is not None:
        options["queue"] = queue
    # A savepoint: a refused duplicate (queueing lock) must not abort the caller's transaction.
    # It is caught outside the block, so that leaving it rolls back to the savepoint; and the
    # connection is asked for inside it, which is when SQLAlchemy emits the SAVEPOINT.
    try:
        with session.begin_nested():
            driver = session.connection().connection.driver_connection
            deferrer = _deferrer.configure_task(task, connection=driver, **options)
            job_id: int = deferrer.defer(**args)
    except AlreadyEnqueued:
        return None
    return job_id


@contextmanager
def intake_after_capture(session: Session) -> Iterator[None]:
    """Around a capture: defer the screening of exactly what it captured, in its transaction.

    The archive's head is locked first (capture locks it anyway), so the versions this
    transaction adds are the contiguous run (before, after] of the chain."""
    if not active() or session.get_bind().dialect.name != "postgresql":
        yield
        return
    from piodesk.archive.tables import ArchiveHead
    from piodesk.core import chain

    head = chain.locked_head(session, ArchiveHead)
    before = head.last_seq
    yield
    after = chain.locked_head(session, ArchiveHead).last_seq
    if after > before:
        from piodesk.jobs.engine import INTAKE_RANGE
        from piodesk.jobs.registry import INTAKE

        defer(session, INTAKE_RANGE, queue=INTAKE, after=before, upto=after)
