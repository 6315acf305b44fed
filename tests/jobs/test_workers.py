"""Three real `piodesk worker` processes on PostgreSQL; one is SIGKILLed in the middle of an
ingest job. Every page is ingested exactly once, and no job is lost: the killed worker's jobs
are found stalled (no heartbeat), put back, and completed by the others.

PostgreSQL only (Procrastinate needs it): skips with the reason when the server is down.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.tables import ArchiveItem, ArchiveVersion
from piodesk.connectors.sandbox import platform as sandbox
from piodesk.core.config import Settings
from piodesk.core.db import transaction
from piodesk.jobs import engine
from piodesk.jobs.registry import JobEnv
from piodesk.moderation.tables import Case
from piodesk.pages.model import Agency
from tests.conftest import People, registered_sandbox_page

ROOT = Path(__file__).resolve().parents[2]
PAGES = 5
COMMENTS = 4  # on each page's one post
DEADLINE = 120.0  # seconds a step may take before the test gives up (never reached when green)

pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


def _wait(what: str, done: object, url: str = "") -> None:
    assert callable(done)
    end = time.monotonic() + DEADLINE
    while not done():
        if time.monotonic() > end:
            jobs = (
                _jobs(
                    url,
                    "SELECT id, task_name, status, lock, attempts, worker_id "
                    "FROM procrastinate_jobs ORDER BY id",
                )
                if url
                else []
            )
            raise AssertionError(f"gave up waiting: {what}; jobs: {jobs}")
        time.sleep(0.05)


def _pages(sessions: sessionmaker[Session], staff: People, agency: Agency) -> list[int]:
    ids = []
    for n in range(PAGES):
        page_id = registered_sandbox_page(sessions, staff, agency, f"precinct{n}")
        with transaction(sessions) as s:
            page = sandbox.find_page(s, f"precinct{n}")
            assert page is not None
            post = sandbox.add_post(s, page, f"Road closure {n}: Academy Blvd")
            for c in range(COMMENTS):
                body = (
                    "I will kill you, officer"  # a threat: intake opens a case for it
                    if c == 0
                    else f"Thanks for the update on page {n}, comment {c}"
                )
                sandbox.add_comment(
                    s, page, post.id, visitor_id=f"v{n}-{c}", visitor_name="Pat Doe", body=body
                )
        ids.append(page_id)
    return ids


def _jobs(url: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(engine.conninfo(url)) as conn:
        return list(conn.execute(sql))  # type: ignore[arg-type]


def test_a_killed_worker_loses_no_job_and_no_page_is_polled_twice(
    queue_url: str, sessions: sessionmaker[Session], staff: People, agency: Agency, tmp_path: Path
) -> None:
    page_ids = _pages(sessions, staff, agency)
    gate = tmp_path / "gate"
    gate.mkdir()
    env = {
        **os.environ,
        "PIODESK_TEST_GATE": str(gate),
        "PIODESK_DATABASE_URL": queue_url,
        "PIODESK_SECRET_KEY": "test-secret-key-that-is-long-enough",
        "PIODESK_DATA_DIR": str(tmp_path / "data"),
        # Only intake's sweep is periodic here (every second): the test defers ingest rounds
        # itself, the way the periodic ingest task does.
        "PIODESK_INGEST_SECONDS": "0",
        "PIODESK_INTAKE_SECONDS": "1",
        "PIODESK_CHECKPOINT_SECONDS": "0",
        "PIODESK_RECONCILE_SECONDS": "0",
        "PIODESK_OUTBOX_SECONDS": "0",
        "PIODESK_EXPIRE_SECONDS": "0",
        "PIODESK_PROGRAM_JOBS_SECONDS": "0",
        "PYTHONPATH": str(ROOT),
    }
    args = ["--concurrency", "3", "--heartbeat", "0.5", "--stalled-after", "4"]

    def started() -> dict[str, list[int]]:
        """Which worker processes began a poll of which page (the gate's marks)."""
        found: dict[str, list[int]] = {}
        for f in gate.glob("*.started"):
            handle, pid, _ = f.name.split(".")
            found.setdefault(handle, []).append(int(pid))
        return found

    workers = [
        subprocess.Popen(
            [sys.executable, str(ROOT / "tests/jobs/gated_worker.py"), *args, "--name", f"w{i}"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=(tmp_path / f"w{i}.log").open("wb"),
        )
        for i in range(3)
    ]
    try:
        job_env = JobEnv(sessions, _settings(queue_url, tmp_path))
        app = engine.deferrer(queue_url)
        with app.open():
            first = engine.defer_ingest_round(app, job_env)
            assert len(first) == PAGES
            _wait("every page's poll to start", lambda: len(started()) == PAGES, queue_url)
            # A second round while the first is in progress defers nothing: every page's
            # poll is running.
            assert engine.defer_ingest_round(app, job_env) == []
            # A poll asked for by hand is queued, but the page's lock holds it back.
            for page_id in page_ids:
                assert engine.defer_ingest(app, page_id) is not None
            # A job deferred after them: once a worker has taken it, the workers (with free
            # slots) have looked at the second round's jobs and had to leave them.
            sentinel = app.configure_task("piodesk.checkpoint", queue="main").defer(timestamp=0)
            _wait("a worker to take the later job", lambda: _status(queue_url, sentinel) != "todo")
            assert _count(queue_url, engine.INGEST_PAGE, "todo") == PAGES
            assert all(len(pids) == 1 for pids in started().values()), started()

            victim_pid = next(iter(started().values()))[0]
            victim = next(w for w in workers if w.pid == victim_pid)
            victim_pages = sorted(h for h, pids in started().items() if victim_pid in pids)
            victim.send_signal(signal.SIGKILL)
            victim.wait(10)
            (gate / "open").touch()

            _wait(
                "every ingest job to succeed",
                lambda: _count(queue_url, engine.INGEST_PAGE, "succeeded") == 2 * PAGES,
                queue_url,
            )
            _wait("intake to catch up", lambda: _cases(sessions) == PAGES)
    finally:
        for w in workers:
            if w.poll() is None:
                w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(15)
            except subprocess.TimeoutExpired:
                w.kill()
                w.wait()

    assert _count(queue_url, engine.INGEST_PAGE) == 2 * PAGES  # nothing failed, none left
    # The killed worker's pages were polled again by the others, after it died.
    again = started()
    for handle in victim_pages:
        assert set(again[handle]) - {victim_pid}, again
    # Each of its jobs was found stalled and put back (doing -> todo), then succeeded. (On a
    # loaded machine a live worker that misses heartbeats can be taken for dead too: its job is
    # then run again, which ingest's cursors make harmless; the counts below still hold.)
    retried = {
        int(page)
        for (page,) in _jobs(
            queue_url,
            "SELECT DISTINCT j.args->>'page_id' FROM procrastinate_events e "
            "JOIN procrastinate_jobs j ON j.id = e.job_id WHERE e.type = 'deferred_for_retry' "
            f"AND j.task_name = '{engine.INGEST_PAGE}'",
        )  # type: ignore[misc]
    }
    handles = {f"precinct{n}": page_id for n, page_id in enumerate(page_ids)}
    assert {handles[h] for h in victim_pages} <= retried
    # Every comment archived exactly once: one record and one version each.
    with sessions() as s:
        per_page = dict(
            s.execute(
                select(ArchiveItem.page_id, func.count())
                .where(ArchiveItem.kind == "comment")
                .group_by(ArchiveItem.page_id)
            ).all()
        )
        assert per_page == dict.fromkeys(page_ids, COMMENTS)
        versions = s.execute(select(func.count()).select_from(ArchiveVersion)).scalar_one()
        items = s.execute(select(func.count()).select_from(ArchiveItem)).scalar_one()
    assert versions == items  # nothing captured twice (a second version would be a repeat)
    # The captures deferred their intake in their own transactions; every such job ran.
    ranges = _jobs(
        queue_url,
        "SELECT status::text, count(*) FROM procrastinate_jobs "
        f"WHERE task_name = '{engine.INTAKE_RANGE}' GROUP BY 1",
    )
    assert dict(ranges).keys() == {"succeeded"}  # type: ignore[arg-type]
    # The periodic sweep was deferred once per period, whatever the number of workers.
    periods = _jobs(
        queue_url,
        "SELECT args->>'timestamp', count(*) FROM procrastinate_jobs "
        "WHERE task_name = 'piodesk.moderation-intake' GROUP BY 1",
    )
    # (Not exactly once: a worker lagging a whole period on a loaded machine can defer one
    # that another's newer defer pruned; that second job stands down when it runs. Without
    # the database's dedupe each of the three workers would defer every period.)
    counts = [int(n) for _, n in periods]  # type: ignore[call-overload]
    assert len(counts) >= 2 and sum(counts) < 2 * len(counts), periods


def _count(url: str, task: str, status: str | None = None) -> int:
    with psycopg.connect(engine.conninfo(url)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM procrastinate_jobs WHERE task_name = %s "
            "AND (%s::text IS NULL OR status::text = %s)",
            (task, status, status),
        ).fetchone()
    return int(row[0]) if row else 0


def _status(url: str, job_id: int) -> str:
    with psycopg.connect(engine.conninfo(url)) as conn:
        row = conn.execute(
            "SELECT status::text FROM procrastinate_jobs WHERE id = %s", (job_id,)
        ).fetchone()
    return str(row[0]) if row else ""


def _cases(sessions: sessionmaker[Session]) -> int:
    with sessions() as s:
        return int(s.execute(select(func.count()).select_from(Case)).scalar_one())


def _settings(url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=url,
        data_dir=tmp_path / "data",
        secret_key="test-secret-key-that-is-long-enough",
        ingest_seconds=0,
    )
