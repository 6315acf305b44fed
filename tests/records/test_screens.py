"""The records custodian's screens: hold placed (an error keeps the typed text), production made
in the background and downloaded (the download verifies), verification in the browser."""

from __future__ import annotations

import re
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


def test_record_pages_link_a_reply_to_its_parent_and_a_decided_version_to_its_case(
    settings: Settings, engine: Engine, staff: People, records: dict[str, int], sessions
) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from sqlalchemy import select

    from piodesk.archive.tables import ArchiveVersion
    from piodesk.core.db import transaction
    from piodesk.moderation.tables import Case, Decision

    with transaction(sessions) as s:  # the removal recorded the record's last version
        case_id = s.execute(select(Case.id).where(Case.item_id == records["c2"])).scalar_one()
        seq = (
            s.execute(
                select(ArchiveVersion.seq)
                .where(ArchiveVersion.item_id == records["c2"])
                .order_by(ArchiveVersion.version.desc())
            )
            .scalars()
            .first()
        )
        s.add(
            Decision(
                case_id=case_id,
                action="remove",
                reason="pii",
                note="phone number",
                actor_name="Test pio",
                decided_at=datetime(2026, 11, 3, tzinfo=UTC),
                platform_effect="removed",
                archive_seq=seq,
            )
        )
        from piodesk.core import audit, tags

        audit.record(s, staff[Role.PIO], tags.Moderation.REMOVE, "case", case_id, reason="t")
    client = TestClient(create_app(settings, engine), follow_redirects=False)
    sign_in(client, staff[Role.PIO].username, PASSWORD)
    reply = client.get(f"/archive/items/{records['r1']}").text
    assert re.search(
        rf'id="parent"><a href="/archive/items/{records["c1"]}">the comment by Person u42</a>',
        reply,
    )
    parent = client.get(f"/archive/items/{records['c1']}").text
    replies = re.search(r'id="replies">(.*?)</dd>', parent, re.S)
    assert replies and f'href="/archive/items/{records["r1"]}"' in replies[1], parent
    assert "by Person cspd" in replies[1]
    removed = client.get(f"/archive/items/{records['c2']}").text
    assert f'id="cases"><a href="/moderation/cases/{case_id}">case {case_id}</a>' in removed
    assert re.search(
        rf'class="decided">Removed by the decision on <a href="/moderation/cases/{case_id}"',
        removed,
    )
    assert 'id="item-state">Removed<' in removed  # the state in words, not its code
    # The records custodian sees the case number, not a link to a queue they cannot open.
    other = TestClient(create_app(settings, engine), follow_redirects=False)
    sign_in(other, staff[Role.RECORDS].username, PASSWORD)
    seen = other.get(f"/archive/items/{records['c2']}").text
    assert f"case {case_id}" in seen and f'href="/moderation/cases/{case_id}"' not in seen


def test_disposition_screens_take_two_custodians(
    settings: Settings,
    engine: Engine,
    staff: People,
    records: dict[str, int],
    sessions,  # type: ignore[no-untyped-def]
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    from datetime import UTC, datetime

    from piodesk.core import clock
    from piodesk.core.db import transaction
    from piodesk.people import actions as people

    with transaction(sessions) as s:
        people.seed_account(
            s,
            username="robin",
            display_name="Robin Records",
            password=PASSWORD,
            roles=["records_custodian"],
            reason="test",
        )
    monkeypatch.setattr(clock, "now", lambda: datetime(2030, 1, 1, tzinfo=UTC))
    app = create_app(settings, engine)
    first = TestClient(app, follow_redirects=False)
    csrf = sign_in(first, staff[Role.RECORDS].username, PASSWORD)
    made = first.post("/records/disposition", data={"csrf_token": csrf})
    assert made.status_code == 303
    run_page = made.headers["location"]
    page = first.get(run_page).text
    assert "Dry run" in page and "Approve this list" not in page  # not one's own run
    second = TestClient(app, follow_redirects=False)
    csrf2 = sign_in(second, "robin", PASSWORD)
    assert "Approve this list" in second.get(run_page).text
    assert second.post(run_page + "/approve", data={"csrf_token": csrf2}).status_code == 303
    carried = second.post(run_page + "/carry-out", data={"csrf_token": csrf2})
    assert carried.status_code == 303
    # Carried out in the background: the run's page follows it with a progress fragment.
    followed = second.get(carried.headers["location"]).text
    token = re.search(r'hx-get="/records/jobs/([\w-]+)/progress"', followed)
    fragment = followed
    for _ in range(600):
        if token is None or "hx-trigger" not in fragment:
            break
        fragment = second.get(f"/records/jobs/{token[1]}/progress").text
        time.sleep(0.05)
    assert "Carried out: the content of" in fragment, fragment
    page = second.get(run_page).text
    assert "CERTIFICATE OF RECORDS DISPOSITION" in page
    assert "Destroy the content of these" not in page
    item = second.get(f"/archive/items/{records['c1']}").text
    assert "Content destroyed" in item and "When will it reopen?" not in item


def test_redaction_screen_proposes_and_confirms(
    settings: Settings,
    engine: Engine,
    staff: People,
    records: dict[str, int],
    sessions,  # type: ignore[no-untyped-def]
) -> None:
    from piodesk.records import redaction

    client = TestClient(create_app(settings, engine), follow_redirects=False)
    csrf = sign_in(client, staff[Role.RECORDS].username, PASSWORD)
    assert client.get("/records/redactions").status_code == 200
    bad = client.get("/records/redactions?items=abc")
    assert bad.status_code == 400 and "record ids are numbers" in bad.text
    item = str(records["c2"])
    done = client.post("/records/redactions/propose", data={"csrf_token": csrf, "items": item})
    assert done.status_code == 303
    page = client.get(done.headers["location"]).text
    assert "719-555-0134" in page and "PII detector (a phone number)" in page
    with sessions() as s:
        rows = redaction.review(s, [records["c2"]], None)
    rid = rows[0][0].id
    refused = client.post(
        f"/records/redactions/{rid}/decide",
        data={"csrf_token": csrf, "items": item, "decision": "confirm", "exemption": "nonsense"},
    )
    assert refused.status_code == 400 and "needs an exemption from the CORA list" in refused.text
    ok = client.post(
        f"/records/redactions/{rid}/decide",
        data={
            "csrf_token": csrf,
            "items": item,
            "decision": "confirm",
            "exemption": "cora-contact",
        },
    )
    assert ok.status_code == 303
    assert "Confirmed" in client.get(ok.headers["location"]).text


def test_hand_redaction_form_keeps_the_typed_values_on_error(
    settings: Settings,
    engine: Engine,
    staff: People,
    records: dict[str, int],
) -> None:
    client = TestClient(create_app(settings, engine), follow_redirects=False)
    csrf = sign_in(client, staff[Role.RECORDS].username, PASSWORD)
    bad = client.post(
        "/records/redactions/by-hand",
        data={"csrf_token": csrf, "version_seq": "1", "start": "5", "end": "5000"},
    )
    assert bad.status_code == 400 and "is not inside the version" in bad.text
    assert 'value="5000"' in bad.text
    ok = client.post(
        "/records/redactions/by-hand",
        data={
            "csrf_token": csrf,
            "version_seq": "1",
            "start": "0",
            "end": "4",
            "items": str(records["post1"]),
        },
    )
    assert ok.status_code == 303
    assert "<mark>Road</mark>" in client.get(ok.headers["location"]).text
