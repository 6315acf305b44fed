"""`piodesk story …`: the same services and permissions as the web, with a credential."""

from __future__ import annotations

from typer.testing import CliRunner

from piodesk.cli import app
from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.publishing import review, submissions
from tests.conftest import PASSWORD
from tests.publishing.conftest import add_pages
from tests.publishing.review_support import CLEAN_STORY

runner = CliRunner()


def run(db_url: str, tmp_path, *args: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        list(args),
        input=PASSWORD + "\n",
        env={
            "PIODESK_DATABASE_URL": db_url,
            "PIODESK_SECRET_KEY": "k" * 32,
            "PIODESK_DATA_DIR": str(tmp_path / "data"),
            "COLUMNS": "200",
        },
    )
    return result.exit_code, result.output


def test_cadre_steps_and_approval_by_cli(db_url, tmp_path, sessions, staff, agency):
    code, out = run(
        db_url,
        tmp_path,
        "story",
        "recommend",
        "cadre",
        "--division",
        "Falcon",
        "--reason",
        "runs our events",
        "--as",
        "supervisor",
    )
    assert code == 0 and "Recommended by a supervisor" in out, out
    code, out = run(
        db_url,
        tmp_path,
        "story",
        "step",
        "1",
        "train",
        "--course",
        "c",
        "--completed-on",
        "2026-11-01",
        "--as",
        "pio",
    )
    assert code == 1 and "cannot go from 'recommended' to 'active'" in out, out
    code, out = run(db_url, tmp_path, "story", "step", "1", "vet", "--as", "pio")
    assert code == 1 and "may not vet cadre candidates" in out, out
    assert run(db_url, tmp_path, "story", "step", "1", "vet", "--as", "internal-affairs")[0] == 0
    code, out = run(
        db_url,
        tmp_path,
        "story",
        "step",
        "1",
        "train",
        "--course",
        "Cadre course",
        "--completed-on",
        "2026-11-01",
        "--as",
        "pio",
    )
    assert code == 0 and "Active" in out, out
    code, out = run(db_url, tmp_path, "story", "cadre", "--as", "pio")
    assert "Test cadre" in out and "Active" in out

    page = add_pages(sessions, staff, agency, ["cli"])["cli"]
    pio = staff[Role.PIO]
    with transaction(sessions) as s:
        sub = submissions.submit(s, actor=staff[Role.CADRE], title="Coffee", text=CLEAN_STORY)
        review.plan(s, sub.id, actor=pio, page_ids=[page], category="outreach")
        review.attest(s, sub.id, actor=pio)
        review.send_for_approval(s, sub.id, actor=pio)
    code, out = run(db_url, tmp_path, "story", "approve", str(sub.id), "--as", "cadre")
    assert code == 1 and "Social Media Cadre" in out, out
    code, out = run(db_url, tmp_path, "story", "approve", str(sub.id), "--as", "chief")
    assert code == 0 and "Approved" in out, out
    code, out = run(db_url, tmp_path, "story", "publish", str(sub.id), "--as", "cadre")
    assert code == 1 and "Social Media Cadre" in out, out
    code, out = run(db_url, tmp_path, "story", "publish", str(sub.id), "--as", "pio")
    assert code == 0 and "publication" in out, out


def test_tiers_by_cli(db_url, tmp_path, staff):
    code, out = run(
        db_url,
        tmp_path,
        "story",
        "tiers",
        "--tier",
        "any",
        "--tier",
        "all:chief",
        "--reason",
        "two tiers",
        "--as",
        "root",
    )
    assert code == 0 and "2 approval tier(s)" in out, out
    code, out = run(
        db_url, tmp_path, "story", "tiers", "--tier", "all:cadre", "--reason", "x", "--as", "root"
    )
    assert code == 1 and "may not approve posts" in out, out
    code, out = run(
        db_url, tmp_path, "story", "tiers", "--tier", "any", "--reason", "x", "--as", "pio"
    )
    assert code == 1 and "may not set the approval tiers" in out, out
