"""Every role against every action, through the service layer and through the HTTP API.

The expected matrix is written out by hand from DESIGN.md's roles table, not derived from the
code's grant table, so a wrong grant in the code fails here.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.actions import search_archive
from piodesk.archive.ingest import ingest_page
from piodesk.archive.media import MediaStore
from piodesk.archive.search import SearchQuery
from piodesk.connectors.sandbox import platform as sandbox_platform
from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.core.db import transaction
from piodesk.core.errors import PermissionDenied
from piodesk.core.permissions import Actor, Perm, Role, require
from piodesk.demo import open_sandbox_page
from piodesk.moderation import actions as moderation
from piodesk.moderation import queries as moderation_queries
from piodesk.moderation.intake import intake_all
from piodesk.moderation.queries import QueueFilter
from piodesk.moderation.tables import Case, ResponseRequest
from piodesk.oversight import reports
from piodesk.pages import actions as pages
from piodesk.pages.model import Agency
from piodesk.pages.tables import Page
from piodesk.people import actions as people
from piodesk.screening.engine import default_screener
from tests.conftest import JUSTIFICATION
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

#: action -> the roles DESIGN.md gives it. Everyone else must be refused.
EXPECTED: dict[str, set[Role]] = {
    "view_registry": {C, P, R, L, AU, AD},
    "register_page": {P, AD},
    "edit_profile": {P, AD},
    "approve_page": {C},
    "reject_page": {C},
    "retire_page": {C},
    "list_accounts": {AU, AD},
    "create_account": {AD},
    "set_roles": {AD},
    "verify_audit": {C, R, AU, AD},
    "search_archive": {P, R, L, AU},
    "connect_page": {AD},
    # §.20: only the PIO office decides, warns and blocks; counsel advises; the auditor reads.
    "view_queue": {P, AU},
    "decide_comment": {P},
    "consult_counsel": {P},
    "advise": {L},
    "warn_person": {P},
    "block_person": {P},
    "answer_response": {P},
    # §.22: every employee reports (the auditor changes nothing).
    "file_report": {C, P, CA, S, IA, E, R, L, AD},
    "transparency_report": {C, P, R, L, AU},
    "consistency_report": {C, P, R, L, AU},
}


class Setup:
    """Fresh targets for each attempted action (so one success cannot mask a later refusal)."""

    def __init__(self, sessions: sessionmaker[Session], agency: Agency, staff: Any) -> None:
        self.sessions, self.agency = sessions, agency
        self.root, self.chief = staff.admin, staff[Role.CHIEF]
        self.pio = staff[Role.PIO]
        self.media = Path(tempfile.mkdtemp(prefix="piodesk-matrix-"))
        self.n = 0

    def page(self, approved: bool = False, platform: str = "sandbox") -> int:
        self.n += 1
        with transaction(self.sessions) as session:
            page = pages.register_page(
                session,
                actor=self.root,
                agency=self.agency,
                platform=platform,
                handle=f"target-{self.n}",
                name=f"Target {self.n}",
                administering_unit="Patrol",
            )
            if platform == "sandbox":
                open_sandbox_page(session, page)
            if approved:
                pages.approve_page(session, page.id, actor=self.chief, reason=JUSTIFICATION)
            return page.id

    def case(self, text: str = "Call me at 719-555-0134 for cheap tickets") -> int:
        """A fresh moderation case: a visitor's comment, polled in and screened."""
        page_id = self.page(approved=True)
        handle = f"target-{self.n}"
        conn = SandboxConnector(self.sessions, handle)
        post = conn.publish("Road closure on Academy Blvd.")
        with transaction(self.sessions) as session:
            page = sandbox_platform.find_page(session, handle)
            assert page is not None
            sandbox_platform.add_comment(
                session, page, int(post), visitor_id="v-1", visitor_name="Vendor", body=text
            )
        ingest_page(self.sessions, page_id, conn, media=MediaStore(self.media))
        report = intake_all(self.sessions, default_screener())
        self.last_requests = report.response_requests
        self.last = (page_id, handle, post)
        with self.sessions() as session:
            return session.execute(select(Case.id).where(Case.page_id == page_id)).scalar_one()

    def consultation(self) -> int:
        with transaction(self.sessions) as session:
            return moderation.consult(
                session, self.case(), question="Is this protected speech?", actor=self.pio
            ).id

    def warned_case(self) -> int:
        case_id = self.case()
        moderation.warn(
            self.sessions,
            case_id=case_id,
            category="solicitation",
            explanation="No selling on the department's page.",
            actor=self.pio,
            connect=self.connect,
        )
        # A block rests on a violation after the warning: the same visitor sells again.
        page_id, handle, post = self.last
        with transaction(self.sessions) as session:
            page = sandbox_platform.find_page(session, handle)
            assert page is not None
            sandbox_platform.add_comment(
                session,
                page,
                int(post),
                visitor_id="v-1",
                visitor_name="Vendor",
                body="Still selling cheap tickets, call 719-555-0188",
            )
        conn = SandboxConnector(self.sessions, handle)
        ingest_page(self.sessions, page_id, conn, media=MediaStore(self.media))
        intake_all(self.sessions, default_screener())
        with self.sessions() as session:
            again = session.execute(
                select(Case.id).where(Case.page_id == page_id, Case.id != case_id)
            ).scalar_one()
        moderation.decide(
            self.sessions,
            again,
            action="hide",
            reason="solicitation",
            note="selling tickets again",
            actor=self.pio,
            connect=self.connect,
        )
        return case_id

    def response_request(self) -> int:
        self.case("When will Academy reopen? Can the department let us know? 719-555-0134")
        with self.sessions() as session:
            return session.execute(
                select(ResponseRequest.id).order_by(ResponseRequest.id.desc()).limit(1)
            ).scalar_one()

    def connect(self, page: Page) -> SandboxConnector:
        return SandboxConnector(self.sessions, page.handle)

    def account(self) -> int:
        self.n += 1
        with transaction(self.sessions) as session:
            return people.create_account(
                session,
                actor=self.root,
                username=f"someone{self.n}",
                display_name="Someone",
                password="another long password",
                roles=["employee"],
            ).id


def service_calls(setup: Setup) -> dict[str, Callable[[Session, Actor], Any]]:
    agency = setup.agency
    return {
        "view_registry": lambda s, a: pages.list_pages(s, actor=a),
        "register_page": lambda s, a: pages.register_page(
            s,
            actor=a,
            agency=agency,
            platform="x",
            handle=f"new-{setup.n}-{a.username}",
            name="New",
            administering_unit="Patrol",
        ),
        "edit_profile": lambda s, a: pages.update_profile(
            s, setup.page(), actor=a, agency=agency, profile=pages.clean_profile(about="Hello")
        ),
        "approve_page": lambda s, a: pages.approve_page(
            s, setup.page(), actor=a, reason=JUSTIFICATION
        ),
        "reject_page": lambda s, a: pages.reject_page(s, setup.page(), actor=a, reason="no"),
        "retire_page": lambda s, a: pages.retire_page(
            s, setup.page(approved=True), actor=a, reason="closed"
        ),
        "list_accounts": lambda s, a: people.list_accounts(s, actor=a),
        "create_account": lambda s, a: people.create_account(
            s,
            actor=a,
            username=f"made-by-{a.username}",
            display_name="New Person",
            password="a long enough password",
            roles=["employee"],
        ),
        "set_roles": lambda s, a: people.set_roles(
            s, setup.account(), actor=a, roles=["cadre"], reason="joined the cadre"
        ),
        "verify_audit": lambda s, a: require(a, Perm.AUDIT_VIEW),
        "search_archive": lambda s, a: search_archive(s, SearchQuery(q="parade"), actor=a),
        "connect_page": lambda s, a: pages.connect_page(
            s,
            setup.page(platform="mastodon"),
            actor=a,
            settings={"api_base_url": "https://mastodon.example"},
            secrets={"access_token": "secret-token"},
            key="k" * 32,
        ),
        "view_queue": lambda s, a: moderation_queries.queue(s, QueueFilter(), actor=a),
        "decide_comment": lambda s, a: moderation.decide(
            setup.sessions,
            setup.case(),
            action="hide",
            reason="pii",
            note="a phone number for ticket sales",
            actor=a,
            connect=setup.connect,
        ),
        "consult_counsel": lambda s, a: moderation.consult(
            s, setup.case(), question="Is this protected speech?", actor=a
        ),
        "advise": lambda s, a: moderation.advise(
            s, setup.consultation(), advice="Commercial speech: hiding is fine.", actor=a
        ),
        "warn_person": lambda s, a: moderation.warn(
            setup.sessions,
            case_id=setup.case(),
            category="solicitation",
            explanation="No selling on the department's page.",
            actor=a,
            connect=setup.connect,
        ),
        "block_person": lambda s, a: moderation.block(
            setup.sessions,
            case_id=setup.warned_case(),
            category="solicitation",
            reason="kept selling after a warning",
            actor=a,
            connect=setup.connect,
            review_days=90,
        ),
        "answer_response": lambda s, a: moderation.answer(
            s, setup.response_request(), outcome="answered", note="Replied on the post", actor=a
        ),
        "file_report": lambda s, a: moderation.file_report(
            s,
            url="https://www.facebook.com/cspd/posts/1",
            reason="Fake page using our logo",
            actor=a,
        ),
        "transparency_report": lambda s, a: reports.transparency(s, actor=a),
        "consistency_report": lambda s, a: reports.consistency(s, actor=a),
    }


def http_calls(setup: Setup) -> dict[str, Callable[[TestClient, dict[str, str]], Any]]:
    return {
        "view_registry": lambda c, h: c.get("/api/v1/pages", headers=h),
        "register_page": lambda c, h: c.post(
            "/api/v1/pages",
            headers=h,
            json={
                "platform": "x",
                "handle": f"api-{setup.page()}",
                "name": "New",
                "administering_unit": "Patrol",
            },
        ),
        "edit_profile": lambda c, h: c.put(
            f"/api/v1/pages/{setup.page()}/profile", headers=h, json={"about": "Hello"}
        ),
        "approve_page": lambda c, h: c.post(
            f"/api/v1/pages/{setup.page()}/approve", headers=h, json={"reason": JUSTIFICATION}
        ),
        "reject_page": lambda c, h: c.post(
            f"/api/v1/pages/{setup.page()}/reject", headers=h, json={"reason": "no"}
        ),
        "retire_page": lambda c, h: c.post(
            f"/api/v1/pages/{setup.page(approved=True)}/retire",
            headers=h,
            json={"reason": "closed"},
        ),
        "list_accounts": lambda c, h: c.get("/api/v1/accounts", headers=h),
        "create_account": lambda c, h: c.post(
            "/api/v1/accounts",
            headers=h,
            json={
                "username": f"api-made-{setup.account()}",
                "display_name": "New",
                "password": "a long enough password",
                "roles": ["employee"],
            },
        ),
        "set_roles": lambda c, h: c.put(
            f"/api/v1/accounts/{setup.account()}/roles",
            headers=h,
            json={"roles": ["cadre"], "reason": "joined"},
        ),
        "verify_audit": lambda c, h: c.get("/api/v1/audit/verify", headers=h),
        "search_archive": lambda c, h: c.get("/api/v1/archive/search?q=parade", headers=h),
        "connect_page": lambda c, h: c.put(
            f"/api/v1/pages/{setup.page(platform='mastodon')}/connection",
            headers=h,
            json={
                "settings": {"api_base_url": "https://mastodon.example"},
                "secrets": {"access_token": "secret-token"},
            },
        ),
        "view_queue": lambda c, h: c.get("/api/v1/moderation/cases", headers=h),
        "decide_comment": lambda c, h: c.post(
            f"/api/v1/moderation/cases/{setup.case()}/decision",
            headers=h,
            json={"action": "hide", "reason": "pii", "note": "a phone number for ticket sales"},
        ),
        "consult_counsel": lambda c, h: c.post(
            f"/api/v1/moderation/cases/{setup.case()}/consultations",
            headers=h,
            json={"question": "Is this protected speech?"},
        ),
        "advise": lambda c, h: c.post(
            f"/api/v1/moderation/consultations/{setup.consultation()}/advice",
            headers=h,
            json={"advice": "Commercial speech: hiding is fine."},
        ),
        "warn_person": lambda c, h: c.post(
            f"/api/v1/moderation/cases/{setup.case()}/warnings",
            headers=h,
            json={"category": "solicitation", "explanation": "No selling on this page."},
        ),
        "block_person": lambda c, h: c.post(
            f"/api/v1/moderation/cases/{setup.warned_case()}/blocks",
            headers=h,
            json={"category": "solicitation", "reason": "kept selling after a warning"},
        ),
        "answer_response": lambda c, h: c.post(
            f"/api/v1/moderation/responses/{setup.response_request()}/answer",
            headers=h,
            json={"note": "Replied on the post"},
        ),
        "file_report": lambda c, h: c.post(
            "/api/v1/reports",
            headers=h,
            json={"url": "https://www.facebook.com/cspd/posts/1", "reason": "Fake page, our logo"},
        ),
        "transparency_report": lambda c, h: c.get("/api/v1/moderation/transparency", headers=h),
        "consistency_report": lambda c, h: c.get("/api/v1/moderation/consistency", headers=h),
    }


def test_matrix_covers_every_role() -> None:
    assert {r for roles in EXPECTED.values() for r in roles} <= set(Role)
    # DESIGN.md's sharpest lines, spelled out:
    assert AD not in EXPECTED["approve_page"]
    assert not any(CA in roles for roles in EXPECTED.values() if roles != EXPECTED["file_report"])
    assert EXPECTED["decide_comment"] == {P} and E in EXPECTED["file_report"]


@pytest.mark.parametrize("role", list(Role))
def test_service_layer_matrix(
    role: Role,
    staff,
    sessions: sessionmaker[Session],
    agency: Agency,
) -> None:
    setup = Setup(sessions, agency, staff)
    actor = staff[role]
    outcome = {}
    for action, call in service_calls(setup).items():
        try:
            with transaction(sessions) as session:
                call(session, actor)
            outcome[action] = True
        except PermissionDenied:
            outcome[action] = False
    assert outcome == {action: role in roles for action, roles in EXPECTED.items()}


@pytest.mark.parametrize("role", list(Role))
def test_http_api_matrix(
    role: Role,
    client: TestClient,
    tokens,
    staff,
    sessions: sessionmaker[Session],
    agency: Agency,
) -> None:
    setup = Setup(sessions, agency, staff)
    headers = bearer(tokens[role])
    outcome = {}
    for action, call in http_calls(setup).items():
        response = call(client, headers)
        assert response.status_code in (200, 201, 403), (
            action,
            response.status_code,
            response.text,
        )
        if response.status_code == 403:
            assert "may not" in response.json()["error"]
        outcome[action] = response.status_code != 403
    assert outcome == {action: role in roles for action, roles in EXPECTED.items()}


def test_anonymous_api_is_refused(client: TestClient) -> None:
    for path in ("/api/v1/pages", "/api/v1/accounts", "/api/v1/audit/verify", "/api/v1/me"):
        response = client.get(path)
        assert response.status_code == 401
        assert "Bearer" in response.json()["error"]
    assert client.get("/api/v1/pages", headers=bearer("pio_not-a-real-token")).status_code == 401
