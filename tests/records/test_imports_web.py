"""Imports from the browser, through the whole web app on SQLite and PostgreSQL: an upload is
imported in the background and followed by its progress fragment; the history names who, when,
the file and its SHA-256, the counts and the outcome; a bad export is refused beside the field
and writes nothing."""

from __future__ import annotations

import hashlib
import re
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.tables import ArchiveItem, ArchiveVersion, ImportRun
from piodesk.core import clock
from piodesk.core.audit import AuditEvent
from piodesk.core.config import Settings
from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.people.tables import Account
from piodesk.records import imports, jobs
from piodesk.records.job_tables import BackgroundJob
from tests.conftest import PASSWORD
from tests.connectors.conftest import shared
from tests.web.conftest import bearer, sign_in


def counts(sessions: sessionmaker[Session]) -> tuple[int, ...]:
    with sessions() as s:
        return tuple(
            int(s.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (ArchiveItem, ArchiveVersion, ImportRun, AuditEvent)
        )


def upload(client: TestClient, csrf: str, name: str, data: bytes, **fields: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/records/imports",
        data={"csrf_token": csrf, **fields},
        files={"export": (name, data, "application/octet-stream")},
    )


def follow(client: TestClient, location: str) -> str:
    """Poll the progress fragment as htmx does until the work ends; the fragment's text."""
    token = re.search(r"job=([\w-]+)", location)
    assert token, location
    for _ in range(600):
        fragment = client.get(f"/records/jobs/{token[1]}/progress", headers={"HX-Request": "true"})
        assert fragment.status_code == 200
        if fragment.headers.get("hx-refresh") == "true":
            assert "hx-trigger" not in fragment.text  # a finished fragment polls no more
            return fragment.text
        assert "<progress" in fragment.text
        time.sleep(0.05)
    raise AssertionError("the import never finished")


def test_custodian_imports_an_export_and_reads_its_history(
    client: TestClient, staff, sessions: sessionmaker[Session], settings: Settings
) -> None:
    export = shared("exports/facebook/your_posts_1.json")
    data = export.read_bytes()
    csrf = sign_in(client, "records-custodian", PASSWORD)
    page = client.get("/records/imports")
    assert page.status_code == 200 and "No imports yet." in page.text
    assert 'enctype="multipart/form-data"' in page.text

    started = upload(client, csrf, export.name, data)
    assert started.status_code == 303, started.text
    done = follow(client, started.headers["location"])
    with sessions() as s:
        run = s.execute(select(ImportRun)).scalar_one()
        items = s.execute(select(func.count()).select_from(ArchiveItem)).scalar_one()
        actions = list(
            s.execute(select(AuditEvent.action).where(AuditEvent.target_type == "import_run"))
            .scalars()
            .all()
        )
    assert run.status == "finished" and run.taken == items > 0
    assert f"Import {run.id} finished: {run.taken:,} new records" in done
    assert actions == ["archive:import_start", "archive:import_finish"]

    history = client.get("/records/imports").text
    entry = history[history.index(f'id="run-{run.id}"') :]
    assert hashlib.sha256(data).hexdigest() == run.file_sha256
    assert run.file_sha256 in entry and export.name in entry
    # The person's name, not their username:
    assert '<dd class="import-who">Test records_custodian</dd>' in entry
    assert f"{run.taken:,} new records or versions" in entry and "Finished" in entry
    # The uploaded copy is gone once imported (the archive keeps every raw payload).
    assert not any(imports.upload_dir(settings).rglob("*.json"))

    # The same file again adds nothing and says so.
    before = counts(sessions)
    again = upload(client, csrf, export.name, data)
    assert "imported already" in follow(client, again.headers["location"])
    assert counts(sessions) == before


def test_bad_uploads_are_refused_beside_the_field_and_write_nothing(
    client: TestClient,
    staff,
    sessions: sessionmaker[Session],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    whole = shared("exports/facebook/your_posts_1.json").read_bytes()
    cases = [
        ("your_posts_1.json", whole[: len(whole) // 2], "truncated|end of|incomplete"),
        ("hello.json", b'{"hello": "this is not an export"}', "not a platform export"),
        ("empty.json", b"", "is empty"),
    ]
    csrf = sign_in(client, "records-custodian", PASSWORD)
    before = counts(sessions)
    for name, data, message in cases:
        refused = upload(client, csrf, name, data, again="yes")
        assert refused.status_code == 400, name
        error = re.search(r'class="error" role="alert" id="export-error">([^<]+)</p>', refused.text)
        assert error and re.search(message, error[1], re.I), (name, error)
        assert 'aria-invalid="true"' in refused.text
        assert 'name="again" value="yes" checked' in refused.text  # what was chosen is kept
    none = client.post("/records/imports", data={"csrf_token": csrf})
    assert none.status_code == 400 and "choose the export file" in none.text
    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", 1000)
    big = upload(client, csrf, "big.json", b"[" + b" " * 5000 + b"]")
    assert big.status_code == 400
    assert re.search(r'id="export-error">big.json is larger than this form takes', big.text)
    assert counts(sessions) == before
    assert not any(p.is_file() for p in imports.upload_dir(settings).rglob("*"))

    cadre = sign_in(client, "cadre", PASSWORD)
    before = counts(sessions)
    assert client.get("/records/imports").status_code == 403
    assert upload(client, cadre, "x.json", whole).status_code == 403
    assert counts(sessions) == before


def test_an_import_that_stops_is_audited_and_shown_as_resumable(
    client: TestClient, staff, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    from piodesk.archive import importing

    def disk_full(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("disk full")  # the machine fails while the first batch is written

    monkeypatch.setattr(importing, "capture", disk_full)
    export = shared("exports/facebook/your_posts_1.json")
    csrf = sign_in(client, "records-custodian", PASSWORD)
    started = upload(client, csrf, export.name, export.read_bytes())
    ended = follow(client, started.headers["location"])
    assert "stopped with an unexpected error (OSError)" in ended
    with sessions() as s:
        run = s.execute(select(ImportRun)).scalar_one()
        failed = s.execute(
            select(AuditEvent).where(AuditEvent.action == "archive:import_failed")
        ).scalar_one()
    assert run.status == "running" and failed.target_id == str(run.id)
    history = client.get("/records/imports").text
    assert "upload the same file again to resume it" in history


# ---- the same upload through the JSON API, and progress that outlives the process -----------

API = "/api/v1/records"


def api_upload(client: TestClient, headers: dict[str, str], name: str, data: bytes, **fields: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"{API}/imports",
        headers=headers,
        data=fields,
        files={"export": (name, data, "application/octet-stream")},
    )


def test_the_api_imports_an_upload_and_refuses_what_the_page_refuses(
    client: TestClient, staff, tokens, sessions: sessionmaker[Session], settings: Settings
) -> None:
    me = bearer(tokens[Role.RECORDS])
    whole = shared("exports/facebook/your_posts_1.json").read_bytes()
    before = counts(sessions)
    for name, data, field, message in [
        ("your_posts_1.json", whole[: len(whole) // 2], "export", "truncated|end of|incomplete"),
        ("hello.json", b'{"hello": "this is not an export"}', "export", "not a platform export"),
        ("empty.json", b"", "export", "is empty"),
        ("your_posts_1.json", whole, "page", "page"),
    ]:
        extra = {"page": "not-a-number"} if field == "page" else {}
        refused = api_upload(client, me, name, data, **extra)
        assert refused.status_code == 422, (name, refused.text)
        body = refused.json()
        assert body["field"] == field and re.search(message, body["error"], re.I), body
    none = client.post(f"{API}/imports", headers=me, data={"again": "yes"})
    assert none.status_code == 422 and none.json()["error"] == "choose the export file"
    assert counts(sessions) == before
    assert not any(p.is_file() for p in imports.upload_dir(settings).rglob("*"))
    # Someone who may not import: refused, nothing written.
    assert api_upload(client, bearer(tokens[Role.CADRE]), "x.json", whole).status_code == 403
    assert counts(sessions) == before

    started = api_upload(client, me, "your_posts_1.json", whole)
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["kind"] == "import" and job["label"] == "your_posts_1.json"
    ended = wait_api(client, me, job)
    assert ended["ok"] and ended["result"].startswith("Import ") and ended["ref"]
    history = client.get(f"{API}/imports", headers=me).json()
    assert [h["id"] for h in history] == [ended["ref"]]
    assert history[0]["file_sha256"] == hashlib.sha256(whole).hexdigest()
    assert history[0]["outcome"] == "finished" and history[0]["by"] == "Test records_custodian"
    # Only the person who started the work follows it.
    other = client.get(job["progress"], headers=bearer(tokens[Role.LEGAL]))
    assert other.status_code == 404


def wait_api(client: TestClient, headers: dict[str, str], job: dict) -> dict:  # type: ignore[type-arg]
    for _ in range(600):
        state = client.get(job["progress"], headers=headers).json()
        if state["ended"]:
            return state  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError("the import never ended")


def _row_saved(sessions: sessionmaker[Session], token: str) -> BackgroundJob:
    """The job's row once its ticker has written the outcome."""
    for _ in range(200):
        with sessions() as s:
            row = s.get(BackgroundJob, token)
            if row is not None and row.finished:
                s.expunge(row)
                return row
        time.sleep(0.05)
    raise AssertionError("the job's outcome never reached the database")


def test_progress_outlives_a_restart_and_names_work_that_stopped_with_its_server(
    client: TestClient,
    staff,
    tokens,
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    me = bearer(tokens[Role.RECORDS])
    export = shared("exports/facebook/your_posts_1.json")
    job = api_upload(client, me, export.name, export.read_bytes()).json()
    ended = wait_api(client, me, job)
    row = _row_saved(sessions, job["job"])
    assert row.result == ended["result"]
    assert (row.done, row.total) == (ended["done"], ended["total"])

    # A restart: a new process (another runner id) with nothing in memory.
    monkeypatch.setattr(jobs, "_JOBS", {})
    monkeypatch.setattr(jobs, "RUNNER", "restarted-process")
    after = client.get(job["progress"], headers=me).json()
    assert after["ended"] and after["ok"] and after["result"] == ended["result"]
    csrf = sign_in(client, "records-custodian", PASSWORD)
    assert csrf
    fragment = client.get(f"/records/jobs/{job['job']}/progress").text
    assert ended["result"].split(":")[0] in fragment

    # Work that was running in a process that died: its heartbeat stopped long ago.
    with sessions() as s:
        owner = s.execute(select(Account.id).where(Account.username == "records-custodian"))
        owner_id = owner.scalar_one()
    long_ago = clock.now() - timedelta(minutes=10)
    with transaction(sessions) as s:
        for token, beat in (("died-with-its-server", long_ago), ("elsewhere", clock.now())):
            s.add(
                BackgroundJob(
                    token=token,
                    owner_id=owner_id,
                    kind="import",
                    label="big-export.zip",
                    key="ab" * 32,
                    unit="records",
                    done=1200,
                    total=5000,
                    result="",
                    link="",
                    error="",
                    finished=False,
                    runner="a-process-that-stopped",
                    started_at=long_ago,
                    updated_at=beat,
                )
            )
    stopped = client.get(f"{API}/jobs/died-with-its-server", headers=me).json()
    assert stopped["ended"] and not stopped["ok"]
    assert (
        "stopped when the server did" in stopped["error"] and "1,200 of 5,000" in stopped["error"]
    )
    # Work another live process is doing (a fresh heartbeat) is shown as running, from its row.
    running = client.get(f"{API}/jobs/elsewhere", headers=me).json()
    assert not running["ended"] and (running["done"], running["total"]) == (1200, 5000)
    page = client.get("/records/imports").text
    assert "big-export.zip" in page and "stopped when the server did" in page
