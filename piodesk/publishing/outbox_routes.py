"""The outbox and notices in the browser, the JSON API, and the public CAP and Atom URLs.

Staff pages (signed in; the services check who may): ``/publishing`` (every publication, its
status per page, retry a failed page, resolve an unconfirmed one), ``/notices`` (drafts waiting
for approval and issued notices), ``/notices/new`` (a template's form), ``/notices/{id}``
(approve — another person of the PIO office — then the fast path sends it to every page at
once; follow-ups). The needs-response queue's reply form posts to
``/moderation/responses/{id}/reply``.

Public, no sign-in: ``/public/notices.atom`` (Atom feed), ``/public/notices/{id}.cap.xml``
(CAP 1.2), ``/public/notices/{id}`` (the notice as a page).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.media import MediaStore
from piodesk.core.config import Settings
from piodesk.core.errors import Conflict, DomainError, InvalidInput
from piodesk.core.permissions import Actor, Perm, require
from piodesk.pages.actions import is_usable
from piodesk.pages.tables import Page
from piodesk.publishing import notices, outbox, replies
from piodesk.publishing.notice_model import KIND_LABELS, TEMPLATES, MessageKind, NoticeState
from piodesk.publishing.notice_tables import Notice
from piodesk.publishing.outbox_tables import Publication
from piodesk.web.context import authenticate, check_csrf, ctx, current_actor, render
from piodesk.web.hardening import text_form

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["publishing"])


# ---- the sender, as the web app runs it -----------------------------------------------------


def connector_for(sessions: sessionmaker[Session], settings: Settings) -> Any:
    """The connect function of this installation (stored connections, decrypted)."""
    from piodesk.connectors.factory import build

    return lambda page: build(page, sessions, settings.secret_key)


def send_now(sessions: sessionmaker[Session], settings: Settings, publication_id: int) -> None:
    """The fast path: send one publication's due deliveries right away (after the commit)."""
    from piodesk.publishing.outbox_sender import send_due

    send_due(
        sessions,
        connector_for(sessions, settings),
        media=MediaStore(settings.data_dir / "media"),
        only={publication_id},
    )


_LAST_LOOK: dict[str, float] = {}


def outbox_job(
    sessions: sessionmaker[Session], settings: Settings, *, look_again: bool | None = None
) -> object:
    """The outbox job: send what is due; and, no more often than the reconciler runs
    (``reconcile_seconds``), read the pages again for unconfirmed deliveries."""
    import time

    from piodesk.publishing.outbox_sender import reconcile_unconfirmed, send_due

    connect = connector_for(sessions, settings)
    report = send_due(sessions, connect, media=MediaStore(settings.data_dir / "media"))
    now = time.monotonic()
    if look_again is None:
        every = max(settings.reconcile_seconds, 30)
        look_again = now - _LAST_LOOK.get(str(settings.database_url), -every) >= every
    if look_again:
        _LAST_LOOK[str(settings.database_url)] = now
        reconcile_unconfirmed(sessions, connect)
    return report


def _agency(request: Request) -> notices.Agency:
    return notices.Agency.from_settings(ctx(request).settings)


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _pages_for(session: Session, actor: Actor, perm: Perm) -> list[Page]:
    rows = session.execute(select(Page).order_by(Page.name)).scalars()
    return [p for p in rows if is_usable(p) and actor.can(perm, p.id)]


# ---- the outbox page --------------------------------------------------------------------------


def _delivery_error(delivery_error: str, delivery: int, reason: str) -> dict[str, Any]:
    """A refused action on one page's delivery, shown beside its field with the text kept."""
    return {
        "delivery_error": delivery_error[:300],
        "delivery": delivery,
        "typed_reason": reason[:500],
    }


@router.get("/publishing", response_class=HTMLResponse)
def outbox_page(
    request: Request, delivery_error: str = "", delivery: int = 0, reason: str = ""
) -> HTMLResponse:
    """Every publication with its status on each page; failed and unconfirmed ones first."""
    actor = authenticate(request).actor
    require(actor, Perm.PUBLISH)
    with ctx(request).read() as session:
        ids = list(
            session.execute(
                select(Publication.id).order_by(Publication.id.desc()).limit(100)
            ).scalars()
        )
        rows = [outbox.status(session, i) for i in ids]
    rows = [
        r for r in rows if any(actor.can(Perm.PUBLISH, p.page_id) for p in r.pages) or not r.pages
    ]
    return render(
        request,
        "publishing/outbox.html",
        {"rows": rows, **_delivery_error(delivery_error, delivery, reason)},
    )


@router.post("/publishing/deliveries/{delivery_id}/retry", dependencies=[Depends(check_csrf)])
async def retry_form(request: Request, delivery_id: int, background: BackgroundTasks) -> Response:
    """Send one failed page again."""
    actor = authenticate(request).actor
    form = await text_form(request)
    app = ctx(request)
    with app.tx() as session:
        outbox.retry(session, delivery_id, actor=actor, reason=str(form.get("reason", "")))
        from piodesk.publishing.outbox_tables import Delivery

        row = session.get(Delivery, delivery_id)
        pub = row.publication_id if row else 0
    background.add_task(send_now, app.sessions, app.settings, pub)
    return RedirectResponse(str(form.get("next") or "/publishing"), status_code=303)


@router.post("/publishing/deliveries/{delivery_id}/resolve", dependencies=[Depends(check_csrf)])
async def resolve_form(request: Request, delivery_id: int) -> Response:
    """Settle an unconfirmed page after checking it on the platform."""
    actor = authenticate(request).actor
    form = await text_form(request)
    with ctx(request).tx() as session:
        outbox.resolve(
            session,
            delivery_id,
            actor=actor,
            published=str(form.get("published", "")) == "yes",
            reason=str(form.get("reason", "")),
            external_id=str(form.get("external_id", "")) or None,
        )
    return RedirectResponse(str(form.get("next") or "/publishing"), status_code=303)


@router.post("/publishing/deliveries/{delivery_id}/standalone", dependencies=[Depends(check_csrf)])
async def standalone_form(
    request: Request, delivery_id: int, background: BackgroundTasks
) -> Response:
    """Send an update waiting for an original that is not on its page as a new post."""
    actor = authenticate(request).actor
    form = await text_form(request)
    app = ctx(request)
    back = str(form.get("next") or "/publishing")
    if not back.startswith("/") or back.startswith("//"):
        back = "/publishing"
    reason = str(form.get("reason", ""))
    try:
        with app.tx() as session:
            outbox.send_standalone(session, delivery_id, actor=actor, reason=reason)
            from piodesk.publishing.outbox_tables import Delivery

            row = session.get(Delivery, delivery_id)
            pub = row.publication_id if row else 0
    except (InvalidInput, Conflict) as exc:
        query = urlencode(
            {"delivery_error": exc.message, "delivery": delivery_id, "reason": reason[:500]}
        )
        return RedirectResponse(f"{back}?{query}#waiting-{delivery_id}", status_code=303)
    background.add_task(send_now, app.sessions, app.settings, pub)
    return RedirectResponse(back, status_code=303)


# ---- notices ----------------------------------------------------------------------------------


def _notice_rows(session: Session) -> list[dict[str, Any]]:
    rows = list(session.execute(select(Notice).order_by(Notice.id.desc()).limit(200)).scalars())
    out = []
    for n in rows:
        status = outbox.status(session, n.publication_id) if n.publication_id else None
        out.append({"notice": n, "status": status, "template": TEMPLATES[n.template]})
    return out


@router.get("/notices", response_class=HTMLResponse)
def notices_page(request: Request) -> HTMLResponse:
    """Drafts waiting for a second person's approval, and issued notices with their status."""
    actor = authenticate(request).actor
    require(actor, Perm.NOTICE_ISSUE)
    with ctx(request).read() as session:
        rows = _notice_rows(session)
    return render(
        request,
        "publishing/notices.html",
        {"rows": rows, "templates": TEMPLATES, "kind_labels": KIND_LABELS},
    )


def _form_page(
    request: Request,
    template: str,
    *,
    values: dict[str, str] | None = None,
    chosen: list[int] | None = None,
    error: str = "",
    status: int = 200,
) -> HTMLResponse:
    actor = authenticate(request).actor
    require(actor, Perm.NOTICE_ISSUE)
    t = TEMPLATES.get(template) or TEMPLATES["road_closure"]
    with ctx(request).read() as session:
        pages = _pages_for(session, actor, Perm.NOTICE_ISSUE)
    # The error sits beside the field it names (by the field's label), else above the form.
    field = next((f.name for f in t.fields if error and f.label.lower() in error.lower()), "")
    if not field and error and "expiry" in error:
        field = "expires"
    if not field and error and "page" in error:
        field = "pages"
    return render(
        request,
        "publishing/notice_form.html",
        {
            "t": t,
            "templates": TEMPLATES,
            "values": values or {},
            "pages": pages,
            "chosen": set(chosen if chosen is not None else [p.id for p in pages]),
            "error": error,
            "error_field": field,
            "zone": ctx(request).settings.agency_time_zone,
        },
        status=status,
    )


@router.get("/notices/new", response_class=HTMLResponse)
def notice_new(request: Request, template: str = "road_closure") -> HTMLResponse:
    """A template's form: its fields, the pages, the expiry."""
    return _form_page(request, template)


def _page_ids(form: Any) -> list[int]:
    out = []
    for value in form.getlist("page_id"):
        try:
            out.append(int(str(value)))
        except ValueError:
            raise InvalidInput("a chosen page is not a page number") from None
    return out


@router.post("/notices", dependencies=[Depends(check_csrf)])
async def notice_draft(request: Request) -> Response:
    """Draft a notice from the form; errors come back beside the field, the text kept."""
    actor = authenticate(request).actor
    form = await text_form(request)
    template = str(form.get("template", ""))
    t = TEMPLATES.get(template)
    values = {
        f.name: str(form.get(f.name, "")) for f in (t.fields if t else ()) if form.get(f.name)
    }
    typed = {**values, "expires": str(form.get("expires", ""))}
    try:
        page_ids = _page_ids(form)
        with ctx(request).tx() as session:
            row = notices.draft_notice(
                session,
                actor=actor,
                agency=_agency(request),
                template=template,
                values=values,
                page_ids=page_ids,
                expires=str(form.get("expires", "")),
            )
            notice_id = row.id
    except (InvalidInput, DomainError) as exc:
        if exc.status_code in (401, 403, 404):
            raise
        return _form_page(
            request,
            template,
            values=typed,
            chosen=list(_safe_ids(form)),
            error=exc.message,
            status=exc.status_code,
        )
    return RedirectResponse(f"/notices/{notice_id}", status_code=303)


def _safe_ids(form: Any) -> list[int]:
    try:
        return _page_ids(form)
    except InvalidInput:
        return []


@router.get("/notices/{notice_id}", response_class=HTMLResponse)
def notice_detail(
    request: Request,
    notice_id: int,
    error: str = "",
    delivery_error: str = "",
    delivery: int = 0,
    reason: str = "",
) -> HTMLResponse:
    """One notice: its post, its status per page, approval and follow-ups."""
    actor = authenticate(request).actor
    require(actor, Perm.NOTICE_ISSUE)
    with ctx(request).read() as session:
        row = session.get(Notice, notice_id)
        if row is None:
            raise InvalidInput(f"there is no notice {notice_id}")
        thread = notices.incident(session, row)
        statuses = {
            n.id: outbox.status(session, n.publication_id) for n in thread if n.publication_id
        }
        names = {p.id: p.name for p in session.execute(select(Page)).scalars()}
    original = thread[0]
    closed = any(
        n.state == NoticeState.ISSUED.value
        and n.kind in (MessageKind.ALL_CLEAR.value, MessageKind.CANCEL.value)
        for n in thread
    )
    return render(
        request,
        "publishing/notice.html",
        {
            "n": row,
            "t": TEMPLATES[row.template],
            "thread": thread,
            "original": original,
            "statuses": statuses,
            "names": names,
            "kind_labels": KIND_LABELS,
            "can_approve": row.state == NoticeState.DRAFT.value
            and row.drafted_by != actor.account_id,
            "own_draft": row.state == NoticeState.DRAFT.value
            and row.drafted_by == actor.account_id,
            "can_follow_up": original.state == NoticeState.ISSUED.value and not closed,
            "error": error,
            **_delivery_error(delivery_error, delivery, reason),
        },
    )


@router.post("/notices/{notice_id}/approve", dependencies=[Depends(check_csrf)])
async def notice_approve(request: Request, notice_id: int, background: BackgroundTasks) -> Response:
    """Approve and issue: the post goes to every chosen page at once (after the commit)."""
    actor = authenticate(request).actor
    form = await text_form(request)
    app = ctx(request)
    with app.tx() as session:
        pub = notices.approve_notice(
            session,
            notice_id,
            actor=actor,
            agency=_agency(request),
            reason=str(form.get("reason", "")),
        )
    background.add_task(send_now, app.sessions, app.settings, pub)
    return RedirectResponse(f"/notices/{notice_id}", status_code=303)


@router.post("/notices/{notice_id}/withdraw", dependencies=[Depends(check_csrf)])
async def notice_withdraw(request: Request, notice_id: int) -> Response:
    """Drop a draft that was never approved."""
    actor = authenticate(request).actor
    form = await text_form(request)
    with ctx(request).tx() as session:
        notices.withdraw_notice(session, notice_id, actor=actor, reason=str(form.get("reason", "")))
    return RedirectResponse("/notices", status_code=303)


@router.post("/notices/{notice_id}/followup", dependencies=[Depends(check_csrf)])
async def notice_followup(request: Request, notice_id: int) -> Response:
    """Draft an update, the all-clear or a cancel (approved like any notice)."""
    actor = authenticate(request).actor
    form = await text_form(request)
    try:
        with ctx(request).tx() as session:
            row = notices.draft_followup(
                session,
                notice_id,
                actor=actor,
                agency=_agency(request),
                kind=str(form.get("kind", "")),
                note=str(form.get("note", "")),
                expires=str(form.get("expires", "")) or None,
            )
            new_id = row.id
    except DomainError as exc:
        if exc.status_code in (401, 403, 404):
            raise
        from urllib.parse import quote

        return RedirectResponse(
            f"/notices/{notice_id}?error={quote(exc.message[:500])}", status_code=303
        )
    return RedirectResponse(f"/notices/{new_id}", status_code=303)


# ---- replies from the needs-response queue ------------------------------------------------------


@router.post("/moderation/responses/{request_id}/reply", dependencies=[Depends(check_csrf)])
async def reply_form(request: Request, request_id: int, background: BackgroundTasks) -> Response:
    """Screen the reply, publish it under the comment, close the request."""
    from piodesk.moderation import queries
    from piodesk.screening.engine import default_screener

    actor = authenticate(request).actor
    form = await text_form(request)
    text = str(form.get("text", ""))
    app = ctx(request)
    try:
        with app.tx() as session:
            made = replies.reply_to_request(
                session,
                request_id,
                actor=actor,
                text=text,
                screener=default_screener(),
                keep_reason=str(form.get("keep_reason", "")),
            )
    except DomainError as exc:
        if exc.status_code in (401, 403, 404):
            raise
        from piodesk.moderation.routes import age_text

        with app.read() as session:
            rows = queries.needs_response(session, actor=actor, state="open")
        findings = getattr(exc, "findings", ())
        return render(
            request,
            "moderation/responses.html",
            {
                "rows": rows,
                "state": "open",
                "age_text": age_text,
                "reply_error": {"id": request_id, "message": exc.message, "text": text},
                "reply_findings": findings,
            },
            status=exc.status_code,
        )
    background.add_task(send_now, app.sessions, app.settings, made.publication_id)
    return RedirectResponse("/moderation/responses", status_code=303)


# ---- public: CAP 1.2, Atom, the notice page ------------------------------------------------------


@router.get("/public/notices.atom")
def public_feed(request: Request) -> Response:
    """The Atom feed of issued notices (no sign-in)."""
    with ctx(request).read() as session:
        body = notices.atom_feed(session, _agency(request), base_url=_base_url(request))
    return Response(body, media_type="application/atom+xml")


@router.get("/public/notices/{notice_id}.cap.xml")
def public_cap(request: Request, notice_id: int) -> Response:
    """One issued notice as a CAP 1.2 message (no sign-in)."""
    with ctx(request).read() as session:
        body = notices.cap_xml(session, notice_id, _agency(request), base_url=_base_url(request))
    return Response(body, media_type="application/cap+xml")


@router.get("/public/notices/{notice_id}", response_class=HTMLResponse)
def public_notice(request: Request, notice_id: int) -> HTMLResponse:
    """One issued notice as a page (no sign-in)."""
    with ctx(request).read() as session:
        row = session.get(Notice, notice_id)
        if row is None or row.state != NoticeState.ISSUED.value:
            from piodesk.core.errors import NotFound

            raise NotFound("that notice has not been issued")
        thread = [n for n in notices.incident(session, row) if n.state == NoticeState.ISSUED.value]
    return render(
        request,
        "publishing/public_notice.html",
        {"n": row, "thread": thread, "kind_labels": KIND_LABELS, "t": TEMPLATES[row.template]},
    )


# ---- JSON API ----------------------------------------------------------------------------------


class NoticeIn(BaseModel):
    """A notice to draft."""

    model_config = ConfigDict(extra="forbid")
    template: str = Field(max_length=40)
    values: dict[str, str] = Field(default_factory=dict)
    page_ids: list[int] = Field(max_length=500)
    expires: str = Field(max_length=40, description="In the agency's zone, e.g. 2026-12-03T18:00")


class Reason(BaseModel):
    """A reason (optional)."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(default="", max_length=1000)


def _status_json(session: Session, publication_id: int) -> dict[str, Any]:
    st = outbox.status(session, publication_id)
    return {
        "publication_id": st.publication_id,
        "kind": st.kind,
        "source": st.source,
        "overall": st.overall.value,
        "pages": [
            {
                "delivery_id": p.delivery_id,
                "page_id": p.page_id,
                "page": p.page_name,
                "platform": p.platform,
                "state": p.state.value,
                "platform_id": p.external_id,
                "url": p.external_url,
                "error": p.error,
                "waiting": p.waiting,
                "standalone": p.standalone,
            }
            for p in st.pages
        ],
    }


@api.get("/publications/{publication_id}")
def api_publication(
    request: Request, publication_id: int, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """A publication's status on each page and overall."""
    require(actor, Perm.PUBLISH)
    with ctx(request).read() as session:
        return _status_json(session, publication_id)


@api.post("/publications/deliveries/{delivery_id}/retry")
def api_retry(
    request: Request,
    delivery_id: int,
    body: Reason,
    background: BackgroundTasks,
    actor: Actor = Depends(current_actor),
) -> dict[str, Any]:
    """Send one failed page again."""
    from piodesk.publishing.outbox_tables import Delivery

    app = ctx(request)
    with app.tx() as session:
        outbox.retry(session, delivery_id, actor=actor, reason=body.reason)
        row = session.get(Delivery, delivery_id)
        pub = row.publication_id if row else 0
    background.add_task(send_now, app.sessions, app.settings, pub)
    with app.read() as session:
        return _status_json(session, pub)


@api.post("/notices", status_code=201)
def api_notice(
    request: Request, body: NoticeIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Draft a notice (a second person of the PIO office approves it)."""
    with ctx(request).tx() as session:
        row = notices.draft_notice(
            session,
            actor=actor,
            agency=_agency(request),
            template=body.template,
            values=body.values,
            page_ids=body.page_ids,
            expires=body.expires,
        )
        return {"id": row.id, "state": row.state, "text": row.text}


@api.post("/notices/{notice_id}/approve")
def api_notice_approve(
    request: Request,
    notice_id: int,
    body: Reason,
    background: BackgroundTasks,
    actor: Actor = Depends(current_actor),
) -> dict[str, Any]:
    """Approve and issue a notice; it is sent to every chosen page at once."""
    app = ctx(request)
    with app.tx() as session:
        pub = notices.approve_notice(
            session, notice_id, actor=actor, agency=_agency(request), reason=body.reason
        )
    background.add_task(send_now, app.sessions, app.settings, pub)
    return {"id": notice_id, "publication_id": pub, "cap": f"/public/notices/{notice_id}.cap.xml"}
