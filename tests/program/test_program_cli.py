"""`piodesk program ...`: logging a use needs a credential; the reminder job runs as the system."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core.permissions import Role
from piodesk.program.tables import InvestigativeUse
from tests.conftest import PASSWORD
from tests.web.test_cli import run


def test_log_use_and_the_report_from_the_cli(
    db_url: str, staff, sessions: sessionmaker[Session]
) -> None:
    args = ["program", "log-use", "--purpose", "missing_persons", "--viewed", "@runaway"]
    code, out = run(db_url, *args, "--case", "26-5")
    assert code == 1 and "say who you act as" in out
    code, out = run(db_url, *args, "--case", " ", "--as", "employee", input=f"{PASSWORD}\n")
    assert code == 1 and "needs the case" in out
    code, out = run(db_url, *args, "--case", "26-5", "--as", "employee", input=f"{PASSWORD}\n")
    assert code == 0 and "for case 26-5" in out, out
    with sessions() as s:
        row = s.execute(select(InvestigativeUse)).scalar_one()
        assert row.officer_id == staff[Role.EMPLOYEE].account_id and row.viewed == ["@runaway"]
    code, out = run(db_url, "program", "authorized", "--as", "employee", input=f"{PASSWORD}\n")
    assert code == 1 and "may not see device authorizations" in out
    code, out = run(db_url, "program", "authorized", "--as", "auditor", input=f"{PASSWORD}\n")
    assert code == 0 and "Authorized on today" in out
    code, out = run(db_url, "program", "remind")
    assert code == 0 and "reminded about 0" in out
    code, out = run(db_url, "program", "deliver-mail", PIODESK_SMTP_HOST="")
    assert code == 0 and "nothing sent" in out
