"""The records custodian's screens: legal holds, the retention schedule, disposition runs,
productions (made in the background, followed by a progress fragment, downloaded) and the
archive's verification, runnable in the browser."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from piodesk.archive.media import MediaStore
from piodesk.core.errors import DomainError, InvalidInput, NotFound
from piodesk.core.permissions import Actor, Perm, require
from piodesk.people.tables import Account
from piodesk.records import disposition, holds, jobs, retention
from piodesk.records.productions.build import make_production
from piodesk.records.tables import DispositionRun, Production
from piodesk.web.context import authenticate, check_csrf, ctx, render

router = APIRouter(include_in_schema=False)

#: What screening's PII detector found, in words (its rule names, for the redaction screen).
PII_WORDS = {
    "pii.phone": "a phone number",
    "pii.email": "an e-mail address",
    "pii.ssn": "a social security number",
    "pii.address": "a home address",
    "pii.card": "a card number",
    "pii.ip": "an IP address",
    "pii.dob": "a date of birth",
    "pii.plate": "a licence plate",
    "pii.drivers_license": "a driver's licence number",
    "pii.person_name": "a person's name",
}
api = APIRouter(prefix="/api/v1/records", tags=["records"])


def _int_list(value: str) -> list[int]:
    try:
        return [int(x) for x in value.replace(",", " ").split()]
    except ValueError:
        raise InvalidInput("record ids are numbers, separated by spaces or commas") from None


def _day(value: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        return datetime.strptime(value.strip()[:10], "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput(f"dates are YYYY-MM-DD, not '{value[:20]}'") from None


def _overview(request: Request, actor: Actor, **extra: Any) -> HTMLResponse:
    require(actor, Perm.ARCHIVE_VIEW)
    with ctx(request).read() as session:
        in_force = holds.holds_in_force(session)
        acks = {h.id: holds.acknowledgements(session, h.id) for h in in_force}
        people = {a.id: a.display_name for a in session.execute(select(Account)).scalars()}
        runs = (
            session.execute(select(DispositionRun).order_by(DispositionRun.id.desc()).limit(20))
            .scalars()
            .all()
        )
        run_state = {
            r.id: (
                "carried out"
                if disposition.certificate(session, r.id)
                else "approved"
                if disposition.approval(session, r.id)
                else "dry run"
            )
            for r in runs
        }
        productions = (
            session.execute(select(Production).order_by(Production.id.desc()).limit(20))
            .scalars()
            .all()
        )
        context = {
            "holds": in_force,
            "acks": acks,
            "people": people,
            "scopes": holds.SCOPE_LABELS,
            "schedule": retention.schedule(session),
            "record_types": retention.RECORD_TYPES,
            "runs": runs,
            "run_state": run_state,
            "productions": productions,
            "jobs": [j for j in _JOBS.values() if j.owner == actor.account_id],
            "form": {},
            "errors": {},
            **extra,
        }
    status = 400 if extra.get("errors") else 200
    return render(request, "records/index.html", context, status=status)


@router.get("/records", response_class=HTMLResponse)
def records_page(request: Request) -> HTMLResponse:
    """Holds, the retention schedule, disposition runs and productions on one screen."""
    return _overview(request, authenticate(request).actor)


@router.post("/records/holds", dependencies=[Depends(check_csrf)])
async def hold_place(request: Request) -> Response:
    """Place a legal hold from the form (errors shown beside the form, the text kept)."""
    actor = authenticate(request).actor
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        scope = form.get("scope", "")
        value = form.get("value", "").strip()
        page_id = author = query = request_id = None
        items: tuple[int, ...] = ()
        if scope == "page":
            page_id = _int_list(value)[0] if value else None
        elif scope == "author":
            author = value or None
        elif scope == "query":
            query = {"q": value} if value else None
        elif scope == "request":
            request_id = _int_list(value)[0] if value else None
        elif scope == "items":
            items = tuple(_int_list(value))
        hold_scope = holds.HoldScope(
            scope,
            page_id=page_id,
            author_platform_id=author,
            date_from=_day(form.get("date_from", "")) if scope == "dates" else None,
            date_to=_day(form.get("date_to", "")) if scope == "dates" else None,
            query=query,
            request_id=request_id,
            item_ids=items,
        )
        with ctx(request).tx() as session:
            holds.place(
                session,
                actor=actor,
                name=form.get("name", ""),
                matter=form.get("matter", ""),
                scope=hold_scope,
                notice=form.get("notice", ""),
                custodians=_int_list(form.get("custodians", "")),
            )
    except DomainError as exc:
        return _overview(request, actor, form=form, errors={"hold": exc.message})
    return RedirectResponse("/records#holds", status_code=303)


@router.post("/records/holds/{hold_id}/acknowledge", dependencies=[Depends(check_csrf)])
async def hold_acknowledge(request: Request, hold_id: int) -> Response:
    """A custodian acknowledges a hold notice."""
    actor = authenticate(request).actor
    with ctx(request).tx() as session:
        holds.acknowledge(session, actor=actor, hold_id=hold_id)
    return RedirectResponse("/records#holds", status_code=303)


@router.post("/records/holds/{hold_id}/release", dependencies=[Depends(check_csrf)])
async def hold_release(request: Request, hold_id: int) -> Response:
    """Release a hold in full, or some of its records."""
    actor = authenticate(request).actor
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        ids = _int_list(form.get("items", ""))
        with ctx(request).tx() as session:
            holds.release(
                session,
                actor=actor,
                hold_id=hold_id,
                reason=form.get("reason", ""),
                item_ids=ids or None,
            )
    except DomainError as exc:
        return _overview(request, actor, form=form, errors={f"release-{hold_id}": exc.message})
    return RedirectResponse("/records#holds", status_code=303)


@router.post("/records/retention", dependencies=[Depends(check_csrf)])
async def retention_set(request: Request) -> Response:
    """Set one record type's retention period."""
    actor = authenticate(request).actor
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        try:
            days = int(form.get("days", ""))
        except ValueError:
            raise InvalidInput("the period is a whole number of days") from None
        with ctx(request).tx() as session:
            retention.set_rule(
                session,
                actor=actor,
                record_type=form.get("record_type", ""),
                period_days=days,
                citation=form.get("citation", ""),
                note=form.get("note", ""),
            )
    except DomainError as exc:
        return _overview(request, actor, form=form, errors={"retention": exc.message})
    return RedirectResponse("/records#retention", status_code=303)


@router.post("/records/disposition", dependencies=[Depends(check_csrf)])
async def disposition_prepare(request: Request) -> Response:
    """Make a dry run: what is past retention and under no hold."""
    actor = authenticate(request).actor
    with ctx(request).tx() as session:
        run = disposition.prepare(session, actor=actor)
        run_id = run.id
    return RedirectResponse(f"/records/disposition/{run_id}", status_code=303)


@router.get("/records/disposition/{run_id}", response_class=HTMLResponse)
def disposition_page(request: Request, run_id: int, job: str = "") -> HTMLResponse:
    """A run: its list, what is held, its approval and its certificate (and, while it is
    being carried out, its progress bar)."""
    actor = authenticate(request).actor
    require(actor, Perm.ARCHIVE_VIEW)
    with ctx(request).read() as session:
        running = [
            j for j in jobs.running(session, actor.account_id, "disposition") if j.ref == run_id
        ]
        run = session.get(DispositionRun, run_id)
        if run is None:
            raise NotFound(f"no disposition run {run_id}")
        return render(
            request,
            "records/disposition.html",
            {
                "run": run,
                "approval": disposition.approval(session, run_id),
                "certificate": disposition.certificate(session, run_id),
                "job": next((j for j in running if j.token == job), None)
                or next((j for j in running if not j.ended), None),
            },
        )


@router.post("/records/disposition/{run_id}/approve", dependencies=[Depends(check_csrf)])
async def disposition_approve(request: Request, run_id: int) -> Response:
    """A second records custodian approves the run."""
    actor = authenticate(request).actor
    form = await request.form()
    with ctx(request).tx() as session:
        disposition.approve(session, actor=actor, run_id=run_id, note=str(form.get("note", "")))
    return RedirectResponse(f"/records/disposition/{run_id}", status_code=303)


@router.post("/records/disposition/{run_id}/carry-out", dependencies=[Depends(check_csrf)])
async def disposition_carry_out(request: Request, run_id: int) -> Response:
    """Destroy the approved run's content and write the certificate."""
    actor = authenticate(request).actor
    require(actor, Perm.DISPOSITION_APPROVE)
    app = ctx(request)
    with app.read() as session:
        if disposition.approval(session, run_id) is None:
            raise InvalidInput(f"disposition run {run_id} is not approved yet")
        busy = run_id in jobs.live(session, "disposition")[0]
    if busy:  # already being carried out
        return RedirectResponse(f"/records/disposition/{run_id}", status_code=303)

    def work(job: jobs.Job) -> None:
        made = disposition.carry_out(
            app.sessions,
            actor=actor,
            run_id=run_id,
            media=MediaStore(app.settings.data_dir / "media"),
            progress=job.step,
        )
        job.result = (
            f"Carried out: the content of {made.records:,} records ({made.versions:,} versions) "
            "destroyed and the certificate written."
        )
        job.link = f"/records/disposition/{run_id}#certificate"

    job = jobs.start(
        app.sessions,
        owner=actor.account_id,
        kind="disposition",
        label=f"Disposition run {run_id}",
        unit="versions",
        ref=run_id,
        work=work,
    )
    return RedirectResponse(f"/records/disposition/{run_id}?job={job.token}", status_code=303)


# ---- redactions: proposed by screening or by hand, each confirmed with an exemption ---------


def _redaction_page(
    request: Request, actor: Actor, items: str, request_id: str, **extra: Any
) -> HTMLResponse:
    from piodesk.records import redaction
    from piodesk.records.productions.formats import EXEMPTIONS, exemption_label

    require(actor, Perm.REDACTION_REVIEW)
    ids = _int_list(items)
    req = _int_list(request_id)
    with ctx(request).read() as session:
        rows = redaction.review(session, ids, req[0] if req else None) if ids else []
    return render(
        request,
        "records/redactions.html",
        {
            "rows": rows,
            "items": items,
            "request_id": request_id,
            "exemptions": EXEMPTIONS,
            "exemption_label": exemption_label,
            "regime_names": {
                "cora": "Colorado Open Records Act",
                "ccjra": "Criminal Justice Records Act",
            },
            "pii_words": PII_WORDS,
            "errors": {},
            **extra,
        },
        status=400 if extra.get("errors") else 200,
    )


@router.get("/records/redactions", response_class=HTMLResponse)
def redactions_page(request: Request, items: str = "", request_id: str = "") -> HTMLResponse:
    """The proposed redactions of some records, to confirm with an exemption or reject."""
    actor = authenticate(request).actor
    try:
        return _redaction_page(request, actor, items, request_id)
    except InvalidInput as exc:
        return _redaction_page(request, actor, "", "", errors={"items": exc.message})


@router.post("/records/redactions/propose", dependencies=[Depends(check_csrf)])
async def redactions_propose(request: Request) -> Response:
    """Ask screening's PII detector for proposals on the records listed."""
    from urllib.parse import urlencode

    from piodesk.records import redaction

    actor = authenticate(request).actor
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        ids = _int_list(form.get("items", ""))
        req = _int_list(form.get("request_id", ""))
        if not ids:
            raise InvalidInput("list the records to screen")
        with ctx(request).tx() as session:
            redaction.propose_from_screening(
                session, actor=actor, item_ids=ids, request_id=req[0] if req else None
            )
    except DomainError as exc:
        return _redaction_page(
            request, actor, "", "", errors={"items": exc.message}, typed=form.get("items", "")
        )
    query = urlencode({"items": form.get("items", ""), "request_id": form.get("request_id", "")})
    return RedirectResponse(f"/records/redactions?{query}", status_code=303)


@router.post("/records/redactions/by-hand", dependencies=[Depends(check_csrf)])
async def redaction_by_hand(request: Request) -> Response:
    """Propose redacting a span of one version's text by hand (characters start to end)."""
    from urllib.parse import urlencode

    from piodesk.records import redaction

    actor = authenticate(request).actor
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        try:
            seq, start, end = (int(form.get(k, "")) for k in ("version_seq", "start", "end"))
        except ValueError:
            raise InvalidInput("the version and the span's start and end are numbers") from None
        req = _int_list(form.get("request_id", ""))
        with ctx(request).tx() as session:
            redaction.propose(
                session,
                actor=actor,
                version_seq=seq,
                start=start,
                end=end,
                request_id=req[0] if req else None,
            )
    except DomainError as exc:
        return _redaction_page(
            request,
            actor,
            form.get("items", ""),
            form.get("request_id", ""),
            errors={"hand": exc.message},
            hand=form,
        )
    query = urlencode({"items": form.get("items", ""), "request_id": form.get("request_id", "")})
    return RedirectResponse(f"/records/redactions?{query}", status_code=303)


@router.post("/records/redactions/{redaction_id}/decide", dependencies=[Depends(check_csrf)])
async def redaction_decide(request: Request, redaction_id: int) -> Response:
    """Confirm a proposal with an exemption, or reject it."""
    from urllib.parse import urlencode

    from piodesk.records import redaction

    actor = authenticate(request).actor
    form = {k: str(v) for k, v in (await request.form()).items()}
    exemption = form.get("exemption", "")
    regime = "ccjra" if exemption.startswith("ccjra-") else "cora"
    try:
        with ctx(request).tx() as session:
            redaction.decide(
                session,
                actor=actor,
                redaction_id=redaction_id,
                confirm=form.get("decision") == "confirm",
                exemption=exemption,
                note=form.get("note", ""),
                regime=regime,
            )
    except DomainError as exc:
        return _redaction_page(
            request,
            actor,
            form.get("items", ""),
            form.get("request_id", ""),
            errors={redaction_id: exc.message},
        )
    query = urlencode({"items": form.get("items", ""), "request_id": form.get("request_id", "")})
    return RedirectResponse(f"/records/redactions?{query}", status_code=303)


# ---- productions: made in a background thread, followed by a progress fragment ------------


@dataclass
class _Job:
    token: str
    owner: int | None
    done: int = 0
    total: int = 0
    production_id: int | None = None
    error: str = ""
    started: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def finished(self) -> bool:
        return self.production_id is not None or bool(self.error)


_JOBS: dict[str, _Job] = {}


@router.post("/records/productions", dependencies=[Depends(check_csrf)])
async def production_start(request: Request) -> Response:
    """Start a production of the listed records (request mode, or subpoena for counsel)."""
    actor = authenticate(request).actor
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        ids = _int_list(form.get("items", ""))
        request_id = _int_list(form.get("request_id", ""))
        hold_id = _int_list(form.get("hold_id", ""))
        mode = form.get("mode", "request")
        require(actor, Perm.PRODUCTION_SUBPOENA if mode == "subpoena" else Perm.PRODUCTION_MAKE)
        if not ids and not request_id and not hold_id:
            raise InvalidInput("list the record ids to produce, a request or a hold")
    except DomainError as exc:
        return _overview(request, actor, form=form, errors={"production": exc.message})
    job = _Job(secrets.token_urlsafe(12), actor.account_id)
    _JOBS[job.token] = job
    app = ctx(request)

    def progress(done: int, total: int) -> None:
        job.done, job.total = done, total

    def run() -> None:
        try:
            made = make_production(
                app.sessions,
                actor=actor,
                settings=app.settings,
                item_ids=ids,
                request_id=request_id[0] if request_id else None,
                mode=mode,
                title=form.get("title", ""),
                progress=progress,
            )
            job.production_id = made.id
        except DomainError as exc:
            job.error = exc.message
        except Exception as exc:  # noqa: BLE001 - shown to the person who started it
            job.error = f"the production failed: {exc.__class__.__name__}"

    threading.Thread(target=run, name=f"production-{job.token}", daemon=True).start()
    return RedirectResponse(f"/records/productions/jobs/{job.token}", status_code=303)


def _job(actor: Actor, token: str) -> _Job:
    job = _JOBS.get(token)
    if job is None or job.owner != actor.account_id:
        raise NotFound("no such production in progress")
    return job


@router.get("/records/productions/jobs/{token}", response_class=HTMLResponse)
def production_job_page(request: Request, token: str) -> HTMLResponse:
    """The production being made, with its progress bar."""
    actor = authenticate(request).actor
    return render(request, "records/job.html", {"job": _job(actor, token)})


@router.get("/records/productions/jobs/{token}/progress", response_class=HTMLResponse)
def production_progress(request: Request, token: str) -> HTMLResponse:
    """The progress fragment (htmx polls it until the production is made)."""
    actor = authenticate(request).actor
    return render(request, "records/progress.html", {"job": _job(actor, token)})


@router.get("/records/productions/{production_id}/download")
def production_download(request: Request, production_id: int) -> Response:
    """The production's ZIP."""
    return _records_api.production_zip(request, authenticate(request).actor, production_id)


@router.get("/records/verify", response_class=HTMLResponse)
def verify_page(request: Request, run: str = "") -> HTMLResponse:
    """Run `archive verify` (and `audit verify`) and show what they found."""
    from piodesk.archive.fulltext import check_index
    from piodesk.archive.verify import verify_archive
    from piodesk.core import audit, evidence

    actor = authenticate(request).actor
    require(actor, Perm.ARCHIVE_VIEW)
    result: dict[str, Any] | None = None
    if run:
        app = ctx(request)
        with app.read() as session:
            archive = verify_archive(session, MediaStore(app.settings.data_dir / "media"))
            index = check_index(session) if run == "deep" else None
            chain = audit.verify(session)
            rows = evidence.verify(session)
        result = {
            "archive": archive,
            "index": index,
            "audit": chain,
            "rows": rows,
            "ok": archive.ok and chain.ok and rows.ok and (index is None or not index.problems),
        }
    return render(request, "records/verify.html", {"result": result, "run": run})


# The imports page and the progress fragment of background work (records/imports.py).
from piodesk.records import imports as _imports  # noqa: E402

router.include_router(_imports.router)

# The records JSON API: holds, retention, disposition, redactions, productions, imports.
from piodesk.records import api as _records_api  # noqa: E402

api.include_router(_records_api.api)
