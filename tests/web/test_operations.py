"""Operations: /metrics (who may read it, what it says, what it never says) and /health."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.ingest import ingest_page
from piodesk.archive.media import MediaStore
from piodesk.connectors.sandbox import platform
from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.core import audit, checkpoints, clock, signing, tags
from piodesk.core.config import Settings
from piodesk.core.db import make_engine, transaction
from piodesk.core.jobs import JobRunner
from piodesk.core.permissions import SYSTEM
from piodesk.moderation.intake import intake_all
from piodesk.pages.model import Agency
from piodesk.screening.engine import default_screener
from piodesk.web.app import create_app
from piodesk.web.operations import configure_logging
from tests.conftest import registered_sandbox_page

LOOPBACK = ("127.0.0.1", 40000)


def _figure(body: str, name: str, **labels: str) -> float:
    """The value of one sample in a Prometheus text exposition."""
    for line in body.splitlines():
        m = re.match(r"^(\w+)(\{.*\})? (\S+)$", line)
        if not m or m[1] != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', m[2] or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(m[3])
    raise AssertionError(f"no sample {name} {labels} in:\n{body}")


@pytest.fixture
def frozen() -> Iterator[list[timedelta]]:
    """The clock, moved by appending to the list it returns."""
    start = clock.now()
    shift = [timedelta(0)]
    clock.set_clock(lambda: start + shift[-1])
    yield shift
    clock.set_clock(None)


def test_metrics_are_for_loopback_or_the_token_only(settings: Settings, engine: Engine) -> None:
    remote = TestClient(create_app(settings, engine))
    refused = remote.get("/metrics")
    assert refused.status_code == 403 and "loopback" in refused.json()["error"]
    local = TestClient(create_app(settings, engine), client=LOOPBACK)
    assert local.get("/metrics").status_code == 200

    guarded = settings.model_copy(update={"metrics_token": "scrape-secret-0123456789"})
    for client in (
        TestClient(create_app(guarded, engine)),
        TestClient(create_app(guarded, engine), client=LOOPBACK),  # the token rules, not the host
    ):
        assert client.get("/metrics").status_code == 403
        wrong = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret-x"})
        assert wrong.status_code == 403
        good = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret-0123456789"})
        assert good.status_code == 200 and "piodesk_intake_lag_seconds" in good.text


def test_metrics_show_ingest_and_intake_lag_queues_and_latency_and_nothing_private(
    settings: Settings,
    engine: Engine,
    sessions: sessionmaker[Session],
    staff,
    agency: Agency,
    tmp_path: Path,
    frozen: list[timedelta],
) -> None:
    page = registered_sandbox_page(sessions, staff, agency, "community", name="Community Desk")
    sandbox = SandboxConnector(sessions, "community")
    post = sandbox.publish("Road closure on Academy Blvd until 3 pm.")
    with transaction(sessions) as s:
        found = platform.find_page(s, "community")
        assert found is not None
        platform.add_comment(
            s,
            found,
            int(post),
            visitor_id="v-zelda",
            visitor_name="Zelda Quixote",
            body="Secret-ish words: call 719-555-0142",
        )
    ingest_page(sessions, page, sandbox, media=MediaStore(tmp_path / "media"))
    runner = JobRunner()  # not started: its one job is due and waiting
    runner.every("ingest", 60, lambda: None)

    client = TestClient(create_app(settings, engine), client=LOOPBACK, follow_redirects=False)
    frozen.append(timedelta(seconds=90))
    assert client.get("/moderation/cases/987654321").status_code in (303, 401, 404)
    body = client.get("/metrics").text

    assert 89 <= _figure(body, "piodesk_ingest_lag_seconds", page_id=str(page)) <= 120
    backlog = _figure(body, "piodesk_intake_backlog_versions")
    assert backlog >= 3  # the profile, the post and the comment at least
    assert _figure(body, "piodesk_intake_lag_seconds") >= 89
    assert _figure(body, "piodesk_job_queue_depth", engine="inprocess", queue="ingest") >= 1
    assert _figure(body, "piodesk_job_queue_age_seconds", engine="inprocess", queue="ingest") >= 0
    # Latency by route template: the number asked for is never a label.
    assert 'route="/moderation/cases/{case_id}"' in body
    assert (
        _figure(
            body, "piodesk_http_request_duration_seconds_count", route="/moderation/cases/{case_id}"
        )
        >= 1
    )
    for private in ("987654321", "Zelda", "v-zelda", "719-555", "Community Desk", "community"):
        assert private not in body

    intake_all(sessions, default_screener())
    after = client.get("/metrics").text
    assert _figure(after, "piodesk_intake_backlog_versions") == 0
    assert _figure(after, "piodesk_intake_lag_seconds") == 0
    del runner


def test_metrics_count_procrastinate_jobs_when_its_table_exists(
    settings: Settings, engine: Engine
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("Procrastinate runs on PostgreSQL only")
    client = TestClient(create_app(settings, engine), client=LOOPBACK)
    # The jobs tests may have left Procrastinate's real schema in this worker's database: set
    # its jobs table aside for this test (views and keys follow a rename) and put it back after.
    with engine.begin() as conn:
        kept = conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is not None
        if kept:
            conn.execute(text("ALTER TABLE procrastinate_jobs RENAME TO procrastinate_jobs_kept"))
    assert 'engine="procrastinate"' not in client.get("/metrics").text  # no table, no figures
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE procrastinate_jobs (id bigserial PRIMARY KEY, queue_name text, "
                "task_name text, status text, scheduled_at timestamptz)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO procrastinate_jobs (queue_name, task_name, status, scheduled_at) "
                "VALUES ('ingest', 'a', 'todo', now() - interval '30 seconds'), "
                "('ingest', 'b', 'doing', now()), ('ingest', 'c', 'succeeded', now()), "
                "('outbox', 'd', 'todo', now() - interval '5 seconds')"
            )
        )
    try:
        body = client.get("/metrics").text
        assert _figure(body, "piodesk_job_queue_depth", engine="procrastinate", queue="ingest") == 2
        assert _figure(body, "piodesk_job_queue_depth", engine="procrastinate", queue="outbox") == 1
        age = _figure(body, "piodesk_job_queue_age_seconds", engine="procrastinate", queue="ingest")
        assert 25 <= age <= 600
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE procrastinate_jobs"))
            if kept:
                conn.execute(
                    text("ALTER TABLE procrastinate_jobs_kept RENAME TO procrastinate_jobs")
                )


def test_health_is_ok_then_names_a_stale_checkpoint_with_503(
    settings: Settings, engine: Engine, sessions: sessionmaker[Session], frozen: list[timedelta]
) -> None:
    client = TestClient(create_app(settings, engine))  # public: any client may ask
    first = client.get("/health")
    assert first.status_code == 200, first.text
    report = first.json()
    assert report["status"] == "ok"
    assert report["checks"]["database"] == {"ok": True}
    assert report["checks"]["migrations"]["ok"] is True
    assert report["checks"]["migrations"]["current"] == report["checks"]["migrations"]["head"]

    signing.init_key(settings.signing_key_path)
    with transaction(sessions) as s:
        audit.record(s, SYSTEM, tags.Account.SIGN_OUT, "account", "1", reason="test")
    checkpoints.checkpoint_now(sessions, settings)
    assert client.get("/health").json()["checks"]["checkpoint"]["last"] == 1

    # Three hours on, the chain moved and no checkpoint since: the checkpoint job stopped.
    frozen.append(timedelta(hours=3))
    with transaction(sessions) as s:
        audit.record(s, SYSTEM, tags.Account.SIGN_OUT, "account", "2", reason="test")
    stale = client.get("/health")
    assert stale.status_code == 503
    check = stale.json()["checks"]["checkpoint"]
    assert check["ok"] is False and check["moved_since"] is True
    assert "limit 7200 s" in check["problem"]
    checkpoints.checkpoint_now(sessions, settings)
    assert client.get("/health").status_code == 200


def test_health_and_metrics_say_so_when_the_database_is_unreachable(tmp_path: Path) -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2"
    settings = Settings(
        database_url=url, data_dir=tmp_path, secret_key="test-secret-key-that-is-long-enough"
    )
    down = make_engine(url)
    client = TestClient(create_app(settings, down), client=LOOPBACK)
    report = client.get("/health")
    assert report.status_code == 503
    assert report.json()["status"] == "unhealthy"
    assert report.json()["checks"]["database"]["ok"] is False
    assert _figure(client.get("/metrics").text, "piodesk_database_up") == 0
    down.dispose()


def test_health_says_the_migrations_are_behind(settings: Settings, engine: Engine) -> None:
    with engine.begin() as conn:
        (revision,) = conn.execute(text("SELECT version_num FROM alembic_version")).one()
        conn.execute(text("UPDATE alembic_version SET version_num = '0016'"))
    try:
        behind = TestClient(create_app(settings, engine)).get("/health")
        assert behind.status_code == 503
        assert behind.json()["checks"]["migrations"]["current"] == ["0016"]
        assert "piodesk migrate" in behind.json()["checks"]["migrations"]["problem"]
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


def test_json_logs_are_one_object_a_line(capsys: pytest.CaptureFixture[str]) -> None:
    import structlog

    configure_logging("json")
    try:
        structlog.get_logger("piodesk.test").info("poll finished", page_id=7, changed=2)
        line = capsys.readouterr().out.strip().splitlines()[-1]
        record = json.loads(line)
        assert record["event"] == "poll finished" and record["page_id"] == 7
        assert record["level"] == "info" and record["timestamp"].endswith("Z")
    finally:
        configure_logging("console")
