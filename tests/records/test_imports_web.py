"""Imports from the browser, through the whole web app on SQLite and PostgreSQL: an upload is
imported in the background and followed by its progress fragment; the history names who, when,
the file and its SHA-256, the counts and the outcome; a bad export is refused beside the field
and writes nothing."""

from __future__ import annotations

import hashlib
import re
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.tables import ArchiveItem, ArchiveVersion, ImportRun
from piodesk.core.audit import AuditEvent
from piodesk.core.config import Settings
from piodesk.records import imports
from tests.conftest import PASSWORD
from tests.connectors.conftest import shared
from tests.web.conftest import sign_in


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
