"""Long records work started from a page or the API and run in a background thread (imports,
productions, disposition runs): the person who started it follows a progress fragment that
htmx polls, or ``GET /api/v1/records/jobs/{token}``.

Each job's progress is kept in the database (``records_jobs``), not only in this process's
memory, so that:

* a restart does not lose the progress view: a job whose process stopped shows how far it
  got and that it stopped (its heartbeat is old), never "no such work";
* any web process answers the poll, not only the one running the work.

The thread doing the work never writes the row itself: on SQLite that thread may hold the
database's one write lock in a batch of its own, and a second write from it would wait for
itself. A small ticker thread per job copies the job's counts to its row once a second (the
heartbeat) and once more when it ends. What the work did is in the database and the audit
log (an import run, a production, a disposition certificate), never only here.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core.db import transaction
from piodesk.core.errors import DomainError, NotFound
from piodesk.records.job_tables import BackgroundJob

log = structlog.get_logger(__name__)

#: This process, as the runner of the jobs it starts.
RUNNER = f"{uuid.uuid4().hex[:12]}"
#: How often a running job's row is brought up to date (its heartbeat).
HEARTBEAT = timedelta(seconds=1)
#: A job whose heartbeat is older than this, in another process, stopped with its process.
STALE_AFTER = timedelta(seconds=30)
#: Finished jobs kept in memory for their progress fragment (the rows stay in the database).
KEEP_FINISHED = 200


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Job:
    """One piece of background work: who started it, how far it is, how it ended."""

    token: str
    owner: int | None
    kind: str  # "import" | "production" | "disposition"
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
    started: datetime = field(default_factory=_now)

    @property
    def ended(self) -> bool:
        """Finished, or stopped with an error (set just before ``finished``)."""
        return self.finished or bool(self.error)

    def step(self, done: int, total: int) -> None:
        """Progress callback (the CLI's Rich bar gets the same numbers)."""
        self.done, self.total = done, total


_JOBS: dict[str, Job] = {}
_LOCK = threading.Lock()


def _save(sessions: sessionmaker[Session], job: Job) -> None:
    """Copy the job's head to its row (from the ticker, never from the working thread)."""
    with transaction(sessions) as session:
        row = session.get(BackgroundJob, job.token)
        if row is None:
            return
        row.ref, row.key = job.ref, job.key[:100]
        row.done, row.total = job.done, job.total
        row.result, row.link, row.error = job.result, job.link[:500], job.error
        row.finished = job.finished
        row.updated_at = _now()


def _tick(sessions: sessionmaker[Session], job: Job, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT.total_seconds()):
        try:
            _save(sessions, job)
        except Exception as exc:  # noqa: BLE001 - a missed heartbeat is tried again next tick
            log.warning("job progress not saved", job=job.token, error=exc.__class__.__name__)
    for _attempt in range(5):  # the outcome must reach the row: a busy database is waited for
        try:
            _save(sessions, job)
            return
        except Exception as exc:  # noqa: BLE001
            log.warning("job outcome not saved", job=job.token, error=exc.__class__.__name__)
            stop.wait(HEARTBEAT.total_seconds())


def start(
    sessions: sessionmaker[Session],
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
    """Record the job, then run ``work(job)`` in a daemon thread; a refusal or crash becomes
    the job's error. The row exists before this returns, so the first poll finds it."""
    job = Job(secrets.token_urlsafe(12), owner, kind, label[:300], unit=unit, ref=ref, key=key)
    with transaction(sessions) as session:
        session.add(
            BackgroundJob(
                token=job.token,
                owner_id=owner,
                kind=kind,
                label=job.label,
                ref=ref,
                key=key[:100],
                unit=unit,
                done=0,
                total=0,
                result="",
                link="",
                error="",
                finished=False,
                runner=RUNNER,
                started_at=job.started,
                updated_at=job.started,
            )
        )
    with _LOCK:
        finished = [j for j in _JOBS.values() if j.finished]
        extra = max(0, len(finished) - KEEP_FINISHED)
        for old in sorted(finished, key=lambda j: j.started)[:extra]:
            _JOBS.pop(old.token, None)
        _JOBS[job.token] = job
    stop = threading.Event()
    ticker = threading.Thread(
        target=_tick, args=(sessions, job, stop), name=f"{kind}-{job.token}-tick", daemon=True
    )

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
            stop.set()

    ticker.start()
    threading.Thread(target=run, name=f"{kind}-{job.token}", daemon=True).start()
    return job


def _stopped(row: BackgroundJob) -> bool:
    """An unfinished job whose process stopped: not this one's, and no heartbeat for a while."""
    if row.finished or row.error:
        return False
    if row.runner == RUNNER and row.token in _JOBS:
        return False
    return row.updated_at < _now() - STALE_AFTER


def _from_row(row: BackgroundJob) -> Job:
    job = Job(
        token=row.token,
        owner=row.owner_id,
        kind=row.kind,
        label=row.label,
        ref=row.ref,
        key=row.key,
        unit=row.unit,
        done=row.done,
        total=row.total,
        result=row.result,
        link=row.link,
        error=row.error,
        finished=row.finished,
        started=row.started_at,
    )
    if _stopped(row):
        got = f"{row.done:,} of {row.total:,} {row.unit}" if row.total else "its start"
        job.error = (
            f"It stopped when the server did (last seen {row.updated_at:%Y-%m-%d %H:%M} UTC, "
            f"at {got}); what it finished is kept. Start it again to go on."
        )
        job.finished = True
    return job


def _current(row: BackgroundJob) -> Job:
    """The job as this process knows it best: its own live copy, else the row."""
    mine = _JOBS.get(row.token) if row.runner == RUNNER else None
    return mine if mine is not None else _from_row(row)


def get(session: Session, owner: int | None, token: str) -> Job:
    """The job, for the person who started it only."""
    row = session.get(BackgroundJob, token)
    if row is None or row.owner_id != owner:
        raise NotFound("no such work in progress (it may have finished long ago)")
    return _current(row)


def running(session: Session, owner: int | None, kind: str) -> list[Job]:
    """This person's latest jobs of one kind, newest first (running and finished)."""
    rows = session.execute(
        select(BackgroundJob)
        .where(BackgroundJob.owner_id == owner, BackgroundJob.kind == kind)
        .order_by(BackgroundJob.started_at.desc())
        .limit(20)
    ).scalars()
    return [_current(r) for r in rows]


def live(session: Session, kind: str) -> tuple[set[int], set[str]]:
    """The rows (and keys) unfinished jobs of a kind work on, in any live process."""
    rows = session.execute(
        select(BackgroundJob).where(BackgroundJob.kind == kind, BackgroundJob.finished.is_(False))
    ).scalars()
    current = [j for j in (_current(r) for r in rows) if not j.ended]
    return {j.ref for j in current if j.ref}, {j.key for j in current if j.key}
