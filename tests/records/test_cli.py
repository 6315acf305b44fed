"""`piodesk requests`: log, show, move, search, review and a letter from the command line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from piodesk.archive.capture import capture
from piodesk.archive.media import MediaStore
from piodesk.cli import app
from piodesk.core import clock
from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.records.requests import queries
from piodesk.records.requests.tables import RecordsRequest
from tests.archive.test_capture import comment
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _fixed_clock() -> Iterator[None]:
    at = datetime(2026, 9, 8, 10, tzinfo=ZoneInfo("America/Denver"))
    clock.set_clock(lambda: at.astimezone(UTC))
    yield
    clock.set_clock(None)


def run(db_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        list(args),
        input=PASSWORD + "\n",
        env={"PIODESK_DATABASE_URL": db_url, "PIODESK_SECRET_KEY": "k" * 32, "COLUMNS": "200"},
    )
    return result.exit_code, result.output


def test_requests_on_the_command_line(
    db_url: str, staff, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with transaction(sessions) as s:
        capture(
            s,
            [comment("p1", "Parade route map please?")],
            source="test",
            media=MediaStore(tmp_path / "m"),
        )
    custodian = staff[Role.RECORDS].username
    code, out = run(
        db_url,
        "requests",
        "log",
        "--text",
        "Parade comments",
        "--channel",
        "email",
        "--as",
        custodian,
    )
    assert code == 1 and "--requester" in out and "--received" in out, out
    with sessions() as s:
        assert s.execute(select(func.count()).select_from(RecordsRequest)).scalar_one() == 0
    code, out = run(
        db_url,
        "requests",
        "log",
        "--requester",
        "Pat Reporter",
        "--received",
        "2026-09-04T16:55",
        "--text",
        "Parade comments",
        "--channel",
        "email",
        "--as",
        custodian,
    )
    assert code == 0 and "Thu 10 Sep 2026" in out, out
    code, out = run(db_url, "requests", "search", "1", "parade", "--as", custodian)
    assert code == 0 and "1 record(s)" in out, out
    found = re.search(r"^(\d+)\s+comment", out, re.MULTILINE)
    assert found, out
    item_id = found[1]
    code, out = run(db_url, "requests", "review", "1", item_id, "--as", custodian)
    assert code == 0 and "1 record(s) added" in out, out
    code, out = run(
        db_url,
        "requests",
        "mark",
        "1",
        item_id,
        "--reason",
        "asks for the route",
        "--as",
        custodian,
    )
    assert code == 0, out
    with sessions() as s:
        assert queries.review_set_item_ids(s, 1) == [int(item_id)]
    code, out = run(db_url, "requests", "letter", "1", "acknowledgement", "--as", custodian)
    assert code == 0 and "Pat Reporter" in out, out
    code, out = run(db_url, "requests", "move", "1", "--to", "in_review", "--as", custodian)
    assert code == 0 and "In review" in out, out
    code, out = run(db_url, "requests", "dashboard", "--as", custodian)
    assert code == 0 and "Due later this week: 1" in out, out
    code, out = run(db_url, "requests", "show", "1", "--as", staff[Role.LEGAL].username)
    assert code == 0 and "Thu 10 Sep 2026" in out, out
    code, out = run(db_url, "requests", "note", "1", "hello", "--as", staff[Role.LEGAL].username)
    assert code == 1 and "may not" in out, out
