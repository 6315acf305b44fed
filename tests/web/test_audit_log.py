"""The audit log in the browser: filters, search, CSV export and verify, in people's words."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import clock, tags
from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.pages import actions as pages
from piodesk.pages.model import Agency
from piodesk.web.labels import action_label, role_labels
from tests.conftest import JUSTIFICATION, PASSWORD
from tests.core.test_audit import _disable_append_only
from tests.pages.test_compliance import complete_profile
from tests.web.conftest import bearer, sign_in

MARCH = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
APRIL = datetime(2026, 4, 20, 15, 30, tzinfo=UTC)


@pytest.fixture
def history(sessions: sessionmaker[Session], staff, agency: Agency) -> dict[str, int]:
    """Two pages: one registered and approved in March, one registered and retired in April."""
    ids: dict[str, int] = {}
    try:
        clock.set_clock(lambda: MARCH)
        with transaction(sessions) as s:
            march = pages.register_page(
                s,
                actor=staff[Role.PIO],
                agency=agency,
                platform="facebook",
                handle="march",
                name='=HYPERLINK("x") March page',  # a name a spreadsheet would run
                administering_unit="Public Affairs Section",
                profile=complete_profile(),
            )
            pages.approve_page(s, march.id, actor=staff[Role.CHIEF], reason="=1+1 storm season")
            ids["march"] = march.id
        clock.set_clock(lambda: APRIL)
        with transaction(sessions) as s:
            april = pages.register_page(
                s,
                actor=staff.admin,
                agency=agency,
                platform="instagram",
                handle="april",
                name="April page",
                administering_unit="Patrol",
            )
            pages.approve_page(s, april.id, actor=staff[Role.CHIEF], reason=JUSTIFICATION)
            pages.retire_page(s, april.id, actor=staff[Role.CHIEF], reason="account closed by Meta")
            ids["april"] = april.id
    finally:
        clock.set_clock(None)
    return ids


def _cells(page: str) -> list[list[str]]:
    """The audit table's rows as lists of cell texts (tags stripped)."""
    body = page.split('id="audit-table"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", c).split())
            for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)
        ]
        for r in rows
    ]


def test_the_log_speaks_in_names_and_words(client: TestClient, staff, history) -> None:
    sign_in(client, "auditor", PASSWORD)
    shown = client.get("/audit")
    assert shown.status_code == 200
    rows = _cells(shown.text)
    whats = [r[3] for r in rows]
    assert "Page approved" in whats and "Page retired" in whats and "Page registered" in whats
    visible = " ".join(" ".join(r) for r in rows)
    assert "page:approved" not in visible and "page:register" not in visible
    assert "Test chief" in visible and "Chief of police / designee" in visible
    assert "Root Admin" in visible  # the bootstrap admin's name, never "root"
    assert "April page" in visible  # a page target by its name


@pytest.mark.parametrize(
    ("query", "expect"),
    [
        ("action=page:retired", {"Page retired"}),
        ("actor=chief", {"Page approved", "Page retired"}),
        ("date_from=2026-03-01&date_to=2026-03-31", {"Page registered", "Page approved"}),
        ("q=closed+by+META", {"Page retired"}),  # search is case-insensitive, in the reason
    ],
)
def test_filters_narrow_the_log(
    client: TestClient, staff, history, query: str, expect: set[str]
) -> None:
    sign_in(client, "auditor", PASSWORD)
    shown = client.get(f"/audit?{query}&target_type=page")
    assert shown.status_code == 200
    assert {r[3] for r in _cells(shown.text)} == expect
    link = re.search(r'href="(/audit\.csv[^"]*)" id="csv-link"', shown.text)
    assert link  # the CSV link exports what the page shows
    assert query.split("&")[0] in html.unescape(link[1]).replace("%3A", ":")


def test_a_page_s_own_events_by_target(client: TestClient, staff, history) -> None:
    sign_in(client, "auditor", PASSWORD)
    rows = _cells(client.get(f"/audit?target=page:{history['march']}").text)
    assert [r[3] for r in rows] == ["Page approved", "Page registered"]  # newest first
    assert "storm season" in rows[0][6]


def test_a_bad_date_is_named_beside_its_field(client: TestClient, staff, history) -> None:
    sign_in(client, "auditor", PASSWORD)
    shown = client.get("/audit?date_from=2026-13-01&q=storm")
    assert shown.status_code == 422
    assert 'id="f-from-error"' in shown.text and "YYYY-MM-DD" in shown.text
    assert 'value="2026-13-01"' in shown.text and 'value="storm"' in shown.text  # kept
    assert client.get("/audit?date_from=2026-04-02&date_to=2026-04-01").status_code == 422


def test_csv_export_has_words_codes_and_no_formulas(client: TestClient, staff, history) -> None:
    sign_in(client, "auditor", PASSWORD)
    response = client.get("/audit.csv?target_type=page")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["action_code"] for r in rows] == [
        "page:register",
        "page:approved",
        "page:register",
        "page:approved",
        "page:retired",
    ]  # oldest first, as the chain runs
    assert rows[1]["action"] == "Page approved" and rows[1]["who"] == "Test chief"
    assert rows[1]["reason"] == "'=1+1 storm season"  # a spreadsheet shows it, never runs it
    filtered = list(csv.DictReader(io.StringIO(client.get("/audit.csv?actor=chief").text)))
    assert {r["username"] for r in filtered} == {"chief"} and len(filtered) == 3


def test_verify_in_the_browser_says_intact_then_names_the_break(
    client: TestClient, staff, history, engine: Engine
) -> None:
    sign_in(client, "records-custodian", PASSWORD)
    shown = client.get("/audit/verify")
    assert shown.status_code == 200
    assert "Intact:" in shown.text and "evidence rows match" in shown.text
    _disable_append_only(engine)  # as an insider with the database file could
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 3"))
        if engine.dialect.name == "postgresql":  # the schema outlives this test: re-arm it
            conn.exec_driver_sql("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")
    shown = client.get("/audit/verify")
    assert "Not intact" in shown.text and "Broken at event no. 3" in shown.text


@pytest.mark.parametrize("path", ["/audit", "/audit.csv", "/audit/verify"])
def test_only_readers_of_the_audit_log(client: TestClient, staff, path: str) -> None:
    sign_in(client, "pio", PASSWORD)
    assert client.get(path).status_code == 403


def test_every_action_has_words_not_its_code() -> None:
    for source in tags.SOURCES:
        for member in source:
            label = action_label(member.value)
            assert label != member.value and "_" not in label, (member, label)
    # An action a newer area adds before this table knows it still reads as words.
    assert action_label("moderation:appeal_decided") == "Moderation: appeal decided"
    assert role_labels("chief,records_custodian") == "Chief of police / designee, Records custodian"


def test_the_json_api_has_the_same_filters(client: TestClient, staff, history, tokens) -> None:
    auditor = bearer(tokens[Role.AUDITOR])
    response = client.get("/api/v1/audit/events?actor=chief&target_type=page", headers=auditor)
    assert response.status_code == 200
    events = response.json()
    assert [e["action"] for e in events] == ["Page retired", "Page approved", "Page approved"]
    assert {e["who"] for e in events} == {"Test chief"} and events[0][
        "action_code"
    ] == "page:retired"
    older = client.get(f"/api/v1/audit/events?before={events[0]['seq']}&limit=1", headers=auditor)
    assert [e["seq"] for e in older.json()] == [events[0]["seq"] - 1]
    bad = client.get("/api/v1/audit/events?date_from=yesterday", headers=auditor)
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text
    pio = client.get("/api/v1/audit/events", headers=bearer(tokens[Role.PIO]))
    assert pio.status_code == 403
