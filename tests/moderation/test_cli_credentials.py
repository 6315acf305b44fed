"""The server's own jobs, run by hand, act with a credential like every other command (issue 9).

`piodesk ingest`, `moderation intake`, `reconcile` and `checkpoint create` change records;
`audit verify` and `archive verify` read every record. None of them may act as the anonymous
system any more: each needs `--as` (a password), a token or the audited local operator.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from piodesk.archive.ingest import ingest_page
from piodesk.archive.tables import ArchiveItem
from piodesk.cli import app
from piodesk.core import signing
from piodesk.core.audit import AuditEvent
from piodesk.core.checkpoints import CheckpointRow
from piodesk.core.config import Settings
from piodesk.moderation.tables import Case
from tests.conftest import PASSWORD
from tests.moderation.conftest import Site

NO_CREDENTIAL = "say who you act as"


def run(settings: Settings, *args: str, password: str = PASSWORD) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        list(args),
        input=password + "\n",  # `--as` asks for the password; other commands ignore it
        env={
            "PIODESK_DATABASE_URL": settings.database_url,
            "PIODESK_SECRET_KEY": "k" * 32,
            "PIODESK_DATA_DIR": str(settings.data_dir),
            "COLUMNS": "300",
        },
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, " ".join(result.output.split())


def _count(sessions: sessionmaker[Session], what: type) -> int:
    with sessions() as s:
        return s.execute(select(func.count()).select_from(what)).scalar_one()


def _events(sessions: sessionmaker[Session], action: str) -> list[AuditEvent]:
    with sessions() as s:
        rows = s.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars()
        return list(rows)


@pytest.mark.parametrize(
    "command",
    [
        ("ingest",),
        ("moderation", "intake"),
        ("reconcile", "--grace", "0"),
        ("checkpoint", "create"),
        ("audit", "verify"),
        ("archive", "verify"),
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_no_credential_is_refused(settings: Settings, site: Site, command: tuple[str, ...]) -> None:
    signing.init_key(settings.signing_key_path)
    site.comment("Vendor", "Cheap tickets, call 719-555-0134 now")
    events_before = _count(site.sessions, AuditEvent)
    code, out = run(settings, *command)
    assert code == 1 and NO_CREDENTIAL in out, out
    # Nothing was written: no capture, no case, no checkpoint, no audit event.
    assert _count(site.sessions, ArchiveItem) == 0
    assert _count(site.sessions, Case) == 0
    assert _count(site.sessions, CheckpointRow) == 0
    assert _count(site.sessions, AuditEvent) == events_before


def test_ingest_and_intake_act_as_who_ran_them(settings: Settings, site: Site, staff) -> None:
    site.comment("Vendor", "Cheap tickets, call 719-555-0134 now")
    # A cadre member's password is right, but running the server's jobs is not theirs.
    code, out = run(settings, "ingest", "--as", "cadre")
    assert code == 1 and "may not run the server's jobs by hand" in out, out
    assert _count(site.sessions, ArchiveItem) == 0
    code, out = run(settings, "ingest", "--as", "admin", password="not the password")
    assert code == 1 and "wrong username or password" in out, out
    assert _count(site.sessions, ArchiveItem) == 0

    code, out = run(settings, "ingest", "--as", "admin")
    assert code == 0 and "new records" in out, out
    assert _count(site.sessions, ArchiveItem) > 0
    ingested = _events(site.sessions, "archive:ingest")
    assert ingested and {(e.actor_name, e.via) for e in ingested} == {("admin", "cli")}
    # ingest screens what it captured (as the same person)
    opened = _events(site.sessions, "moderation:case_opened")
    assert opened and {(e.actor_name, e.via) for e in opened} == {("admin", "cli")}

    # Captured by the server's own poll, screened by hand by the local operator.
    seller = site.comment("Seller", "Selling cheap tickets, text 719-555-0199")
    ingest_page(site.sessions, site.page_id, site.connector, media=site.media)
    code, out = run(settings, "moderation", "intake")
    assert code == 1 and NO_CREDENTIAL in out, out
    code, out = run(settings, "--operator", "moderation", "intake")
    assert code == 0 and "1 cases opened" in out, out
    case = site.case_of(seller)
    (event,) = [
        e for e in _events(site.sessions, "moderation:case_opened") if e.target_id == str(case.id)
    ]
    assert (event.actor_name, event.via) == ("operator", "operator")


def test_verify_needs_a_reader_of_the_audit_log(settings: Settings, site: Site, staff) -> None:
    # The PIO reads the archive but not the audit log; the auditor and the operator may verify.
    for command in (("audit", "verify"), ("archive", "verify")):
        code, out = run(settings, *command, "--as", "pio")
        assert code == 1 and "may not read the audit log" in out, out
        code, out = run(settings, *command, "--as", "auditor")
        assert code == 0 and "intact" in out, out
        code, out = run(settings, "--operator", *command)
        assert code == 0 and "intact" in out, out


def test_checkpoint_create_needs_a_credential(settings: Settings, site: Site, staff) -> None:
    signing.init_key(settings.signing_key_path)
    code, out = run(settings, "checkpoint", "create", "--as", "auditor")
    assert code == 1 and "may not run the server's jobs by hand" in out, out
    assert _count(site.sessions, CheckpointRow) == 0
    assert not Path(settings.checkpoint_path).exists()
    code, out = run(settings, "--operator", "checkpoint", "create")
    assert code == 0 and "signed" in out, out
    assert _count(site.sessions, CheckpointRow) == 1
