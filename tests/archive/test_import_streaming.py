"""Imports through the service and the CLI: a hostile export is refused whole with a clear
message and writes nothing; an export imported before streaming re-imports as a no-op; a big
generated export imports in bounded memory.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from piodesk.archive.capture import capture
from piodesk.archive.importing import import_export
from piodesk.archive.media import MediaStore
from piodesk.archive.tables import ArchiveItem, ArchiveVersion, ImportRun
from piodesk.cli import app
from piodesk.connectors.importers.x_archive import _tweet_item
from piodesk.connectors.jsonspans import array_elements, raw_bytes
from piodesk.core.audit import AuditEvent
from piodesk.core.db import transaction
from piodesk.core.errors import InvalidInput
from piodesk.core.permissions import Role
from tests.conftest import PASSWORD
from tests.connectors.conftest import shared
from tests.connectors.generated_exports import write_x_archive


def counts(sessions: sessionmaker[Session]) -> tuple[int, ...]:
    with sessions() as s:
        return tuple(
            s.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (ArchiveItem, ArchiveVersion, ImportRun, AuditEvent)
        )


def deep_export(tmp_path: Path) -> Path:
    """An X archive whose tweets.js is a 200,000-deep array after one real tweet."""
    text = shared("exports/twitter_archive/data/tweets.js").read_text("utf-8")
    first = json.dumps(json.loads(text.split("=", 1)[1])[0])
    folder = tmp_path / "deep" / "data"
    folder.mkdir(parents=True)
    (folder / "tweets.js").write_text(
        f"window.YTD.tweets.part0 = [{first}, " + "[" * 200_000 + "]" * 200_000 + "]", "utf-8"
    )
    return folder.parent


DEEP = r"tweets\.js nests deeper than 64 levels at byte \d+; it is not a platform export"


def test_deep_export_is_refused_by_the_service_and_writes_nothing(
    sessions: sessionmaker[Session], staff, tmp_path: Path
) -> None:
    export = deep_export(tmp_path)
    before = counts(sessions)
    with pytest.raises(InvalidInput, match=DEEP):
        import_export(sessions, export, actor=staff[Role.RECORDS], media=MediaStore(tmp_path))
    assert counts(sessions) == before  # not the first tweet, not even an import run


def test_deep_export_is_refused_by_the_cli_and_writes_nothing(
    db_url: str, sessions: sessionmaker[Session], staff, tmp_path: Path
) -> None:
    export = deep_export(tmp_path)
    before = counts(sessions)
    result = CliRunner().invoke(
        app,
        ["import", str(export), "--as", "records-custodian"],
        input=PASSWORD + "\n",  # --as asks for the account's password
        env={
            "PIODESK_DATABASE_URL": db_url,
            "PIODESK_SECRET_KEY": "k" * 32,
            "PIODESK_DATA_DIR": str(tmp_path / "data"),
            "COLUMNS": "300",
        },
    )
    assert result.exit_code == 1, result.output
    assert "refused:" in result.output and "nests deeper than 64 levels" in result.output
    assert "Traceback" not in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a RecursionError
    assert counts(sessions) == before


def test_an_archive_imported_before_streaming_reimports_as_a_no_op(
    sessions: sessionmaker[Session], staff, tmp_path: Path
) -> None:
    export = shared("exports/twitter_archive")
    # What the importer did before streaming: the whole text parsed at once, each tweet's
    # raw payload sliced out of it (jsonspans), captured as an import's source.
    text = (export / "data" / "tweets.js").read_text("utf-8")
    old = [
        _tweet_item(s.value["tweet"], raw_bytes(text, s), "112769581", "112769581", "andreruffert")
        for s in array_elements(text, text.index("["))
    ]
    with transaction(sessions) as session:
        capture(session, old, source="import:0:x")
    before = counts(sessions)

    run = import_export(sessions, export, actor=staff[Role.RECORDS], media=MediaStore(tmp_path))
    assert run.taken == 0 and run.unchanged == len(old)  # every tweet found as it was
    assert counts(sessions)[:2] == before[:2]  # no new record, no new version
    with sessions() as s:
        stored = dict(
            s.execute(
                select(ArchiveItem.platform_id, ArchiveVersion.raw).join(
                    ArchiveVersion, ArchiveVersion.item_id == ArchiveItem.id
                )
            ).all()
        )
    assert stored == {i.platform_id: i.raw for i in old}

    # And the same export again, by the streaming path, is a no-op as well.
    again = import_export(
        sessions, export, actor=staff[Role.RECORDS], media=MediaStore(tmp_path), again=True
    )
    assert again.taken == 0 and again.unchanged == len(old)
    assert counts(sessions)[:2] == before[:2]


CHILD = """
import json, resource, sys
from pathlib import Path
from piodesk.archive.importing import import_export
from piodesk.archive.media import MediaStore
from piodesk.core.db import make_engine, make_sessionmaker
from piodesk.people import actions as people

url, export, media = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
sessions = make_sessionmaker(make_engine(url))
with sessions() as s:
    actor = people.actor_for(people.find_account(s, "records-custodian"))
start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
run = import_export(sessions, export, actor=actor, media=MediaStore(media))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"taken": run.taken, "start_kb": start, "peak_kb": peak}))
"""


@pytest.mark.slow
def test_a_50000_tweet_archive_imports_in_bounded_memory(
    db_url: str, sessions: sessionmaker[Session], staff, tmp_path: Path
) -> None:
    export = write_x_archive(tmp_path / "big.zip", 50_000)  # about 85 MB of tweets.js
    child = subprocess.run(
        [sys.executable, "-c", CHILD, db_url, str(export), str(tmp_path / "m")],
        capture_output=True,
        text=True,
        timeout=3600,
        env={**os.environ},
        check=False,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    result = json.loads(child.stdout.strip().splitlines()[-1])
    assert result["taken"] == 50_000
    growth_mb = (result["peak_kb"] - result["start_kb"]) / 1024
    # Holding the export took ten times its size; streaming stays near flat.
    assert growth_mb < 150, f"RSS grew {growth_mb:.0f} MB"
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss > 0
