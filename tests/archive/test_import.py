"""Importing the real sample exports into the archive: counts, fields, idempotence, bad files,
and an import killed with SIGKILL halfway that resumes to exactly the archive a clean one gives.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.importing import import_export
from piodesk.archive.media import MediaStore
from piodesk.archive.tables import ArchiveItem, ArchiveVersion, ImportRun
from piodesk.archive.verify import verify_archive
from piodesk.connectors.importers import detect_and_open
from piodesk.core.errors import InvalidInput, PermissionDenied
from piodesk.core.permissions import Role
from tests.connectors.conftest import shared

EXPORTS = ["twitter_archive", "mastodon", "facebook", "instagram"]


def archive_state(sessions: sessionmaker[Session]) -> dict[tuple[str, str, str], list[str]]:
    """Every record's identity with its versions' fingerprints: what "the same archive" means."""
    with sessions() as s:
        rows = s.execute(
            select(
                ArchiveItem.platform,
                ArchiveItem.kind,
                ArchiveItem.platform_id,
                ArchiveVersion.fingerprint,
            )
            .join(ArchiveVersion, ArchiveVersion.item_id == ArchiveItem.id)
            .order_by(ArchiveItem.id, ArchiveVersion.version)
        ).all()
    state: dict[tuple[str, str, str], list[str]] = {}
    for platform, kind, pid, fp in rows:
        state.setdefault((platform, kind, pid), []).append(fp)
    return state


def row_counts(sessions: sessionmaker[Session]) -> tuple[int, int, int]:
    with sessions() as s:
        return tuple(  # type: ignore[return-value]
            s.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (ArchiveItem, ArchiveVersion, ImportRun)
        )


@pytest.mark.parametrize("name", EXPORTS)
def test_each_sample_export_imports(
    name: str,
    sessions: sessionmaker[Session],
    staff,
    tmp_path: Path,
) -> None:
    path = shared(f"exports/{name}")
    media = MediaStore(tmp_path / "media")
    with detect_and_open(path) as importer:
        expected = {r.item.identity: r.item for r in importer.iter_items()}
        skipped = len(importer.report.skipped)
    assert expected, f"{name}: the importer found nothing"

    run = import_export(sessions, path, actor=staff[Role.RECORDS], media=media, batch_size=200)
    assert run.status == "finished"
    assert run.taken == len(expected) and len(run.skipped) == skipped
    state = archive_state(sessions)
    assert set(state) == set(expected)
    assert all(len(fps) == 1 for fps in state.values())
    # Fields, spot-checked against what the importer read from the file.
    with sessions() as s:
        for identity in list(expected)[:: max(1, len(expected) // 25)]:
            item = expected[identity]
            row = s.execute(
                select(ArchiveVersion)
                .join(ArchiveItem)
                .where(ArchiveItem.platform_id == identity[2], ArchiveItem.kind == identity[1])
            ).scalar_one()
            assert row.text == (item.text.replace("\x00", "\ufffd") if item.text else item.text)
            assert row.raw == item.raw and row.fingerprint == item.fingerprint
            assert row.author_name == item.author_name
        assert verify_archive(s, media).ok

    before = row_counts(sessions)
    again = import_export(sessions, path, actor=staff[Role.RECORDS], media=media)
    assert again.id == run.id  # recognized as the same file: nothing to do
    assert row_counts(sessions) == before
    rerun = import_export(sessions, path, actor=staff[Role.RECORDS], media=media, again=True)
    assert rerun.taken == 0 and rerun.unchanged == len(expected)
    assert archive_state(sessions) == state


def test_twitter_counts_match_the_file_itself(
    sessions: sessionmaker[Session], staff, tmp_path: Path
) -> None:
    path = shared("exports/twitter_archive")
    raw = (path / "data" / "tweets.js").read_text(encoding="utf-8")
    tweets = json.loads(raw[raw.index("[") :])
    import_export(sessions, path, actor=staff[Role.RECORDS], media=MediaStore(tmp_path / "m"))
    with sessions() as s:
        ids = set(
            s.execute(select(ArchiveItem.platform_id).where(ArchiveItem.platform == "x")).scalars()
        )
    assert ids == {t["tweet"]["id_str"] for t in tweets}


def test_import_needs_permission(sessions: sessionmaker[Session], staff, tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied):
        import_export(
            sessions,
            shared("exports/facebook"),
            actor=staff[Role.CADRE],
            media=MediaStore(tmp_path),
        )


def _bad_export(case: str, tmp_path: Path) -> Path:
    """One damaged export, built for the case at hand."""
    src = shared("exports/twitter_archive/data/tweets.js").read_bytes()
    if case == "wrong":
        wrong = tmp_path / "wrong.json"
        wrong.write_text(json.dumps({"hello": "this is not an export"}))
        return wrong
    if case == "bomb":
        bomb = tmp_path / "bomb.zip"
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("data/tweets.js", b"window.YTD.tweets.part0 = [" + b" " * (20 << 20) + b"]")
        return bomb
    folder = tmp_path / case / "data"
    folder.mkdir(parents=True)
    if case == "truncated":
        (folder / "tweets.js").write_bytes(src[: len(src) // 2])
    else:  # broken encoding: bytes that are not UTF-8 inside tweet texts
        (folder / "tweets.js").write_bytes(
            src.replace(b'"full_text" : "', b'"full_text" : "\xff\xfe', 5)
        )
    return folder.parent


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("truncated", "truncated"),
        ("wrong", "not a platform export"),
        ("bomb", "ratio|too large|limit"),
        ("broken", "UTF-8|encoding"),
    ],
)
def test_bad_exports_are_refused_and_change_nothing(
    case: str,
    message: str,
    sessions: sessionmaker[Session],
    staff,
    tmp_path: Path,
) -> None:
    path = _bad_export(case, tmp_path)
    before = row_counts(sessions)
    with pytest.raises(InvalidInput, match=message):
        import_export(sessions, path, actor=staff[Role.RECORDS], media=MediaStore(tmp_path / "m"))
    assert row_counts(sessions) == before


CHILD = """
import os, signal, sys
from pathlib import Path
from piodesk.archive.importing import import_export
from piodesk.archive.media import MediaStore
from piodesk.core.db import make_engine, make_sessionmaker
from piodesk.people import actions as people

url, export, media, kill_after = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
sessions = make_sessionmaker(make_engine(url))
with sessions() as s:
    actor = people.actor_for(people.find_account(s, "records-custodian"))

def on_batch(progress):
    if progress.done >= kill_after:
        os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no rollback handlers: a hard crash

import_export(
    sessions, export, actor=actor, media=MediaStore(media), batch_size=10, on_batch=on_batch
)
"""


def test_import_killed_halfway_resumes_to_the_same_archive(
    db_url: str,
    sessions: sessionmaker[Session],
    staff,
    tmp_path: Path,
) -> None:
    export = shared("exports/facebook")
    with detect_and_open(export) as importer:
        total = sum(1 for _ in importer.iter_items())
    child = subprocess.run(
        [sys.executable, "-c", CHILD, db_url, str(export), str(tmp_path / "m"), str(total // 2)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ},
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    with sessions() as s:
        run = s.execute(select(ImportRun)).scalar_one()
        assert run.status == "running" and 0 < run.taken < total  # really cut off halfway
    import_export(sessions, export, actor=staff[Role.RECORDS], media=MediaStore(tmp_path / "m"))
    resumed = archive_state(sessions)
    with sessions() as s:
        assert verify_archive(s, MediaStore(tmp_path / "m")).ok
        assert s.execute(select(ImportRun.status)).scalar_one() == "finished"

    # A clean import of the same export into an empty archive gives exactly the same records.
    with detect_and_open(export) as importer:
        clean = {r.item.identity: [r.item.fingerprint] for r in importer.iter_items()}
    assert resumed == clean
