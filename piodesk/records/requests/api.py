"""The records-requests JSON API (thin: parse, act, answer). Mounted with the pages by
``routes.py``; refusals are JSON ``{"error": ...}`` (and ``fields`` for a refused intake)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from piodesk.archive.routes import _query as archive_query
from piodesk.core.errors import InvalidInput, PermissionDenied
from piodesk.core.permissions import Actor, Perm
from piodesk.records.requests import actions, queries
from piodesk.records.requests.actions import FieldErrors, Intake
from piodesk.records.requests.deadline import Clock
from piodesk.records.requests.model import (
    STATE_LABELS,
    RequestState,
)
from piodesk.records.requests.queries import Desk, number
from piodesk.records.requests.tables import RecordsRequest
from piodesk.web.context import ctx, current_actor

api = APIRouter(prefix="/api/v1/records", tags=["records requests"])


def desk(request: Request) -> Desk:
    """The regimes and time zone of this installation."""
    return Desk.from_settings(ctx(request).settings)


# ---- JSON API --------------------------------------------------------------------------------


class IntakeIn(BaseModel):
    """A request as it arrived."""

    model_config = ConfigDict(extra="forbid")
    requester_name: str = Field(default="", max_length=400)
    requester_contact: str = Field(default="", max_length=600)
    requester_organization: str = Field(default="", max_length=400)
    channel: str = Field(default="", max_length=40)
    received_at: str = Field(
        default="", max_length=60, description="YYYY-MM-DDTHH:MM local, or ISO 8601 with an offset"
    )
    text: str = Field(default="", max_length=40_000)
    scope: str = Field(default="", max_length=40_000)
    single_document: bool = False
    regime: str = Field(default="", max_length=40)
    assignee: str = Field(default="", max_length=80)


def _clock_out(c: Clock, days_left: int | None, status: str) -> dict[str, Any]:
    return {
        "regime": c.regime.key,
        "received_at": c.received_at.isoformat(),
        "counts_from": c.counts_from.isoformat(),
        "started": c.started.isoformat(),
        "first_due": c.first_due.isoformat() if c.first_due else None,
        "due": c.due.isoformat() if c.due else None,
        "extended_days": c.extended_days,
        "paused": c.paused,
        "days_left": days_left,
        "status": status,
        "responded_at": c.responded_at.isoformat() if c.responded_at else None,
        "grounds_due": c.grounds_due.isoformat() if c.grounds_due else None,
    }


def _request_out(r: RecordsRequest) -> dict[str, Any]:
    return {
        "id": r.id,
        "number": number(r),
        "state": r.state,
        "state_label": STATE_LABELS[RequestState(r.state)],
        "regime": r.regime,
        "requester_name": r.requester_name,
        "requester_contact": r.requester_contact,
        "requester_organization": r.requester_organization,
        "channel": r.channel,
        "received_at": r.received_at.isoformat(),
        "text": r.text,
        "scope": r.scope,
        "single_document": r.single_document,
        "assignee": r.assignee_name,
        "saved_search": r.saved_search,
    }


@api.get("/requests")
def api_requests(
    request: Request, state: str | None = None, actor: Actor = Depends(current_actor)
) -> list[dict[str, Any]]:
    """Requests with their derived due dates, newest first."""
    d = desk(request)
    today = d.today()
    with ctx(request).read() as session:
        return [
            {**_request_out(r), "clock": _clock_out(c, None, c.status(today))}
            for r, c in actions.list_requests(session, d, actor=actor, state=state)
        ]


@api.post("/requests", status_code=201)
def api_log_request(
    request: Request, body: IntakeIn, actor: Actor = Depends(current_actor)
) -> Response:
    """Log a request (422 with a message per field when refused; nothing is written)."""
    try:
        with ctx(request).tx() as session:
            created = actions.log_request(
                session, desk(request), Intake(**body.model_dump()), actor=actor
            )
            out = _request_out(created)
    except FieldErrors as exc:
        return JSONResponse({"error": exc.message, "fields": exc.fields}, status_code=422)
    return JSONResponse(out, status_code=201)


@api.get("/requests/{request_id}")
def api_request(
    request: Request, request_id: int, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """A request with its clock, timeline, review set, letters, fees and notes."""
    with ctx(request).read() as session:
        v = actions.open_request(session, desk(request), request_id, actor=actor)
        return {
            **_request_out(v.request),
            "clock": _clock_out(v.clock, v.days_left, v.status),
            "timeline": [
                {
                    "label": m.label,
                    "day": m.day.isoformat(),
                    "at": m.at.isoformat() if m.at else None,
                }
                for m in v.clock.timeline
            ],
            "allowed_states": [s.value for s in v.allowed],
            "review_set": [
                {
                    "item_id": e.item.id,
                    "responsive": e.decision.responsive,
                    "reason": e.decision.reason,
                    "by": e.decision.added_by_name,
                    "at": e.decision.added_at.isoformat(),
                }
                for e in v.review
            ],
            "responsive_item_ids": queries.review_set_item_ids(session, request_id),
            "letters": [
                {
                    "id": lt.id,
                    "kind": lt.kind,
                    "subject": lt.subject,
                    "body": lt.body,
                    "sent_at": lt.sent_at.isoformat(),
                    "template_version": lt.template_version,
                    "grounds": lt.grounds,
                }
                for lt in v.letters
            ],
            "fees": {
                "minutes": v.fees.minutes,
                "billable_minutes": v.fees.billable_minutes,
                "total": str(v.fees.total),
                "paid": str(v.fees.paid),
                "balance": str(v.fees.balance),
            },
            "notes": [
                {"body": n.body, "by": n.author_name, "at": n.written_at.isoformat()}
                for n in v.notes
            ],
        }


@api.get("/requests/{request_id}/clock")
def api_clock(
    request: Request, request_id: int, as_of: str = "", actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """The clock as of a day (YYYY-MM-DD; default today). A day before receipt is refused."""
    d = desk(request)
    try:
        day = date.fromisoformat(as_of) if as_of else d.today()
    except ValueError:
        raise InvalidInput("as_of is YYYY-MM-DD") from None
    with ctx(request).read() as session:
        c, left = actions.clock_as_of(session, d, request_id, day, actor=actor)
    return {**_clock_out(c, left, c.status(day)), "as_of": day.isoformat()}


class StateIn(BaseModel):
    """A move of the request's state."""

    model_config = ConfigDict(extra="forbid")
    to_state: str = Field(max_length=40)
    reason: str = Field(default="", max_length=20_000)


@api.post("/requests/{request_id}/state")
def api_move(
    request: Request, request_id: int, body: StateIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Move the request (waiting pauses the clock; closing stops it)."""
    with ctx(request).tx() as session:
        r = actions.move(
            session, desk(request), request_id, body.to_state, actor=actor, reason=body.reason
        )
        return _request_out(r)


class ExtendIn(BaseModel):
    """An extension with its written finding."""

    model_config = ConfigDict(extra="forbid")
    days: int = Field(ge=0, le=365)
    finding: str = Field(max_length=20_000)


@api.post("/requests/{request_id}/extend")
def api_extend(
    request: Request, request_id: int, body: ExtendIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Extend the period (CORA: within the first 3 working days, at most 7 more)."""
    with ctx(request).tx() as session:
        letter = actions.extend(
            session, desk(request), request_id, days=body.days, finding=body.finding, actor=actor
        )
        return {"letter": letter.id, "subject": letter.subject}


class ReviewIn(BaseModel):
    """Records to put in the review set."""

    model_config = ConfigDict(extra="forbid")
    item_ids: list[int] = Field(max_length=actions.MAX_REVIEW_BATCH)
    reason: str = Field(default="", max_length=20_000)


@api.post("/requests/{request_id}/review")
def api_review_add(
    request: Request, request_id: int, body: ReviewIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Add archive records to the review set."""
    with ctx(request).tx() as session:
        rows = actions.add_to_review(
            session, request_id, body.item_ids, actor=actor, reason=body.reason
        )
        return {"added": [r.item_id for r in rows]}


class MarkIn(BaseModel):
    """The call on one record of the review set."""

    model_config = ConfigDict(extra="forbid")
    responsive: bool | None = None
    remove: bool = False
    reason: str = Field(max_length=20_000)


@api.post("/requests/{request_id}/review/{item_id}")
def api_review_mark(
    request: Request,
    request_id: int,
    item_id: int,
    body: MarkIn,
    actor: Actor = Depends(current_actor),
) -> dict[str, Any]:
    """Responsive or not, with a reason (or out of the set)."""
    with ctx(request).tx() as session:
        row = actions.mark(
            session,
            request_id,
            item_id,
            responsive=body.responsive,
            remove=body.remove,
            reason=body.reason,
            actor=actor,
        )
        return {"item_id": row.item_id, "responsive": row.responsive, "removed": row.removed}


class SearchIn(BaseModel):
    """The request's search (archive search fields)."""

    model_config = ConfigDict(extra="forbid")
    q: str = Field(default="", max_length=500)
    page: str = Field(default="", max_length=20)
    platform: str = Field(default="", max_length=20)
    author: str = Field(default="", max_length=200)
    kind: str = Field(default="", max_length=20)
    state: str = Field(default="", max_length=20)
    date_from: str = Field(default="", max_length=10)
    date_to: str = Field(default="", max_length=10)


@api.post("/requests/{request_id}/search")
def api_search(
    request: Request, request_id: int, body: SearchIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Save the request's search and return its hits (archive item ids)."""
    values = body.model_dump()
    values["from"], values["to"] = values.pop("date_from"), values.pop("date_to")
    with ctx(request).tx() as session:
        hits = actions.save_search(session, request_id, archive_query(values), actor=actor)
        return {"item_ids": [h.item.id for h in hits]}


class LetterIn(BaseModel):
    """A letter to send."""

    model_config = ConfigDict(extra="forbid")
    kind: str = Field(max_length=40)
    grounds: list[str] = Field(default_factory=list, max_length=50)
    extra: str = Field(default="", max_length=20_000)


@api.post("/requests/{request_id}/letters", status_code=201)
def api_letter(
    request: Request, request_id: int, body: LetterIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Send a letter from the agency's template (kept as sent)."""
    with ctx(request).tx() as session:
        lt = actions.send_letter(
            session,
            desk(request),
            request_id,
            body.kind,
            actor=actor,
            grounds=body.grounds,
            extra=body.extra,
        )
        return {"id": lt.id, "subject": lt.subject, "body": lt.body}


class FeeIn(BaseModel):
    """A line of the fees log."""

    model_config = ConfigDict(extra="forbid")
    kind: str = Field(max_length=20)
    minutes: int = Field(default=0, ge=0, le=100_000)
    pages: int = Field(default=0, ge=0, le=10_000_000)
    amount: str = Field(default="", max_length=20)
    note: str = Field(default="", max_length=20_000)


@api.post("/requests/{request_id}/fees", status_code=201)
def api_fee(
    request: Request, request_id: int, body: FeeIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Add a line to the fees log."""
    with ctx(request).tx() as session:
        row = actions.add_fee(
            session,
            request_id,
            body.kind,
            actor=actor,
            minutes=body.minutes,
            pages=body.pages,
            amount=body.amount,
            note=body.note,
        )
        return {"id": row.id}


class NoteIn(BaseModel):
    """A note."""

    model_config = ConfigDict(extra="forbid")
    body: str = Field(max_length=20_000)


@api.post("/requests/{request_id}/notes", status_code=201)
def api_note(
    request: Request, request_id: int, body: NoteIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Add an internal note."""
    with ctx(request).tx() as session:
        return {"id": actions.add_note(session, request_id, body.body, actor=actor).id}


@api.get("/dashboard")
def api_dashboard(request: Request, actor: Actor = Depends(current_actor)) -> dict[str, Any]:
    """Open requests due today, this week, overdue, paused, and without a deadline."""
    d = desk(request)
    with ctx(request).read() as session:
        board = actions.dashboard(session, d, actor=actor)
        return {
            key: [
                {
                    "id": r.request.id,
                    "number": number(r.request),
                    "due": r.clock.due.isoformat() if r.clock.due else None,
                    "days_left": r.clock.days_left,
                }
                for r in rows
            ]
            for key, rows in board.items()
        }


class CalendarIn(BaseModel):
    """A change to the working calendar."""

    model_config = ConfigDict(extra="forbid")
    day: date
    change: str = Field(max_length=10, description="closed, open (a holiday worked) or library")
    reason: str = Field(max_length=20_000)


@api.get("/calendar")
def api_calendar(
    request: Request, year: int | None = None, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """The year's holidays (the library's) and the agency's changes to the calendar."""
    if not actor.can(Perm.RECORDS_REQUEST_VIEW):
        raise PermissionDenied(f"{actor.username} may not read the records calendar")
    d = desk(request)
    y = year or d.today().year
    if not 1900 <= y <= 2200:
        raise InvalidInput("the year is between 1900 and 2200")
    with ctx(request).read() as session:
        cal = queries.working_calendar(session, d.book)
        changes = queries.calendar_changes(session)
    return {
        "year": y,
        "holidays": [
            {"day": day.isoformat(), "name": name} for day, name in cal.library_holidays(y)
        ],
        "changes": [
            {"day": c.day.isoformat(), "change": c.change, "reason": c.reason, "by": c.actor_name}
            for c in sorted(changes.values(), key=lambda c: c.day)
        ],
    }


@api.post("/calendar", status_code=201)
def api_change_calendar(
    request: Request, body: CalendarIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Close a day, work a holiday, or return a day to the library's calendar."""
    with ctx(request).tx() as session:
        row = actions.change_calendar(
            session, body.day, body.change, reason=body.reason, actor=actor
        )
        return {"id": row.id, "day": row.day.isoformat(), "change": row.change}


class TemplateIn(BaseModel):
    """A new version of a letter template (Jinja2 text)."""

    model_config = ConfigDict(extra="forbid")
    subject: str = Field(max_length=600)
    body: str = Field(max_length=100_000)
    reason: str = Field(max_length=20_000)


@api.get("/templates/{kind}")
def api_template(
    request: Request, kind: str, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """The template in use for a kind of letter (version 0: piodesk's default)."""
    if not actor.can(Perm.RECORDS_REQUEST_VIEW):
        raise PermissionDenied(f"{actor.username} may not read letter templates")
    with ctx(request).read() as session:
        tpl = queries.template(session, actions.letter_kind(kind))
    return {
        "kind": tpl.kind.value,
        "version": tpl.version,
        "subject": tpl.subject,
        "body": tpl.body,
    }


@api.post("/templates/{kind}", status_code=201)
def api_save_template(
    request: Request, kind: str, body: TemplateIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Save a new version of a template (refused when it cannot render)."""
    with ctx(request).tx() as session:
        row = actions.save_template(
            session, kind, subject=body.subject, body=body.body, reason=body.reason, actor=actor
        )
        return {"kind": row.kind, "version": row.version}
