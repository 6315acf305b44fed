"""The embedded engine: the registry's periodic jobs on the in-process runner's threads.

One thread per lane (see ``registry``): a slow poll of a platform must not hold up the
screening of what the other polls already brought in, nor a due notice.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from piodesk.core.jobs import JobRunner
from piodesk.jobs.registry import INTAKE, MAIN, OUTBOX, PERIODIC, JobEnv


def start(env: JobEnv) -> Callable[[], None]:
    """Start every periodic job whose period is above 0; returns the function that stops them."""
    runners = {lane: JobRunner() for lane in (MAIN, INTAKE, OUTBOX)}
    for job in PERIODIC:
        seconds = job.period(env)
        if seconds > 0:
            runners[job.lane].every(job.name, seconds, partial(job.run, env))
    started = [r for r in runners.values() if r.jobs]
    for runner in started:
        runner.start()

    def stop() -> None:
        for runner in started:
            runner.stop()

    return stop
