"""The audit log is append-only and hash-chained; tampering is named by `piodesk audit verify`."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from piodesk.cli import app
from piodesk.core import audit, evidence
from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.pages import actions as pages
from piodesk.pages.model import Agency
from tests.conftest import JUSTIFICATION

runner = CliRunner()


@pytest.fixture
def events(sessions: sessionmaker[Session], staff, agency: Agency) -> int:
    """A registry with a few audited changes; returns the number of events."""
    with transaction(sessions) as session:
        for i in range(3):
            page = pages.register_page(
                session,
                actor=staff.admin,
                agency=agency,
                platform="facebook",
                handle=f"page{i}",
                name=f"Page {i}",
                administering_unit="Public Affairs",
            )
            pages.approve_page(session, page.id, actor=staff[Role.CHIEF], reason=JUSTIFICATION)
    with sessions() as session:
        result = audit.verify(session)
    assert result.ok, result.problem
    return result.events_checked


def _verify_cli(db_url: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        ["--operator", "audit", "verify"],
        env={"PIODESK_DATABASE_URL": db_url, "PIODESK_SECRET_KEY": "x" * 32},
    )
    return result.exit_code, result.output


def _disable_append_only(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(
                "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"
            )
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_events_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_events_no_delete")


def test_intact_chain_verifies(events: int, db_url: str) -> None:
    code, output = _verify_cli(db_url)
    assert code == 0, output
    assert f"{events} events verified" in output


def test_database_refuses_update_and_delete(events: int, engine: Engine) -> None:
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET reason = 'changed' WHERE seq = 2"))
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = 2"))


def test_altered_event_is_named(events: int, engine: Engine, db_url: str) -> None:
    _disable_append_only(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 5"))
    code, output = _verify_cli(db_url)
    assert code == 1
    assert "broken at event 5" in output
    assert "altered" in output


def test_removed_event_is_named(events: int, engine: Engine, db_url: str) -> None:
    _disable_append_only(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = 4"))
    code, output = _verify_cli(db_url)
    assert code == 1
    assert "broken at event 4" in output and "missing" in output


def test_removed_tail_is_noticed(events: int, engine: Engine, db_url: str) -> None:
    _disable_append_only(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = :s"), {"s": events})
    code, output = _verify_cli(db_url)
    assert code == 1
    assert f"broken at event {events}" in output


def test_reordered_events_are_named(events: int, engine: Engine, db_url: str) -> None:
    _disable_append_only(engine)
    # Swap the contents of events 2 and 3 (keeping each row's own hash): the order is broken.
    with engine.begin() as conn:
        rows = conn.execute(
            text("SELECT seq, action, target_id, data FROM audit_events WHERE seq IN (2, 3)")
        ).all()
        a, b = rows
        conn.execute(
            text("UPDATE audit_events SET action = :act, target_id = :tid WHERE seq = :s"),
            {"act": b.action, "tid": b.target_id, "s": a.seq},
        )
        conn.execute(
            text("UPDATE audit_events SET action = :act, target_id = :tid WHERE seq = :s"),
            {"act": a.action, "tid": a.target_id, "s": b.seq},
        )
    code, output = _verify_cli(db_url)
    assert code == 1
    assert "broken at event 2" in output


def test_event_records_actor_roles_reason_and_section(
    events: int, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        approvals = (
            session.query(audit.AuditEvent).filter(audit.AuditEvent.action == "page:approved").all()
        )
    assert len(approvals) == 3
    e = approvals[0]
    assert e.actor_name == "chief" and e.actor_roles == "chief"
    assert e.section == "§.04" and e.reason == JUSTIFICATION
    sealed = e.data.pop(evidence.KEY)  # the approved page's row, sealed (core/evidence.py)
    assert [row[:2] for row in sealed] == [["pages", int(e.target_id)]]
    missing = e.data.pop("missing")  # an empty profile: every §.10 element, by name
    assert "disclaimer" in missing and "audience" in missing
    assert e.data == {"from": "pending", "to": "approved", "compliant": False}
