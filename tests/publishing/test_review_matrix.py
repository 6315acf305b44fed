"""Every role against every new action of the cadre, submissions, review and approvals, through
the service layer and through the HTTP API, on SQLite and PostgreSQL.

The expected matrix is written out by hand from GO 409 §.30/§.04 and DESIGN.md's roles table,
not derived from the grant table, so a wrong grant in the code fails here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.media import MediaStore
from piodesk.core.db import transaction
from piodesk.core.errors import PermissionDenied
from piodesk.core.permissions import Actor, Role
from piodesk.people import actions as people
from piodesk.publishing import approvals, cadre, review, submissions
from piodesk.publishing.workflow import ApprovalPolicy, CadreStep
from tests.conftest import PASSWORD
from tests.publishing.conftest import add_pages
from tests.publishing.review_support import CLEAN_STORY, STORY, make_active
from tests.web.conftest import bearer, client, tokens

__all__ = ["client", "tokens"]

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

#: action -> the roles that may take it. Everyone else must be refused.
EXPECTED: dict[str, set[Role]] = {
    "view_cadre": {C, P, S, IA, AU},
    "recommend": {S},  # §.30: recommended by a supervisor
    "vet": {IA},  # vetted through Internal Affairs
    "train": {P},  # trained through the Public Information Office
    "suspend": {P},
    "submit_story": {CA},  # only cadre members submit (and only active ones)
    "view_stories": {C, P, R, AU},
    "edit_story": {P},  # §.30: the PIO's office determines what is released
    "attest": {P},
    "plan": {P},
    "keep_finding": {P},
    "send_for_approval": {P},
    "reject": {P},
    "decline": {IA},
    "end": {P},
    "approve": {C, P},
    "send_back": {C, P},
    "publish": {P},
    "configure_tiers": {C, AD},
}


class Setup:
    """Targets in the right state for each action (fresh ones for each allowed attempt)."""

    def __init__(self, sessions: sessionmaker[Session], staff: Any, agency: Any) -> None:
        self.sessions, self.staff = sessions, staff
        self.store = MediaStore(Path(__file__).parent / ".unused")  # no photos in the matrix
        self.page = add_pages(sessions, staff, agency, ["matrix"])["matrix"]
        self.n = 0
        make_active(sessions, staff)

    def person(self) -> int:
        self.n += 1
        with transaction(self.sessions) as s:
            return people.create_account(
                s,
                actor=self.staff.admin,
                username=f"candidate{self.n}",
                display_name=f"Candidate {self.n}",
                password=PASSWORD,
                roles=["employee"],
            ).id

    def member(self, upto: str) -> int:
        with transaction(self.sessions) as s:
            m = cadre.recommend(
                s,
                actor=self.staff[S],
                account_id=self.person(),
                division="Falcon",
                reason="volunteered",
            )
            if upto in ("vetted", "active"):
                cadre.take_step(s, m.id, CadreStep.VET, actor=self.staff[IA])
            if upto == "active":
                cadre.take_step(
                    s,
                    m.id,
                    CadreStep.TRAIN,
                    actor=self.staff[P],
                    training=cadre.Training("course", date(2026, 11, 1)),
                )
            return m.id

    def first_finding(self, submission_id: int) -> str:
        with self.sessions() as s:
            return review.findings(s, submissions.load(s, submission_id))[0].finding["key"]

    def story(self, upto: str = "in_review") -> int:
        pio = self.staff[P]
        text = STORY if upto == "flagged" else CLEAN_STORY
        with transaction(self.sessions) as s:
            sub = submissions.submit(s, actor=self.staff[CA], title="Coffee", text=text)
            if upto in ("attestable", "ready", "awaiting", "approved"):
                review.plan(s, sub.id, actor=pio, page_ids=[self.page], category="outreach")
            if upto in ("ready", "awaiting", "approved"):
                review.attest(s, sub.id, actor=pio)
            if upto in ("awaiting", "approved"):
                review.send_for_approval(s, sub.id, actor=pio)
            if upto == "approved":
                approvals.approve(s, sub.id, actor=self.staff[C])
            return sub.id


def service_calls(setup: Setup) -> dict[str, tuple[Callable[[], int], Callable[..., Any]]]:
    """action -> (make a target, call the service on it as an actor)."""
    return {
        "view_cadre": (lambda: 0, lambda s, a, t: cadre.register(s, actor=a)),
        "recommend": (
            setup.person,
            lambda s, a, t: cadre.recommend(s, actor=a, account_id=t, division="D", reason="r"),
        ),
        "vet": (
            lambda: setup.member("recommended"),
            lambda s, a, t: cadre.take_step(s, t, CadreStep.VET, actor=a),
        ),
        "train": (
            lambda: setup.member("vetted"),
            lambda s, a, t: cadre.take_step(
                s, t, CadreStep.TRAIN, actor=a, training=cadre.Training("c", date(2026, 11, 1))
            ),
        ),
        "suspend": (
            lambda: setup.member("active"),
            lambda s, a, t: cadre.take_step(s, t, CadreStep.SUSPEND, actor=a, reason="leave"),
        ),
        "submit_story": (
            lambda: 0,
            lambda s, a, t: submissions.submit(s, actor=a, title="T", text=CLEAN_STORY),
        ),
        "view_stories": (lambda: 0, lambda s, a, t: submissions.list_all(s, actor=a)),
        "edit_story": (
            setup.story,
            lambda s, a, t: review.edit(s, t, actor=a, text=CLEAN_STORY + " Edited."),
        ),
        "attest": (lambda: setup.story("attestable"), lambda s, a, t: review.attest(s, t, actor=a)),
        "plan": (
            setup.story,
            lambda s, a, t: review.plan(s, t, actor=a, page_ids=[setup.page], category="tips"),
        ),
        "approve": (
            lambda: setup.story("awaiting"),
            lambda s, a, t: approvals.approve(s, t, actor=a),
        ),
        "publish": (
            lambda: setup.story("approved"),
            lambda s, a, t: approvals.publish(s, t, actor=a),
        ),
        "keep_finding": (
            lambda: setup.story("flagged"),
            lambda s, a, t: review.keep_finding(
                s, t, setup.first_finding(t), actor=a, reason="public record"
            ),
        ),
        "send_for_approval": (
            lambda: setup.story("ready"),
            lambda s, a, t: review.send_for_approval(s, t, actor=a),
        ),
        "reject": (setup.story, lambda s, a, t: review.reject(s, t, actor=a, reason="not ours")),
        "decline": (
            lambda: setup.member("recommended"),
            lambda s, a, t: cadre.take_step(s, t, CadreStep.DECLINE, actor=a, reason="not cleared"),
        ),
        "end": (
            lambda: setup.member("active"),
            lambda s, a, t: cadre.take_step(s, t, CadreStep.END, actor=a, reason="moved on"),
        ),
        "send_back": (
            lambda: setup.story("awaiting"),
            lambda s, a, t: approvals.send_back(s, t, actor=a, note="check the date"),
        ),
        "configure_tiers": (
            lambda: 0,
            lambda s, a, t: approvals.set_policy(
                s, actor=a, policy=ApprovalPolicy(), reason="one tier"
            ),
        ),
    }


@pytest.fixture
def setup(sessions, staff, agency) -> Setup:
    return Setup(sessions, staff, agency)


def _attempt(setup: Setup, call: Callable[..., Any], actor: Actor, t: int) -> None:
    with transaction(setup.sessions) as s:
        call(s, actor, t)


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_service_layer_matrix(setup: Setup, staff, action: str) -> None:
    make, call = service_calls(setup)[action]
    refused_target = make()
    for role in Role:
        actor = staff[role]
        if role in EXPECTED[action]:
            _attempt(setup, call, actor, make())
        else:
            with pytest.raises(PermissionDenied):
                _attempt(setup, call, actor, refused_target)


def http_calls(setup: Setup) -> dict[str, tuple[Callable[[], int], Callable[[int], tuple]]]:
    """action -> (make a target, the request for it: method, path, JSON body)."""
    return {
        "view_cadre": (lambda: 0, lambda t: ("GET", "/api/v1/cadre", None)),
        "recommend": (
            setup.person,
            lambda t: (
                "POST",
                "/api/v1/cadre/recommend",
                {"account_id": t, "division": "D", "reason": "r"},
            ),
        ),
        "vet": (
            lambda: setup.member("recommended"),
            lambda t: ("POST", f"/api/v1/cadre/{t}/steps", {"step": "vet"}),
        ),
        "train": (
            lambda: setup.member("vetted"),
            lambda t: (
                "POST",
                f"/api/v1/cadre/{t}/steps",
                {"step": "train", "course": "c", "completed_on": "2026-11-01"},
            ),
        ),
        "suspend": (
            lambda: setup.member("active"),
            lambda t: ("POST", f"/api/v1/cadre/{t}/steps", {"step": "suspend", "reason": "x"}),
        ),
        "submit_story": (
            lambda: 0,
            lambda t: ("POST", "/api/v1/stories", {"title": "T", "text": CLEAN_STORY}),
        ),
        "edit_story": (
            setup.story,
            lambda t: ("POST", f"/api/v1/stories/{t}/edit", {"text": CLEAN_STORY + " Edited."}),
        ),
        "attest": (
            lambda: setup.story("attestable"),
            lambda t: ("POST", f"/api/v1/stories/{t}/attest", {}),
        ),
        "plan": (
            setup.story,
            lambda t: (
                "POST",
                f"/api/v1/stories/{t}/plan",
                {"page_ids": [setup.page], "category": "tips"},
            ),
        ),
        "approve": (
            lambda: setup.story("awaiting"),
            lambda t: ("POST", f"/api/v1/stories/{t}/approve", {}),
        ),
        "keep_finding": (
            lambda: setup.story("flagged"),
            lambda t: (
                "POST",
                f"/api/v1/stories/{t}/keep",
                {"key": setup.first_finding(t), "reason": "public record"},
            ),
        ),
        "send_for_approval": (
            lambda: setup.story("ready"),
            lambda t: ("POST", f"/api/v1/stories/{t}/send", {}),
        ),
        "reject": (
            setup.story,
            lambda t: ("POST", f"/api/v1/stories/{t}/reject", {"reason": "not ours"}),
        ),
        "decline": (
            lambda: setup.member("recommended"),
            lambda t: ("POST", f"/api/v1/cadre/{t}/steps", {"step": "decline", "reason": "no"}),
        ),
        "end": (
            lambda: setup.member("active"),
            lambda t: ("POST", f"/api/v1/cadre/{t}/steps", {"step": "end", "reason": "moved"}),
        ),
        "send_back": (
            lambda: setup.story("awaiting"),
            lambda t: ("POST", f"/api/v1/stories/{t}/send-back", {"note": "check the date"}),
        ),
        "publish": (
            lambda: setup.story("approved"),
            lambda t: ("POST", f"/api/v1/stories/{t}/publish", {}),
        ),
    }


@pytest.mark.parametrize("action", sorted(set(EXPECTED) - {"view_stories", "configure_tiers"}))
def test_http_matrix(setup: Setup, client: TestClient, tokens, action: str) -> None:
    make, request = http_calls(setup)[action]
    refused_target = make()
    for role in Role:
        allowed = role in EXPECTED[action]
        method, path, body = request(make() if allowed else refused_target)
        response = client.request(method, path, json=body, headers=bearer(tokens[role]))
        if allowed:
            assert response.status_code in (200, 201), (role, response.text)
        else:
            assert response.status_code == 403, (role, response.status_code, response.text)
