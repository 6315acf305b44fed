"""The in-process job runner: periodic jobs on a background thread (the embedded default).

Each job runs on its own schedule; an exception is logged and the job runs again next time,
so one failing page never stops the others. At scale the same job functions run on a
distributed queue's workers instead; nothing in a job depends on this runner.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

log = structlog.get_logger(__name__)

#: Every runner alive in this process, so /metrics can read their jobs (web/operations.py).
RUNNERS: weakref.WeakSet[JobRunner] = weakref.WeakSet()


@dataclass
class Job:
    """A function to run every ``seconds``."""

    name: str
    seconds: float
    fn: Callable[[], object]
    next_run: float = 0.0
    runs: int = 0
    failures: int = 0
    last_error: str = field(default="")


class JobRunner:
    """Runs registered jobs on one daemon thread until stopped."""

    def __init__(self) -> None:
        self.jobs: list[Job] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        RUNNERS.add(self)

    def every(self, name: str, seconds: float, fn: Callable[[], object]) -> Job:
        """Register ``fn`` to run now and then every ``seconds``."""
        job = Job(name, seconds, fn, next_run=time.monotonic())
        self.jobs.append(job)
        return job

    def run_due(self) -> None:
        """Run every job whose time has come (one pass; the thread calls this in a loop)."""
        for job in self.jobs:
            if time.monotonic() < job.next_run or self._stop.is_set():
                continue
            try:
                job.fn()
                job.runs += 1
            except Exception as exc:  # a job's failure must not stop the runner (logged below)
                job.failures += 1
                job.last_error = str(exc)
                log.exception("job failed", job=job.name)
            job.next_run = time.monotonic() + job.seconds

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_due()
            # Sleep until the next job is due (a short-period job is not held up by a fixed
            # tick), but wake at least twice a second to notice a stop.
            due = min((job.next_run for job in self.jobs), default=time.monotonic() + 0.5)
            self._stop.wait(min(0.5, max(0.01, due - time.monotonic())))

    def start(self) -> None:
        """Start the background thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="piodesk-jobs", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        """Stop after the job in progress."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
