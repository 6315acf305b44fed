"""Jobs deferred in the caller's transaction, and intake ranges written in the chain's order.

PostgreSQL (Procrastinate's queue lives there) except where SQLite's no-op is the point.
"""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.capture import capture
from piodesk.archive.tables import ArchiveHead, ArchiveVersion
from piodesk.core.config import Settings
from piodesk.core.db import transaction
from piodesk.jobs import engine, queue
from piodesk.jobs import engine as engine_module
from piodesk.jobs.pipeline import intake_range
from piodesk.moderation.intake import intake_all
from piodesk.moderation.tables import Case, IntakeMark, Screening
from piodesk.screening.engine import default_screener
from tests.jobs.items import comment

PG = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
SOURCE = "ingest:sandbox:precinct"


def _intake_jobs(url: str) -> list[tuple[int, int]]:
    with psycopg.connect(engine.conninfo(url)) as conn:
        rows = conn.execute(
            "SELECT (args->>'after')::int, (args->>'upto')::int FROM procrastinate_jobs "
            "WHERE task_name = %s ORDER BY id",
            (engine.INTAKE_RANGE,),
        ).fetchall()
    return [(a, u) for a, u in rows]


def _head(sessions: sessionmaker[Session]) -> int:
    with sessions() as s:
        return int(s.execute(select(ArchiveHead.last_seq)).scalar() or 0)


@PG
def test_a_capture_defers_its_intake_in_its_own_transaction(
    queue_url: str, sessions: sessionmaker[Session]
) -> None:
    queue.activate(engine.deferrer(queue_url))
    with transaction(sessions) as s, queue.intake_after_capture(s):
        capture(s, [comment(1, "hello"), comment(2, "I will kill you")], source=SOURCE)
    assert _intake_jobs(queue_url) == [(0, 2)] and _head(sessions) == 2

    # A capture that rolls back leaves neither its versions nor its job.
    with pytest.raises(RuntimeError), transaction(sessions) as s, queue.intake_after_capture(s):
        capture(s, [comment(3, "gone with the rollback")], source=SOURCE)
        raise RuntimeError("the poll failed after capturing")
    assert _intake_jobs(queue_url) == [(0, 2)] and _head(sessions) == 2

    # A refused duplicate (its queueing lock) does not abort the caller's transaction.
    with transaction(sessions) as s:
        first = queue.defer(s, "piodesk.checkpoint", queueing_lock="only-one", timestamp=0)
        again = queue.defer(s, "piodesk.checkpoint", queueing_lock="only-one", timestamp=0)
        capture(s, [comment(4, "still written")], source=SOURCE)
    assert first is not None and again is None and _head(sessions) == 3


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_on_sqlite_nothing_is_deferred(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s, queue.intake_after_capture(s):
        capture(s, [comment(1, "hello")], source=SOURCE)
        assert queue.defer(s, "piodesk.checkpoint", timestamp=0) is None
    assert _head(sessions) == 1


@PG
def test_ranges_finished_out_of_order_still_write_the_queue_in_order(
    queue_url: str, sessions: sessionmaker[Session]
) -> None:
    screener = default_screener()
    queue.activate(engine.deferrer(queue_url))
    texts = [
        ["thanks for the update", "I will kill you, officer"],
        ["call me at 719-555-0142 for cheap pills", "road closed again?"],
        ["you are all idiots and I will kill you", "nice work"],
    ]
    n = 0
    for batch in texts:
        with transaction(sessions) as s, queue.intake_after_capture(s):
            capture(s, [comment(n + i, t) for i, t in enumerate(batch)], source=SOURCE)
        n += len(batch)
    # An edit of the first threat, captured outside any worker (no range job covers it).
    with transaction(sessions) as s:
        capture(s, [comment(1, "I will kill you, officer, tonight", 2)], source=SOURCE)
    ranges = _intake_jobs(queue_url)
    assert len(ranges) == 3
    # The last range finishes first: the two before it are still queued, so its write stops
    # at the gap they cover; the first range's write (the second still queued) takes only its
    # own; the second's takes its own and the last one's, in one transaction.
    order = (2, 0, 1)
    reports = {
        i: intake_range(
            sessions,
            screener,
            after=ranges[i][0],
            upto=ranges[i][1],
            pending=engine.earlier_range,
        )
        for i in order
    }
    written = {i: r.written for i, r in reports.items()}
    assert all(r.staged and r.screened_ahead == 2 for r in reports.values())
    assert [(w.transactions, w.ranges) for w in written.values() if w] == [(0, 0), (1, 1), (1, 2)]
    # The queue still says the three jobs are waiting (no worker ran them): what would
    # have been their runs find their work done and screen nothing.
    for after, upto in ranges:
        report = intake_range(sessions, screener, after=after, upto=upto)
        assert report.screened_ahead == 0 and not report.staged
    # The uncovered edit is the sweep's: nothing waits on it.
    intake_all(sessions, screener)
    with sessions() as s:
        mark = s.execute(select(IntakeMark.last_seq)).scalar()
        head = s.execute(select(func.max(ArchiveVersion.seq))).scalar()
        screened = s.execute(select(Screening.version_seq).order_by(Screening.id)).scalars().all()
        per_item = dict(s.execute(select(Case.item_id, func.count()).group_by(Case.item_id)).all())
    assert mark == head == 7
    assert screened == sorted(screened) == [1, 2, 3, 4, 5, 6, 7]  # each once, in chain order
    # One case per flagged comment: the edit of the first threat (screened again, by the
    # sweep, after the ranges) joined its open case instead of opening a second.
    assert per_item and set(per_item.values()) == {1}
    with sessions() as s:
        threat = s.execute(
            select(func.count())
            .select_from(Case)
            .join(Screening, Screening.id == Case.screening_id)
            .where(Screening.version_seq == 7)
        ).scalar_one()
    assert threat == 1  # the case now points at the edited version's screening


def test_cron_lines_and_conninfo() -> None:
    assert engine.cron_for(0.5) == "* * * * * */1"
    assert engine.cron_for(10) == "* * * * * */10"
    assert engine.cron_for(60) == "*/1 * * * *"
    assert engine.cron_for(3600) == "0 */1 * * *"
    assert engine.cron_for(86_400) == "0 0 * * *"
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dpiodesk_x"
    assert engine.conninfo(url) == (
        "postgresql://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dpiodesk_x"
    )
    with pytest.raises(ValueError, match="PostgreSQL"):
        engine.conninfo("sqlite:///var/x.sqlite3")


@PG
def test_the_web_server_on_postgresql_runs_no_job_and_defers_in_its_transactions(
    queue_url: str, settings: Settings, engine: Engine
) -> None:
    from fastapi.testclient import TestClient

    from piodesk.web.app import create_app

    on_workers = settings.model_copy(update={"jobs_engine": "auto"})
    assert engine_module.uses_procrastinate(on_workers)
    assert not engine_module.uses_procrastinate(settings)  # the tests' "inprocess"
    with TestClient(create_app(on_workers, engine, jobs=True)):
        assert queue.active()
    assert not queue.active()
