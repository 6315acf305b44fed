"""The records JSON API over HTTP, on SQLite and PostgreSQL: holds, retention, redactions,
productions and disposition do what the pages do, with the same permission checks; a refused
call writes nothing."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import clock, signing
from piodesk.core.audit import AuditEvent
from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.people import actions as people
from piodesk.people.tokens import ALL_SCOPES
from piodesk.records.productions.verify import verify_production
from piodesk.records.tables import DispositionRun, Hold, Production, RedactionDecision
from tests.conftest import PASSWORD
from tests.web.conftest import bearer

API = "/api/v1/records"


def count(sessions: sessionmaker[Session], table: type) -> int:
    with sessions() as s:
        return int(s.execute(select(func.count()).select_from(table)).scalar_one())


def wait(client: TestClient, headers: dict[str, str], job: dict[str, Any]) -> dict[str, Any]:
    for _ in range(600):
        state = client.get(job["progress"], headers=headers).json()
        if state["ended"]:
            return state
        time.sleep(0.05)
    raise AssertionError(f"{job['label']} never ended")


def test_custodian_works_holds_redactions_productions_and_disposition_through_the_api(
    client: TestClient,
    staff,
    tokens: dict,
    sessions: sessionmaker[Session],
    records: dict[str, int],
    public_key: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    me = bearer(tokens[Role.RECORDS])
    assert client.get(f"{API}/holds", headers=me).json() == []

    # A hold without a notice: refused, nothing placed, nothing audited.
    audits = count(sessions, AuditEvent)
    hold = {"name": "Doe v. City", "matter": "claim", "scope": "author"}
    refused = client.post(f"{API}/holds", headers=me, json={**hold, "author_platform_id": "u42"})
    assert refused.status_code in (400, 422) and "notice" in refused.json()["error"]
    assert count(sessions, Hold) == 0 and count(sessions, AuditEvent) == audits
    custodian = staff[Role.RECORDS].account_id
    placed = client.post(
        f"{API}/holds",
        headers=me,
        json={
            **hold,
            "author_platform_id": "u42",
            "notice": "Preserve every record of this person until released.",
            "custodians": [custodian],
        },
    )
    assert placed.status_code == 201, placed.text
    hold_id = placed.json()["id"]
    acked = client.post(f"{API}/holds/{hold_id}/acknowledge", headers=me).json()
    assert [a["name"] for a in acked["acknowledged_by"]] == ["Test records_custodian"]
    one = client.get(f"{API}/holds/{hold_id}", headers=me).json()
    assert one["in_force"] and one["records"] == 2  # the post and c1 and one["scope_label"]

    # Redactions: screening's PII detector proposes the phone number; confirmed with CORA's
    # exemption (an exemption from no list is refused).
    proposals = client.post(
        f"{API}/redactions/propose", headers=me, json={"item_ids": [records["c2"]]}
    ).json()
    phone = [p for p in proposals if "719-555-0134" in p["text"]]
    assert phone and phone[0]["source"].startswith("screening:")
    bad = client.post(
        f"{API}/redactions/{phone[0]['id']}/decide",
        headers=me,
        json={"confirm": True, "exemption": "nonsense"},
    )
    assert bad.status_code == 422 and count(sessions, RedactionDecision) == 0
    ok = client.post(
        f"{API}/redactions/{phone[0]['id']}/decide",
        headers=me,
        json={"confirm": True, "exemption": "cora-contact"},
    )
    assert ok.status_code == 200, ok.text
    listed = client.get(f"{API}/redactions?items={records['c2']}", headers=me).json()
    assert any(p["decision"] and p["decision"]["confirmed"] for p in listed)

    # A production in the background, then its ZIP, which verifies with the public key alone.
    started = client.post(
        f"{API}/productions", headers=me, json={"item_ids": sorted(records.values())}
    )
    assert started.status_code == 202, started.text
    done = wait(client, me, started.json())
    assert done["ok"], done
    made = client.get(done["link"], headers=me).json()
    assert made["records"] == len(records) and made["made_by"] == "Test records_custodian"
    zipped = client.get(made["download"], headers=me)
    assert zipped.status_code == 200
    path = tmp_path / "api.zip"
    path.write_bytes(zipped.content)
    assert verify_production(path, signing.load_public(public_key.read_bytes())).ok
    # Counsel alone makes a subpoena production.
    sub = client.post(
        f"{API}/productions", headers=me, json={"item_ids": [records["c1"]], "mode": "subpoena"}
    )
    assert sub.status_code == 403

    # Disposition: everything past a one-day schedule, the held record kept; two custodians.
    set_rule = client.post(
        f"{API}/retention",
        headers=me,
        json={"record_type": "comment", "period_days": 1, "citation": "test schedule"},
    )
    assert set_rule.status_code == 200 and set_rule.json()["period_days"] == 1
    later = clock.now() + timedelta(days=3)  # the comments were captured today
    monkeypatch.setattr(clock, "now", lambda: later)
    run = client.post(f"{API}/disposition", headers=me)
    assert run.status_code == 201, run.text
    run_out = run.json()
    assert run_out["state_label"] == "Dry run"
    assert records["c1"] in {c["item_id"] for c in run_out["held"]}
    assert records["c1"] not in {c["item_id"] for c in run_out["candidates"]}
    assert records["r1"] in {c["item_id"] for c in run_out["candidates"]}
    own = client.post(f"{API}/disposition/{run_out['id']}/approve", headers=me, json={})
    assert own.status_code in (403, 409) and "error" in own.json()
    early = client.post(f"{API}/disposition/{run_out['id']}/carry-out", headers=me)
    assert early.status_code == 422  # not approved yet: nothing destroyed
    with transaction(sessions) as s:
        robin = people.seed_account(
            s,
            username="robin",
            display_name="Robin Records",
            password=PASSWORD,
            roles=["records_custodian"],
            reason="test",
        )
        _row, secret = people.issue_api_token(
            s, actor=people.actor_for(robin), name="t", scopes=ALL_SCOPES
        )
    second = bearer(secret)
    approved = client.post(f"{API}/disposition/{run_out['id']}/approve", headers=second, json={})
    assert approved.status_code == 200 and approved.json()["approved_by"] == "Robin Records"
    carried = client.post(f"{API}/disposition/{run_out['id']}/carry-out", headers=second)
    assert carried.status_code == 202
    ended = wait(client, second, carried.json())
    assert ended["ok"], ended
    final = client.get(f"{API}/disposition/{run_out['id']}", headers=me).json()
    assert final["state_label"] == "Carried out"
    assert "CERTIFICATE OF RECORDS DISPOSITION" in final["certificate"]["text"]
    kept = client.get(f"/api/v1/archive/items/{records['c1']}", headers=me).json()
    assert [v["text"] for v in kept["versions"]] == [  # the held comment is untouched
        "When will it reopen?",
        "When will it reopen? Thanks",
    ]
    # Someone else's job is not theirs to read.
    assert client.get(carried.json()["progress"], headers=me).status_code == 404


def test_the_api_refuses_what_the_pages_refuse(
    client: TestClient, staff, tokens: dict, sessions: sessionmaker[Session], records: dict
) -> None:
    employee = bearer(tokens[Role.EMPLOYEE])
    before = (count(sessions, Hold), count(sessions, DispositionRun), count(sessions, Production))
    for method, url, body in [
        ("get", "/holds", None),
        ("post", "/holds", {"name": "x", "matter": "y", "scope": "items", "item_ids": [1]}),
        ("get", "/retention", None),
        ("post", "/retention", {"record_type": "comment", "period_days": 1}),
        ("post", "/disposition", None),
        ("get", "/productions", None),
        ("post", "/productions", {"item_ids": [records["c1"]]}),
        ("get", f"/redactions?items={records['c1']}", None),
        ("get", "/imports", None),
    ]:
        answer = client.request(method, API + url, headers=employee, json=body)
        assert answer.status_code == 403, (url, answer.text)
        assert "error" in answer.json()
    assert before == (
        count(sessions, Hold),
        count(sessions, DispositionRun),
        count(sessions, Production),
    )
    me = bearer(tokens[Role.RECORDS])
    assert client.get(f"{API}/holds/999", headers=me).status_code == 404
    nothing = client.post(f"{API}/productions", headers=me, json={})
    assert nothing.status_code == 422 and "list the record ids" in nothing.json()["error"]
    missing = client.post(
        f"{API}/holds",
        headers=me,
        json={
            "name": "x",
            "matter": "y",
            "scope": "items",
            "item_ids": [10**9],
            "notice": "Preserve these records until told otherwise.",
        },
    )
    assert missing.status_code == 404 and count(sessions, Hold) == 0
    # A cookie-less call with no token is asked to authenticate.
    assert client.get(f"{API}/holds").status_code == 401
    # The import history through the API, for who may import.
    assert client.get(f"{API}/imports", headers=me).json() == []
