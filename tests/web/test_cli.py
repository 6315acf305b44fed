"""The command line: same services, same permissions, readable errors."""

from __future__ import annotations

from typer.testing import CliRunner

from piodesk.cli import app

runner = CliRunner()


def run(db_url: str, *args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(
        app,
        list(args),
        input=input,
        env={"PIODESK_DATABASE_URL": db_url, "PIODESK_SECRET_KEY": "k" * 32, "COLUMNS": "200"},
    )
    return result.exit_code, result.output


def test_bootstrap_register_approve_and_check(db_url: str) -> None:
    pw = "a long admin password\n"
    code, out = run(
        db_url, "user", "create", "boss", "--name", "Boss", "--role", "admin", input=pw + pw
    )
    assert code == 0, out
    code, out = run(
        db_url,
        "user",
        "create",
        "dana",
        "--name",
        "Chief Dana",
        "--role",
        "chief",
        "--as",
        "boss",
        input=pw + pw,
    )
    assert code == 0, out
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
    )
    assert code == 0 and "registered page 1 (pending)" in out, out
    code, out = run(db_url, "page", "approve", "1", "--as", "boss")
    assert code == 1 and "refused" in out and "may not page.approve" in out
    code, out = run(db_url, "page", "approve", "1", "--as", "dana")
    assert code == 0 and "approved" in out
    code, out = run(db_url, "page", "check", "1", "--as", "boss")
    assert code == 3 and "missing" in out  # an empty profile meets no §.10 element
    code, out = run(db_url, "audit", "verify")
    assert code == 0 and "audit chain intact" in out


def test_errors_are_readable(db_url: str) -> None:
    code, out = run(db_url, "page", "list")
    assert code == 1 and "--as USERNAME" in out
    code, out = run(db_url, "page", "list", "--as", "ghost")
    assert code == 1 and "no active account 'ghost'" in out
    result = runner.invoke(
        app, ["audit", "verify"], env={"PIODESK_SECRET_KEY": "change-me-demo-only"}
    )
    assert result.exit_code == 2 and "placeholder" in result.output
