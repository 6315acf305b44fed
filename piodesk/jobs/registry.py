"""Every job piodesk runs, declared once; both engines read this list.

A job is a plain function of a :class:`JobEnv` (the database and the settings). The in-process
runner (:mod:`piodesk.jobs.inprocess`, SQLite's default) calls the periodic ones on its threads;
on PostgreSQL, Procrastinate (:mod:`piodesk.jobs.engine`) schedules the same functions once per
period across every ``piodesk worker``. Nothing in a job knows which engine runs it.

``retry`` says whether a failed run is safe to repeat: only jobs that read and write
piodesk's own database, or only read a platform. On Procrastinate the jobs queued per unit of
work (a page's poll, an intake range) are retried with backoff; a periodic job's retry is its
next period (an engine retry would collide with that period's run under the same queueing
lock). A job that may have sent something to a platform (the outbox, the reconciler's settling,
e-mail) is never repeated by the engine: an interrupted send is settled by the outbox's own
reconciler, from the recorded intent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core.config import Settings
from piodesk.core.errors import Conflict, NotFound

if TYPE_CHECKING:
    from piodesk.archive.media import MediaStore
    from piodesk.program.config import ProgramSettings
    from piodesk.screening.engine import Screener

log = structlog.get_logger(__name__)

#: Lanes: the in-process runner gives each its own thread; Procrastinate its own queue, so a
#: slow poll of a platform never holds up screening or a due notice.
MAIN, INTAKE, OUTBOX = "main", "intake", "outbox"
QUEUE_NAMES = (MAIN, INTAKE, OUTBOX)


@dataclass
class JobEnv:
    """What every job runs with: the database and the settings of this process."""

    sessions: sessionmaker[Session]
    settings: Settings
    program: ProgramSettings | None = None
    _screener: Screener | None = field(default=None, repr=False)

    @cached_property
    def media(self) -> MediaStore:
        """The media store captures write to."""
        from piodesk.archive.media import MediaStore

        return MediaStore(self.settings.data_dir / "media")

    @property
    def screener(self) -> Screener:
        """The process's screener (loaded on first use: a worker that never screens skips it)."""
        if self._screener is None:
            from piodesk.screening.engine import default_screener

            self._screener = default_screener()
        return self._screener

    @cached_property
    def program_settings(self) -> ProgramSettings:
        """Program settings (SMTP, reminders), read from the environment unless given."""
        if self.program is None:
            from piodesk.program.config import ProgramSettings

            self.program = ProgramSettings()
        return self.program


@dataclass(frozen=True)
class JobSpec:
    """A periodic job: its name, how often (seconds; 0 is off), what it runs, and how."""

    name: str
    period: Callable[[JobEnv], float]
    run: Callable[[JobEnv], object]
    lane: str = MAIN
    retry: bool = False
    doc: str = ""


# -- the job functions -----------------------------------------------------------------------


def ingest_one(env: JobEnv, page_id: int) -> object:
    """Poll one approved page into the archive (one job per page; never two at once)."""
    from piodesk.archive.ingest import ingest_page
    from piodesk.connectors.factory import build
    from piodesk.pages.tables import Page

    with env.sessions() as session:
        page = session.get(Page, page_id)
        if page is None:
            return None
        session.expunge(page)
    try:
        connector = build(page, env.sessions, env.settings.secret_key)
    except Conflict:
        return None  # not connected: nothing to poll
    try:
        report = ingest_page(env.sessions, page_id, connector, media=env.media)
    except (NotFound, Conflict) as exc:
        # Retired, or no longer approved, since it was queued: nothing to poll (§.04).
        log.info("ingest skipped", page=page_id, reason=str(exc))
        return None
    return {"page": page_id, "changed": report.changed, "errors": report.errors}


def pages_to_poll(env: JobEnv) -> list[int]:
    """The approved pages, by id (what one ingest round polls)."""
    from piodesk.pages.tables import Page

    with env.sessions() as session:
        return list(
            session.execute(select(Page.id).where(Page.state == "approved").order_by(Page.id))
            .scalars()
            .all()
        )


def ingest_all_pages(env: JobEnv) -> object:
    """Every approved page in turn (the in-process runner's ingest round)."""
    from piodesk.archive.ingest import ingest_all

    return ingest_all(env.sessions, media=env.media, key=env.settings.secret_key)


def intake(env: JobEnv) -> object:
    """Screen everything captured since intake's mark into the moderation queue."""
    from piodesk.moderation.intake import intake_all

    return intake_all(env.sessions, env.screener)


def checkpoint(env: JobEnv) -> object:
    """Sign a checkpoint of every chain when one moved (a missing key is a warning)."""
    from piodesk.core.checkpoints import checkpoint_now

    try:
        return checkpoint_now(env.sessions, env.settings, only_if_changed=True)
    except NotFound as exc:
        log.warning("no checkpoint signed", reason=exc.message)
        return None


def reconcile_platform_actions(env: JobEnv) -> object:
    """Settle platform actions a crash left pending, by reading the platform."""
    import piodesk.moderation.actions
    import piodesk.publishing.outbox_sender  # noqa: F401  (registers the outbox's recorder)
    from piodesk.connectors.factory import build
    from piodesk.connectors.intents import reconcile

    return reconcile(
        env.sessions,
        lambda page: build(page, env.sessions, env.settings.secret_key),
        grace=timedelta(seconds=env.settings.platform_action_grace_seconds),
    )


def outbox(env: JobEnv) -> object:
    """Send the outbox's due deliveries; now and then read the pages again for unconfirmed ones."""
    from piodesk.publishing.outbox_routes import outbox_job

    return outbox_job(env.sessions, env.settings)


def publishing_expire(env: JobEnv) -> object:
    """Move posts not approved by their scheduled time to the Expired list (and tell)."""
    from piodesk.publishing.approvals import expire_job

    return expire_job(env.sessions, env.media)


def program(env: JobEnv) -> object:
    """Authorization reminders, records-request deadline reminders, the mail outbox (§.12)."""
    from piodesk.program.jobs import program_job
    from piodesk.records.requests.queries import Desk

    return program_job(env.sessions, env.program_settings, Desk.from_settings(env.settings))


def report_rollups(env: JobEnv) -> object:
    """Roll up the transparency report's closed months (derived data; safe to repeat)."""
    from piodesk.oversight.rollups import refresh_rollups

    return refresh_rollups(env.sessions, env.settings)


def _s(name: str) -> Callable[[JobEnv], float]:
    return lambda env: float(getattr(env.settings, name))


#: The periodic jobs. Ingest's round is special on Procrastinate: it defers one job per page
#: (see ``engine.py``) instead of polling the pages one after another.
PERIODIC: tuple[JobSpec, ...] = (
    JobSpec("ingest", _s("ingest_seconds"), ingest_all_pages, retry=True),
    JobSpec("moderation-intake", _s("intake_seconds"), intake, lane=INTAKE, retry=True),
    JobSpec("checkpoint", _s("checkpoint_seconds"), checkpoint, retry=True),
    JobSpec("reconcile-platform-actions", _s("reconcile_seconds"), reconcile_platform_actions),
    JobSpec("outbox", _s("outbox_seconds"), outbox, lane=OUTBOX),
    JobSpec("publishing-expire", _s("expire_seconds"), publishing_expire, retry=True),
    JobSpec("program", lambda env: float(env.program_settings.program_jobs_seconds), program),
    JobSpec("report-rollups", _s("rollup_seconds"), report_rollups, retry=True),
)


def spec(name: str) -> JobSpec:
    """The periodic job called ``name``."""
    for s in PERIODIC:
        if s.name == name:
            return s
    raise KeyError(name)


def describe() -> list[dict[str, Any]]:
    """The jobs as `piodesk worker --list` prints them."""
    return [
        {"name": s.name, "lane": s.lane, "retry": s.retry, "doc": (s.run.__doc__ or "").strip()}
        for s in PERIODIC
    ]
