"""A note, reason or explanation with an escape sequence or a hidden control character is refused
(core/text.py) with a message naming the field, and nothing is written: no decision, no warning,
no report, no message to the person, no audit event."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import audit
from piodesk.core.db import transaction
from piodesk.core.errors import InvalidInput
from piodesk.core.permissions import Role
from piodesk.moderation import actions
from piodesk.moderation.tables import Consultation, Decision, Report, Warning_
from tests.conftest import PASSWORD
from tests.moderation.conftest import Site
from tests.moderation.test_http import _open_case
from tests.web.conftest import sign_in

PHONE = "Cheap tickets, text me at 719-555-0199"

HOSTILE = {
    "ansi": ("turns the terminal \x1b[31mred\x1b[0m", "U+001B"),
    "bidi": ("reads \u202ebackwards in the log", "U+202E"),
    "c1": ("a C1 control \x9b2J hidden here", "U+009B"),
}


def _counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as s:
        return {
            t.__name__: s.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (audit.AuditEvent, Decision, Warning_, Report, Consultation)
        }


@pytest.mark.parametrize("kind", HOSTILE)
def test_services_refuse_hostile_text_and_write_nothing(site: Site, staff, kind: str) -> None:
    hostile, code = HOSTILE[kind]
    cid = site.comment("Vendor", PHONE)
    site.poll()
    case = site.case_of(cid)
    pio, employee = staff[Role.PIO], staff[Role.EMPLOYEE]
    before = _counts(site.sessions)

    def refused(field: str) -> pytest.RaisesContext[InvalidInput]:
        return pytest.raises(
            InvalidInput, match=re.escape(f"{field} contains a control character ({code})")
        )

    with refused("the note"):
        actions.decide(
            site.sessions,
            case.id,
            action="hide",
            reason="solicitation",
            note=hostile,
            actor=pio,
            connect=site.connect,
        )
    with refused("the explanation"):
        actions.warn(
            site.sessions,
            case_id=case.id,
            category="solicitation",
            explanation=hostile,
            actor=pio,
            connect=site.connect,
        )
    with refused("the reason for the report"), transaction(site.sessions) as s:
        actions.file_report(s, reason=hostile, item_id=case.item_id, actor=employee)
    with refused("the question for counsel"), transaction(site.sessions) as s:
        actions.consult(s, case.id, question=hostile, actor=pio)

    assert _counts(site.sessions) == before
    assert site.case_of(cid).state == "open"
    assert site.public_comment(cid) is not None  # the platform was never asked
    with site.sessions() as s:
        assert audit.verify(s).ok


def test_decision_form_refuses_an_escape_sequence_naming_the_field(
    client: TestClient, site: Site, staff, tmp_path: Path
) -> None:
    site.comment("Vendor", PHONE)
    site.poll()
    case = _open_case(site.sessions)
    csrf = sign_in(client, staff[Role.PIO].username, PASSWORD)
    before = _counts(site.sessions)
    response = client.post(
        f"/moderation/cases/{case.id}/decide",
        data={
            "csrf_token": csrf,
            "action": "remove",
            "reason": "solicitation",
            "note": "sells tickets \x1b[2J\x1b[31m and hides it",
        },
    )
    assert response.status_code == 422
    assert "the note contains a control character (U+001B)" in response.text
    assert _counts(site.sessions) == before
