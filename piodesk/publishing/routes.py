"""The cadre register, story submission, PIO review, approvals and the Expired list (web + API).

Thin: parse, call one service in one transaction, render. Permissions live in the services.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.archive.media import MediaStore
from piodesk.core.errors import InvalidInput, NotFound, PermissionDenied
from piodesk.core.permissions import Perm, require
from piodesk.pages.tables import Page
from piodesk.people.tables import Account
from piodesk.publishing import approvals, cadre, review, submissions
from piodesk.publishing.tables import StoryMedia
from piodesk.publishing.workflow import (
    CADRE_STATE_LABELS,
    CATEGORY_LABELS,
    DEPICTS_LABELS,
    RIGHTS_LABELS,
    STORY_STATE_LABELS,
    CadreState,
    CadreStep,
    StoryState,
)
from piodesk.web.context import authenticate, check_csrf, ctx, current_actor, render

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["publishing review"])


def _store(request: Request) -> MediaStore:
    return MediaStore(ctx(request).settings.data_dir / "media")


def _zone(request: Request) -> str:
    """The agency's time zone, in which a form's datetime-local (which has none) is read."""
    return ctx(request).settings.agency_time_zone


def _local(request: Request, value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("the time must be a date and time (YYYY-MM-DDTHH:MM)") from None
    return when if when.tzinfo else when.replace(tzinfo=ZoneInfo(_zone(request)))


def _segments(text: str, found: list[dict[str, Any]]) -> list[tuple[str, int | None]]:
    """The text cut at the findings' spans: (piece, finding number or None)."""
    marks: list[tuple[int, int, int]] = []
    for n, f in enumerate(found):
        for start, end in f.get("spans", []):
            if 0 <= start < end <= len(text):
                marks.append((start, end, n))
    marks.sort()
    out: list[tuple[str, int | None]] = []
    pos = 0
    for start, end, n in marks:
        if start < pos:
            continue  # overlapping spans: the first one wins
        if start > pos:
            out.append((text[pos:start], None))
        out.append((text[start:end], n))
        pos = end
    if pos < len(text):
        out.append((text[pos:], None))
    return out


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {
        r.id: r.display_name
        for r in session.execute(
            select(Account.id, Account.display_name).where(Account.id.in_(ids))
        )
    }


# ---- the cadre register (§.30) ---------------------------------------------------------------


def _cadre_page(
    request: Request, errors: dict[str, str] | None = None, form: Any = None
) -> HTMLResponse:
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        mine = cadre.membership_of(session, actor.account_id)
        rows = cadre.register(session, actor=actor) if actor.can(Perm.CADRE_VIEW) else []
        candidates = []
        if actor.can(Perm.CADRE_RECOMMEND):
            busy = {r.member.account_id for r in rows if r.member.state != CadreState.ENDED}
            candidates = [
                a
                for a in session.execute(
                    select(Account).where(Account.active.is_(True)).order_by(Account.display_name)
                ).scalars()
                if a.id not in busy and a.id != actor.account_id
            ]
    return render(
        request,
        "publishing/cadre.html",
        {
            "rows": rows,
            "mine": mine,
            "candidates": candidates,
            "labels": CADRE_STATE_LABELS,
            "State": CadreState,
            "Step": CadreStep,
            "errors": errors or {},
            "form": form or {},
        },
        status=422 if errors else 200,
    )


@router.get("/cadre", response_class=HTMLResponse)
def cadre_page(request: Request) -> HTMLResponse:
    """The cadre register: recommend, vet, train, suspend, end; a member may leave."""
    return _cadre_page(request)


@router.post("/cadre/recommend", dependencies=[Depends(check_csrf)])
async def cadre_recommend(request: Request) -> Response:
    """A supervisor recommends a person."""
    actor = authenticate(request).actor
    form = await request.form()
    try:
        account_id = int(str(form.get("account_id", "0")) or 0)
        with ctx(request).tx() as session:
            cadre.recommend(
                session,
                actor=actor,
                account_id=account_id,
                division=str(form.get("division", "")),
                reason=str(form.get("reason", "")),
            )
    except (InvalidInput, ValueError) as exc:
        msg = exc.message if isinstance(exc, InvalidInput) else "choose a person"
        field = "division" if msg.startswith("division") else "reason"
        field = "account_id" if "person" in msg or "account" in msg else field
        return _cadre_page(request, {field: msg}, dict(form))
    return RedirectResponse("/cadre", status_code=303)


@router.post("/cadre/{member_id}/step", dependencies=[Depends(check_csrf)])
async def cadre_step(request: Request, member_id: int) -> Response:
    """Take one step on a membership (the service checks who may)."""
    actor = authenticate(request).actor
    form = await request.form()
    try:
        step = CadreStep(str(form.get("step", "")))
    except ValueError:
        raise InvalidInput("unknown step") from None
    training = None
    if step == CadreStep.TRAIN:
        training = cadre.clean_training(
            str(form.get("course", "")),
            str(form.get("completed_on", "")),
            str(form.get("trainer", "")),
        )
    with ctx(request).tx() as session:
        cadre.take_step(
            session,
            member_id,
            step,
            actor=actor,
            reason=str(form.get("reason", "")),
            training=training,
        )
    return RedirectResponse(f"/cadre#member-{member_id}", status_code=303)


# ---- submitting a story ----------------------------------------------------------------------

_FIELD_OF = (
    ("title", "title"),
    ("story", "text"),
    ("division", "division"),
    ("event date", "event_date"),
    ("a source", "sources"),
    ("too many sources", "sources"),
)


def _field_for(message: str) -> str:
    return next((f for prefix, f in _FIELD_OF if message.startswith(prefix)), "photo")


def _submit_page(
    request: Request, errors: dict[str, str] | None = None, form: Any = None
) -> HTMLResponse:
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        member = cadre.membership_of(session, actor.account_id)
    return render(
        request,
        "publishing/submit.html",
        {
            "member": member,
            "labels": CADRE_STATE_LABELS,
            "rights": RIGHTS_LABELS,
            "depicts": DEPICTS_LABELS,
            "errors": errors or {},
            "form": form or {},
        },
        status=422 if errors else 200,
    )


@router.get("/stories/new", response_class=HTMLResponse)
def story_new(request: Request) -> HTMLResponse:
    """The form a cadre member sends a story with."""
    return _submit_page(request)


@router.post("/stories", dependencies=[Depends(check_csrf)])
async def story_create(request: Request) -> Response:
    """Send a story (with a photo); errors come back beside their fields, text kept."""
    actor = authenticate(request).actor
    form = await request.form()
    kept: dict[str, Any] = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    kept["depicts"] = [str(v) for v in form.getlist("depicts")]
    photos = []
    upload = form.get("photo")
    if upload is not None and not isinstance(upload, str) and upload.filename:
        photos.append(
            submissions.PhotoUpload(
                data=await upload.read(),
                filename=upload.filename,
                source=str(form.get("photo_source", "")),
                rights=str(form.get("photo_rights", "")),
                licence=str(form.get("photo_licence", "")),
                depicts=frozenset(kept["depicts"]),
                consent_reference=str(form.get("photo_consent", "")),
                alt_text=str(form.get("photo_alt", "")),
            )
        )
    try:
        with ctx(request).tx() as session:
            sub = submissions.submit(
                session,
                actor=actor,
                title=str(form.get("title", "")),
                text=str(form.get("text", "")),
                division=str(form.get("division", "")),
                sources=str(form.get("sources", "")).splitlines(),
                event_date=str(form.get("event_date", "")),
                photos=photos,
                store=_store(request),
            )
    except InvalidInput as exc:
        return _submit_page(request, {_field_for(exc.message): exc.message}, kept)
    return RedirectResponse(f"/stories/{sub.id}?sent=1", status_code=303)


@router.get("/stories", response_class=HTMLResponse)
def story_list(request: Request) -> HTMLResponse:
    """Your stories; for the PIO office, every submission."""
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        mine = submissions.list_mine(session, actor=actor)
        every = submissions.list_all(session, actor=actor) if actor.can(Perm.STORY_VIEW) else []
    return render(
        request,
        "publishing/stories.html",
        {"mine": mine, "every": every, "labels": STORY_STATE_LABELS},
    )


# ---- the review page -------------------------------------------------------------------------


@router.get("/stories/{submission_id}", response_class=HTMLResponse)
def story_page(request: Request, submission_id: int, sent: int = 0) -> HTMLResponse:
    """One story: the text with its findings highlighted, and everything the PIO does to it."""
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        sub = submissions.get(session, submission_id, actor=actor)
        head = submissions.current_version(session, sub)
        views = review.findings(session, sub)
        media = submissions.current_media(session, sub)
        pages = {p.id: p for p in session.execute(select(Page)).scalars()}
        ctx_data = {
            "sub": sub,
            "head": head,
            "versions": submissions.versions(session, sub),
            "views": views,
            "segments": _segments(head.text, [v.finding for v in views]),
            "media": media,
            "notes": submissions.notes(session, sub),
            "resolutions": review.resolutions(session, sub),
            "attestation": review.current_attestation(session, sub),
            "problems": review.problems(session, sub),
            "tiers": approvals.tiers(session, sub),
            "why_not": approvals.why_not(session, sub, actor),
            "usable_pages": review.usable_pages(session, actor)
            if actor.can(Perm.STORY_REVIEW)
            else [],
            "pages": pages,
            "names": _names(
                session,
                {
                    a
                    for t in approvals.tiers(session, sub)
                    for a in (*t.approved_by, *t.tier.approvers)
                },
            ),
            "labels": STORY_STATE_LABELS,
            "categories": CATEGORY_LABELS,
            "depicts": DEPICTS_LABELS,
            "rights": RIGHTS_LABELS,
            "State": StoryState,
            "sent": bool(sent),
            "can_review": actor.can(Perm.STORY_REVIEW),
            "can_publish": actor.can(Perm.PUBLISH) and sub.state == StoryState.APPROVED,
            "is_author": sub.author_id == actor.account_id,
            "zone": _zone(request),
        }
        publication = None
        if sub.publication_id:
            from piodesk.publishing import outbox

            try:
                publication = outbox.status(session, int(sub.publication_id))
            except NotFound:
                publication = None
        ctx_data["publication"] = publication
    return render(request, "publishing/review.html", ctx_data)


@router.get("/stories/{submission_id}/media/{media_id}")
def story_media(request: Request, submission_id: int, media_id: int) -> Response:
    """The publishable copy of a story's photo (no location or device metadata)."""
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        sub = submissions.get(session, submission_id, actor=actor)
        row = session.get(StoryMedia, media_id)
        if row is None or row.submission_id != sub.id:
            raise NotFound("no such photo on this story")
    path = _store(request).path_for(row.published_sha256)
    if not path.is_file():
        raise NotFound("the photo's file is missing from the media store")
    return Response(path.read_bytes(), media_type=row.mime_type)


def _back(submission_id: int, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/stories/{submission_id}{anchor}", status_code=303)


@router.post("/stories/{submission_id}/{action}", dependencies=[Depends(check_csrf)])
async def story_action(request: Request, submission_id: int, action: str) -> Response:
    """Edit, keep a finding, attest, plan, send for approval, approve, send back, publish,
    reject, note, withdraw or reopen (each service checks who may)."""
    actor = authenticate(request).actor
    form = await request.form()
    store = _store(request)

    def f(name: str) -> str:
        value = form.get(name, "")
        return value if isinstance(value, str) else ""

    with ctx(request).tx() as session:
        if action == "edit":
            review.edit(
                session,
                submission_id,
                actor=actor,
                text=f("text"),
                sources=f("sources").splitlines(),
                note=f("note"),
                store=store,
            )
        elif action == "leave-out":
            review.leave_out_photo(
                session,
                submission_id,
                int(f("media_id") or 0),
                actor=actor,
                reason=f("reason"),
                store=store,
            )
        elif action == "keep":
            review.keep_finding(
                session, submission_id, f("key"), actor=actor, reason=f("reason"), store=store
            )
        elif action == "attest":
            if f("confirm") != "yes":
                raise InvalidInput("tick the attestation to confirm it")
            review.attest(session, submission_id, actor=actor, store=store)
        elif action == "plan":
            review.plan(
                session,
                submission_id,
                actor=actor,
                page_ids=[int(str(p)) for p in form.getlist("page_ids") if str(p).isdigit()],
                category=f("category"),
                scheduled_for=_local(request, f("scheduled_for")),
                store=store,
            )
        elif action == "send":
            review.send_for_approval(session, submission_id, actor=actor, store=store)
        elif action == "approve":
            approvals.approve(session, submission_id, actor=actor, note=f("note"), store=store)
        elif action == "send-back":
            approvals.send_back(session, submission_id, actor=actor, note=f("note"), store=store)
        elif action == "publish":
            approvals.publish(session, submission_id, actor=actor, store=store)
        elif action == "reject":
            review.reject(session, submission_id, actor=actor, reason=f("reason"), store=store)
        elif action == "note":
            review.add_note(session, submission_id, actor=actor, text=f("note"), store=store)
        elif action == "withdraw":
            submissions.withdraw(
                session, submission_id, actor=actor, reason=f("reason"), store=store
            )
        elif action == "reopen":
            review.reopen(
                session,
                submission_id,
                actor=actor,
                scheduled_for=_local(request, f("scheduled_for")),
                store=store,
            )
        else:
            raise NotFound(f"no action '{action[:40]}' on a story")
    return _back(submission_id)


# ---- approvals and the Expired list ----------------------------------------------------------


@router.get("/approvals", response_class=HTMLResponse)
def approvals_page(request: Request) -> HTMLResponse:
    """Posts waiting for approval, those you may approve now first."""
    actor = authenticate(request).actor
    with ctx(request).tx() as session:
        approvals.expire_overdue(session, store=_store(request))
    with ctx(request).read() as session:
        rows = approvals.approval_queue(session, actor=actor)
        policy = approvals.current_policy(session)
        names = _names(session, {a for t in policy.tiers for a in t.approvers})
    return render(
        request,
        "publishing/approvals.html",
        {"rows": rows, "policy": policy, "names": names, "labels": STORY_STATE_LABELS},
    )


@router.get("/expired", response_class=HTMLResponse)
def expired_page(request: Request) -> HTMLResponse:
    """Posts not approved by their scheduled time."""
    actor = authenticate(request).actor
    with ctx(request).tx() as session:
        approvals.expire_overdue(session, store=_store(request))
    with ctx(request).read() as session:
        rows = approvals.expired_list(session, actor=actor)
    return render(request, "publishing/expired.html", {"rows": rows, "zone": _zone(request)})


# ---- approval tiers (1 to 3, Any/All per tier) -----------------------------------------------

_TIER_ROWS = 3


def _tier_field(message: str) -> str:
    """Which field of the tiers form an error belongs beside."""
    if message.startswith("reason"):
        return "reason"
    if message.startswith("tier ") and message[5:6].isdigit():
        return f"tier{message[5]}"
    return "tiers"


def _tiers_page(
    request: Request,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    saved: bool = False,
) -> HTMLResponse:
    actor = authenticate(request).actor
    if not (actor.can(Perm.APPROVAL_CONFIGURE) or actor.can(Perm.STORY_VIEW)):
        raise PermissionDenied("you may not see the approval tiers")
    with ctx(request).read() as session:
        policy = approvals.current_policy(session)
        people = approvals.possible_approvers(session)
        names = _names(session, {a for t in policy.tiers for a in t.approvers})
    if form is None:  # the form starts from the tiers in force
        form = {"reason": ""}
        for n in range(1, _TIER_ROWS + 1):
            tier = policy.tiers[n - 1] if n <= len(policy.tiers) else None
            form[f"rule{n}"] = tier.rule.value if tier else ""
            form[f"approvers{n}"] = [str(a) for a in tier.approvers] if tier else []
    return render(
        request,
        "publishing/tiers.html",
        {
            "policy": policy,
            "people": people,
            "names": names,
            "rows": range(1, _TIER_ROWS + 1),
            "errors": errors or {},
            "form": form,
            "saved": saved,
        },
        status=422 if errors else 200,
    )


def _specs_from_form(form: dict[str, Any]) -> list[tuple[str, list[int]]]:
    """(rule, approver ids) per filled tier row, in order; a gap between rows is refused."""
    specs: list[tuple[str, list[int]]] = []
    gap: int | None = None
    for n in range(1, _TIER_ROWS + 1):
        rule = str(form.get(f"rule{n}", "")).strip()
        chosen = form.get(f"approvers{n}", [])
        if not rule:
            if chosen:
                raise InvalidInput(f"tier {n}: choose Any or All, or leave its approvers empty")
            gap = gap or n
            continue
        if gap is not None:
            raise InvalidInput(f"tier {gap} is empty but tier {n} is set: fill the tiers in order")
        try:
            ids = [int(a) for a in chosen]
        except ValueError:
            raise InvalidInput(f"tier {n}: approvers are chosen from the list") from None
        specs.append((rule, ids))
    return specs


@router.get("/approvals/tiers", response_class=HTMLResponse)
def tiers_page(request: Request, saved: int = 0) -> HTMLResponse:
    """The approval tiers in force; the chief or an administrator changes them here."""
    return _tiers_page(request, saved=bool(saved))


@router.post("/approvals/tiers", dependencies=[Depends(check_csrf)])
async def tiers_set(request: Request) -> Response:
    """Set 1 to 3 tiers, Any/All each; errors come back beside their field, choices kept."""
    actor = authenticate(request).actor
    raw = await request.form()
    form: dict[str, Any] = {"reason": str(raw.get("reason", ""))}
    for n in range(1, _TIER_ROWS + 1):
        form[f"rule{n}"] = str(raw.get(f"rule{n}", ""))
        form[f"approvers{n}"] = [str(v) for v in raw.getlist(f"approvers{n}")]
    require(actor, Perm.APPROVAL_CONFIGURE)  # before saying what is wrong with the form
    try:
        specs = _specs_from_form(form)
        with ctx(request).tx() as session:
            approvals.set_tiers(session, actor=actor, specs=specs, reason=form["reason"])
    except (InvalidInput, NotFound) as exc:
        return _tiers_page(request, {_tier_field(exc.message): exc.message}, form)
    return RedirectResponse("/approvals/tiers?saved=1", status_code=303)


# ---- JSON API --------------------------------------------------------------------------------


class RecommendIn(BaseModel):
    """A supervisor's recommendation."""

    model_config = ConfigDict(extra="forbid")
    account_id: int
    division: str = Field(max_length=120)
    reason: str = Field(max_length=2000)


class StepIn(BaseModel):
    """A step on a membership."""

    model_config = ConfigDict(extra="forbid")
    step: str = Field(max_length=20)
    reason: str = Field(default="", max_length=2000)
    course: str = Field(default="", max_length=200)
    completed_on: str = Field(default="", max_length=10)


class StoryIn(BaseModel):
    """A story sent through the API (photos go through the web form)."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(max_length=200)
    text: str = Field(max_length=10_000)
    division: str = Field(default="", max_length=120)
    sources: list[str] = Field(default_factory=list, max_length=20)
    event_date: str = Field(default="", max_length=10)


class StoryActionIn(BaseModel):
    """The fields a story action may take."""

    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(default=None, max_length=10_000)
    note: str = Field(default="", max_length=4000)
    key: str = Field(default="", max_length=64)
    reason: str = Field(default="", max_length=4000)
    page_ids: list[int] = Field(default_factory=list, max_length=50)
    category: str = Field(default="", max_length=40)
    scheduled_for: datetime | None = None


def _story_json(session: Session, sub: submissions.Submission) -> dict[str, Any]:
    head = submissions.current_version(session, sub)
    return {
        "id": sub.id,
        "title": sub.title,
        "state": sub.state,
        "version": sub.head_version,
        "text": head.text,
        "author": sub.author_name,
        "findings": [{**v.finding, "resolved": v.resolved} for v in review.findings(session, sub)],
        "pages": sub.page_ids,
        "category": sub.category,
        "publication_id": sub.publication_id,
    }


@api.get("/cadre")
def api_cadre(request: Request) -> JSONResponse:
    """The cadre register."""
    actor = current_actor(request)
    with ctx(request).read() as session:
        rows = cadre.register(session, actor=actor)
        return JSONResponse(
            [
                {
                    "id": r.member.id,
                    "name": r.name,
                    "state": r.member.state,
                    "division": r.member.division,
                }
                for r in rows
            ]
        )


@api.post("/cadre/recommend", status_code=201)
def api_recommend(request: Request, body: RecommendIn) -> JSONResponse:
    """A supervisor recommends a person."""
    actor = current_actor(request)
    with ctx(request).tx() as session:
        m = cadre.recommend(
            session,
            actor=actor,
            account_id=body.account_id,
            division=body.division,
            reason=body.reason,
        )
        return JSONResponse({"id": m.id, "state": m.state}, status_code=201)


@api.post("/cadre/{member_id}/steps")
def api_step(request: Request, member_id: int, body: StepIn) -> JSONResponse:
    """One step on a membership."""
    actor = current_actor(request)
    try:
        step = CadreStep(body.step)
    except ValueError:
        raise InvalidInput(f"unknown step '{body.step[:20]}'") from None
    training = (
        cadre.clean_training(body.course, body.completed_on) if step == CadreStep.TRAIN else None
    )
    with ctx(request).tx() as session:
        m = cadre.take_step(
            session, member_id, step, actor=actor, reason=body.reason, training=training
        )
        return JSONResponse({"id": m.id, "state": m.state})


@api.post("/stories", status_code=201)
def api_submit(request: Request, body: StoryIn) -> JSONResponse:
    """An active cadre member sends a story."""
    actor = current_actor(request)
    with ctx(request).tx() as session:
        sub = submissions.submit(
            session,
            actor=actor,
            title=body.title,
            text=body.text,
            division=body.division,
            sources=body.sources,
            event_date=body.event_date or None,
            store=_store(request),
        )
        return JSONResponse(_story_json(session, sub), status_code=201)


@api.get("/stories/{submission_id}")
def api_story(request: Request, submission_id: int) -> JSONResponse:
    """One story with its findings."""
    actor = current_actor(request)
    with ctx(request).read() as session:
        return JSONResponse(
            _story_json(session, submissions.get(session, submission_id, actor=actor))
        )


@api.post("/stories/{submission_id}/{action}")
def api_story_action(
    request: Request, submission_id: int, action: str, body: StoryActionIn
) -> JSONResponse:
    """edit, keep, attest, plan, send, approve, send-back, publish, reject, note, withdraw."""
    actor = current_actor(request)
    store = _store(request)
    with ctx(request).tx() as session:
        calls: dict[str, Any] = {
            "edit": lambda: review.edit(
                session,
                submission_id,
                actor=actor,
                text=body.text or "",
                note=body.note,
                store=store,
            ),
            "keep": lambda: review.keep_finding(
                session, submission_id, body.key, actor=actor, reason=body.reason, store=store
            ),
            "attest": lambda: review.attest(session, submission_id, actor=actor, store=store),
            "plan": lambda: review.plan(
                session,
                submission_id,
                actor=actor,
                page_ids=body.page_ids,
                category=body.category,
                scheduled_for=body.scheduled_for,
                store=store,
            ),
            "send": lambda: review.send_for_approval(
                session, submission_id, actor=actor, store=store
            ),
            "approve": lambda: approvals.approve(
                session, submission_id, actor=actor, note=body.note, store=store
            ),
            "send-back": lambda: approvals.send_back(
                session, submission_id, actor=actor, note=body.note, store=store
            ),
            "publish": lambda: approvals.publish(session, submission_id, actor=actor, store=store),
            "reject": lambda: review.reject(
                session, submission_id, actor=actor, reason=body.reason, store=store
            ),
            "note": lambda: review.add_note(
                session, submission_id, actor=actor, text=body.note, store=store
            ),
            "withdraw": lambda: submissions.withdraw(
                session, submission_id, actor=actor, reason=body.reason, store=store
            ),
        }
        if action not in calls:
            raise NotFound(f"no action '{action[:40]}' on a story")
        calls[action]()
        return JSONResponse(_story_json(session, submissions.load(session, submission_id)))


class TierIn(BaseModel):
    """One approval tier: 'any' or 'all', and the people it names (none: anyone who may)."""

    model_config = ConfigDict(extra="forbid")
    rule: str = Field(max_length=10)
    approvers: list[int] = Field(default_factory=list, max_length=50)


class TiersIn(BaseModel):
    """The approval tiers to set (1 to 3), and why."""

    model_config = ConfigDict(extra="forbid")
    tiers: list[TierIn] = Field(max_length=10)
    reason: str = Field(max_length=2000)


def _tiers_json(session: Session) -> dict[str, Any]:
    policy = approvals.current_policy(session)
    names = _names(session, {a for t in policy.tiers for a in t.approvers})
    return {
        "tiers": [
            {
                "tier": n,
                "rule": t.rule.value,
                "approvers": [{"id": a, "name": names.get(a, "")} for a in t.approvers],
            }
            for n, t in enumerate(policy.tiers, start=1)
        ]
    }


@api.get("/approval-tiers")
def api_tiers(request: Request) -> JSONResponse:
    """The approval tiers in force."""
    actor = current_actor(request)
    if not (actor.can(Perm.APPROVAL_CONFIGURE) or actor.can(Perm.STORY_VIEW)):
        raise PermissionDenied("you may not see the approval tiers")
    with ctx(request).read() as session:
        return JSONResponse(_tiers_json(session))


@api.put("/approval-tiers")
def api_tiers_set(request: Request, body: TiersIn) -> JSONResponse:
    """Set the approval tiers (the chief or an administrator)."""
    actor = current_actor(request)
    with ctx(request).tx() as session:
        approvals.set_tiers(
            session,
            actor=actor,
            specs=[(t.rule, t.approvers) for t in body.tiers],
            reason=body.reason,
        )
        return JSONResponse(_tiers_json(session))
