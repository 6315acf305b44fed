"""The program's forms: refusals beside their fields with the typed text kept, nothing
half-written, and the pages each role may open."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import clock
from piodesk.core.permissions import Role
from piodesk.program.tables import AccessAuthorization, InvestigativeUse, Memo, Notification
from tests.conftest import PASSWORD
from tests.web.conftest import sign_in


def _count(sessions: sessionmaker[Session], table: type) -> int:
    with sessions() as s:
        return int(s.execute(select(func.count(table.id))).scalar_one())


def test_authorization_that_ends_before_it_starts(
    client: TestClient, staff, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(client, "supervisor", PASSWORD)
    today = clock.now().date()
    form = {
        "csrf_token": csrf,
        "account": str(staff[Role.PIO].account_id),
        "device_class": "personal_device",
        "devices": "Pixel 8 (personal)",
        "uses": ["moderation"],
        "starts_on": today.isoformat(),
        "expires_on": (today - timedelta(days=3)).isoformat(),
        "reason": "weekend duty",
        "review": "30",
    }
    r = client.post("/authorizations", data=form)
    assert r.status_code == 422
    assert re.search(r'id="expires_on-error"[^>]*>expires: the authorization ends', r.text)
    assert 'value="Pixel 8 (personal)"' in r.text and 'value="moderation" checked' in r.text
    assert _count(sessions, AccessAuthorization) == 0
    r = client.post("/authorizations", data=form | {"expires_on": "not a date"})
    assert r.status_code == 422 and 'id="expires_on-error"' in r.text
    r = client.post(
        "/authorizations", data=form | {"expires_on": (today + timedelta(days=30)).isoformat()}
    )
    assert r.status_code == 303
    page = client.get("/authorizations")
    assert "Test pio" in page.text and "Personally owned device: Pixel 8" in page.text
    table = page.text.split('id="authorized-today"')[1].split("</table>")[0]
    assert "Test pio" in table
    # Revoking needs a reason, shown beside that row's form.
    auth_id = re.search(r'id="auth-(\d+)"', page.text)[1]  # type: ignore[index]
    r = client.post(f"/authorizations/{auth_id}/revoke", data={"csrf_token": csrf})
    assert r.status_code == 422 and f'id="auth-{auth_id}-error"' in r.text


def test_memo_and_investigation_forms_keep_what_was_typed(
    client: TestClient, staff, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(client, "employee", PASSWORD)
    r = client.post(
        "/memos", data={"csrf_token": csrf, "title": "Crime maps", "body": "", "supervisor": ""}
    )
    assert r.status_code == 422
    assert 'id="body-error"' in r.text and 'id="supervisor-error"' in r.text
    assert 'value="Crime maps"' in r.text
    assert _count(sessions, Memo) == 0
    r = client.post(
        "/investigations",
        data={
            "csrf_token": csrf,
            "purpose": "",
            "case_number": "",
            "viewed": "https://example.social/@someone",
            "evidence_kept": "one screenshot",
        },
    )
    assert r.status_code == 422
    assert 'id="purpose-error"' in r.text and 'id="case_number-error"' in r.text
    assert "https://example.social/@someone</textarea>" in r.text
    assert "one screenshot</textarea>" in r.text
    assert _count(sessions, InvestigativeUse) == 0
    # The employee reads neither the register report nor anyone's memos but their own.
    page = client.get("/authorizations")
    assert page.status_code == 200 and 'id="authorized-today"' not in page.text
    assert client.get("/memos/999").status_code == 404


def test_notifications_list_and_page_administrators(
    client: TestClient, staff, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(client, "supervisor", PASSWORD)
    emp = TestClient(client.app, follow_redirects=False)
    emp_csrf = sign_in(emp, "employee", PASSWORD)
    r = emp.post(
        "/memos",
        data={
            "csrf_token": emp_csrf,
            "title": "Tip line posts",
            "body": "Post the tip line weekly.",
            "supervisor": str(staff[Role.SUPERVISOR].account_id),
        },
    )
    assert r.status_code == 303
    page = client.get("/notifications")
    assert "A suggestion memo waits for you: Tip line posts" in page.text
    with sessions() as s:
        nid = s.execute(
            select(Notification.id).where(
                Notification.recipient_id == staff[Role.SUPERVISOR].account_id
            )
        ).scalar_one()
    r = client.post(f"/notifications/{nid}/read", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"].startswith("/memos/")
    # Someone else's notification is not found.
    assert emp.post(f"/notifications/{nid}/read", data={"csrf_token": emp_csrf}).status_code == 404


def test_memo_and_investigation_pages_name_people_not_usernames(
    client: TestClient, staff, sessions: sessionmaker[Session]
) -> None:
    from piodesk.core.db import transaction
    from piodesk.program import investigations, memos

    with transaction(sessions) as s:
        memo = memos.file_memo(
            s,
            actor=staff[Role.EMPLOYEE],
            title="Crime map posts",
            body="Share the weekly crime map.",
            supervisor_id=staff[Role.SUPERVISOR].account_id,
        )
        use = investigations.log_use(
            s,
            actor=staff[Role.EMPLOYEE],
            purpose="wanted_persons",
            case_number="26-000123",
            viewed=["https://example.social/@wanted"],
            evidence_kept="one screenshot",
        )
        investigations.review_use(s, use.id, actor=staff[Role.SUPERVISOR], outcome="proper")
        memo_id, use_id = memo.id, use.id
        # The records keep the username beside the name; the pages show the name only.
        assert memo.author_name == "Test employee (employee)"
    sign_in(client, "supervisor", PASSWORD)
    for path in (f"/memos/{memo_id}", "/memos", f"/investigations/{use_id}", "/investigations"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "Test employee" in page.text, path
        assert "(employee)" not in page.text and "(supervisor)" not in page.text, path
    with sessions() as s:  # the officer hears the review in words, not its stored code
        told = s.execute(
            select(Notification.body).where(Notification.kind == "investigation.reviewed")
        ).scalar_one()
    assert "Within §.15" in told and "proper" not in told


def test_person_name_keeps_a_display_name_that_ends_in_brackets() -> None:
    from piodesk.web.labels import person_name

    assert person_name("Pat Nguyen (employee)") == "Pat Nguyen"
    assert person_name("Alex Admin (admin, password)") == "Alex Admin"
    assert person_name("Sgt. Jordan Lee (PIO)") == "Sgt. Jordan Lee (PIO)"
    assert person_name("Sgt. Jordan Lee (PIO) (pio)") == "Sgt. Jordan Lee (PIO)"
    assert person_name("") == ""
