"""Due process pages and API: second looks, reopening, claims, bulk keep, person notes, the
appeals queue, the public appeal form (no sign-in) and notifications (GO 409 §.20).

Thin like ``moderation.routes``: parse, call one action, render or redirect; a refused form
shows the case page again with the message beside the field and the text kept.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape
from pydantic import BaseModel, ConfigDict, Field

from piodesk.core.errors import DomainError, InvalidInput
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.words import role_label, roles_label, tag_label, target_label
from piodesk.moderation import actions, queries
from piodesk.moderation.actions import queue as queue_actions
from piodesk.moderation.actions.appeals import APPEAL_OUTCOMES, APPEAL_PATH
from piodesk.moderation.routes import (
    CATEGORIES,
    connect_pages,
    done_response,
    form_int,
    refused,
)
from piodesk.moderation.tables import Decision, Proposal
from piodesk.web.context import TEMPLATES, authenticate, check_csrf, ctx, current_actor, render
from piodesk.web.hardening import text_form

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1/moderation", tags=["moderation due process"])

_APPEAL_LINK = re.compile(r"(/appeal\?code=[A-Za-z0-9_-]{8,64})")


def appeal_links(text: str) -> Markup:
    """A platform message with its appeal link made clickable (everything else escaped)."""
    escaped = str(escape(text or ""))
    return Markup(_APPEAL_LINK.sub(r'<a href="\1" data-appeal-link>\1</a>', escaped))  # noqa: S704


# Plain words on every page (the templates' filters and globals).
TEMPLATES.env.filters["appeal_links"] = appeal_links
TEMPLATES.env.globals.update(
    tag_label=tag_label, role_label=role_label, roles_label=roles_label, target_label=target_label
)


# ---- the viewpoint guard's second look, corrections, claims -------------------------------


@router.post("/moderation/cases/{case_id}/hold", dependencies=[Depends(check_csrf)])
async def hold_form(request: Request, case_id: int) -> Response:
    """Send a hide or removal the viewpoint guard held for a second person's look."""
    actor = authenticate(request).actor
    form = await request.form()
    app = ctx(request)
    try:
        with app.tx() as session:
            actions.hold(
                session,
                case_id,
                action=str(form.get("action", "")),
                reason=str(form.get("reason", "")),
                note=str(form.get("note", "")),
                actor=actor,
                guard_mode=app.settings.viewpoint_concurrence,
            )
    except DomainError as exc:
        return refused(request, case_id, "decide", exc, form)
    return done_response(request, f"/moderation/cases/{case_id}#held")


@router.post("/moderation/held/{proposal_id}/answer", dependencies=[Depends(check_csrf)])
async def answer_held_form(request: Request, proposal_id: int) -> Response:
    """A second PIO (or counsel) concurs with a held decision, or declines it."""
    actor = authenticate(request).actor
    form = await request.form()
    app = ctx(request)
    with app.read() as session:
        proposal = session.get(Proposal, proposal_id)
        if proposal is None:
            raise InvalidInput(f"no held decision {proposal_id}")
        case_id = proposal.case_id
    note = str(form.get("note", ""))
    try:
        if form.get("verdict") == "decline":
            with app.tx() as session:
                actions.decline_held(
                    session,
                    proposal_id,
                    note=note,
                    actor=actor,
                    guard_mode=app.settings.viewpoint_concurrence,
                )
        else:
            actions.concur(
                app.sessions,
                proposal_id,
                note=note,
                actor=actor,
                connect=connect_pages(app),
                guard_mode=app.settings.viewpoint_concurrence,
            )
    except DomainError as exc:
        return refused(request, case_id, "concur", exc, form)
    return done_response(request, f"/moderation/cases/{case_id}")


@router.post("/moderation/cases/{case_id}/reopen", dependencies=[Depends(check_csrf)])
async def reopen_form(request: Request, case_id: int) -> Response:
    """Open a decided case again, with the reason."""
    actor = authenticate(request).actor
    form = await request.form()
    try:
        with ctx(request).tx() as session:
            actions.reopen(session, case_id, reason=str(form.get("reason", "")), actor=actor)
    except DomainError as exc:
        return refused(request, case_id, "reopen", exc, form)
    return done_response(request, f"/moderation/cases/{case_id}")


@router.post("/moderation/cases/{case_id}/person-note", dependencies=[Depends(check_csrf)])
async def person_note_form(request: Request, case_id: int) -> Response:
    """The office's note on a case's author."""
    actor = authenticate(request).actor
    form = await request.form()
    try:
        with ctx(request).tx() as session:
            queue_actions.add_person_note(
                session, case_id, note=str(form.get("note", "")), actor=actor
            )
    except DomainError as exc:
        return refused(request, case_id, "person_note", exc, form)
    return done_response(request, f"/moderation/cases/{case_id}#person")


@router.post("/moderation/cases/{case_id}/claim", dependencies=[Depends(check_csrf)])
async def claim_form(request: Request, case_id: int) -> Response:
    """Claim a case, assign it (``assignee``: a username), or release it."""
    actor = authenticate(request).actor
    form = await request.form()
    with ctx(request).tx() as session:
        if form.get("release") == "yes":
            queue_actions.release(session, case_id, actor=actor)
        else:
            queue_actions.claim(
                session, case_id, actor=actor, assignee=str(form.get("assignee", "")) or None
            )
    return done_response(request, f"/moderation/cases/{case_id}")


@router.post("/moderation/bulk-keep", dependencies=[Depends(check_csrf)])
async def bulk_keep_form(request: Request) -> Response:
    """Keep the chosen clean cases at once."""
    actor = authenticate(request).actor
    form = await request.form()
    app = ctx(request)
    ids = [form_int(v, "case") for v in form.getlist("case")]
    kept = queue_actions.bulk_keep(
        app.sessions, [i for i in ids if i], actor=actor, connect=connect_pages(app)
    )
    return done_response(request, f"/moderation?kept={len(kept)}")


# ---- appeals ----------------------------------------------------------------------------------


def _appeals_page(
    request: Request,
    actor: Actor,
    *,
    errors: dict[int, str] | None = None,
    draft: dict[int, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The appeals queue; after a refused decision, its message and note beside that appeal."""
    with ctx(request).read() as session:
        waiting = queries.appeals_queue(session, actor=actor)
        decided = queries.decided_appeals(session, actor=actor)
        names = queries.display_names(session)
        pages = queries.page_names(session)
    return render(
        request,
        "moderation/appeals.html",
        {
            "waiting": waiting,
            "decided": decided,
            "names": names,
            "pages": pages,
            "outcomes": APPEAL_OUTCOMES,
            "categories": CATEGORIES,
            "errors": errors or {},
            "draft": draft or {},
        },
        status=status,
    )


@router.get("/moderation/appeals", response_class=HTMLResponse)
def appeals_page(request: Request) -> HTMLResponse:
    """Appeals waiting for a decision, and those decided."""
    return _appeals_page(request, authenticate(request).actor)


@router.post("/moderation/appeals/{appeal_id}/decide", dependencies=[Depends(check_csrf)])
async def decide_appeal_form(request: Request, appeal_id: int) -> Response:
    """Uphold the block, or lift it."""
    actor = authenticate(request).actor
    form = await request.form()
    app = ctx(request)
    try:
        actions.decide_appeal(
            app.sessions,
            appeal_id,
            outcome=str(form.get("outcome", "")),
            note=str(form.get("note", "")),
            actor=actor,
            connect=connect_pages(app),
        )
    except DomainError as exc:
        return _appeals_page(
            request,
            actor,
            errors={appeal_id: exc.message},
            draft={appeal_id: str(form.get("note", ""))[:2000]},
            status=exc.status_code,
        )
    return done_response(request, "/moderation/appeals")


def _appeal_page(
    request: Request,
    *,
    code: str = "",
    text: str = "",
    contact: str = "",
    error: str = "",
    field: str = "",
    filed: bool = False,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "moderation/appeal_public.html",
        {
            "code": code,
            "text": text,
            "contact": contact,
            "error": error,
            "field": field,
            "filed": filed,
        },
        status=status,
    )


@router.get(APPEAL_PATH, response_class=HTMLResponse)
def public_appeal_page(request: Request, code: str = "") -> HTMLResponse:
    """The public appeal form (no sign-in): the code from the block notice, and why."""
    return _appeal_page(request, code=code[:64])


@router.post(APPEAL_PATH, response_class=HTMLResponse)
async def public_appeal_form(request: Request) -> HTMLResponse:
    """File an appeal (no sign-in; text fields only, a small body)."""
    form = await text_form(request)
    code = str(form.get("code", ""))[:64]
    text = str(form.get("text", ""))[:10_000]
    contact = str(form.get("contact", ""))[:300]
    via = "notice" if form.get("via") == "notice" else "form"
    try:
        with ctx(request).tx() as session:
            actions.file_appeal(session, code=code, text=text, contact=contact, via=via)
    except DomainError as exc:
        low = exc.message.lower()
        field = "code" if "code" in low else ("contact" if "reach" in low else "text")
        if "already" in low:
            field = "form"
        return _appeal_page(
            request,
            code=code,
            text=text,
            contact=contact,
            error=exc.message,
            field=field,
            status=exc.status_code,
        )
    return _appeal_page(request, filed=True)


# ---- saved replies -----------------------------------------------------------------------------


def _replies_page(
    request: Request, *, error: str = "", draft: dict[str, str] | None = None, status: int = 200
) -> HTMLResponse:
    with ctx(request).read() as session:
        rows = queries.saved_replies(session)
        names = queries.display_names(session)
    return render(
        request,
        "moderation/saved_replies.html",
        {
            "rows": rows,
            "names": names,
            "categories": CATEGORIES,
            "error": error,
            "draft": draft or {},
        },
        status=status,
    )


@router.get("/moderation/saved-replies", response_class=HTMLResponse)
def saved_replies_page(request: Request) -> HTMLResponse:
    """The office's saved explanations for warnings."""
    actor = authenticate(request).actor
    require(actor, Perm.PERSON_WARN)
    return _replies_page(request)


@router.post("/moderation/saved-replies", dependencies=[Depends(check_csrf)])
async def save_reply_form(request: Request) -> Response:
    """Save an explanation for warnings."""
    actor = authenticate(request).actor
    form = await request.form()
    draft = {k: str(form.get(k, ""))[:2000] for k in ("title", "category", "text")}
    try:
        with ctx(request).tx() as session:
            queue_actions.save_reply(
                session,
                title=draft["title"],
                category=draft["category"],
                text=draft["text"],
                actor=actor,
            )
    except DomainError as exc:
        return _replies_page(request, error=exc.message, draft=draft, status=exc.status_code)
    return done_response(request, "/moderation/saved-replies")


# ---- JSON API ---------------------------------------------------------------------------------


class HoldIn(BaseModel):
    """A hide or removal held for a second look."""

    model_config = ConfigDict(extra="forbid")
    action: str = Field(max_length=10)
    reason: str = Field(max_length=20)
    note: str = Field(max_length=2000)


class VerdictIn(BaseModel):
    """A second person's answer to a held decision."""

    model_config = ConfigDict(extra="forbid")
    verdict: str = Field(pattern="^(concur|decline)$")
    note: str = Field(default="", max_length=2000)


class ReasonIn(BaseModel):
    """A reason."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=2000)


class AppealDecisionIn(BaseModel):
    """An appeal's outcome (upheld or lifted) and why."""

    model_config = ConfigDict(extra="forbid")
    outcome: str = Field(max_length=10)
    note: str = Field(max_length=2000)


@api.post("/cases/{case_id}/held", status_code=201)
def api_hold(
    request: Request, case_id: int, body: HoldIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Hold a hide or removal for a second look (the viewpoint guard refused it alone)."""
    app = ctx(request)
    with app.tx() as session:
        p = actions.hold(
            session,
            case_id,
            action=body.action,
            reason=body.reason,
            note=body.note,
            actor=actor,
            guard_mode=app.settings.viewpoint_concurrence,
        )
        return {"id": p.id, "case_id": p.case_id, "guard": p.guard, "why": p.guard_text}


@api.post("/held/{proposal_id}/answer")
def api_answer_held(
    request: Request, proposal_id: int, body: VerdictIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Concur with a held decision (a second PIO's concurrence carries it out) or decline it."""
    app = ctx(request)
    mode = app.settings.viewpoint_concurrence
    if body.verdict == "decline":
        with app.tx() as session:
            row = actions.decline_held(
                session, proposal_id, note=body.note, actor=actor, guard_mode=mode
            )
            return {"verdict": row.verdict, "role": row.role}
    done = actions.concur(
        app.sessions,
        proposal_id,
        note=body.note,
        actor=actor,
        connect=connect_pages(app),
        guard_mode=mode,
    )
    if isinstance(done, Decision):
        return {"verdict": "concur", "role": "pio", "decision_id": done.id}
    return {"verdict": "concur", "role": done.role}


@api.post("/cases/{case_id}/reopen")
def api_reopen(
    request: Request, case_id: int, body: ReasonIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Reopen a decided case, with the reason."""
    with ctx(request).tx() as session:
        row = actions.reopen(session, case_id, reason=body.reason, actor=actor)
        return {"id": row.id, "case_id": row.case_id, "previous_outcome": row.previous_outcome}


@api.get("/appeals")
def api_appeals(request: Request, actor: Actor = Depends(current_actor)) -> list[dict[str, Any]]:
    """Appeals waiting for a decision, oldest first."""
    require(actor, Perm.PERSON_BLOCK)
    with ctx(request).read() as session:
        return [
            {
                "id": a.id,
                "block_id": b.id,
                "text": a.text,
                "via": a.via,
                "filed_at": a.filed_at.isoformat(),
                "blocked_by": b.actor_name,
            }
            for a, b, _ in queries.appeals_queue(session, actor=actor)
        ]


@api.post("/appeals/{appeal_id}/decision")
def api_decide_appeal(
    request: Request,
    appeal_id: int,
    body: AppealDecisionIn,
    actor: Actor = Depends(current_actor),
) -> dict[str, Any]:
    """Decide an appeal (not by whoever placed the block)."""
    app = ctx(request)
    row = actions.decide_appeal(
        app.sessions,
        appeal_id,
        outcome=body.outcome,
        note=body.note,
        actor=actor,
        connect=connect_pages(app),
    )
    return {"id": row.id, "appeal_id": row.appeal_id, "outcome": row.outcome}
