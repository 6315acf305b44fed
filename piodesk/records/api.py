"""The records JSON API: legal holds, the retention schedule, disposition runs, redactions,
productions, and imports (an export's upload, its progress and the history), matching the
custodian's pages action for action.

Thin: parse, call the same domain function the page calls (which checks the same permission),
answer. Refusals are JSON ``{"error": ...}`` with the domain error's status (the app's handler);
nothing is written when one is refused. Long work (a production, carrying out a disposition)
runs in the background: ``202`` with a job whose progress ``GET /jobs/{token}`` reports (kept
in the database, so a restart does not lose it: ``records/jobs.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.archive.media import MediaStore
from piodesk.core.errors import InvalidInput, NotFound
from piodesk.core.permissions import Actor, Perm, require
from piodesk.records import disposition, holds, jobs, redaction, retention
from piodesk.records.productions.build import make_production, production_dir
from piodesk.records.tables import DispositionRun, Hold, Production
from piodesk.web.context import ctx, current_actor

api = APIRouter(tags=["records"])
T = TypeVar("T")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _found(session: Session, model: type[T], row_id: int, what: str) -> T:
    """The row, or the 404 every endpoint gives for one that does not exist ("no legal hold
    7")."""
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(f"no {what} {row_id}")
    return row


def _day(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value[:10], "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput(f"dates are YYYY-MM-DD, not '{value[:20]}'") from None


# ---- legal holds -------------------------------------------------------------------------------


class HoldIn(BaseModel):
    """A hold to place: what it preserves (one scope), why, and who gets the notice."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(default="", max_length=400)
    matter: str = Field(default="", max_length=8000)
    notice: str = Field(default="", max_length=40_000)
    scope: str = Field(
        default="", max_length=12, description="page|author|dates|query|request|items"
    )
    page_id: int | None = None
    author_platform_id: str | None = Field(default=None, max_length=200)
    date_from: str | None = Field(default=None, max_length=40, description="YYYY-MM-DD")
    date_to: str | None = Field(default=None, max_length=40, description="YYYY-MM-DD")
    query: str | None = Field(default=None, max_length=500, description="search words")
    request_id: int | None = None
    item_ids: list[int] = Field(default_factory=list, max_length=100_000)
    custodians: list[int] = Field(default_factory=list, max_length=500)


class ReleaseIn(BaseModel):
    """Release a hold in full, or some of its records."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(default="", max_length=4000)
    item_ids: list[int] = Field(default_factory=list, max_length=100_000)


def _hold_out(session: Any, h: Hold) -> dict[str, Any]:
    return {
        "id": h.id,
        "name": h.name,
        "matter": h.matter,
        "scope": h.scope,
        "scope_label": holds.SCOPE_LABELS.get(h.scope, h.scope),
        "page_id": h.page_id,
        "author_platform_id": h.author_platform_id,
        "date_from": _iso(h.date_from),
        "date_to": _iso(h.date_to),
        "query": h.query,
        "request_id": h.request_id,
        "item_ids": h.item_ids,
        "notice": h.notice,
        "custodians": h.custodians,
        "placed_by": h.placed_by_name,
        "placed_at": h.placed_at.isoformat(),
        "in_force": holds.in_force(session, h),
        "acknowledged_by": [
            {"account_id": a.account_id, "name": a.name, "at": _iso(a.acknowledged_at)}
            for a in holds.acknowledgements(session, h.id)
        ],
        "releases": [
            {
                "reason": r.reason,
                "item_ids": r.item_ids,
                "by": r.released_by_name,
                "at": _iso(r.released_at),
            }
            for r in holds.releases(session, h.id)
        ],
    }


@api.get("/holds")
def api_holds(request: Request, actor: Actor = Depends(current_actor)) -> list[dict[str, Any]]:
    """Legal holds in force (as the records page lists them)."""
    require(actor, Perm.ARCHIVE_VIEW)
    with ctx(request).read() as session:
        return [_hold_out(session, h) for h in holds.holds_in_force(session)]


@api.get("/holds/{hold_id}")
def api_hold(
    request: Request, hold_id: int, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """One hold, in force or released, with its acknowledgements, releases and record count."""
    require(actor, Perm.ARCHIVE_VIEW)
    with ctx(request).read() as session:
        h = _found(session, Hold, hold_id, "legal hold")
        return {**_hold_out(session, h), "records": len(holds.items_of(session, hold_id))}


@api.post("/holds", status_code=201)
def api_hold_place(
    request: Request, body: HoldIn, actor: Actor = Depends(current_actor)
) -> Response:
    """Place a hold and send its notice (audited)."""
    scope = holds.HoldScope(
        body.scope,
        page_id=body.page_id,
        author_platform_id=body.author_platform_id,
        date_from=_day(body.date_from),
        date_to=_day(body.date_to),
        query={"q": body.query} if body.query else None,
        request_id=body.request_id,
        item_ids=tuple(body.item_ids),
    )
    with ctx(request).tx() as session:
        h = holds.place(
            session,
            actor=actor,
            name=body.name,
            matter=body.matter,
            scope=scope,
            notice=body.notice,
            custodians=body.custodians,
        )
        out = _hold_out(session, h)
    return JSONResponse(out, status_code=201)


@api.post("/holds/{hold_id}/acknowledge")
def api_hold_acknowledge(
    request: Request, hold_id: int, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """A custodian acknowledges the hold's notice."""
    with ctx(request).tx() as session:
        holds.acknowledge(session, actor=actor, hold_id=hold_id)
        return _hold_out(session, _found(session, Hold, hold_id, "legal hold"))


@api.post("/holds/{hold_id}/release")
def api_hold_release(
    request: Request, hold_id: int, body: ReleaseIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Release a hold in full, or the records listed (audited, with the reason)."""
    with ctx(request).tx() as session:
        holds.release(
            session,
            actor=actor,
            hold_id=hold_id,
            reason=body.reason,
            item_ids=body.item_ids or None,
        )
        return _hold_out(session, _found(session, Hold, hold_id, "legal hold"))


# ---- the retention schedule -------------------------------------------------------------------


class RuleIn(BaseModel):
    """One record type's retention period."""

    model_config = ConfigDict(extra="forbid")
    record_type: str = Field(default="", max_length=40)
    period_days: int = Field(ge=0, le=365 * 200)
    citation: str = Field(default="", max_length=1000)
    note: str = Field(default="", max_length=4000)


def _rule_out(r: retention.Rule) -> dict[str, Any]:
    return {
        "record_type": r.record_type,
        "label": retention.TYPE_LABELS.get(r.record_type, r.record_type),
        "period_days": r.period_days,
        "citation": r.citation,
        "note": r.note,
        "set_by": r.set_by_name,
        "set_at": _iso(r.set_at),
    }


@api.get("/retention")
def api_retention(request: Request, actor: Actor = Depends(current_actor)) -> list[dict[str, Any]]:
    """The retention schedule, one rule per record type."""
    require(actor, Perm.ARCHIVE_VIEW)
    with ctx(request).read() as session:
        return [_rule_out(r) for r in retention.schedule(session).values()]


@api.post("/retention")
def api_retention_set(
    request: Request, body: RuleIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Set one record type's period (audited)."""
    with ctx(request).tx() as session:
        retention.set_rule(
            session,
            actor=actor,
            record_type=body.record_type,
            period_days=body.period_days,
            citation=body.citation,
            note=body.note,
        )
        return _rule_out(retention.schedule(session)[body.record_type])


# ---- disposition ------------------------------------------------------------------------------


class ApproveIn(BaseModel):
    """A second custodian's approval of a run."""

    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=4000)


def _run_out(session: Any, run: DispositionRun) -> dict[str, Any]:
    ok = disposition.approval(session, run.id)
    cert = disposition.certificate(session, run.id)
    return {
        "id": run.id,
        "state": "carried_out" if cert else "approved" if ok else "dry_run",
        "state_label": "Carried out" if cert else "Approved" if ok else "Dry run",
        "as_of": run.as_of.isoformat(),
        "prepared_by": run.prepared_by_name,
        "prepared_at": run.prepared_at.isoformat(),
        "candidates": run.candidates,
        "held": run.held,
        "approved_by": ok.approved_by_name if ok else None,
        "approved_at": _iso(ok.approved_at) if ok else None,
        "certificate": (
            {
                "text": cert.text,
                "sha256": cert.text_sha256,
                "carried_out_by": cert.carried_out_by_name,
                "carried_out_at": cert.carried_out_at.isoformat(),
            }
            if cert
            else None
        ),
    }


@api.get("/disposition")
def api_disposition_runs(
    request: Request, actor: Actor = Depends(current_actor)
) -> list[dict[str, Any]]:
    """Disposition runs, newest first (without their lists: open one for them)."""
    require(actor, Perm.ARCHIVE_VIEW)
    with ctx(request).read() as session:
        runs = session.execute(
            select(DispositionRun).order_by(DispositionRun.id.desc()).limit(100)
        ).scalars()
        out = []
        for run in runs:
            full = _run_out(session, run)
            full["candidates"], full["held"] = len(run.candidates), len(run.held)
            out.append(full)
        return out


@api.post("/disposition", status_code=201)
def api_disposition_prepare(request: Request, actor: Actor = Depends(current_actor)) -> Response:
    """A dry run: what is past retention and under no hold (nothing is destroyed)."""
    with ctx(request).tx() as session:
        run = disposition.prepare(session, actor=actor)
        out = _run_out(session, run)
    return JSONResponse(out, status_code=201)


@api.get("/disposition/{run_id}")
def api_disposition_run(
    request: Request, run_id: int, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """A run: its list, what is held, its approval and its certificate."""
    require(actor, Perm.ARCHIVE_VIEW)
    with ctx(request).read() as session:
        return _run_out(session, _found(session, DispositionRun, run_id, "disposition run"))


@api.post("/disposition/{run_id}/approve")
def api_disposition_approve(
    request: Request, run_id: int, body: ApproveIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """A second records custodian approves the run (never the one who prepared it)."""
    with ctx(request).tx() as session:
        disposition.approve(session, actor=actor, run_id=run_id, note=body.note)
        return _run_out(session, _found(session, DispositionRun, run_id, "disposition run"))


@api.post("/disposition/{run_id}/carry-out", status_code=202)
def api_disposition_carry_out(
    request: Request, run_id: int, actor: Actor = Depends(current_actor)
) -> Response:
    """Destroy the approved run's content and write the certificate, in the background."""
    require(actor, Perm.DISPOSITION_APPROVE)
    app = ctx(request)
    with app.read() as session:
        _found(session, DispositionRun, run_id, "disposition run")
        if disposition.approval(session, run_id) is None:
            raise InvalidInput(f"disposition run {run_id} is not approved yet")
        if disposition.certificate(session, run_id) is not None:
            raise InvalidInput(f"disposition run {run_id} was already carried out")

    def work(job: jobs.Job) -> None:
        made = disposition.carry_out(
            app.sessions,
            actor=actor,
            run_id=run_id,
            media=MediaStore(app.settings.data_dir / "media"),
            progress=job.step,
        )
        job.result = f"carried out: {made.records} records ({made.versions} versions) destroyed"
        job.link = f"/api/v1/records/disposition/{run_id}"

    job = jobs.start(
        app.sessions,
        owner=actor.account_id,
        kind="disposition",
        label=f"Disposition run {run_id}",
        unit="versions",
        ref=run_id,
        work=work,
    )
    return JSONResponse(_job_out(job), status_code=202)


# ---- background work ----------------------------------------------------------------------------


def _job_out(job: jobs.Job) -> dict[str, Any]:
    return {
        "job": job.token,
        "kind": job.kind,
        "label": job.label,
        "done": job.done,
        "total": job.total,
        "unit": job.unit,
        "ended": job.ended,
        "ok": job.ended and not job.error,
        "error": job.error or None,
        "result": job.result or None,
        "ref": job.ref,
        "link": job.link or None,
        "progress": f"/api/v1/records/jobs/{job.token}",
    }


@api.get("/jobs/{token}")
def api_job(request: Request, token: str, actor: Actor = Depends(current_actor)) -> dict[str, Any]:
    """How far one's background work is (a production, a disposition, an import)."""
    with ctx(request).read() as session:
        return _job_out(jobs.get(session, actor.account_id, token))


# ---- redactions ---------------------------------------------------------------------------------


class ProposeIn(BaseModel):
    """Ask screening's PII detector for proposals on some records."""

    model_config = ConfigDict(extra="forbid")
    item_ids: list[int] = Field(min_length=1, max_length=10_000)
    request_id: int | None = None


class HandIn(BaseModel):
    """A redaction proposed by hand: a span of one version's text."""

    model_config = ConfigDict(extra="forbid")
    version_seq: int
    start: int
    end: int
    request_id: int | None = None


class DecideIn(BaseModel):
    """Confirm a proposal with an exemption, or reject it."""

    model_config = ConfigDict(extra="forbid")
    confirm: bool
    exemption: str = Field(default="", max_length=80)
    note: str = Field(default="", max_length=4000)
    regime: str = Field(default="", max_length=40)


def _redactions(session: Any, item_ids: list[int], request_id: int | None) -> list[dict[str, Any]]:
    out = []
    for r, d, covered in redaction.review(session, item_ids, request_id):
        out.append(
            {
                "id": r.id,
                "item_id": r.item_id,
                "version_seq": r.version_seq,
                "start": r.start,
                "end": r.end,
                "text": covered,
                "source": r.source,
                "proposed_by": r.proposed_by_name,
                "decision": (
                    {
                        "confirmed": d.decision == "confirm",
                        "exemption": d.exemption,
                        "by": d.decided_by_name,
                    }
                    if d
                    else None
                ),
            }
        )
    return out


def _ids(value: str) -> list[int]:
    try:
        return [int(x) for x in value.replace(",", " ").split()]
    except ValueError:
        raise InvalidInput("record ids are numbers, separated by spaces or commas") from None


@api.get("/redactions")
def api_redactions(
    request: Request,
    items: str = "",
    request_id: int | None = None,
    actor: Actor = Depends(current_actor),
) -> list[dict[str, Any]]:
    """The redactions proposed on some records (``items``: ids, comma separated)."""
    require(actor, Perm.REDACTION_REVIEW)
    ids = _ids(items)
    if not ids:
        raise InvalidInput("list the records: items=1,2,3")
    with ctx(request).read() as session:
        return _redactions(session, ids, request_id)


@api.post("/redactions/propose")
def api_redactions_propose(
    request: Request, body: ProposeIn, actor: Actor = Depends(current_actor)
) -> list[dict[str, Any]]:
    """Screening's PII detector proposes redactions; every proposal on the records comes back."""
    with ctx(request).tx() as session:
        redaction.propose_from_screening(
            session, actor=actor, item_ids=body.item_ids, request_id=body.request_id
        )
    with ctx(request).read() as session:
        return _redactions(session, body.item_ids, body.request_id)


@api.post("/redactions/by-hand", status_code=201)
def api_redaction_by_hand(
    request: Request, body: HandIn, actor: Actor = Depends(current_actor)
) -> Response:
    """Propose redacting characters ``start`` to ``end`` of one version's text."""
    with ctx(request).tx() as session:
        r = redaction.propose(
            session,
            actor=actor,
            version_seq=body.version_seq,
            start=body.start,
            end=body.end,
            request_id=body.request_id,
        )
        out = {"id": r.id, "item_id": r.item_id, "version_seq": r.version_seq}
    return JSONResponse(out, status_code=201)


@api.post("/redactions/{redaction_id}/decide")
def api_redaction_decide(
    request: Request, redaction_id: int, body: DecideIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Confirm (with an exemption from the regime's list) or reject a proposal."""
    regime = body.regime or ("ccjra" if body.exemption.startswith("ccjra-") else "cora")
    with ctx(request).tx() as session:
        redaction.decide(
            session,
            actor=actor,
            redaction_id=redaction_id,
            confirm=body.confirm,
            exemption=body.exemption,
            note=body.note,
            regime=regime,
        )
    return {"id": redaction_id, "confirmed": body.confirm, "exemption": body.exemption or None}


# ---- productions --------------------------------------------------------------------------------


class ProductionIn(BaseModel):
    """What to produce: record ids, a request's review set or a hold's records."""

    model_config = ConfigDict(extra="forbid")
    item_ids: list[int] = Field(default_factory=list, max_length=200_000)
    request_id: int | None = None
    hold_id: int | None = None
    mode: str = Field(default="request", pattern="^(request|subpoena)$")
    title: str = Field(default="", max_length=400)


def _production_out(p: Production) -> dict[str, Any]:
    return {
        "id": p.id,
        "mode": p.mode,
        "mode_label": "Subpoena" if p.mode == "subpoena" else "Open-records request",
        "request_id": p.request_id,
        "records": p.records,
        "versions": p.versions,
        "bates_first": p.bates_first,
        "bates_last": p.bates_last,
        "file_name": p.file_name,
        "zip_sha256": p.zip_sha256,
        "manifest_sha256": p.manifest_sha256,
        "made_by": p.made_by_name,
        "made_at": p.made_at.isoformat(),
        "download": f"/api/v1/records/productions/{p.id}/download",
    }


@api.get("/productions")
def api_productions(
    request: Request, actor: Actor = Depends(current_actor)
) -> list[dict[str, Any]]:
    """Productions, newest first."""
    require(actor, Perm.ARCHIVE_VIEW)
    with ctx(request).read() as session:
        rows = session.execute(select(Production).order_by(Production.id.desc()).limit(200))
        return [_production_out(p) for p in rows.scalars()]


@api.get("/productions/{production_id}")
def api_production(
    request: Request, production_id: int, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """One production's facts (its hashes, Bates range, who made it)."""
    require(actor, Perm.ARCHIVE_VIEW)
    with ctx(request).read() as session:
        return _production_out(_found(session, Production, production_id, "production"))


@api.post("/productions", status_code=202)
def api_production_start(
    request: Request, body: ProductionIn, actor: Actor = Depends(current_actor)
) -> Response:
    """Start a production in the background (a subpoena needs counsel's permission)."""
    require(actor, Perm.PRODUCTION_SUBPOENA if body.mode == "subpoena" else Perm.PRODUCTION_MAKE)
    if not body.item_ids and body.request_id is None and body.hold_id is None:
        raise InvalidInput("list the record ids to produce, a request or a hold")
    app = ctx(request)

    def work(job: jobs.Job) -> None:
        made = make_production(
            app.sessions,
            actor=actor,
            settings=app.settings,
            item_ids=body.item_ids,
            request_id=body.request_id,
            hold_id=body.hold_id,
            mode=body.mode,
            title=body.title,
            progress=job.step,
        )
        job.ref = made.id
        job.result = f"production {made.id} is ready"
        job.link = f"/api/v1/records/productions/{made.id}"

    job = jobs.start(
        app.sessions, owner=actor.account_id, kind="production", label="Production", work=work
    )
    return JSONResponse(_job_out(job), status_code=202)


@api.get("/productions/{production_id}/download")
def api_production_download(
    request: Request, production_id: int, actor: Actor = Depends(current_actor)
) -> Response:
    """The production's ZIP."""
    return production_zip(request, actor, production_id)


def production_zip(request: Request, actor: Actor, production_id: int) -> FileResponse:
    """A production's ZIP for someone who may make productions (the page and the API)."""
    require(actor, Perm.PRODUCTION_MAKE)
    app = ctx(request)
    with app.read() as session:
        p = _found(session, Production, production_id, "production")
        path = production_dir(app.settings) / p.file_name
    if not path.exists():
        raise NotFound(f"the file of production {production_id} is no longer on this server")
    return FileResponse(path, media_type="application/zip", filename=p.file_name)


# ---- imports: upload an export, follow it, read the history ---------------------------------


@api.post("/imports", status_code=202)
async def api_import_start(request: Request, actor: Actor = Depends(current_actor)) -> Response:
    """Upload a platform export (multipart: ``export`` the file, ``page`` a page id, ``again``
    ``yes`` to re-read a file imported before) and import it in the background: ``202`` with
    the job to follow. A missing, empty, oversized, unreadable or broken export is refused
    whole (``422``, ``{"error", "field"}``) and nothing is written, as on the page."""
    from piodesk.records.imports import UploadRefused, take_upload

    require(actor, Perm.ARCHIVE_IMPORT)
    form = await request.form()
    page, again = form.get("page"), form.get("again")
    try:
        job = await take_upload(
            request,
            actor,
            form.get("export"),
            page=page if isinstance(page, str) else None,
            again=again == "yes",
        )
    except UploadRefused as exc:
        return JSONResponse({"error": exc.message, "field": exc.field}, status_code=422)
    return JSONResponse(_job_out(job), status_code=202)


@api.get("/imports")
def api_imports(request: Request, actor: Actor = Depends(current_actor)) -> list[dict[str, Any]]:
    """Every import run, newest first: who, when, the file and its SHA-256, counts, outcome."""
    from piodesk.records.imports import history

    require(actor, Perm.ARCHIVE_IMPORT)
    with ctx(request).read() as session:
        return [
            {
                "id": h["run"].id,
                "file_name": h["run"].file_name,
                "file_sha256": h["run"].file_sha256,
                "importer": h["run"].importer,
                "by": h["who"],
                "page": h["page"],
                "started_at": h["run"].started_at.isoformat(),
                "finished_at": _iso(h["run"].finished_at),
                "taken": h["run"].taken,
                "unchanged": h["run"].unchanged,
                "skipped": len(h["run"].skipped or []),
                "outcome": h["outcome"],
                "outcome_label": h["outcome_label"],
            }
            for h in history(session, limit=500)
        ]
