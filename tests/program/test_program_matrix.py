"""Every role against every program action, through the service layer and the HTTP API.

The expected matrix is written out by hand from DESIGN.md's roles and GO 409 (§.04, §.12,
§.15), not derived from the grant table, so a wrong grant in the code fails here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import clock
from piodesk.core.db import transaction
from piodesk.core.errors import PermissionDenied
from piodesk.core.permissions import Role
from piodesk.pages import actions as pages
from piodesk.people import actions as people
from piodesk.program import admins, authorizations, investigations, memos
from tests.conftest import PASSWORD
from tests.web.conftest import bearer

C, P, CA, S, IA, E, R, L, AU, AD = (
    Role.CHIEF,
    Role.PIO,
    Role.CADRE,
    Role.SUPERVISOR,
    Role.INTERNAL_AFFAIRS,
    Role.EMPLOYEE,
    Role.RECORDS,
    Role.LEGAL,
    Role.AUDITOR,
    Role.ADMIN,
)

EXPECTED: dict[str, set[Role]] = {
    # §.15: those who investigate log their uses; supervisors review them; the custodian
    # and the auditor read the whole log.
    "log_use": {S, IA, E},
    "review_use": {S},
    "read_whole_log": {S, R, AU},
    # §.15: any employee files a suggestion (the auditor changes nothing); the chief and the
    # auditor read every memo.
    "file_memo": {C, P, CA, S, IA, E, R, L, AD},
    "read_every_memo": {C, AU},
    # §.12: supervisors and the chief authorize devices; those who keep or check the register
    # read it.
    "grant_authorization": {C, S},
    "read_register": {C, S, R, AU, AD},
    # §.04: the chief determines who administers a page.
    "assign_page_admin": {C},
}


class Setup:
    def __init__(self, sessions: sessionmaker[Session], staff: Any, agency: Any) -> None:
        self.sessions, self.staff = sessions, staff
        with transaction(sessions) as s:
            det = people.create_account(
                s,
                actor=staff.admin,
                username="det",
                display_name="Det. Kai Moss",
                password=PASSWORD,
                roles=["employee"],
            )
            self.det = people.actor_for(det)
            # A second supervisor, for the first one's own memos.
            self.sup2 = people.create_account(
                s,
                actor=staff.admin,
                username="sup2",
                display_name="Lt. Two",
                password=PASSWORD,
                roles=["supervisor"],
            ).id
            self.page_id = pages.register_page(
                s,
                actor=staff.admin,
                agency=agency,
                platform="facebook",
                handle="matrix",
                name="Matrix page",
                administering_unit="Patrol",
            ).id
        self.n = 0

    def use(self) -> int:
        with transaction(self.sessions) as s:
            return investigations.log_use(
                s,
                actor=self.det,
                purpose="gang_participation",
                case_number="26-777",
                viewed=["@crew"],
                evidence_kept="",
            ).id

    def person(self) -> int:
        self.n += 1
        with transaction(self.sessions) as s:
            return people.create_account(
                s,
                actor=self.staff.admin,
                username=f"target{self.n}",
                display_name=f"Target {self.n}",
                password=PASSWORD,
                roles=["employee"],
            ).id


def _service(setup: Setup, action: str, actor: Any) -> None:
    sup = setup.staff[S].account_id
    today = clock.now().date()
    steps: dict[str, Callable[[Session], object]] = {
        "log_use": lambda s: investigations.log_use(
            s,
            actor=actor,
            purpose="missing_persons",
            case_number="26-1",
            viewed=["@x"],
            evidence_kept="",
        ),
        "review_use": lambda s: investigations.review_use(
            s, setup.use(), actor=actor, outcome="proper"
        ),
        "read_whole_log": lambda s: _whole_log(s, setup, actor),
        "file_memo": lambda s: memos.file_memo(
            s,
            actor=actor,
            title="Idea",
            body="An idea.",
            supervisor_id=sup if actor.account_id != sup else setup.sup2,
        ),
        "read_every_memo": lambda s: _every_memo(s, setup, actor),
        "grant_authorization": lambda s: authorizations.grant(
            s,
            actor=actor,
            account_id=setup.person(),
            device_class="department_computer",
            devices="PC-7",
            uses=["monitoring"],
            starts_on=today,
            expires_on=today + timedelta(days=30),
            reason="desk duty",
        ),
        "read_register": lambda s: authorizations.authorized_on(s, actor=actor),
        "assign_page_admin": lambda s: admins.assign(
            s, setup.page_id, actor=actor, account_id=setup.person()
        ),
    }
    with transaction(setup.sessions) as s:
        steps[action](s)


def _whole_log(s: Session, setup: Setup, actor: Any) -> None:
    setup.use()
    found = investigations.search_uses(s, actor=actor)
    if not any(u.officer_id == setup.det.account_id for u, _ in found):
        raise PermissionDenied("only one's own entries")


def _every_memo(s: Session, setup: Setup, actor: Any) -> None:
    with transaction(setup.sessions) as t:
        memos.file_memo(
            t,
            actor=setup.det,
            title="Other",
            body="b",
            supervisor_id=setup.staff[S].account_id,
        )
    if not memos.list_memos(s, actor=actor)["all"]:
        raise PermissionDenied("not every memo")


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_service_layer_matrix(action: str, sessions, staff, agency) -> None:
    setup = Setup(sessions, staff, agency)
    for role in Role:
        actor = staff[role]
        try:
            _service(setup, action, actor)
            allowed = True
        except PermissionDenied:
            allowed = False
        assert allowed == (role in EXPECTED[action]), f"{role.value} {action}"


def _http(client: TestClient, setup: Setup, action: str, token: str, actor: Any) -> int:
    h = bearer(token)
    today = clock.now().date()
    sup = setup.staff[S].account_id
    if action == "log_use":
        body = {"purpose": "wanted_persons", "case_number": "26-2", "viewed": ["@y"]}
        return client.post("/api/v1/investigations", headers=h, json=body).status_code
    if action == "review_use":
        url = f"/api/v1/investigations/{setup.use()}/review"
        return client.post(url, headers=h, json={"outcome": "proper"}).status_code
    if action == "read_whole_log":
        setup.use()
        r = client.get("/api/v1/investigations", headers=h)
        if r.status_code != 200:
            return r.status_code
        return 200 if any(u["officer"].startswith("Det. Kai Moss") for u in r.json()) else 403
    if action == "file_memo":
        body = {"title": "Idea", "body": "b", "supervisor_id": sup}
        if actor.account_id == sup:
            body["supervisor_id"] = setup.sup2
        return client.post("/api/v1/memos", headers=h, json=body).status_code
    if action == "read_every_memo":
        with transaction(setup.sessions) as t:
            memos.file_memo(t, actor=setup.det, title="Other", body="b", supervisor_id=sup)
        r = client.get("/api/v1/memos", headers=h)
        if r.status_code != 200:
            return r.status_code
        return 200 if r.json()["all"] else 403
    if action == "grant_authorization":
        body = {
            "account_id": setup.person(),
            "device_class": "personal_device",
            "devices": "phone",
            "uses": ["moderation"],
            "starts_on": today.isoformat(),
            "expires_on": (today + timedelta(days=9)).isoformat(),
            "reason": "on call",
        }
        return client.post("/api/v1/authorizations", headers=h, json=body).status_code
    if action == "read_register":
        return client.get("/api/v1/authorizations/report", headers=h).status_code
    if action == "assign_page_admin":
        url = f"/api/v1/pages/{setup.page_id}/administrators"
        return client.post(url, headers=h, json={"account_id": setup.person()}).status_code
    raise AssertionError(action)


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_http_matrix(action: str, client: TestClient, tokens, sessions, staff, agency) -> None:
    setup = Setup(sessions, staff, agency)
    for role in Role:
        status = _http(client, setup, action, tokens[role], staff[role])
        if role in EXPECTED[action]:
            assert status in (200, 201), f"{role.value} {action}: {status}"
        else:
            assert status == 403, f"{role.value} {action}: {status}"


def test_a_token_without_the_program_scope_cannot_write(
    client: TestClient, staff, sessions
) -> None:
    with transaction(sessions) as s:
        _row, read_only = people.issue_api_token(s, actor=staff[S], name="read", scopes=["read"])
        _row, program = people.issue_api_token(
            s, actor=staff[S], name="program", scopes=["program"]
        )
    body = {"purpose": "wanted_persons", "case_number": "26-3", "viewed": ["@z"]}
    r = client.post("/api/v1/investigations", headers=bearer(read_only), json=body)
    assert r.status_code == 403 and "scopes" in r.json()["error"]
    # Reading the log is within a read token; writing needs the program scope.
    assert client.get("/api/v1/investigations", headers=bearer(read_only)).status_code == 200
    r = client.post("/api/v1/investigations", headers=bearer(program), json=body)
    assert r.status_code == 201, r.text
