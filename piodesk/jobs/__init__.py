"""Jobs: one registry of job functions (``registry``), two engines that run them.

- SQLite (the embedded default): the in-process runner's threads inside the web server
  (``inprocess``).
- PostgreSQL: Procrastinate (``engine``); ``piodesk worker`` processes, any number on any
  machines, run every job; the web server only defers jobs in its transactions (``queue``).
"""

from __future__ import annotations

from collections.abc import Callable

import structlog

from piodesk.core.config import Settings
from piodesk.jobs.registry import JobEnv

log = structlog.get_logger(__name__)


def start(env: JobEnv) -> Callable[[], None]:
    """Start this process's part of the jobs; returns the function that stops it.

    On the in-process engine that is every periodic job. On Procrastinate the web server runs
    none (the workers do): it makes sure the queue's schema is there and defers jobs in its
    own transactions."""
    from piodesk.jobs.engine import uses_procrastinate

    if not uses_procrastinate(env.settings):
        from piodesk.jobs import inprocess

        return inprocess.start(env)
    from piodesk.jobs import queue
    from piodesk.jobs.engine import deferrer, ensure_schema

    url = str(env.settings.database_url)
    ensure_schema(url)
    queue.activate(deferrer(url))
    log.info("jobs run on `piodesk worker` processes (Procrastinate on PostgreSQL)")
    return lambda: queue.activate(None)


__all__ = ["JobEnv", "Settings", "start"]
