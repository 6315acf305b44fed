"""The checkpoints are public: anyone fetches them and the public key without signing in."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import checkpoints, signing
from piodesk.core.config import Settings
from piodesk.web.app import create_app


def test_anonymous_visitor_fetches_and_checks_the_checkpoints(
    client: TestClient, settings: Settings, sessions: sessionmaker[Session], staff
) -> None:
    signing.init_key(settings.signing_key_path)
    first = checkpoints.checkpoint_now(sessions, settings)
    second = checkpoints.checkpoint_now(sessions, settings)
    assert first is not None and second is not None

    page = client.get("/checkpoints")
    assert page.status_code == 200
    assert "2 checkpoints" in page.text and "Audit log" in page.text
    assert first.chains["audit"].hash[:16] in page.text
    assert "piodesk checkpoint check" in page.text
    assert "/login" not in page.headers.get("location", "")

    pem = client.get("/checkpoints/public-key")
    assert pem.status_code == 200 and pem.text.startswith("-----BEGIN PUBLIC KEY-----")
    assert "PRIVATE" not in pem.text
    lines = client.get("/checkpoints.jsonl")
    assert lines.status_code == 200
    found = checkpoints.parse(lines.text)
    assert [c.seq for c in found] == [1, 2]
    # What an outsider does with the two downloads: every signature and the order hold.
    assert checkpoints.check(found, signing.load_public(pem.text)) == []

    doc = client.get("/checkpoints.json").json()
    assert doc["public_key"] == pem.text
    assert [c["statement"]["seq"] for c in doc["checkpoints"]] == [1, 2]


def test_without_a_key_the_page_says_so(client: TestClient) -> None:
    page = client.get("/checkpoints")
    assert page.status_code == 200 and "no signing key yet" in page.text
    assert client.get("/checkpoints/public-key").status_code == 404
    assert client.get("/checkpoints.jsonl").text == ""


def test_the_server_makes_checkpoints_on_its_schedule(
    settings: Settings, engine: Engine, staff
) -> None:
    signing.init_key(settings.signing_key_path)
    scheduled = settings.model_copy(
        update={"ingest_seconds": 0, "intake_seconds": 0, "checkpoint_seconds": 3600}
    )
    with TestClient(create_app(scheduled, engine, jobs=True)):
        # The job runs at start-up on the runner's thread; wait for its line (no timing asserted).
        deadline = time.monotonic() + 30
        path = settings.checkpoint_path
        while time.monotonic() < deadline and not (
            path.exists() and path.read_text().endswith("\n")
        ):
            time.sleep(0.05)
    found = checkpoints.parse(settings.checkpoint_path.read_text())
    assert [c.seq for c in found] == [1]
    assert found[0].chains["audit"].count > 0
