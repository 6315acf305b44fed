"""Long records work started from a page and run in a background thread (imports, disposition
runs): the person who started it follows a progress fragment that htmx polls.

A job lives in this process's memory only while it runs and a while after; what it did is in
the database and the audit log (an import run, a disposition certificate), never only here.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from piodesk.core.errors import DomainError, NotFound

#: Finished jobs kept for their progress fragment; older ones are forgotten (their outcome is
#: in the database).
KEEP_FINISHED = 200


@dataclass
class Job:
    """One piece of background work: who started it, how far it is, how it ended."""

    token: str
    owner: int | None
    kind: str  # "import" | "disposition"
    label: str  # what it is working on, in words ("facebook-export.zip")
    ref: int | None = None  # the row it works on (an import run, a disposition run)
    key: str = ""  # what identifies that row before it exists (an export's SHA-256)
    unit: str = "records"
    done: int = 0
    total: int = 0
    result: str = ""  # the outcome in words, once finished
    link: str = ""  # where the outcome is shown
    error: str = ""
    finished: bool = False
    started: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def ended(self) -> bool:
        """Finished, or stopped with an error (set just before ``finished``)."""
        return self.finished or bool(self.error)

    def step(self, done: int, total: int) -> None:
        """Progress callback (the CLI's Rich bar gets the same numbers)."""
        self.done, self.total = done, total


_JOBS: dict[str, Job] = {}
_LOCK = threading.Lock()


def start(
    *,
    owner: int | None,
    kind: str,
    label: str,
    work: Callable[[Job], None],
    unit: str = "records",
    ref: int | None = None,
    key: str = "",
    on_error: Callable[[Job, BaseException], None] | None = None,
) -> Job:
    """Run ``work(job)`` in a daemon thread; a refusal or crash becomes the job's error."""
    job = Job(secrets.token_urlsafe(12), owner, kind, label, unit=unit, ref=ref, key=key)
    with _LOCK:
        finished = [j for j in _JOBS.values() if j.finished]
        extra = max(0, len(finished) - KEEP_FINISHED)
        for old in sorted(finished, key=lambda j: j.started)[:extra]:
            _JOBS.pop(old.token, None)
        _JOBS[job.token] = job

    def run() -> None:
        try:
            work(job)
        except Exception as exc:  # noqa: BLE001 - shown to the person who started it
            if on_error is not None:
                with contextlib.suppress(Exception):  # the error shown is the first one
                    on_error(job, exc)
            job.error = (
                exc.message
                if isinstance(exc, DomainError)
                else f"it stopped with an unexpected error ({exc.__class__.__name__})"
            )
        finally:
            job.finished = True

    threading.Thread(target=run, name=f"{kind}-{job.token}", daemon=True).start()
    return job


def get(owner: int | None, token: str, kind: str | None = None) -> Job:
    """The job, for the person who started it only."""
    job = _JOBS.get(token)
    if job is None or job.owner != owner or (kind is not None and job.kind != kind):
        raise NotFound("no such work in progress (it may have finished long ago)")
    return job


def running(owner: int | None, kind: str) -> list[Job]:
    """This person's jobs of one kind, newest first (running and recently finished)."""
    with _LOCK:
        jobs = [j for j in _JOBS.values() if j.owner == owner and j.kind == kind]
    return sorted(jobs, key=lambda j: j.started, reverse=True)


def live(kind: str) -> tuple[set[int], set[str]]:
    """The rows (and keys) unfinished jobs of a kind work on: an import run still running."""
    with _LOCK:
        current = [j for j in _JOBS.values() if j.kind == kind and not j.finished]
    return {j.ref for j in current if j.ref}, {j.key for j in current if j.key}
