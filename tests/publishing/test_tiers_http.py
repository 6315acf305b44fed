"""Approval tiers in the browser and over the API: the chief or an administrator sets 1 to 3
tiers, Any/All each; errors come back beside their field with the choices and text kept."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from piodesk.core.permissions import Role
from piodesk.publishing import approvals
from piodesk.publishing.tables import ApprovalPolicyRow
from piodesk.publishing.workflow import TierRule
from tests.conftest import PASSWORD
from tests.publishing.review_support import count
from tests.web.conftest import bearer, client, sign_in, tokens

__all__ = ["client", "tokens"]


def _error(page: str, field: str) -> str:
    found = re.search(rf'id="{field}-error"[^>]*>([^<]+)<', page)
    assert found, f"no error beside {field}"
    return found[1]


def _policy(sessions):
    with sessions() as s:
        return approvals.current_policy(s)


def test_the_chief_sets_tiers_and_errors_stay_beside_their_field(
    client: TestClient, sessions, staff
):
    chief = staff[Role.CHIEF]
    csrf = sign_in(client, chief.username, PASSWORD)
    page = client.get("/approvals/tiers")
    assert page.status_code == 200 and 'id="tiers-form"' in page.text
    assert "Test pio" in page.text and "Test cadre" not in page.text  # only who may approve

    # Tier 2 "All" names nobody: refused beside tier 2, the reason and choices kept.
    bad = client.post(
        "/approvals/tiers",
        data={
            "csrf_token": csrf,
            "rule1": "any",
            "rule2": "all",
            "rule3": "",
            "reason": "Two-step sign-off for the winter",
        },
    )
    assert bad.status_code == 422
    assert "names no approvers" in _error(bad.text, "tier2")
    assert "Two-step sign-off for the winter" in bad.text
    assert re.search(r'<option value="all" selected>All', bad.text)
    # A gap between tiers is refused beside the empty one.
    gap = client.post(
        "/approvals/tiers",
        data={"csrf_token": csrf, "rule1": "any", "rule2": "", "rule3": "any", "reason": "Gap"},
    )
    assert gap.status_code == 422 and "fill the tiers in order" in _error(gap.text, "tier2")
    # No reason: beside the reason, the chosen approver still ticked.
    nobody = client.post(
        "/approvals/tiers",
        data={
            "csrf_token": csrf,
            "rule1": "all",
            "approvers1": str(staff[Role.PIO].account_id),
            "reason": "",
        },
    )
    assert nobody.status_code == 422 and "reason is required" in _error(nobody.text, "reason")
    assert re.search(rf'value="{staff[Role.PIO].account_id}" checked', nobody.text)
    # A cadre member cannot be named (forged form).
    cadre = client.post(
        "/approvals/tiers",
        data={
            "csrf_token": csrf,
            "rule1": "any",
            "approvers1": str(staff[Role.CADRE].account_id),
            "reason": "Try the cadre",
        },
    )
    assert cadre.status_code == 422 and "may not approve posts" in _error(cadre.text, "tier1")
    assert count(sessions, ApprovalPolicyRow) == 0  # nothing half-written

    ok = client.post(
        "/approvals/tiers",
        data={
            "csrf_token": csrf,
            "rule1": "any",
            "rule2": "all",
            "approvers2": str(chief.account_id),
            "reason": "Two-step sign-off for the winter",
        },
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/approvals/tiers?saved=1"
    policy = _policy(sessions)
    assert [(t.rule, t.approvers) for t in policy.tiers] == [
        (TierRule.ANY, ()),
        (TierRule.ALL, (chief.account_id,)),
    ]
    shown = client.get("/approvals/tiers?saved=1")
    assert 'id="tiers-saved"' in shown.text and "All of: Test chief" in shown.text


def test_only_the_chief_or_an_administrator_sets_tiers(client: TestClient, sessions, staff):
    pio = TestClient(client.app, follow_redirects=False)
    csrf = sign_in(pio, staff[Role.PIO].username, PASSWORD)
    page = pio.get("/approvals/tiers")
    assert page.status_code == 200 and 'id="tiers-form"' not in page.text  # sees, cannot change
    refused = pio.post(
        "/approvals/tiers", data={"csrf_token": csrf, "rule1": "any", "reason": "Mine now"}
    )
    assert refused.status_code == 403
    cadre = TestClient(client.app, follow_redirects=False)
    sign_in(cadre, staff[Role.CADRE].username, PASSWORD)
    assert cadre.get("/approvals/tiers").status_code == 403
    admin = TestClient(client.app, follow_redirects=False)
    csrf = sign_in(admin, staff[Role.ADMIN].username, PASSWORD)
    done = admin.post(
        "/approvals/tiers",
        data={
            "csrf_token": csrf,
            "rule1": "all",
            "approvers1": str(staff[Role.PIO].account_id),
            "reason": "The PIO signs every post",
        },
    )
    assert done.status_code == 303
    assert _policy(sessions).tiers[0].approvers == (staff[Role.PIO].account_id,)


def test_tiers_over_the_api(client: TestClient, sessions, staff, tokens):
    chief = staff[Role.CHIEF]
    body = {
        "tiers": [
            {"rule": "any", "approvers": []},
            {"rule": "any", "approvers": [chief.account_id]},
            {"rule": "all", "approvers": [staff[Role.PIO].account_id]},
        ],
        "reason": "Three tiers for elections",
    }
    assert (
        client.put(
            "/api/v1/approval-tiers", json=body, headers=bearer(tokens[Role.PIO])
        ).status_code
        == 403
    )
    four = {**body, "tiers": body["tiers"] + [{"rule": "any", "approvers": []}]}
    refused = client.put("/api/v1/approval-tiers", json=four, headers=bearer(tokens[Role.CHIEF]))
    assert refused.status_code == 422 and "1 to 3 tiers" in refused.text
    bad_rule = {**body, "tiers": [{"rule": "most", "approvers": []}]}
    refused = client.put(
        "/api/v1/approval-tiers", json=bad_rule, headers=bearer(tokens[Role.CHIEF])
    )
    assert refused.status_code == 422 and "'any' or 'all'" in refused.text
    assert count(sessions, ApprovalPolicyRow) == 0
    done = client.put("/api/v1/approval-tiers", json=body, headers=bearer(tokens["root"]))
    assert done.status_code == 200, done.text
    got = client.get("/api/v1/approval-tiers", headers=bearer(tokens[Role.PIO])).json()
    assert [t["rule"] for t in got["tiers"]] == ["any", "any", "all"]
    assert got["tiers"][1]["approvers"] == [{"id": chief.account_id, "name": chief.display_name}]
    assert len(_policy(sessions).tiers) == 3
