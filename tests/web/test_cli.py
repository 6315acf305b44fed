"""The command line: same services, same permissions, credentials, readable errors."""

from __future__ import annotations

import re

from sqlalchemy import select
from typer.testing import CliRunner

from piodesk.cli import app
from piodesk.core import audit
from piodesk.core.db import make_engine, make_sessionmaker, transaction
from piodesk.people import actions as people

runner = CliRunner()
PW = "a long admin password"
DANA_PW = "the chief's own secret phrase"


def run(db_url: str, *args: str, input: str | None = None, **env: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        list(args),
        input=input,
        env={
            "PIODESK_DATABASE_URL": db_url,
            "PIODESK_SECRET_KEY": "k" * 32,
            "COLUMNS": "200",
            **env,
        },
    )
    return result.exit_code, result.output


def _use_link(db_url: str, output: str, password: str) -> None:
    """The owner opens the one-time link the CLI printed and chooses a password."""
    token = re.search(r"/password\?token=(\S+)", output)
    assert token, output
    engine = make_engine(db_url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            people.use_password_link(session, token[1], password)
    finally:
        engine.dispose()


def _installation(db_url: str) -> None:
    """An admin (boss) and a first chief (dana) made by the local operator."""
    code, out = run(
        db_url, "user", "create", "boss", "--name", "Boss", "--role", "admin", input=f"{PW}\n{PW}\n"
    )
    assert code == 0, out
    code, out = run(db_url, "--operator", "user", "bootstrap-approver", "dana", "--name", "Dana")
    assert code == 0 and "one-time link" in out, out
    _use_link(db_url, out, DANA_PW)


def test_bootstrap_register_approve_and_check(db_url: str) -> None:
    _installation(db_url)
    boss = {"input": PW + "\n"}
    code, out = run(
        db_url,
        "page",
        "register",
        "facebook",
        "cspd",
        "--name",
        "CSPD",
        "--unit",
        "PAS",
        "--as",
        "boss",
        **boss,
    )
    assert code == 0 and "registered page 1 (pending)" in out, out
    code, out = run(db_url, "page", "approve", "1", "--as", "boss", **boss)
    assert code == 1 and "refused" in out and "may not approve pages" in out
    # The empty profile fails §.10: approving it needs the chief's written justification.
    code, out = run(db_url, "page", "approve", "1", "--as", "dana", input=DANA_PW + "\n")
    assert code == 1 and "needs a written justification" in out, out
    code, out = run(
        db_url,
        "page",
        "approve",
        "1",
        "--reason",
        "needed for the flood warnings; profile fixed this week",
        "--as",
        "dana",
        input=DANA_PW + "\n",
    )
    assert code == 0 and "approved" in out, out
    code, out = run(db_url, "page", "check", "1", "--as", "boss", **boss)
    assert code == 3 and "missing" in out  # an empty profile meets no §.10 element
    code, out = run(db_url, "--operator", "audit", "verify")
    assert code == 0 and "audit chain intact" in out


def test_as_needs_the_password(db_url: str) -> None:
    _installation(db_url)
    code, out = run(db_url, "page", "list", "--as", "boss", input="not the password\n")
    assert code == 1 and "wrong username or password" in out
    code, out = run(db_url, "page", "list", "--as", "ghost", input="whatever it is\n")
    assert code == 1 and "wrong username or password" in out  # same words: nothing revealed


def test_admin_cannot_elevate_itself_from_the_cli(db_url: str) -> None:
    _installation(db_url)
    code, out = run(
        db_url,
        "user",
        "roles",
        "boss",
        "--role",
        "admin",
        "--role",
        "chief",
        "--reason",
        "me too",
        "--as",
        "boss",
        input=PW + "\n",
    )
    assert code == 1 and "no account changes its own roles" in out, out
    # A new chief account waits for dana and gets no password from the admin.
    code, out = run(
        db_url,
        "user",
        "create",
        "vic",
        "--name",
        "Vic",
        "--role",
        "chief",
        "--as",
        "boss",
        input=PW + "\n",
    )
    assert code == 0 and "waits for the chief" in out, out
    grant = re.search(r"role grant (\d+)", out)
    assert grant
    code, out = run(db_url, "user", "approve", grant[1], "--as", "boss", input=PW + "\n")
    assert code == 1 and "may not approve role grants" in out
    code, out = run(db_url, "--operator", "user", "approve", grant[1])
    assert code == 1 and "may not approve role grants" in out
    code, out = run(db_url, "user", "approve", grant[1], "--as", "dana", input=DANA_PW + "\n")
    assert code == 0 and "approved" in out and "/password?token=" in out, out


def test_token_and_operator_credentials(db_url: str) -> None:
    _installation(db_url)
    code, out = run(db_url, "user", "token", "--days", "0", "--as", "boss", input=PW + "\n")
    assert code == 1 and "every token expires" in out
    code, out = run(db_url, "user", "token", "--name", "ci", "--as", "boss", input=PW + "\n")
    assert code == 0, out
    token = out.strip().splitlines()[-1]
    code, out = run(db_url, "page", "list", PIODESK_TOKEN=token)
    assert code == 0, out
    # A read-scoped token cannot register a page though the account could.
    code, out = run(
        db_url, "page", "register", "x", "h", "--name", "H", "--unit", "U", PIODESK_TOKEN=token
    )
    assert code == 1 and "scopes do not cover what this needs (register pages)" in out, out
    code, out = run(
        db_url, "--operator", "page", "register", "x", "h", "--name", "H", "--unit", "U"
    )
    assert code == 0, out
    code, out = run(db_url, "--operator", "page", "approve", "1")
    assert code == 1 and "may not approve pages" in out
    engine = make_engine(db_url)
    with make_sessionmaker(engine)() as session:
        event = session.execute(
            select(audit.AuditEvent).where(audit.AuditEvent.action == "page:register")
        ).scalar_one()
        assert event.via == "operator" and event.actor_name == "operator"
    engine.dispose()
    code, out = run(db_url, "user", "tokens", "--as", "boss", input=PW + "\n")
    assert code == 0 and "ci" in out and "read" in out
    code, out = run(db_url, "user", "revoke", "1", "--as", "boss", input=PW + "\n")
    assert code == 0 and "revoked" in out
    code, out = run(db_url, "page", "list", PIODESK_TOKEN=token)
    assert code == 1 and "not valid" in out


def test_errors_are_readable(db_url: str) -> None:
    code, out = run(db_url, "page", "list")
    assert code == 1 and "--as USERNAME" in out and "--operator" in out
    result = runner.invoke(
        app, ["audit", "verify"], env={"PIODESK_SECRET_KEY": "change-me-demo-only"}
    )
    assert result.exit_code == 2 and "placeholder" in result.output
