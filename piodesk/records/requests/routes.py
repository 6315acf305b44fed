"""The records custodian's request pages and the requests API (thin: parse, act, render).

A form that is refused comes back with the message beside the field (or the form) it concerns
and everything typed still in it; nothing was written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from piodesk.archive.model import ItemState
from piodesk.archive.routes import _query as archive_query
from piodesk.archive.search import Hit, SearchQuery
from piodesk.connectors.model import ItemKind
from piodesk.core import clock
from piodesk.core.errors import DomainError, InvalidInput, PermissionDenied
from piodesk.core.permissions import Actor, Perm
from piodesk.pages.tables import Page
from piodesk.records.requests import actions, letters, queries
from piodesk.records.requests.actions import FieldErrors, Intake
from piodesk.records.requests.api import api
from piodesk.records.requests.deadline import CLOCK_LABELS
from piodesk.records.requests.model import (
    CHANNEL_LABELS,
    FEE_LABELS,
    LETTER_LABELS,
    STATE_LABELS,
)
from piodesk.records.requests.queries import Desk, number
from piodesk.web.context import authenticate, check_csrf, ctx, render

router = APIRouter(include_in_schema=False)
__all__ = ["api", "router"]  # the app mounts both; the JSON API itself is api.py

BASE = "/records/requests"
EVENT_LABELS = {
    "state": "State changed",
    "assign": "Assigned",
    "search": "Search saved",
    **{k.value: v for k, v in CLOCK_LABELS.items()},
}


def desk(request: Request) -> Desk:
    """The regimes and time zone of this installation."""
    return Desk.from_settings(ctx(request).settings)


def _common(d: Desk) -> dict[str, Any]:
    return {
        "state_labels": {s.value: label for s, label in STATE_LABELS.items()},
        "channels": {c.value: label for c, label in CHANNEL_LABELS.items()},
        "letter_labels": {k.value: label for k, label in LETTER_LABELS.items()},
        "fee_labels": {k.value: label for k, label in FEE_LABELS.items()},
        "event_labels": EVENT_LABELS,
        "regimes": d.book.regimes,
        "tz": d.tz,
        "today": d.today(),
        "number": number,
    }


def _str(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def _int(value: str, label: str) -> int:
    try:
        return int(value.strip() or 0)
    except ValueError:
        raise InvalidInput(f"{label} is a whole number") from None


# ---- list, dashboard and intake --------------------------------------------------------------


@router.get("/records/requests", response_class=HTMLResponse)
def requests_page(request: Request, state: str | None = None) -> HTMLResponse:
    """Open-records requests: what is due today, this week, overdue; then every request."""
    actor = authenticate(request).actor
    d = desk(request)
    with ctx(request).read() as session:
        board = actions.dashboard(session, d, actor=actor)
        rows = actions.list_requests(session, d, actor=actor, state=state or None)
    return render(
        request,
        "records/requests.html",
        {**_common(d), "board": board, "rows": rows, "state": state or ""},
    )


def _intake_form(
    request: Request, values: Mapping[str, Any], errors: Mapping[str, str], status: int = 200
) -> HTMLResponse:
    d = desk(request)
    with ctx(request).read() as session:
        people = queries.assignable(session)
    return render(
        request,
        "records/new.html",
        {
            **_common(d),
            "values": values,
            "errors": errors,
            "default_regime": d.book.default,
            "people": people,
        },
        status=status,
    )


@router.get("/records/requests/new", response_class=HTMLResponse)
def new_request_page(request: Request) -> HTMLResponse:
    """The intake form."""
    actor = authenticate(request).actor
    if not actor.can(Perm.RECORDS_REQUEST_MANAGE):
        raise PermissionDenied(f"{actor.username} may not log records requests")
    now = clock.now().astimezone(desk(request).tz)
    return _intake_form(request, {"received_at": now.strftime("%Y-%m-%dT%H:%M")}, {})


@router.post("/records/requests", dependencies=[Depends(check_csrf)])
async def log_request(request: Request) -> Response:
    """Log a request from the intake form."""
    actor = authenticate(request).actor
    form = await request.form()
    values = {k: _str(form, k) for k in Intake.__dataclass_fields__ if k != "single_document"}
    intake = Intake(**values, single_document=form.get("single_document") == "on")
    try:
        with ctx(request).tx() as session:
            created = actions.log_request(session, desk(request), intake, actor=actor)
    except FieldErrors as exc:
        typed = {**values, "single_document": intake.single_document}
        return _intake_form(request, typed, exc.fields, status=422)
    return RedirectResponse(f"{BASE}/{created.id}", status_code=303)


# ---- the request page ------------------------------------------------------------------------


def _request_page(
    request: Request,
    request_id: int,
    *,
    errors: Mapping[str, str] | None = None,
    typed: Mapping[str, Any] | None = None,
    status: int = 200,
    preview: tuple[str, str] | None = None,
) -> HTMLResponse:
    actor = authenticate(request).actor
    d = desk(request)
    with ctx(request).read() as session:
        view = actions.open_request(session, d, request_id, actor=actor)
        query: SearchQuery | None = None
        hits: list[Hit] = []
        if view.request.saved_search and actor.can(Perm.ARCHIVE_VIEW):
            query, hits = actions.run_saved_search(session, request_id, actor=actor)
        in_set = {e.item.id for e in view.review}
        people = queries.assignable(session)
        pages = session.query(Page).order_by(Page.name).all()
    regime = d.book.get(view.request.regime)
    search_values: dict[str, Any] = dict(typed or {})
    if not search_values and query is not None:
        search_values = {
            "q": query.q,
            "page": str(query.page_id or ""),
            "kind": query.kind or "",
            "state": query.state or "",
            "author": query.author or "",
            "from": query.date_from.strftime("%Y-%m-%d") if query.date_from else "",
            "to": query.date_to.strftime("%Y-%m-%d") if query.date_to else "",
        }
    return render(
        request,
        "records/request.html",
        {
            **_common(d),
            "v": view,
            "r": view.request,
            "regime": regime,
            "hits": hits,
            "query": query,
            "in_set": in_set,
            "people": people,
            "pages": pages,
            "kinds": [k.value for k in ItemKind],
            "item_states": [s.value for s in ItemState],
            "errors": errors or {},
            "typed": typed or {},
            "search_values": search_values,
            "can_manage": actor.can(Perm.RECORDS_REQUEST_MANAGE),
            "responsive_count": sum(1 for e in view.review if e.decision.responsive),
            "preview": preview,
        },
        status=status,
    )


@router.get("/records/requests/{request_id}", response_class=HTMLResponse)
def request_page(request: Request, request_id: int) -> HTMLResponse:
    """A request: its clock and timeline, search and review set, letters, fees and notes."""
    return _request_page(request, request_id)


async def _post(request: Request, request_id: int, form_name: str, act: Any) -> Response:
    """Run ``act(session, form, actor, desk)`` in one transaction; a refusal re-renders the
    page with the message beside ``form_name``'s form and the typed values kept."""
    actor = authenticate(request).actor
    form = await request.form()
    d = desk(request)
    try:
        with ctx(request).tx() as session:
            anchor = act(session, form, actor, d)
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise
        typed: dict[str, Any] = {k: _str(form, k) for k in form if k != "csrf_token"}
        typed["_lists"] = {k: [str(x) for x in form.getlist(k)] for k in form}
        return _request_page(
            request, request_id, errors={form_name: exc.message}, typed=typed, status=422
        )
    return RedirectResponse(f"{BASE}/{request_id}#{anchor or form_name}", status_code=303)


@router.post("/records/requests/{request_id}/state", dependencies=[Depends(check_csrf)])
async def move_request(request: Request, request_id: int) -> Response:
    """Move the request to another state (waiting pauses the clock; closing stops it)."""

    def act(session: Any, form: Any, actor: Actor, d: Desk) -> str:
        actions.move(
            session, d, request_id, _str(form, "to_state"), actor=actor, reason=_str(form, "reason")
        )
        return "clock"

    return await _post(request, request_id, "state", act)


@router.post("/records/requests/{request_id}/extend", dependencies=[Depends(check_csrf)])
async def extend_request(request: Request, request_id: int) -> Response:
    """Extend the period with a written finding (sent as the extension letter)."""

    def act(session: Any, form: Any, actor: Actor, d: Desk) -> str:
        actions.extend(
            session,
            d,
            request_id,
            days=_int(_str(form, "days"), "days"),
            finding=_str(form, "finding"),
            actor=actor,
            extra=_str(form, "extra"),
        )
        return "letters"

    return await _post(request, request_id, "extend", act)


@router.post("/records/requests/{request_id}/assign", dependencies=[Depends(check_csrf)])
async def assign_request(request: Request, request_id: int) -> Response:
    """Give the request to a records custodian."""

    def act(session: Any, form: Any, actor: Actor, d: Desk) -> str:
        actions.assign(
            session, request_id, _str(form, "assignee"), actor=actor, reason=_str(form, "reason")
        )
        return "summary"

    return await _post(request, request_id, "assign", act)


@router.post("/records/requests/{request_id}/grounds", dependencies=[Depends(check_csrf)])
async def grounds_request(request: Request, request_id: int) -> Response:
    """The requester asked for the written grounds of a denial."""

    def act(session: Any, form: Any, actor: Actor, d: Desk) -> str:
        actions.grounds_asked(session, d, request_id, actor=actor)
        return "clock"

    return await _post(request, request_id, "grounds", act)


@router.post("/records/requests/{request_id}/search", dependencies=[Depends(check_csrf)])
async def search_for_request(request: Request, request_id: int) -> Response:
    """Save the request's search; its results are listed to build the review set."""

    def act(session: Any, form: Any, actor: Actor, d: Desk) -> str:
        query = archive_query({k: _str(form, k) for k in form if k != "csrf_token"})
        actions.save_search(session, request_id, query, actor=actor)
        return "search"

    return await _post(request, request_id, "search", act)


@router.post("/records/requests/{request_id}/review", dependencies=[Depends(check_csrf)])
async def add_to_review(request: Request, request_id: int) -> Response:
    """Put the chosen search results into the review set."""

    def act(session: Any, form: Any, actor: Actor, d: Desk) -> str:
        ids = [_int(str(v), "a record") for v in form.getlist("item")]
        actions.add_to_review(session, request_id, ids, actor=actor, reason=_str(form, "reason"))
        return "review"

    return await _post(request, request_id, "review", act)


@router.post("/records/requests/{request_id}/review/{item_id}", dependencies=[Depends(check_csrf)])
async def mark_review_item(request: Request, request_id: int, item_id: int) -> Response:
    """Responsive or not, with a reason (or out of the set)."""

    def act(session: Any, form: Any, actor: Actor, d: Desk) -> str:
        call = _str(form, "call")
        if call not in ("responsive", "not_responsive", "remove"):
            raise InvalidInput("choose responsive, not responsive or remove")
        actions.mark(
            session,
            request_id,
            item_id,
            responsive=call == "responsive",
            remove=call == "remove",
            reason=_str(form, "reason"),
            actor=actor,
        )
        return f"item-{item_id}"

    return await _post(request, request_id, f"mark-{item_id}", act)


@router.post("/records/requests/{request_id}/letters", dependencies=[Depends(check_csrf)])
async def send_letter(request: Request, request_id: int) -> Response:
    """Send a letter from the agency's template; it is kept as sent."""

    def act(session: Any, form: Any, actor: Actor, d: Desk) -> str:
        actions.send_letter(
            session,
            d,
            request_id,
            _str(form, "kind"),
            actor=actor,
            grounds=[str(g) for g in form.getlist("grounds")],
            extra=_str(form, "extra"),
        )
        return "letters"

    return await _post(request, request_id, "letter", act)


@router.post("/records/requests/{request_id}/letters/preview", dependencies=[Depends(check_csrf)])
async def preview_letter(request: Request, request_id: int) -> Response:
    """The letter as it would be sent, shown above the form (nothing is written)."""
    actor = authenticate(request).actor
    form = await request.form()
    typed: dict[str, Any] = {k: _str(form, k) for k in form if k != "csrf_token"}
    typed["_lists"] = {k: [str(x) for x in form.getlist(k)] for k in form}
    try:
        with ctx(request).read() as session:
            shown = actions.preview_letter(
                session,
                desk(request),
                request_id,
                _str(form, "kind"),
                actor=actor,
                grounds=[str(g) for g in form.getlist("grounds")],
                extra=_str(form, "extra"),
            )
    except InvalidInput as exc:
        return _request_page(
            request, request_id, errors={"letter": exc.message}, typed=typed, status=422
        )
    return _request_page(request, request_id, typed={**typed, "_keep": "letter"}, preview=shown)


@router.post("/records/requests/{request_id}/fees", dependencies=[Depends(check_csrf)])
async def add_fee(request: Request, request_id: int) -> Response:
    """A line of the fees log."""

    def act(session: Any, form: Any, actor: Actor, d: Desk) -> str:
        actions.add_fee(
            session,
            request_id,
            _str(form, "kind"),
            actor=actor,
            minutes=_int(_str(form, "minutes"), "minutes"),
            pages=_int(_str(form, "pages"), "pages"),
            amount=_str(form, "amount"),
            note=_str(form, "note"),
        )
        return "fees"

    return await _post(request, request_id, "fee", act)


@router.post("/records/requests/{request_id}/notes", dependencies=[Depends(check_csrf)])
async def add_note(request: Request, request_id: int) -> Response:
    """An internal note."""

    def act(session: Any, form: Any, actor: Actor, d: Desk) -> str:
        actions.add_note(session, request_id, _str(form, "body"), actor=actor)
        return "notes"

    return await _post(request, request_id, "note", act)


# ---- templates and the calendar --------------------------------------------------------------


@router.get("/records/templates", response_class=HTMLResponse)
def templates_page(request: Request, kind: str = "acknowledgement") -> HTMLResponse:
    """The agency's letter templates (each save is a new version)."""
    actor = authenticate(request).actor
    if not actor.can(Perm.RECORDS_REQUEST_VIEW):
        raise PermissionDenied(f"{actor.username} may not read letter templates")
    d = desk(request)
    k = actions.letter_kind(kind)
    with ctx(request).read() as session:
        tpl = queries.template(session, k)
    return render(
        request, "records/templates.html", {**_common(d), "kind": k.value, "tpl": tpl, "errors": {}}
    )


@router.post("/records/templates/{kind}", dependencies=[Depends(check_csrf)])
async def save_template(request: Request, kind: str) -> Response:
    """Save a new version of a template (refused if it cannot render)."""
    actor = authenticate(request).actor
    form = await request.form()
    try:
        with ctx(request).tx() as session:
            actions.save_template(
                session,
                kind,
                subject=_str(form, "subject"),
                body=_str(form, "body"),
                reason=_str(form, "reason"),
                actor=actor,
            )
    except InvalidInput as exc:
        d = desk(request)
        k = actions.letter_kind(kind)
        typed = letters.Template(k, _str(form, "subject"), _str(form, "body"), -1)
        return render(
            request,
            "records/templates.html",
            {
                **_common(d),
                "kind": k.value,
                "tpl": typed,
                "reason": _str(form, "reason"),
                "errors": {"template": exc.message},
            },
            status=422,
        )
    return RedirectResponse(f"/records/templates?kind={kind}", status_code=303)


@router.get("/records/calendar", response_class=HTMLResponse)
def calendar_page(request: Request, year: int | None = None) -> HTMLResponse:
    """The working calendar: the library's holidays and the agency's changes."""
    actor = authenticate(request).actor
    if not actor.can(Perm.RECORDS_REQUEST_VIEW):
        raise PermissionDenied(f"{actor.username} may not read the records calendar")
    d = desk(request)
    y = year or d.today().year
    with ctx(request).read() as session:
        cal = queries.working_calendar(session, d.book)
        changes = queries.calendar_changes(session)
    return render(
        request,
        "records/calendar.html",
        {
            **_common(d),
            "year": y,
            "holidays": cal.library_holidays(y),
            "changes": sorted(changes.values(), key=lambda c: c.day),
            "errors": {},
            "typed": {},
        },
    )


@router.post("/records/calendar", dependencies=[Depends(check_csrf)])
async def change_calendar(request: Request) -> Response:
    """Close a day, work a holiday, or return a day to the library's calendar."""
    actor = authenticate(request).actor
    form = await request.form()
    try:
        try:
            day = date.fromisoformat(_str(form, "day"))
        except ValueError:
            raise InvalidInput("the day is YYYY-MM-DD") from None
        with ctx(request).tx() as session:
            actions.change_calendar(
                session, day, _str(form, "change"), reason=_str(form, "reason"), actor=actor
            )
    except InvalidInput as exc:
        d = desk(request)
        y = d.today().year
        with ctx(request).read() as session:
            cal = queries.working_calendar(session, d.book)
            changes = queries.calendar_changes(session)
        return render(
            request,
            "records/calendar.html",
            {
                **_common(d),
                "year": y,
                "holidays": cal.library_holidays(y),
                "changes": sorted(changes.values(), key=lambda c: c.day),
                "errors": {"calendar": exc.message},
                "typed": {k: _str(form, k) for k in form},
            },
            status=422,
        )
    return RedirectResponse("/records/calendar", status_code=303)
