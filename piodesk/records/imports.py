"""Imports started and followed in the browser, with their history (the CLI's ``piodesk
import``, as a page).

The uploaded export is copied to the data folder while it is counted (over the limit: refused
beside the field), then opened and validated whole before the page answers: a broken or
unreadable export is refused beside the field and nothing is written. A valid one is imported
in a background thread (``archive/importing.py``: audited start and finish, resumable by the
file's SHA-256); the page follows it with a progress fragment htmx polls. The history lists
every import run: who, when, the file and its SHA-256, the counts and the outcome.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from piodesk.archive.importing import import_export, open_export
from piodesk.archive.media import MediaStore
from piodesk.archive.tables import ImportRun
from piodesk.core import audit, tags
from piodesk.core.db import transaction
from piodesk.core.errors import DomainError, InvalidInput
from piodesk.core.permissions import Actor, Perm, require
from piodesk.pages.tables import Page
from piodesk.people.tables import Account
from piodesk.records import jobs
from piodesk.web.context import authenticate, check_csrf, ctx, render

router = APIRouter(include_in_schema=False)

#: The largest export the form takes (a bigger one: `piodesk import` on the server, which
#: streams from the disk). The body limit (web/hardening.py) allows this plus the form's fields.
MAX_UPLOAD_BYTES = 512 * 1024 * 1024
BODY_LIMIT = MAX_UPLOAD_BYTES + 1024 * 1024
#: Names an export may have on this server (what the importers recognise by).
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")

OUTCOME_LABELS = {
    "finished": "Finished",
    "running": "Running",
    "interrupted": "Stopped before the end: upload the same file again to resume it",
}


def upload_dir(settings: Any) -> Path:
    """Where uploaded exports wait while they are imported (removed afterwards)."""
    return Path(settings.data_dir) / "imports"


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    cleaned = _SAFE.sub("-", base).strip(".-")[:200]
    return cleaned or "export"


def history(session: Any, limit: int = 50) -> list[dict[str, Any]]:
    """Past and running imports, newest first, in words (names, not usernames)."""
    runs = session.execute(select(ImportRun).order_by(ImportRun.id.desc()).limit(limit)).scalars()
    names = {a.id: a.display_name for a in session.execute(select(Account)).scalars()}
    pages = {p.id: p.name for p in session.execute(select(Page)).scalars()}
    live_ids, live_files = jobs.live(session, "import")
    out = []
    for run in runs:
        outcome = run.status
        if run.status == "running" and not (run.id in live_ids or run.file_sha256 in live_files):
            outcome = "interrupted"
        reasons: dict[str, int] = {}
        for s in run.skipped or []:
            reasons[s["reason"]] = reasons.get(s["reason"], 0) + 1
        out.append(
            {
                "run": run,
                "who": names.get(run.actor_id, "the command line") if run.actor_id else "—",
                "page": pages.get(run.page_id) if run.page_id else None,
                "outcome": outcome,
                "outcome_label": OUTCOME_LABELS[outcome],
                "skipped": sorted(reasons.items()),
            }
        )
    return out


def _page(request: Request, actor: Actor, **extra: Any) -> HTMLResponse:
    require(actor, Perm.ARCHIVE_IMPORT)
    with ctx(request).read() as session:
        context = {
            "runs": history(session),
            "pages": session.execute(select(Page).order_by(Page.name)).scalars().all(),
            "jobs": jobs.running(session, actor.account_id, "import")[:5],
            "max_bytes": MAX_UPLOAD_BYTES,
            "form": {},
            "errors": {},
            **extra,
        }
    status = 400 if context["errors"] else 200
    return render(request, "records/imports.html", context, status=status)


@router.get("/records/imports", response_class=HTMLResponse)
def imports_page(request: Request) -> HTMLResponse:
    """The upload form, the imports in progress and every past import."""
    return _page(request, authenticate(request).actor)


class UploadRefused(InvalidInput):
    """An upload refused before anything was written, naming the form field it is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _page_id(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise UploadRefused("page", "choose a page from the list") from None


async def take_upload(
    request: Request, actor: Actor, upload: Any, *, page: str | None, again: bool
) -> jobs.Job:
    """Take an uploaded export (the page's form and the JSON API alike): copy it to the data
    folder while counting it, open and validate it whole, then import it in the background.
    Raises ``UploadRefused`` (nothing written, the copy removed) for a missing, empty,
    oversized, unreadable or broken export, or a page that does not exist."""
    require(actor, Perm.ARCHIVE_IMPORT)
    if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
        raise UploadRefused("export", "choose the export file")
    page_id = _page_id(page)
    app = ctx(request)
    folder = upload_dir(app.settings) / secrets.token_hex(8)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / _safe_name(upload.filename)

    def refuse(field: str, message: str) -> UploadRefused:
        shutil.rmtree(folder, ignore_errors=True)
        return UploadRefused(field, message)

    size = 0
    digest = hashlib.sha256()
    with path.open("wb") as out:
        while block := await upload.read(1 << 20):
            size += len(block)
            digest.update(block)
            if size > MAX_UPLOAD_BYTES:
                out.close()
                raise refuse(
                    "export",
                    f"{upload.filename} is larger than this form takes "
                    f"({MAX_UPLOAD_BYTES // (1024 * 1024):,} MB); import it on the server "
                    "with `piodesk import FILE`",
                )
            out.write(block)
    if size == 0:
        raise refuse("export", f"{upload.filename} is empty")
    try:
        opened = await run_in_threadpool(
            open_export, app.sessions, path, actor=actor, page_id=page_id
        )
    except InvalidInput as exc:
        field = "page" if exc.message.startswith("no page") else "export"
        raise refuse(field, _readable(exc.message, path.name, upload.filename)) from None
    except DomainError as exc:
        raise refuse("export", exc.message) from None

    media = MediaStore(app.settings.data_dir / "media")

    def work(job: jobs.Job) -> None:
        try:
            job.total = opened.total or 0

            def progress(p: Any) -> None:
                job.ref = p.run_id
                job.step(p.done, p.total or 0)

            run = import_export(
                app.sessions,
                path,
                actor=actor,
                media=media,
                page_id=page_id,
                again=again,
                on_batch=progress,
                opened=opened,
            )
            job.ref = run.id
            job.link = f"/records/imports#run-{run.id}"
            if run.finished_at is not None and run.finished_at < job.started:
                job.result = (
                    f"This file was imported already (import {run.id}): nothing was added. "
                    "Tick “import it again” to re-read it."
                )
            else:
                job.result = (
                    f"Import {run.id} finished: {run.taken:,} new records or versions, "
                    f"{run.unchanged:,} already in the archive, {len(run.skipped):,} skipped."
                )
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def failed(job: jobs.Job, exc: BaseException) -> None:
        with transaction(app.sessions) as session:
            audit.record(
                session,
                actor,
                tags.ImportWeb.IMPORT_FAILED,
                "import_run",
                job.ref or _run_of(session, digest.hexdigest()),
                section="§.40",
                reason=str(exc)[:500] or exc.__class__.__name__,
                data={"file": path.name, "error": exc.__class__.__name__},
            )

    return jobs.start(
        app.sessions,
        owner=actor.account_id,
        kind="import",
        label=upload.filename[:200],
        key=digest.hexdigest(),
        work=work,
        on_error=failed,
    )


@router.post("/records/imports", dependencies=[Depends(check_csrf)])
async def import_start(request: Request) -> Response:
    """Take an uploaded export: refuse it beside the field (nothing written) or import it in
    the background and follow it."""
    actor = authenticate(request).actor
    require(actor, Perm.ARCHIVE_IMPORT)
    form = await request.form()
    kept = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    try:
        job = await take_upload(
            request,
            actor,
            form.get("export"),
            page=kept.get("page"),
            again=kept.get("again") == "yes",
        )
    except UploadRefused as exc:
        return _page(request, actor, form=kept, errors={exc.field: exc.message})
    return RedirectResponse(f"/records/imports?job={job.token}#job-{job.token}", status_code=303)


def _run_of(session: Any, sha256: str) -> int:
    """The latest import run of a file (0 when none was made)."""
    found = session.execute(
        select(ImportRun.id).where(ImportRun.file_sha256 == sha256).order_by(ImportRun.id.desc())
    ).first()
    return int(found[0]) if found else 0


def _readable(message: str, stored: str, uploaded: str) -> str:
    """The importer's message, naming the file as the person uploaded it."""
    return message.replace(stored, uploaded) if stored != uploaded else message


@router.get("/records/jobs/{token}/progress", response_class=HTMLResponse)
def job_progress(request: Request, token: str) -> HTMLResponse:
    """The progress fragment of an import or a disposition run (htmx polls it each second;
    once the work ends it answers with the outcome and reloads the page it sits on)."""
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        job = jobs.get(session, actor.account_id, token)
    response = render(request, "records/_job.html", {"job": job})
    if job.ended and request.headers.get("hx-request"):
        response.headers["HX-Refresh"] = "true"
    return response
