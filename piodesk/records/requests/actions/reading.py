"""Reading a request, the list and the dashboard (with permission)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from piodesk.core.errors import InvalidInput
from piodesk.core.permissions import Actor, Perm, require
from piodesk.records.requests import deadline, queries
from piodesk.records.requests.deadline import Clock
from piodesk.records.requests.model import (
    MACHINE,
    RequestState,
)
from piodesk.records.requests.queries import Desk
from piodesk.records.requests.tables import (
    FeeEntry,
    Letter,
    RecordsRequest,
    RequestEvent,
    RequestNote,
)

# ---- reading (with permission) ---------------------------------------------------------------


@dataclass(frozen=True)
class RequestView:
    """Everything the request page shows."""

    request: RecordsRequest
    clock: Clock
    days_left: int | None
    status: str
    events: list[RequestEvent]
    notes: list[RequestNote]
    review: list[queries.ReviewEntry]
    letters: list[Letter]
    fee_entries: list[FeeEntry]
    fees: deadline.Fees
    allowed: list[RequestState]


def open_request(session: Session, desk: Desk, request_id: int, *, actor: Actor) -> RequestView:
    """A request with its clock, timeline, review set, letters, fees and notes."""
    require(actor, Perm.RECORDS_REQUEST_VIEW)
    request = queries.get_request(session, request_id)
    cal = queries.working_calendar(session, desk.book)
    c = queries.clock_of(session, desk, request, cal)
    today = desk.today()
    return RequestView(
        request=request,
        clock=c,
        days_left=c.working_days_left(today, cal),
        status=c.status(today),
        events=queries.events(session, request.id),
        notes=queries.notes(session, request.id),
        review=queries.review_set(session, request.id),
        letters=queries.letters(session, request.id),
        fee_entries=queries.fee_entries(session, request.id),
        fees=queries.fees_of(session, desk, request),
        allowed=sorted(MACHINE.allowed(RequestState(request.state)), key=list(RequestState).index),
    )


def list_requests(
    session: Session, desk: Desk, *, actor: Actor, state: str | None = None
) -> list[tuple[RecordsRequest, Clock]]:
    """Requests with their clocks, newest first."""
    require(actor, Perm.RECORDS_REQUEST_VIEW)
    if state and state not in {s.value for s in RequestState}:
        raise InvalidInput(f"unknown state '{state[:40]}'")
    return queries.clocks(session, desk, queries.list_requests(session, state=state))


def dashboard(
    session: Session, desk: Desk, *, actor: Actor, today: date | None = None
) -> dict[str, list[queries.DueRow]]:
    """Open requests due today, this week, overdue (and paused, and without a deadline)."""
    require(actor, Perm.RECORDS_REQUEST_VIEW)
    return queries.dashboard(session, desk, today)
