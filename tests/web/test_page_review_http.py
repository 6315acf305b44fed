"""The chief's review of a page over HTTP: the approval form refuses an incomplete page
without a justification beside the field, keeping what was typed; send back by form and API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import audit
from piodesk.core.permissions import Role
from piodesk.pages.model import Agency, PageState
from tests.conftest import PASSWORD
from tests.pages.test_review import WHY, _register, _state
from tests.web.conftest import bearer, sign_in

# ---- over HTTP ------------------------------------------------------------------------------


def test_the_form_refuses_approval_without_justification_beside_the_field(
    client: TestClient, sessions: sessionmaker[Session], staff, agency: Agency
) -> None:
    page_id = _register(sessions, staff, agency, complete=False)
    csrf = sign_in(client, "chief", PASSWORD)
    shown = client.get(f"/pages/{page_id}")
    assert "missing 9 required §.10 elements" in shown.text and 'id="send-back"' in shown.text
    typed = "looks fine to me"
    refused = client.post(
        f"/pages/{page_id}/decision",
        data={"decision": "approve", "reason": typed, "csrf_token": csrf},
    )
    assert refused.status_code == 422
    assert 'id="decision-error"' in refused.text and "needs a written justification" in refused.text
    assert f">{typed}</textarea>" in refused.text  # the typed text is kept
    assert _state(sessions, page_id) == PageState.PENDING
    done = client.post(
        f"/pages/{page_id}/decision",
        data={"decision": "approve", "reason": WHY, "csrf_token": csrf},
    )
    assert done.status_code == 303
    assert _state(sessions, page_id) == PageState.APPROVED
    assert "Approved" in client.get(f"/pages/{page_id}").text


def test_send_back_over_the_form_and_the_api(
    client: TestClient, sessions: sessionmaker[Session], staff, agency: Agency, tokens
) -> None:
    first = _register(sessions, staff, agency, complete=False)
    csrf = sign_in(client, "chief", PASSWORD)
    refused = client.post(
        f"/pages/{first}/decision", data={"decision": "send_back", "csrf_token": csrf}
    )
    assert refused.status_code == 422 and "reason is required" in refused.text
    sent = client.post(
        f"/pages/{first}/decision",
        data={"decision": "send_back", "reason": "Add the disclaimer.", "csrf_token": csrf},
    )
    assert sent.status_code == 303
    shown = client.get(f"/pages/{first}").text
    assert "Sent back for fixes" in shown and "Add the disclaimer." in shown
    assert "Test chief" in shown  # the chief's name, not the username
    second = _register(sessions, staff, agency, complete=True)
    response = client.post(
        f"/api/v1/pages/{second}/send-back",
        headers=bearer(tokens[Role.CHIEF]),
        json={"reason": "Name the administering unit's phone number."},
    )
    assert response.status_code == 200 and response.json()["state"] == "returned"
    with sessions() as s:
        n = s.execute(
            select(func.count())
            .select_from(audit.AuditEvent)
            .where(audit.AuditEvent.action == "page:sent_back")
        ).scalar_one()
    assert n == 2


def test_the_api_refuses_approval_without_justification(
    client: TestClient, sessions: sessionmaker[Session], staff, agency: Agency, tokens
) -> None:
    page_id = _register(sessions, staff, agency, complete=False)
    chief = bearer(tokens[Role.CHIEF])
    refused = client.post(f"/api/v1/pages/{page_id}/approve", headers=chief, json={})
    assert refused.status_code == 422 and "needs a written justification" in refused.text
    assert _state(sessions, page_id) == PageState.PENDING
    done = client.post(f"/api/v1/pages/{page_id}/approve", headers=chief, json={"reason": WHY})
    assert done.status_code == 200 and done.json()["state"] == "approved"
