"""Moderation evidence is sealed into the audit chain: `piodesk audit verify` names a decision,
case outcome, warning, block or report changed, deleted or forged straight in the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from piodesk.cli import app as cli_app
from piodesk.core import audit, evidence
from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.moderation import actions
from piodesk.moderation.tables import APPEND_ONLY, Case, Decision
from tests.moderation.conftest import Site

PHONE = "Call me at 719-555-0134 for cheap game tickets, best prices in town"


@dataclass
class Worked:
    """The ids of the evidence one case's work left behind."""

    case_id: int
    decision_id: int
    warning_id: int
    block_id: int
    report_id: int


@pytest.fixture
def worked(site: Site, staff) -> Worked:
    """A comment screened, hidden, its author warned, blocked and unblocked, and reported."""
    cid = site.comment("Repeat", PHONE)
    site.poll()
    case = site.case_of(cid)
    pio = staff[Role.PIO]
    decision = actions.decide(
        site.sessions,
        case.id,
        action="hide",
        reason="solicitation",
        note="selling tickets",
        actor=pio,
        connect=site.connect,
    )
    warning = actions.warn(
        site.sessions,
        case_id=case.id,
        category="solicitation",
        explanation="Selling tickets is solicitation, which the page does not allow.",
        actor=pio,
        connect=site.connect,
    )
    site.violate_again("Repeat", pio)
    block = actions.block(
        site.sessions,
        case_id=case.id,
        category="solicitation",
        reason="keeps selling tickets here",
        actor=pio,
        connect=site.connect,
        review_days=30,
    )
    actions.lift_block(
        site.sessions, block.id, reason="promised to stop", actor=pio, connect=site.connect
    )
    with transaction(site.sessions) as s:
        report = actions.file_report(
            s, item_id=site.item(cid).id, reason="selling again", actor=staff[Role.EMPLOYEE]
        )
    return Worked(case.id, decision.id, warning.id, block.id, report.id)


def audit_verify(db_url: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli_app,
        ["--operator", "audit", "verify"],
        env={"PIODESK_DATABASE_URL": db_url, "PIODESK_SECRET_KEY": "k" * 32, "COLUMNS": "300"},
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, " ".join(result.output.split())  # rich wraps long lines


@contextmanager
def insider(engine: Engine) -> Iterator[None]:
    """Drop the append-only triggers, as someone with the database file would (and put them
    back afterwards: the PostgreSQL test schema outlives this test)."""
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        for table in APPEND_ONLY:
            if pg:
                conn.exec_driver_sql(f"DROP TRIGGER {table}_append_only ON {table}")
            else:
                conn.exec_driver_sql(f"DROP TRIGGER {table}_no_update")
                conn.exec_driver_sql(f"DROP TRIGGER {table}_no_delete")
    try:
        yield
    finally:
        if pg:
            with engine.begin() as conn:
                for table in APPEND_ONLY:
                    conn.exec_driver_sql(
                        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                        "FOR EACH ROW EXECUTE FUNCTION piodesk_append_only()"
                    )


def test_a_worked_case_verifies_clean(
    worked: Worked, db_url: str, sessions: sessionmaker[Session]
) -> None:
    code, out = audit_verify(db_url)
    assert code == 0, out
    with sessions() as s:
        result = evidence.verify(s)
        rows = {
            spec.name: s.execute(select(text("count(*)")).select_from(spec.table)).scalar_one()
            for spec in evidence.registered()
        }
    assert result.ok and result.rows_checked == sum(rows.values())
    for table in (
        "moderation_decisions",
        "moderation_cases",
        "moderation_warnings",
        "moderation_blocks",
        "moderation_reports",
        "moderation_screenings",
    ):
        assert rows[table] >= 1, table


TAMPERING = [
    ("UPDATE moderation_decisions SET reason = 'no_violation' WHERE id = :decision", "decision"),
    ("UPDATE moderation_decisions SET note = 'kept, fine' WHERE id = :decision", "decision"),
    ("UPDATE moderation_cases SET outcome = 'kept' WHERE id = :case", "case"),
    ("UPDATE moderation_warnings SET explanation = 'be nice' WHERE id = :warning", "warning"),
    ("UPDATE moderation_blocks SET lift_reason = 'mistake' WHERE id = :block", "block"),
    ("UPDATE moderation_blocks SET lifted_by_name = 'chief' WHERE id = :block", "block"),
    ("UPDATE moderation_reports SET reason = 'nothing' WHERE id = :report", "report"),
]


@pytest.mark.parametrize(("sql", "label"), TAMPERING)
def test_a_changed_evidence_row_is_named(
    worked: Worked, db_url: str, engine: Engine, sql: str, label: str
) -> None:
    ids = {
        "decision": worked.decision_id,
        "case": worked.case_id,
        "warning": worked.warning_id,
        "block": worked.block_id,
        "report": worked.report_id,
    }
    with insider(engine):
        with engine.begin() as conn:
            assert conn.execute(text(sql), ids).rowcount == 1
        code, out = audit_verify(db_url)
    assert code == 1, out
    assert "audit chain intact" in out  # the chain itself is untouched: the row is the lie
    assert f"{label} {ids[label]} " in out and "was altered after audit event" in out


@pytest.mark.parametrize(
    ("table", "label", "key"),
    [
        ("moderation_decisions", "decision", "decision_id"),
        ("moderation_reports", "report", "report_id"),
        ("moderation_blocks", "block", "block_id"),
    ],
)
def test_a_deleted_evidence_row_is_named(
    worked: Worked, db_url: str, engine: Engine, table: str, label: str, key: str
) -> None:
    row_id = getattr(worked, key)
    with insider(engine):
        with engine.begin() as conn:
            if table == "moderation_blocks":  # its notice points at it
                conn.execute(
                    text("DELETE FROM moderation_notices WHERE block_id = :id"), {"id": row_id}
                )
            conn.execute(text(f"DELETE FROM {table} WHERE id = :id"), {"id": row_id})
        code, out = audit_verify(db_url)
    assert code == 1, out
    assert f"{label} {row_id} ({table}) was deleted" in out


def test_a_forged_decision_is_named(worked: Worked, db_url: str, engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO moderation_decisions (id, case_id, action, reason, note, actor_name,"
                " decided_at, platform_effect, counsel_pending) VALUES (99, :case, 'keep',"
                " 'no_violation', '', 'pio', CURRENT_TIMESTAMP, 'nothing', false)"
            ),
            {"case": worked.case_id},
        )
    code, out = audit_verify(db_url)
    assert code == 1, out
    assert "decision 99 (moderation_decisions) has no audit event recording it" in out


def test_evidence_changed_without_an_audit_event_is_refused(
    worked: Worked, sessions: sessionmaker[Session]
) -> None:
    # A programming error, not an insider: a service that forgets its audit event fails.
    with (
        pytest.raises(evidence.UnsealedEvidence, match="moderation_cases"),
        transaction(sessions) as s,
    ):
        case = s.get(Case, worked.case_id)
        assert case is not None
        case.outcome = "kept"
    with sessions() as s:
        case = s.get(Case, worked.case_id)
        assert case is not None and case.outcome == "hidden"  # nothing was written


def test_every_change_rides_on_its_audit_event(
    worked: Worked, sessions: sessionmaker[Session]
) -> None:
    with sessions() as s:
        lifted = s.execute(
            select(audit.AuditEvent).where(audit.AuditEvent.action == "moderation:lift_block")
        ).scalar_one()
        decision = s.get(Decision, worked.decision_id)
        assert decision is not None
    sealed = {(t, i) for t, i, _ in lifted.data[evidence.KEY]}
    assert ("moderation_blocks", worked.block_id) in sealed


def test_baseline_seals_rows_from_before_sealing_but_launders_nothing(
    worked: Worked, db_url: str, engine: Engine
) -> None:
    # A row written by an older piodesk (no digest anywhere in the chain) and a sealed row
    # altered since: baseline seals the first and leaves the second named.
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO moderation_decisions (id, case_id, action, reason, note, actor_name,"
                " decided_at, platform_effect, counsel_pending) VALUES (0, :case, 'keep',"
                " 'no_violation', '', 'pio', CURRENT_TIMESTAMP, 'nothing', false)"
            ),
            {"case": worked.case_id},
        )
        conn.execute(
            text("UPDATE moderation_cases SET outcome = 'kept' WHERE id = :c"),
            {"c": worked.case_id},
        )
    result = CliRunner().invoke(
        cli_app,
        ["--operator", "audit", "baseline", "--reason", "upgrade to sealed evidence"],
        env={"PIODESK_DATABASE_URL": db_url, "PIODESK_SECRET_KEY": "k" * 32},
    )
    assert result.exit_code == 0 and "sealed 1 evidence rows" in result.output, result.output
    code, out = audit_verify(db_url)
    assert code == 1
    assert "decision 0 " not in out
    assert f"case {worked.case_id} (moderation_cases) was altered" in out


def test_baseline_does_not_seal_a_row_forged_after_sealing_began(
    worked: Worked, db_url: str, engine: Engine
) -> None:
    # An insider adds a decision (a higher id than every sealed one) and runs baseline to hide
    # it: baseline seals only rows older than the first sealed row, so verify still names it.
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO moderation_decisions (id, case_id, action, reason, note, actor_name,"
                " decided_at, platform_effect, counsel_pending) VALUES (99, :case, 'keep',"
                " 'no_violation', '', 'pio', CURRENT_TIMESTAMP, 'nothing', false)"
            ),
            {"case": worked.case_id},
        )
    result = CliRunner().invoke(
        cli_app,
        ["--operator", "audit", "baseline", "--reason", "hide a forged decision"],
        env={"PIODESK_DATABASE_URL": db_url, "PIODESK_SECRET_KEY": "k" * 32},
    )
    assert result.exit_code == 0 and "sealed 0 evidence rows" in result.output, result.output
    code, out = audit_verify(db_url)
    assert code == 1
    assert "decision 99" in out
