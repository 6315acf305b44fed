"""The records custodian's screens: hold placed (an error keeps the typed text), production made
in the background and downloaded (the download verifies), verification in the browser."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from piodesk.core import signing
from piodesk.core.config import Settings
from piodesk.core.permissions import Role
from piodesk.records.productions.verify import verify_production
from piodesk.web.app import create_app
from tests.conftest import PASSWORD, People
from tests.web.conftest import sign_in


def test_custodian_screens(
    settings: Settings,
    engine: Engine,
    staff: People,
    records: dict[str, int],
    public_key: Path,
    tmp_path: Path,
) -> None:
    client = TestClient(create_app(settings, engine), follow_redirects=False)
    csrf = sign_in(client, staff[Role.RECORDS].username, PASSWORD)
    page = client.get("/records")
    assert page.status_code == 200 and "Retention schedule" in page.text
    assert "NARA GRS 6.4" in page.text
    # A hold without a notice: refused beside the form, the typed name kept.
    bad = client.post(
        "/records/holds",
        data={
            "csrf_token": csrf,
            "name": "Doe v. City",
            "matter": "claim",
            "scope": "author",
            "value": "u7",
            "notice": "",
        },
    )
    assert bad.status_code == 400 and "notice is required" in bad.text
    assert 'value="Doe v. City"' in bad.text
    ok = client.post(
        "/records/holds",
        data={
            "csrf_token": csrf,
            "name": "Doe v. City",
            "matter": "claim",
            "scope": "author",
            "value": "u7",
            "notice": "Preserve every record of this person until released.",
        },
    )
    assert ok.status_code == 303
    assert "Doe v. City" in client.get("/records").text
    # A production, followed to the end, downloaded, verified.
    started = client.post(
        "/records/productions",
        data={
            "csrf_token": csrf,
            "items": " ".join(str(i) for i in records.values()),
            "mode": "request",
        },
    )
    assert started.status_code == 303
    job = started.headers["location"]
    for _ in range(200):
        fragment = client.get(job + "/progress").text
        if "Download" in fragment or "error" in fragment:
            break
        time.sleep(0.1)
    assert "Download the ZIP" in fragment, fragment
    download = client.get("/records/productions/1/download")
    assert download.status_code == 200
    path = tmp_path / "downloaded.zip"
    path.write_bytes(download.content)
    assert verify_production(path, signing.load_public(public_key.read_bytes())).ok
    # Verification in the browser.
    verified = client.get("/records/verify?run=deep")
    assert verified.status_code == 200 and "Everything verifies" in verified.text
    # Someone who may not produce cannot download.
    other = TestClient(create_app(settings, engine), follow_redirects=False)
    sign_in(other, staff[Role.EMPLOYEE].username, PASSWORD)
    assert other.get("/records/productions/1/download").status_code == 403
