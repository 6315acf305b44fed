"""`piodesk moderation`: the queue and a decision from the command line."""

from __future__ import annotations

from typer.testing import CliRunner

from piodesk.archive.ingest import ingest_page
from piodesk.cli import app
from piodesk.core.permissions import Role
from tests.conftest import PASSWORD
from tests.moderation.conftest import Site


def run(db_url: str, *args: str) -> tuple[int, str]:
    # `--as` asks for the account's password; every fixture account has the test password.
    result = CliRunner().invoke(
        app,
        list(args),
        input=PASSWORD + "\n",
        env={"PIODESK_DATABASE_URL": db_url, "PIODESK_SECRET_KEY": "k" * 32, "COLUMNS": "200"},
    )
    return result.exit_code, result.output


def test_queue_and_decide(db_url: str, site: Site, staff) -> None:
    cid = site.comment("Vendor", "Cheap tickets, call 719-555-0134 now")
    ingest_page(site.sessions, site.page_id, site.connector, media=site.media)
    code, out = run(db_url, "--operator", "moderation", "intake")
    assert code == 0 and "1 cases opened" in out, out
    case = site.case_of(cid)
    pio, cadre = staff[Role.PIO].username, staff[Role.CADRE].username
    code, out = run(db_url, "moderation", "queue", "--as", pio)
    assert code == 0 and "Cheap" in out and "solicitation" in out, out
    code, out = run(db_url, "moderation", "queue", "--as", cadre)
    assert code == 1 and "may not" in out
    code, out = run(
        db_url,
        "moderation",
        "decide",
        str(case.id),
        "--action",
        "remove",
        "--reason",
        "solicitation",
        "--note",
        "sells tickets on our page",
        "--as",
        cadre,
    )
    assert code == 1 and "may not" in out
    code, out = run(
        db_url,
        "moderation",
        "decide",
        str(case.id),
        "--action",
        "remove",
        "--reason",
        "solicitation",
        "--note",
        "sells tickets on our page",
        "--as",
        pio,
    )
    assert code == 0 and "deleted" in out, out
    assert site.public_comment(cid) is None
    code, out = run(db_url, "--operator", "audit", "verify")
    assert code == 0, out


def test_due_process_from_the_command_line(db_url: str, site: Site, staff) -> None:
    from piodesk.core.db import transaction
    from piodesk.moderation import actions
    from piodesk.people import actions as people

    with transaction(site.sessions) as s:
        second = people.seed_account(
            s,
            username="pio-two",
            display_name="Sam Second",
            password=PASSWORD,
            roles=[Role.PIO.value],
            reason="test fixture",
        ).username
    cid = site.comment(
        "Critic", "Another useless PR post from a department that covers for bad cops"
    )
    site.poll()
    with transaction(site.sessions) as s:
        case_id = actions.file_report(
            s, item_id=site.item(cid).id, reason="rude to our officers", actor=staff[Role.EMPLOYEE]
        ).case_id
    pio = staff[Role.PIO].username
    args = ("--action", "remove", "--reason", "threat", "--note", "Disrespectful to officers")
    code, out = run(db_url, "moderation", "decide", str(case_id), *args, "--as", pio)
    assert code == 1 and "viewpoint guard" in out, out
    code, out = run(db_url, "due", "hold", str(case_id), *args, "--as", pio)
    assert code == 0 and "held decision" in out, out
    proposal = out.split("held decision ")[1].split()[0]
    code, out = run(db_url, "due", "answer", proposal, "--verdict", "concur", "--as", pio)
    assert code == 1 and "second person" in out, out
    code, out = run(
        db_url,
        "due",
        "answer",
        proposal,
        "--verdict",
        "decline",
        "--note",
        "criticism",
        "--as",
        second,
    )
    assert code == 0 and "declined" in out, out
    code, out = run(
        db_url,
        "moderation",
        "decide",
        str(case_id),
        "--action",
        "keep",
        "--reason",
        "no_violation",
        "--as",
        second,
    )
    assert code == 0, out
    code, out = run(
        db_url, "due", "reopen", str(case_id), "--reason", "a second look, as asked", "--as", pio
    )
    assert code == 0 and "reopened (was kept)" in out, out
    code, out = run(db_url, "due", "appeals", "--as", pio)
    assert code == 0 and "no appeal waits" in out, out
