"""Importing a platform's own data export into the archive, resumably.

The export is opened and validated whole before anything is written (a broken file changes
nothing); it is read as a stream, twice (validate, then import), never held in memory. Items
are then captured in batches; each batch and the run's position commit together, so an
import killed at any moment resumes exactly where its last batch ended, and re-importing a
file adds nothing that is already there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.capture import CaptureReport, capture
from piodesk.archive.media import MediaStore
from piodesk.archive.tables import ImportRun
from piodesk.connectors.importers import ExportFormatError, Importer, detect_and_open
from piodesk.connectors.model import MediaRef
from piodesk.core import audit, clock, tags
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, InvalidInput
from piodesk.core.permissions import Actor, Perm, require
from piodesk.pages.tables import Page

#: Items per transaction: one chain-head lock, one commit; 2,000 halves the per-item cost of
#: committing against 500 and holds a few megabytes.
BATCH = 2000


@dataclass
class ImportProgress:
    """Reported after each committed batch (drives the progress bar)."""

    run_id: int
    done: int
    total: int
    last_position: str


def fingerprint_path(path: Path) -> str:
    """SHA-256 of an export: of the file, or of every file's name and hash in a folder."""
    h = hashlib.sha256()
    if path.is_dir():
        for f in sorted(p for p in path.rglob("*") if p.is_file()):
            h.update(str(f.relative_to(path)).encode() + b"\0")
            h.update(_file_sha(f).encode())
        return h.hexdigest()
    return _file_sha(path)


def _file_sha(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _open(path: Path, page_platform_id: str | None) -> Importer:
    if not path.exists():
        raise InvalidInput(f"no such file or folder: {path}")
    try:
        return detect_and_open(path, page_platform_id=page_platform_id)
    except ExportFormatError as exc:
        raise InvalidInput(str(exc)) from None


def open_export(
    sessions: sessionmaker[Session], path: Path, *, actor: Actor, page_id: int | None = None
) -> Importer:
    """Open and validate an export whole (nothing is written); refused with a readable
    ``InvalidInput`` when it is not an export piodesk can read. The caller closes it, or hands
    it to ``import_export(..., opened=...)``, which does."""
    require(actor, Perm.ARCHIVE_IMPORT)
    page_platform_id = None
    if page_id is not None:
        with sessions() as session:
            page = session.get(Page, page_id)
            if page is None:
                raise InvalidInput(f"no page with id {page_id}")
            page_platform_id = page.handle
    return _open(path, page_platform_id)


def import_export(
    sessions: sessionmaker[Session],
    path: Path,
    *,
    actor: Actor,
    media: MediaStore,
    page_id: int | None = None,
    batch_size: int = BATCH,
    again: bool = False,
    on_batch: Callable[[ImportProgress], None] | None = None,
    opened: Importer | None = None,
) -> ImportRun:
    """Import (or resume importing) one export; returns the finished run with its counts.

    ``opened`` is the export already validated by ``open_export`` (the web form validates it
    before answering, then imports in the background without reading it twice)."""
    require(actor, Perm.ARCHIVE_IMPORT)
    importer = opened or open_export(sessions, path, actor=actor, page_id=page_id)
    try:
        return _run(sessions, importer, path, actor, media, page_id, batch_size, again, on_batch)
    finally:
        importer.close()


def _run(
    sessions: sessionmaker[Session],
    importer: Importer,
    path: Path,
    actor: Actor,
    media: MediaStore,
    page_id: int | None,
    batch_size: int,
    again: bool,
    on_batch: Callable[[ImportProgress], None] | None,
) -> ImportRun:
    digest = fingerprint_path(path)
    with transaction(sessions) as session:
        runs = (
            session.execute(
                select(ImportRun)
                .where(ImportRun.file_sha256 == digest)
                .order_by(ImportRun.id.desc())
            )
            .scalars()
            .all()
        )
        unfinished = next((r for r in runs if r.status == "running"), None)
        finished = next((r for r in runs if r.status == "finished"), None)
        if unfinished is not None:
            run = unfinished
        elif finished is not None and not again:
            return finished  # this very file is in the archive already: nothing to add
        else:
            run = ImportRun(
                file_name=path.name[:500],
                file_sha256=digest,
                importer=importer.label[:60],
                page_id=page_id,
                actor_id=actor.account_id,
                status="running",
                taken=0,
                unchanged=0,
                skipped=[],
                started_at=clock.now(),
            )
            session.add(run)
            session.flush()
            audit.record(
                session,
                actor,
                tags.Archive.IMPORT_START,
                "import_run",
                run.id,
                section="§.40",
                data={"file": run.file_name, "sha256": digest, "importer": run.importer},
            )
        run_id, start_after = run.id, run.last_position

    total = importer.total

    def read_media(ref: MediaRef) -> bytes | None:
        try:
            return importer.read_media(ref)
        except ExportFormatError:
            return None  # an oversized or damaged media file: the reference is still kept

    source = f"import:{run_id}:{importer.platform}"
    batch: list = []
    done = 0

    def commit(records: list) -> None:
        nonlocal done
        with transaction(sessions) as session:
            report: CaptureReport = capture(
                session,
                [r.item for r in records],
                source=source,
                page_id=page_id,
                media=media,
                read_media=read_media,
            )
            current = session.get(ImportRun, run_id)
            if current is None or current.status != "running":
                raise Conflict("this import run was finished by another process")
            current.last_position = records[-1].position
            current.taken += report.new_items + report.new_versions
            current.unchanged += report.unchanged
        done += len(records)
        if on_batch is not None:
            on_batch(ImportProgress(run_id, done, total, records[-1].position))

    for record in importer.iter_items(start_after=start_after):
        batch.append(record)
        if len(batch) >= batch_size:
            commit(batch)
            batch = []
    if batch:
        commit(batch)

    with transaction(sessions) as session:
        final = session.get(ImportRun, run_id)
        assert final is not None
        run = final
        known = {s["position"] for s in run.skipped}
        run.skipped = run.skipped + [
            {"position": s.position, "reason": s.reason}
            for s in importer.report.skipped
            if s.position not in known
        ]
        run.status = "finished"
        run.finished_at = clock.now()
        audit.record(
            session,
            actor,
            tags.Archive.IMPORT_FINISH,
            "import_run",
            run.id,
            section="§.40",
            data={"taken": run.taken, "unchanged": run.unchanged, "skipped": len(run.skipped)},
        )
    return run
