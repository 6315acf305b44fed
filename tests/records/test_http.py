"""The custodian's request pages and the requests API through the whole web app: refusals come
back beside the field with the typed text kept, and nothing is written."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.capture import capture
from piodesk.archive.media import MediaStore
from piodesk.core import clock
from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.records.requests import queries
from piodesk.records.requests.tables import RecordsRequest, ReviewItem
from tests.archive.test_capture import comment
from tests.conftest import PASSWORD
from tests.web.conftest import bearer, sign_in

DENVER = ZoneInfo("America/Denver")


@pytest.fixture
def now() -> Iterator[list[datetime]]:
    at = [datetime(2026, 9, 4, 17, 5, tzinfo=DENVER)]
    clock.set_clock(lambda: at[0].astimezone(UTC))
    yield at
    clock.set_clock(None)


@pytest.fixture
def archived(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    with transaction(sessions) as s:
        capture(
            s,
            [
                comment("p1", "The parade detour on Nevada Ave was handled well"),
                comment("p2", "Parade route map please?"),
                comment("x1", "Thanks for the road closure update"),
            ],
            source="test",
            media=MediaStore(tmp_path / "media"),
        )


def rows(sessions: sessionmaker[Session], table: type) -> int:
    with sessions() as s:
        return int(s.execute(select(func.count()).select_from(table)).scalar_one())


def test_custodian_logs_searches_and_builds_the_review_set(
    client: TestClient, staff, sessions: sessionmaker[Session], archived: None, now: list
) -> None:
    csrf = sign_in(client, "records-custodian", PASSWORD)
    assert client.get("/records/requests/new").status_code == 200
    # No requester, no date: refused beside each field, the typed request kept.
    bad = client.post(
        "/records/requests",
        data={
            "csrf_token": csrf,
            "channel": "email",
            "received_at": "",
            "text": "Every parade comment, please",
        },
    )
    assert bad.status_code == 422
    assert re.search(r'id="requester_name-error"[^>]*>the requester\S+s name is required', bad.text)
    assert 'id="received_at-error"' in bad.text
    assert "Every parade comment, please</textarea>" in bad.text
    assert rows(sessions, RecordsRequest) == 0

    done = client.post(
        "/records/requests",
        data={
            "csrf_token": csrf,
            "requester_name": "Pat Reporter",
            "channel": "email",
            "received_at": "2026-09-04T16:55",
            "text": "Every parade comment, please",
            "regime": "cora",
        },
    )
    assert done.status_code == 303
    url = done.headers["location"]
    page = client.get(url)
    assert "Thursday 10 September 2026" in page.text  # the Friday before Labor Day, 4:55 pm
    assert "Pat Reporter" in page.text and "Received" in page.text

    assert '<option value="records-custodian">Test records_custodian</option>' in page.text
    given = client.post(url + "/assign", data={"csrf_token": csrf, "assignee": "records-custodian"})
    assert given.status_code == 303
    assert 'id="assignee">Test records_custodian<' in client.get(url).text
    found = client.post(url + "/search", data={"csrf_token": csrf, "q": "parade"})
    assert found.status_code == 303
    page = client.get(url)
    ids = re.findall(r'name="item" value="(\d+)"', page.text)
    assert len(ids) == 2
    added = client.post(url + "/review", data={"csrf_token": csrf, "item": ids})
    assert added.status_code == 303
    assert rows(sessions, ReviewItem) == 2
    marked = client.post(
        f"{url}/review/{ids[0]}",
        data={"csrf_token": csrf, "call": "responsive", "reason": "about the parade"},
    )
    assert marked.status_code == 303
    rid = int(url.rsplit("/", 1)[1])
    with sessions() as s:
        assert queries.review_set_item_ids(s, rid) == [int(ids[0])]
    # A call without a reason: the message beside that record's form; nothing written.
    refused = client.post(f"{url}/review/{ids[1]}", data={"csrf_token": csrf, "call": "remove"})
    assert refused.status_code == 422
    assert f'id="mark-{ids[1]}-error"' in refused.text
    assert rows(sessions, ReviewItem) == 3

    # A letter previewed is shown and not kept; a hostile note is refused beside its form.
    letters_before = client.get(url).text.count('class="letter"')
    shown = client.post(
        url + "/letters/preview",
        data={"csrf_token": csrf, "kind": "acknowledgement", "extra": "Thank you for asking."},
    )
    assert shown.status_code == 200 and 'id="letter-preview"' in shown.text
    assert "Thank you for asking." in shown.text and "Dear Pat Reporter" in shown.text
    assert client.get(url).text.count('class="letter"') == letters_before
    hostile = client.post(url + "/notes", data={"csrf_token": csrf, "body": "hi\x1b[2Jthere"})
    assert hostile.status_code == 422 and 'id="note-error"' in hostile.text
    assert "control character" in hostile.text and "No notes." in hostile.text

    # Friday 11 (working day 4): an extension is refused beside its form, the finding kept.
    now[0] = datetime(2026, 9, 11, 9, tzinfo=DENVER)
    csrf = sign_in(client, "records-custodian", PASSWORD)  # a week on: a new session
    late = client.post(
        url + "/extend", data={"csrf_token": csrf, "days": "7", "finding": "Busy week here"}
    )
    assert late.status_code == 422
    assert 'id="extend-error"' in late.text and "working day 4" in late.text
    assert "Busy week here</textarea>" in late.text


def test_counsel_reads_but_does_not_work_requests_and_others_see_nothing(
    client: TestClient, staff, tokens, now: list
) -> None:
    made = client.post(
        "/api/v1/records/requests",
        json={
            "requester_name": "Pat",
            "channel": "mail",
            "received_at": "2026-09-04T10:00",
            "text": "Records",
        },
        headers=bearer(tokens[Role.RECORDS]),
    )
    assert made.status_code == 201, made.text
    rid = made.json()["id"]
    counsel = bearer(tokens[Role.LEGAL])
    assert client.get(f"/api/v1/records/requests/{rid}", headers=counsel).status_code == 200
    assert (
        client.post(
            f"/api/v1/records/requests/{rid}/notes", json={"body": "x"}, headers=counsel
        ).status_code
        == 403
    )
    pio = bearer(tokens[Role.PIO])
    assert client.get("/api/v1/records/requests", headers=pio).status_code == 403
    csrf = sign_in(client, "legal-counsel", PASSWORD)
    page = client.get(f"/records/requests/{rid}")
    assert page.status_code == 200 and "/notes" not in page.text and csrf


def test_api_refuses_bad_input_and_a_due_date_before_receipt(
    client: TestClient, staff, tokens, sessions: sessionmaker[Session], now: list
) -> None:
    h = bearer(tokens[Role.RECORDS])
    bad = client.post("/api/v1/records/requests", json={"text": "x"}, headers=h)
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) >= {"requester_name", "received_at", "channel"}
    assert rows(sessions, RecordsRequest) == 0
    made = client.post(
        "/api/v1/records/requests",
        json={
            "requester_name": "Pat",
            "channel": "email",
            "received_at": "2026-09-04T16:55:00-06:00",
            "text": "Records",
        },
        headers=h,
    ).json()
    rid = made["id"]
    early = client.get(f"/api/v1/records/requests/{rid}/clock?as_of=2026-09-01", headers=h)
    assert early.status_code == 422 and "before the request was received" in early.json()["error"]
    clock_now = client.get(f"/api/v1/records/requests/{rid}/clock?as_of=2026-09-09", headers=h)
    assert clock_now.json()["due"] == "2026-09-10" and clock_now.json()["days_left"] == 1
    board = client.get("/api/v1/records/dashboard", headers=h).json()
    assert [r["id"] for r in board["later"]] == [rid]  # Friday 4: due next week
    now[0] = datetime(2026, 9, 8, 9, tzinfo=DENVER)
    board = client.get("/api/v1/records/dashboard", headers=h).json()
    assert [r["id"] for r in board["week"]] == [rid]  # Tuesday 8: due Thursday
    assert (
        client.post(
            f"/api/v1/records/requests/{rid}/state", json={"to_state": "fulfilled"}, headers=h
        ).status_code
        == 409
    )


def test_calendar_and_templates_through_the_api(
    client: TestClient, staff, tokens, now: list
) -> None:
    h = bearer(tokens[Role.RECORDS])
    made = client.post(
        "/api/v1/records/requests",
        json={
            "requester_name": "Pat",
            "channel": "email",
            "received_at": "2026-09-04T16:55",
            "text": "Records",
        },
        headers=h,
    ).json()
    due = client.get(f"/api/v1/records/requests/{made['id']}", headers=h).json()["clock"]["due"]
    assert due == "2026-09-10"
    year = client.get("/api/v1/records/calendar?year=2026", headers=h).json()
    assert {"day": "2026-09-07", "name": "Labor Day"} in year["holidays"]
    closed = client.post(
        "/api/v1/records/calendar",
        json={"day": "2026-09-09", "change": "closed", "reason": "water main break"},
        headers=h,
    )
    assert closed.status_code == 201
    due = client.get(f"/api/v1/records/requests/{made['id']}", headers=h).json()["clock"]["due"]
    assert due == "2026-09-11"  # the closure moved the due date
    counsel = bearer(tokens[Role.LEGAL])
    assert (
        client.post(
            "/api/v1/records/calendar",
            json={"day": "2026-09-10", "change": "closed", "reason": "x"},
            headers=counsel,
        ).status_code
        == 403
    )
    assert client.get("/api/v1/records/templates/denial", headers=h).json()["version"] == 0
    bad = client.post(
        "/api/v1/records/templates/denial",
        json={"subject": "No", "body": "{{ nothing.here }}", "reason": "try"},
        headers=h,
    )
    assert bad.status_code == 422 and "cannot be rendered" in bad.json()["error"]
    good = client.post(
        "/api/v1/records/templates/denial",
        json={
            "subject": "No: {{ request.number }}",
            "body": "Grounds: {% for g in grounds %}{{ g.citation }} {% endfor %}",
            "reason": "plainer",
        },
        headers=h,
    )
    assert good.status_code == 201 and good.json()["version"] == 1
    sent = client.post(
        f"/api/v1/records/requests/{made['id']}/letters",
        json={"kind": "denial", "grounds": ["ssn"]},
        headers=h,
    ).json()
    assert sent["subject"] == f"No: R-2026-{made['id']}" and "24-72-204(3)(a)(XVII)" in sent["body"]


def test_calendar_and_template_pages(
    client: TestClient, staff, sessions: sessionmaker[Session], now: list
) -> None:
    csrf = sign_in(client, "records-custodian", PASSWORD)
    page = client.get("/records/calendar?year=2026")
    assert page.status_code == 200 and "Labor Day" in page.text and "Cabrini" in page.text
    bad = client.post(
        "/records/calendar",
        data={"csrf_token": csrf, "day": "09/07/2026", "change": "open", "reason": "we work"},
    )
    assert bad.status_code == 422 and 'id="calendar-error"' in bad.text
    assert 'value="we work"' in bad.text
    good = client.post(
        "/records/calendar",
        data={"csrf_token": csrf, "day": "2026-09-07", "change": "open", "reason": "we work"},
    )
    assert good.status_code == 303
    assert "worked (not a holiday)" in client.get("/records/calendar").text
    typed = "Dear {{ request.requester }}, {{ oops }}"
    refused = client.post(
        "/records/templates/acknowledgement",
        data={"csrf_token": csrf, "subject": "Hello", "body": typed, "reason": "shorter"},
    )
    assert refused.status_code == 422 and 'id="template-error"' in refused.text
    assert "oops" in refused.text and "is undefined" in refused.text
    saved = client.post(
        "/records/templates/acknowledgement",
        data={
            "csrf_token": csrf,
            "subject": "Hello",
            "body": "Dear {{ request.requester }}.",
            "reason": "shorter",
        },
    )
    assert saved.status_code == 303
    assert "The agency's version 1." in client.get("/records/templates").text
