"""The PIO's moderation queue, case pages, counsel's desk and employee reports (HTML pages).

Thin: parse the form or JSON, call one action, render or redirect. Every permission check is in
the actions and queries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError

from piodesk.connectors.base import Connector, ConnectorError
from piodesk.connectors.credentials import CredentialError
from piodesk.connectors.factory import build as connector_for
from piodesk.core import clock
from piodesk.core.errors import DomainError, InvalidInput, PermissionDenied
from piodesk.core.permissions import Actor, Perm
from piodesk.moderation import actions, queries
from piodesk.moderation.actions import ADVICE_RECOMMENDS
from piodesk.moderation.actions import queue as queue_actions
from piodesk.moderation.model import (
    CASE_STATE_LABELS,
    NO_VIOLATION,
    REASONS,
    RESTORE_REASONS,
    Action,
    plain_finding,
)
from piodesk.moderation.queries import QueueFilter
from piodesk.moderation.tables import Case
from piodesk.pages.tables import Page
from piodesk.web.context import AppContext, authenticate, check_csrf, ctx, render

router = APIRouter(include_in_schema=False)
#: The JSON API is in ``moderation.api``; this module serves the pages only.
api = APIRouter()

CATEGORIES = {k: v for k, v in REASONS.items() if k != NO_VIOLATION}


def connect_pages(app: AppContext) -> actions.Connect:
    """How the actions reach a page's platform in this installation."""

    def connect(page: Page) -> Connector:
        return connector_for(page, app.sessions, app.settings.secret_key)

    return connect


def form_int(value: Any, label: str) -> int | None:
    """A whole number from a form field (empty: None), or a clear refusal."""
    text = str(value or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 12:
        raise InvalidInput(f"{label} must be a number")
    return int(text)


def queue_filter(params: Any) -> QueueFilter:
    """The queue's filters from query parameters (or a JSON call's arguments)."""
    age = str(params.get("age") or "").strip()
    try:
        older = float(age) if age else None
    except ValueError:
        raise InvalidInput("age is a number of hours") from None
    category = str(params.get("category") or "").strip() or None
    if category is not None and category not in CATEGORIES:
        raise InvalidInput(f"unknown category '{category[:40]}'")
    return QueueFilter(
        page_id=form_int(params.get("page"), "page"),
        category=category,
        older_than_hours=older,
        state=str(params.get("state") or "open"),
    )


def _filter_query(flt: QueueFilter) -> str:
    params = {
        "page": flt.page_id or "",
        "category": flt.category or "",
        "age": "" if flt.older_than_hours is None else f"{flt.older_than_hours:g}",
        "state": "" if flt.state == "open" else flt.state,
    }
    query = urlencode({k: v for k, v in params.items() if v})
    return f"?{query}" if query else ""


def age_text(since: datetime | None) -> str:
    """'3 d 4 h', '2 h 5 min', '40 s': how long ago, for the queue and dashboard."""
    if since is None:
        return "—"
    seconds = max(0, int((clock.now() - clock.as_utc(since)).total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min"
    return f"{seconds} s"


# ---- the queue -------------------------------------------------------------------------------


@router.get("/moderation", response_class=HTMLResponse)
def queue_page(request: Request) -> HTMLResponse:
    """The PIO office's queue of flagged and reported comments, oldest first."""
    actor = authenticate(request).actor
    flt = queue_filter(request.query_params)
    with ctx(request).read() as session:
        rows = queries.queue(session, flt, actor=actor)
        count, oldest = queries.oldest_open(session, actor=actor)
        pages = session.query(Page).order_by(Page.name).all()
    return render(
        request,
        "moderation/queue.html",
        {
            "rows": rows,
            "flt": flt,
            "fq": _filter_query(flt),
            "pages": pages,
            "categories": CATEGORIES,
            "open_count": count,
            "oldest": age_text(oldest) if oldest else None,
            "age_text": age_text,
            "state_labels": CASE_STATE_LABELS,
        },
    )


@router.get("/moderation/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: int) -> HTMLResponse:
    """One case: the comment in its thread, findings, the author's history, and the forms."""
    actor = authenticate(request).actor
    if actor.can(Perm.MODERATION_VIEW) and actor.account_id is not None:
        with ctx(request).read() as session:
            fresh = queue_actions.viewer_noted_recently(session, case_id, actor)
    else:
        fresh = True
    if not fresh:
        try:
            with ctx(request).tx() as session:
                queue_actions.note_viewer(session, case_id, actor)
        except IntegrityError:
            pass  # the same person's other tab noted it a moment ago: presence, not evidence
    return render_case(request, case_id)


#: Which field of a form an error message is about (the first word found wins), so the page
#: shows it beside that field.
_FIELD_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "decide": (("held", "guard"), ("note", "note"), ("decision", "action"), ("", "reason")),
    "restore": (("reason for restoring", "note"), ("why", "reason"), ("", "note")),
    "reopen": (("", "reason"),),
    "consult": (("", "question"),),
    "advise": (("recommend", "recommends"), ("", "advice")),
    "warn": (("categor", "category"), ("", "explanation")),
    "block": (("categor", "category"), ("", "reason")),
    "hold": (("", "guard"),),
    "concur": (("", "note"),),
    "person_note": (("", "note"),),
}


def field_of(form_key: str, message: str) -> str:
    """The field an error is shown beside."""
    low = message.lower()
    for word, name in _FIELD_WORDS.get(form_key, (("", "form"),)):
        if word in low:
            return name
    return "form"


def render_case(
    request: Request,
    case_id: int,
    *,
    form: str = "",
    error: DomainError | None = None,
    draft: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The case page; after a refused form, with the message beside its field and the text
    kept (``form`` names the form, ``draft`` what was typed)."""
    actor = authenticate(request).actor
    flt = queue_filter(request.query_params)
    app = ctx(request)
    with app.read() as session:
        view = queries.case_view(session, case_id, actor=actor)
        nav = (
            queries.neighbours(session, view.case, flt, actor=actor)
            if actor.can(Perm.MODERATION_VIEW)
            else {}
        )
        caps: frozenset[str] = frozenset()
        if view.page is not None and actor.can(Perm.MODERATION_DECIDE, view.case.page_id):
            try:
                caps = frozenset(c.value for c in connect_pages(app)(view.page).capabilities)
            except (DomainError, ConnectorError, CredentialError, KeyError):
                caps = frozenset()  # not connected or unreadable: the page offers no actions
        done = None
        done_id = form_int(request.query_params.get("done"), "done")
        if done_id:
            done_case = session.get(Case, done_id)
            if done_case is not None and actions.may_view_case(session, done_case, actor):
                done = done_case
        names = queries.display_names(session)
        grounds = None
        if (
            view.case.author_platform_id
            and view.case.page_id
            and actor.can(Perm.PERSON_BLOCK, view.case.page_id)
        ):
            person = actions.person_of_case(session, view.case.id)
            grounds = actions.block_grounds(session, person)
        saved = queries.saved_replies(session) if actor.can(Perm.PERSON_WARN) else []
        open_held = actions.open_proposal(session, view.case.id)
    errors: dict[str, str] = {}
    if error is not None:
        errors[field_of(form, error.message)] = error.message
    return render(
        request,
        "moderation/case.html",
        {
            "v": view,
            "nav": nav,
            "fq": _filter_query(flt),
            "reasons": REASONS,
            "restore_reasons": RESTORE_REASONS,
            "categories": CATEGORIES,
            "caps": caps,
            "recommends": ADVICE_RECOMMENDS,
            "done": done,
            "age_text": age_text,
            "names": names,
            "grounds": grounds,
            "saved_replies": saved,
            "open_held": open_held,
            "form": form,
            "errors": errors,
            "held": isinstance(error, actions.HeldForSecond),
            "draft": draft or {},
            "plain_finding": plain_finding,
            "state_labels": CASE_STATE_LABELS,
            "concurrence_mode": app.settings.viewpoint_concurrence,
        },
        status=status,
    )


def done_response(request: Request, url: str) -> Response:
    """Where a form goes when it worked: a redirect (htmx: a full navigation to it)."""
    if request.headers.get("hx-request"):
        # The same page again (perhaps with another #fragment): a location change to it would
        # only scroll, so the page is reloaded instead.
        current = request.headers.get("hx-current-url", "").split("#")[0]
        path = url.split("#")[0]
        if current and (
            current == path or current.endswith(path) or current.split("?")[0].endswith(path)
        ):
            return Response(status_code=204, headers={"HX-Refresh": "true"})
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def refused(
    request: Request, case_id: int, form_key: str, exc: DomainError, form: Any
) -> HTMLResponse:
    """The case page again, with the refusal beside the field and the typed text kept."""
    draft = {k: str(v)[:10_000] for k, v in form.items() if k != "csrf_token"}
    return render_case(
        request, case_id, form=form_key, error=exc, draft=draft, status=exc.status_code
    )


def _next_url(request: Request, case_id: int, flt: QueueFilter, actor: Actor) -> str:
    """Where to go after deciding: the next open case in the same queue, else the queue."""
    fq = _filter_query(flt)
    with ctx(request).read() as session:
        rows = queries.queue(session, flt, actor=actor)
    sep = "&" if fq else "?"
    if rows:
        return f"/moderation/cases/{rows[0].case.id}{fq}{sep}done={case_id}"
    return f"/moderation{fq}{sep}done={case_id}"


@router.post("/moderation/cases/{case_id}/decide", dependencies=[Depends(check_csrf)])
async def decide_form(request: Request, case_id: int) -> Response:
    """Keep, hide or remove, with the §.20 reason and a note."""
    actor = authenticate(request).actor
    form = await request.form()
    app = ctx(request)
    flt = queue_filter(request.query_params)
    action = str(form.get("action", ""))
    reason = str(form.get("reason", "")) or (NO_VIOLATION if action == Action.KEEP else "")
    try:
        actions.decide(
            app.sessions,
            case_id,
            action=action,
            reason=reason,
            note=str(form.get("note", "")),
            actor=actor,
            connect=connect_pages(app),
            guard_mode=app.settings.viewpoint_concurrence,
        )
    except DomainError as exc:
        return refused(request, case_id, "decide", exc, form)
    return done_response(request, _next_url(request, case_id, flt, actor))


@router.post("/moderation/cases/{case_id}/restore", dependencies=[Depends(check_csrf)])
async def restore_form(request: Request, case_id: int) -> Response:
    """Put a hidden or removed comment back, for its own reason."""
    actor = authenticate(request).actor
    form = await request.form()
    app = ctx(request)
    try:
        actions.restore(
            app.sessions,
            case_id,
            reason=str(form.get("reason", "")),
            note=str(form.get("note", "")),
            actor=actor,
            connect=connect_pages(app),
        )
    except DomainError as exc:
        return refused(request, case_id, "restore", exc, form)
    return done_response(request, f"/moderation/cases/{case_id}")


@router.post("/moderation/cases/{case_id}/consult", dependencies=[Depends(check_csrf)])
async def consult_form(request: Request, case_id: int) -> Response:
    """Send the case to legal counsel."""
    actor = authenticate(request).actor
    form = await request.form()
    try:
        with ctx(request).tx() as session:
            actions.consult(session, case_id, question=str(form.get("question", "")), actor=actor)
    except DomainError as exc:
        return refused(request, case_id, "consult", exc, form)
    return done_response(request, f"/moderation/cases/{case_id}")


@router.post(
    "/moderation/consultations/{consultation_id}/advise", dependencies=[Depends(check_csrf)]
)
async def advise_form(request: Request, consultation_id: int) -> Response:
    """Legal counsel's answer."""
    actor = authenticate(request).actor
    form = await request.form()
    with ctx(request).read() as session:
        consultation = session.get(actions.Consultation, consultation_id)
        case_id = consultation.case_id if consultation else 0
    try:
        with ctx(request).tx() as session:
            actions.advise(
                session,
                consultation_id,
                advice=str(form.get("advice", "")),
                recommends=str(form.get("recommends", "none")),
                concurs_block=form.get("concurs_block") == "yes",
                actor=actor,
            )
    except DomainError as exc:
        if not case_id:
            raise
        return refused(request, case_id, "advise", exc, form)
    return done_response(request, f"/moderation/cases/{case_id}")


@router.post("/moderation/cases/{case_id}/warn", dependencies=[Depends(check_csrf)])
async def warn_form(request: Request, case_id: int) -> Response:
    """Warn the comment's author, with an explanation."""
    actor = authenticate(request).actor
    form = await request.form()
    app = ctx(request)
    try:
        actions.warn(
            app.sessions,
            case_id=case_id,
            category=str(form.get("category", "")),
            explanation=str(form.get("explanation", "")),
            actor=actor,
            connect=connect_pages(app),
        )
    except DomainError as exc:
        return refused(request, case_id, "warn", exc, form)
    return done_response(request, f"/moderation/cases/{case_id}#person")


@router.post("/moderation/cases/{case_id}/block", dependencies=[Depends(check_csrf)])
async def block_form(request: Request, case_id: int) -> Response:
    """Block the comment's author (after a warning and a later violation, or with counsel)."""
    actor = authenticate(request).actor
    form = await request.form()
    app = ctx(request)
    try:
        actions.block(
            app.sessions,
            case_id=case_id,
            category=str(form.get("category", "")),
            reason=str(form.get("reason", "")),
            concurrence_id=form_int(form.get("concurrence"), "concurrence"),
            actor=actor,
            connect=connect_pages(app),
            review_days=app.settings.block_review_days,
        )
    except DomainError as exc:
        return refused(request, case_id, "block", exc, form)
    return done_response(request, f"/moderation/cases/{case_id}#person")


# ---- blocks, responses, all comments, counsel ------------------------------------------------


@router.get("/moderation/blocks", response_class=HTMLResponse)
def blocks_page(request: Request, all: bool = False) -> HTMLResponse:
    """Blocks in force, the ones due for review first."""
    return _blocks(request, show_all=all)


def _blocks(
    request: Request,
    *,
    show_all: bool = False,
    errors: dict[int, dict[str, str]] | None = None,
    status: int = 200,
) -> HTMLResponse:
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        rows = queries.blocks(session, actor=actor, include_lifted=show_all)
        pages = queries.page_names(session)
        pending = queries.block_actions(session, rows)
        names = queries.display_names(session)
    return render(
        request,
        "moderation/blocks.html",
        {
            "blocks": rows,
            "pages": pages,
            "pending": pending,
            "now": clock.now(),
            "show_all": show_all,
            "names": names,
            "categories": CATEGORIES,
            "errors": errors or {},
        },
        status=status,
    )


def _block_refused(
    request: Request, block_id: int, form_key: str, exc: DomainError, text: str
) -> HTMLResponse:
    errors = {block_id: {"form": form_key, "message": exc.message, "draft": text[:2000]}}
    return _blocks(request, errors=errors, status=exc.status_code)


@router.post("/moderation/blocks/{block_id}/lift", dependencies=[Depends(check_csrf)])
async def lift_form(request: Request, block_id: int) -> Response:
    """Lift a block."""
    actor = authenticate(request).actor
    form = await request.form()
    app = ctx(request)
    try:
        actions.lift_block(
            app.sessions,
            block_id,
            reason=str(form.get("reason", "")),
            actor=actor,
            connect=connect_pages(app),
        )
    except DomainError as exc:
        return _block_refused(request, block_id, "lift", exc, str(form.get("reason", "")))
    return RedirectResponse("/moderation/blocks", status_code=303)


@router.post("/moderation/blocks/{block_id}/review", dependencies=[Depends(check_csrf)])
async def review_form(request: Request, block_id: int) -> Response:
    """Review a block and keep it until the next review."""
    actor = authenticate(request).actor
    form = await request.form()
    app = ctx(request)
    try:
        with app.tx() as session:
            actions.review_block(
                session,
                block_id,
                note=str(form.get("note", "")),
                actor=actor,
                review_days=app.settings.block_review_days,
            )
    except DomainError as exc:
        return _block_refused(request, block_id, "review", exc, str(form.get("note", "")))
    return RedirectResponse("/moderation/blocks", status_code=303)


@router.get("/moderation/responses", response_class=HTMLResponse)
def responses_page(request: Request, state: str = "open") -> HTMLResponse:
    """Comments that ask the department something (§.12), and who answered them."""
    return _responses(request, state)


def _responses(
    request: Request,
    state: str = "open",
    errors: dict[int, dict[str, str]] | None = None,
    status: int = 200,
) -> HTMLResponse:
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        rows = queries.needs_response(session, actor=actor, state=state)
        names = queries.display_names(session)
    return render(
        request,
        "moderation/responses.html",
        {
            "rows": rows,
            "state": state,
            "age_text": age_text,
            "names": names,
            "errors": errors or {},
        },
        status=status,
    )


@router.post("/moderation/responses/{request_id}/answer", dependencies=[Depends(check_csrf)])
async def answer_form(request: Request, request_id: int) -> Response:
    """Record who answered, when and how."""
    actor = authenticate(request).actor
    form = await request.form()
    try:
        with ctx(request).tx() as session:
            actions.answer(
                session,
                request_id,
                outcome=str(form.get("outcome", "answered")),
                note=str(form.get("note", "")),
                actor=actor,
            )
    except DomainError as exc:
        errors = {request_id: {"message": exc.message, "draft": str(form.get("note", ""))[:2000]}}
        return _responses(request, errors=errors, status=exc.status_code)
    return RedirectResponse("/moderation/responses", status_code=303)


@router.get("/moderation/comments", response_class=HTMLResponse)
def comments_page(request: Request) -> HTMLResponse:
    """Every captured comment, flagged or not, newest first."""
    actor = authenticate(request).actor
    page_id = form_int(request.query_params.get("page"), "page")
    before = form_int(request.query_params.get("before"), "before")
    with ctx(request).read() as session:
        rows = queries.all_comments(session, actor=actor, page_id=page_id, before=before)
        pages = session.query(Page).order_by(Page.name).all()
    return render(
        request,
        "moderation/comments.html",
        {"rows": rows, "pages": pages, "page_id": page_id},
    )


@router.get("/counsel", response_class=HTMLResponse)
def counsel_page(request: Request) -> HTMLResponse:
    """Legal counsel's desk: cases sent for advice, and those already answered."""
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        waiting = queries.consultations_for_counsel(session, actor=actor)
        answered = queries.consultations_for_counsel(session, actor=actor, answered=True)
        names = queries.display_names(session)
    return render(
        request,
        "moderation/counsel.html",
        {"waiting": waiting, "answered": answered[-50:], "age_text": age_text, "names": names},
    )


# ---- employee reports (§.22) -----------------------------------------------------------------


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request) -> HTMLResponse:
    """Report a post or comment to the PIO, and see what became of earlier reports."""
    return _reports(request, form_int(request.query_params.get("item"), "item"))


def _reports(
    request: Request,
    item_id: int | None,
    *,
    error: str = "",
    error_field: str = "",
    draft: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        mine = queries.my_reports(session, actor=actor)
    return render(
        request,
        "moderation/reports.html",
        {
            "mine": mine,
            "item_id": item_id,
            "categories": CATEGORIES,
            "filed": form_int(request.query_params.get("filed"), "filed"),
            "error": error,
            "error_field": error_field,
            "draft": draft or {},
        },
        status=status,
    )


@router.post("/reports", dependencies=[Depends(check_csrf)])
async def report_form(request: Request) -> Response:
    """File a report; it lands in the PIO's queue."""
    actor = authenticate(request).actor
    form = await request.form()
    draft = {k: str(form.get(k, ""))[:2000] for k in ("url", "reason", "category")}
    try:
        item_id = form_int(form.get("item"), "item")
        with ctx(request).tx() as session:
            report = actions.file_report(
                session,
                reason=draft["reason"],
                url=draft["url"] or None,
                item_id=item_id,
                category=draft["category"] or None,
                actor=actor,
            )
    except DomainError as exc:
        low = exc.message.lower()
        field = "url" if ("link" in low or "url" in low) else "reason"
        if "reason" in low or "why" in low:
            field = "reason"
        if isinstance(exc, PermissionDenied):
            field = "form"
        return _reports(
            request,
            form_int(form.get("item"), "item") if str(form.get("item", "")).isdigit() else None,
            error=exc.message,
            error_field=field,
            draft=draft,
            status=exc.status_code,
        )
    return RedirectResponse(f"/reports?filed={report.id}", status_code=303)
