"""Backup and restore: a restored copy in a fresh database verifies against the checkpoints."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from piodesk import backup
from piodesk.archive.capture import capture
from piodesk.archive.media import MediaStore
from piodesk.archive.tables import ArchiveVersion
from piodesk.cli import app
from piodesk.connectors.model import MediaRef
from piodesk.core import audit, checkpoints, signing
from piodesk.core.config import Settings
from piodesk.core.db import make_engine, make_sessionmaker, transaction
from piodesk.core.errors import Conflict, InvalidInput
from tests.archive.test_capture import comment
from tests.conftest import PG_URL


@pytest.fixture
def recorded(settings: Settings, sessions: sessionmaker[Session], staff) -> Settings:
    """An installation with accounts (audit events), comments with a photo, two checkpoints."""
    media = MediaStore(settings.data_dir / "media")
    photo = MediaRef(data=b"\xff\xd8\xff" + b"jpeg" * 50, mime_type="image/jpeg", filename="p.jpg")
    signing.init_key(settings.signing_key_path)
    with transaction(sessions) as s:
        capture(s, [comment("c1", "Road closed until noon")], source="test", media=media)
    checkpoints.checkpoint_now(sessions, settings)
    with transaction(sessions) as s:
        capture(
            s, [comment("c2", "A photo of the closure", media=(photo,))], source="test", media=media
        )
    checkpoints.checkpoint_now(sessions, settings)
    return settings


@pytest.fixture
def fresh(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """Settings for a new, empty installation on the same backend (a new database)."""
    data = tmp_path / "restored"
    source = make_engine(settings.database_url)
    if source.dialect.name == "sqlite":
        source.dispose()
        yield settings.model_copy(
            update={"database_url": f"sqlite:///{data / 'piodesk.sqlite3'}", "data_dir": data}
        )
        return
    with source.connect() as conn:
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
    source.dispose()
    name = f"wt_ops_restore_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    base = PG_URL.rsplit("/", 1)[0]
    try:
        yield settings.model_copy(
            update={
                "database_url": f"{base}/{name}?options=-csearch_path%3D{schema}",
                "data_dir": data,
            }
        )
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _versions(settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as s:
            return int(s.execute(select(func.count()).select_from(ArchiveVersion)).scalar_one())
    finally:
        engine.dispose()


def test_restored_copy_verifies_against_the_checkpoints(
    recorded: Settings, fresh: Settings, tmp_path: Path
) -> None:
    made = backup.create(recorded, tmp_path / "backup")
    assert made.latest_checkpoint == 2
    assert any(name.startswith("media/") for name in made.files)
    assert "checkpoints.jsonl" in made.files
    assert not any("key" in name for name in made.files)  # the signing key stays out

    backup.restore(tmp_path / "backup", fresh)
    assert _versions(fresh) == _versions(recorded) == 2
    public = signing.load_key(recorded.signing_key_path).public_key()
    result = backup.verify(fresh, public)
    assert result.ok, result.problems
    assert any("archive chain agrees with 2 checkpoint(s)" in f for f in result.facts)
    assert any("audit chain agrees" in f for f in result.facts)

    # The restored copy is checked, not trusted: a damaged photo in it is named.
    engine = make_engine(fresh.database_url)
    with make_sessionmaker(engine)() as s:
        assert audit.verify(s).ok
    engine.dispose()
    photo = next(p for p in (fresh.data_dir / "media").rglob("*") if p.is_file())
    photo.write_bytes(b"not the photo")
    damaged = backup.verify(fresh, public)
    assert any("does not match its hash" in p for p in damaged.problems)


def test_a_damaged_backup_or_a_used_database_is_refused_and_nothing_written(
    recorded: Settings, fresh: Settings, tmp_path: Path
) -> None:
    backup.create(recorded, tmp_path / "backup")
    with pytest.raises(InvalidInput, match="not empty"):
        backup.create(recorded, tmp_path / "backup")
    dump = next(p for p in (tmp_path / "backup").iterdir() if p.name.startswith("database."))
    good = dump.read_bytes()
    dump.write_bytes(good[:-10] + b"0123456789")
    with pytest.raises(InvalidInput, match=f"{dump.name} does not match its hash"):
        backup.restore(tmp_path / "backup", fresh)
    assert not (fresh.data_dir / "media").exists()
    dump.write_bytes(good)
    # Into the installation it came from: its database is not empty.
    with pytest.raises(Conflict):
        backup.restore(
            tmp_path / "backup", recorded.model_copy(update={"data_dir": tmp_path / "x"})
        )
    assert not (tmp_path / "x" / "media").exists()


def test_the_commands_back_up_and_restore(
    recorded: Settings, fresh: Settings, tmp_path: Path
) -> None:
    if not recorded.database_url.startswith("sqlite"):
        pytest.skip("the commands run the same code on both backends; once is enough")
    runner = CliRunner()

    def env(s: Settings) -> dict[str, str]:
        return {
            "PIODESK_DATABASE_URL": s.database_url,
            "PIODESK_SECRET_KEY": "k" * 32,
            "PIODESK_DATA_DIR": str(s.data_dir),
            "PIODESK_SIGNING_KEY_FILE": str(recorded.signing_key_path),
            "COLUMNS": "300",
        }

    made = runner.invoke(app, ["backup", "create", str(tmp_path / "b")], env=env(recorded))
    assert made.exit_code == 0, made.output
    assert "last checkpoint 2" in made.output and "1 media files" in made.output
    back = runner.invoke(app, ["backup", "restore", str(tmp_path / "b")], env=env(fresh))
    assert back.exit_code == 0, back.output
    assert "verified" in back.output
    again = runner.invoke(app, ["backup", "restore", str(tmp_path / "b")], env=env(fresh))
    assert again.exit_code == 1 and "refused" in again.output
