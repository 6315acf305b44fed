"""Backup and restore: the database, the media store and the checkpoint file, together.

A backup is a directory:

- ``database.sqlite3`` (SQLite's online ``.backup`` API: a consistent copy while piodesk runs)
  or ``database.pgdump`` (``pg_dump --format=custom``: one consistent snapshot);
- ``media/``: the content-addressed media store, copied *after* the database, so every file the
  copied database names is there (media files are only ever added);
- ``checkpoints.jsonl``: the checkpoint file kept outside the database, when there is one;
- ``manifest.json``: when, from which revision and backend, and the SHA-256 of every file.

The signing key is never copied: whoever holds a backup and the key could sign a rewritten
history (keep the key's own backup apart). Restoring checks every hash in the manifest first,
refuses a target database that already has tables and a media file that differs from the one
backed up, and writes nothing when any check fails. :func:`verify` then recomputes the audit
and archive chains, the evidence rows and the media hashes of the restored copy and compares
each chain with every signed checkpoint (what ``piodesk audit verify`` and ``piodesk archive
verify --against`` do).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import inspect, make_url, text
from sqlalchemy.engine import URL

from piodesk import __version__
from piodesk.archive.media import MediaStore
from piodesk.core import audit, chain, checkpoints, clock, evidence
from piodesk.core.config import Settings
from piodesk.core.db import make_engine, make_sessionmaker
from piodesk.core.errors import Conflict, InvalidInput

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
CHECKPOINT_FILE = "checkpoints.jsonl"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for pg_dump/pg_restore, and the environment with the password
    (never on the command line, where `ps` would show it)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise Conflict(f"{command[0]} failed: " + " / ".join(tail))


@dataclass
class Manifest:
    """What a backup holds (``manifest.json``)."""

    made_at: str
    piodesk_version: str
    backend: str
    schema: str | None
    revision: list[str]
    latest_checkpoint: int | None
    files: dict[str, str] = field(default_factory=dict)  # relative path → SHA-256
    format: int = FORMAT

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the JSON file."""
        return dict(self.__dict__)


def _media_root(settings: Settings) -> Path:
    return settings.data_dir / "media"


def create(settings: Settings, dest: Path) -> Manifest:
    """Back up the configured database, media store and checkpoint file into ``dest`` (a new
    or empty directory)."""
    if dest.exists() and any(dest.iterdir()):
        raise InvalidInput(f"{dest} is not empty: a backup goes into a new directory")
    dest.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            revision = sorted(
                r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))
            )
            schema = (
                conn.execute(text("SELECT current_schema()")).scalar()
                if engine.dialect.name == "postgresql"
                else None
            )
            with make_sessionmaker(engine)() as session:
                newest = checkpoints.latest(session)
        if engine.dialect.name == "sqlite":
            source = sqlite3.connect(str(engine.url.database))
            target = sqlite3.connect(str(dest / SQLITE_FILE))
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        else:
            uri, env = _libpq(engine.url)
            command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges"]
            if schema and schema != "public":
                command.append(f"--schema={schema}")
            _run([*command, f"--file={dest / PG_FILE}", f"--dbname={uri}"], env)
    finally:
        engine.dispose()
    media = _media_root(settings)
    if media.is_dir():  # after the database: every file it names already exists
        shutil.copytree(media, dest / "media", ignore=shutil.ignore_patterns(".incoming-*"))
    if settings.checkpoint_path.is_file():
        shutil.copy2(settings.checkpoint_path, dest / CHECKPOINT_FILE)
    manifest = Manifest(
        made_at=clock.now().isoformat(timespec="seconds"),
        piodesk_version=__version__,
        backend=engine.dialect.name,
        schema=schema,
        revision=revision,
        latest_checkpoint=newest.seq if newest else None,
    )
    for path in sorted(p for p in dest.rglob("*") if p.is_file()):
        manifest.files[path.relative_to(dest).as_posix()] = _sha256(path)
    (dest / MANIFEST).write_text(json.dumps(manifest.as_dict(), indent=2) + "\n")
    return manifest


def read_manifest(src: Path) -> Manifest:
    """The manifest of a backup, with every file's hash checked (a readable refusal if not)."""
    try:
        data = json.loads((src / MANIFEST).read_text())
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError) as exc:
        raise InvalidInput(f"{src} is not a piodesk backup ({type(exc).__name__})") from None
    if manifest.format != FORMAT:
        raise InvalidInput(f"backup format {manifest.format} is not one this piodesk reads")
    for name, digest in manifest.files.items():
        path = src / name
        if not path.is_file():
            raise InvalidInput(f"the backup is incomplete: {name} is missing")
        if _sha256(path) != digest:
            raise InvalidInput(f"the backup is damaged: {name} does not match its hash")
    return manifest


def restore(src: Path, settings: Settings) -> Manifest:
    """Restore a backup into the (fresh) database and data directory ``settings`` name."""
    manifest = read_manifest(src)
    target = make_url(settings.database_url)
    if target.get_backend_name() != manifest.backend:
        raise InvalidInput(
            f"the backup is of a {manifest.backend} database; "
            f"the target is {target.get_backend_name()}"
        )
    # Every check before anything is written.
    media = _media_root(settings)
    copies: list[tuple[Path, Path]] = []
    for name in manifest.files:
        if not name.startswith("media/"):
            continue
        there = media / name.removeprefix("media/")
        if there.exists() and _sha256(there) != manifest.files[name]:
            raise Conflict(f"{there} exists and differs from the backup's copy; nothing restored")
        if not there.exists():
            copies.append((src / name, there))
    if (
        CHECKPOINT_FILE in manifest.files
        and settings.checkpoint_path.exists()
        and _sha256(settings.checkpoint_path) != manifest.files[CHECKPOINT_FILE]
    ):
        raise Conflict(
            f"{settings.checkpoint_path} exists and differs from the backup's; nothing restored"
        )
    engine = make_engine(settings.database_url)
    try:
        if manifest.backend == "sqlite":
            path = Path(str(engine.url.database))
            if path.exists() and path.stat().st_size > 0:
                raise Conflict(f"{path} exists: restore into a new database file")
            engine.dispose()
            path.unlink(missing_ok=True)
            source = sqlite3.connect(str(src / SQLITE_FILE))
            copy = sqlite3.connect(str(path))
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
        else:
            with engine.connect() as conn:
                schema = manifest.schema or "public"
                if inspect(conn).get_table_names(schema=schema):
                    raise Conflict(
                        f"the target database already has tables in schema {schema}: "
                        "restore into a new, empty database"
                    )
                # The dump holds piodesk's schema, not the database-wide extensions it uses:
                # archive search's GIN index needs btree_gin (migration 0020) in public.
                conn.exec_driver_sql(
                    "SELECT pg_advisory_xact_lock(409020); "
                    "CREATE EXTENSION IF NOT EXISTS btree_gin SCHEMA public"
                )
                conn.commit()
            uri, env = _libpq(engine.url)
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",  # a failed restore leaves nothing behind
                    f"--dbname={uri}",
                    str(src / PG_FILE),
                ],
                env,
            )
    finally:
        engine.dispose()
    for origin, there in copies:
        there.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(origin, there)
    if CHECKPOINT_FILE in manifest.files and not settings.checkpoint_path.exists():
        settings.checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / CHECKPOINT_FILE, settings.checkpoint_path)
    return manifest


@dataclass
class Verified:
    """What checking a (restored) installation found: ``problems`` empty means it verifies."""

    problems: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems


def verify(settings: Settings, public_key: Ed25519PublicKey | None = None) -> Verified:
    """Recompute every chain, evidence row and media file of the configured installation and
    compare each chain with every checkpoint (from the table, and the file when there is one)."""
    from piodesk.archive.verify import verify_archive

    out = Verified()
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            events = audit.verify(session)
            if events.ok:
                out.facts.append(f"audit chain intact: {events.events_checked} events")
            else:
                out.problems.append(
                    f"audit chain broken at {events.first_bad_seq}: {events.problem}"
                )
            rows = evidence.verify(session)
            out.facts.append(f"evidence rows checked: {rows.rows_checked}")
            out.problems += [f"evidence: {p}" for p in rows.problems]
            archive = verify_archive(session, MediaStore(_media_root(settings)))
            out.facts.append(
                f"archive: {archive.versions_checked} versions, {archive.media_checked} media files"
            )
            out.problems += [f"archive: {p}" for p in archive.problems]
            signed = list(checkpoints.all_checkpoints(session))
            if settings.checkpoint_path.is_file():
                in_file = checkpoints.parse(settings.checkpoint_path.read_text())
                by_seq = {c.seq: c.digest for c in signed}
                for c in in_file:
                    if c.seq in by_seq and by_seq[c.seq] != c.digest:
                        out.problems.append(
                            f"checkpoint {c.seq} in the file differs from the database's"
                        )
                if len(in_file) > len(signed):
                    signed = in_file  # the file outside the database knows more: trust it
            if not signed:
                out.problems.append("no checkpoint to verify against")
            if public_key is not None:
                out.problems += checkpoints.check(signed, public_key)
            else:
                out.facts.append("checkpoint signatures not checked (no public key given)")
            for source in chain.chains():
                problem = checkpoints.against(session, source, signed)
                if problem:
                    out.problems.append(problem)
                elif signed:
                    out.facts.append(
                        f"{source.name} chain agrees with {len(signed)} checkpoint(s), "
                        f"the last no. {signed[-1].seq}"
                    )
    finally:
        engine.dispose()
    return out
