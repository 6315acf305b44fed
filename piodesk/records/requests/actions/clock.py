"""Moving a request along its states, and the clock's events (pause, resume, extend)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from piodesk.core import audit
from piodesk.core.errors import Conflict, InvalidInput
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_text
from piodesk.records.requests import deadline, queries
from piodesk.records.requests.actions._common import (
    SECTION,
    T,
    _event,
    _open_request,
    _when,
)
from piodesk.records.requests.actions.letters import _write_letter
from piodesk.records.requests.deadline import Clock, ClockEvent, ClockKind
from piodesk.records.requests.model import (
    CLOSED,
    MACHINE,
    MAX_NOTE,
    STATE_LABELS,
    WAITING,
    LetterKind,
    RequestState,
)
from piodesk.records.requests.queries import Desk
from piodesk.records.requests.tables import (
    Letter,
    RecordsRequest,
)

# ---- states and the clock --------------------------------------------------------------------


def move(
    session: Session,
    desk: Desk,
    request_id: int,
    to_state: str,
    *,
    actor: Actor,
    reason: str = "",
    at: datetime | None = None,
) -> RecordsRequest:
    """Move the request along its state machine; waiting pauses the clock, coming back resumes
    it, closing it stops it (responded)."""
    request = _open_request(session, request_id, actor)
    try:
        target = RequestState(to_state)
    except ValueError:
        raise InvalidInput(f"unknown state '{to_state[:40]}'") from None
    source = RequestState(request.state)
    MACHINE.check(source, target)
    reason = clean_text("the reason", reason, max_len=MAX_NOTE)
    if target in (RequestState.DENIED, RequestState.WITHDRAWN) and not reason:
        raise InvalidInput(f"say why the request is {STATE_LABELS[target].lower()}")
    when = _when(at, desk, "the time of the change")
    c = queries.clock_of(session, desk, request)
    deadline.check_not_before_receipt(c, when, "the change")
    kind: str = "state"
    extra: list[ClockEvent] = []
    if target in CLOSED:
        kind = ClockKind.RESPONDED.value  # the response (or withdrawal) stops the clock
        extra.append(ClockEvent(ClockKind.RESPONDED, when))
    elif target in WAITING:
        deadline.check_pause(c, when)
        kind = ClockKind.PAUSED.value
        why = "payment" if target == RequestState.WAITING_PAYMENT else "clarification"
        extra.append(ClockEvent(ClockKind.PAUSED, when, None, why))
    elif source in WAITING:
        deadline.check_resume(c, when)
        kind = ClockKind.RESUMED.value
        extra.append(ClockEvent(ClockKind.RESUMED, when))
    after = queries.clock_of(session, desk, request, extra=extra)
    request.state = target.value
    note = reason or (extra[0].note if extra else "")
    _event(
        session,
        request,
        kind,
        actor,
        at=when,
        note=note,
        from_state=source.value,
        to_state=target.value,
    )
    session.flush()
    audit.record(
        session,
        actor,
        T.PAUSE if kind == ClockKind.PAUSED else T.RESUME if kind == ClockKind.RESUMED else T.STATE,
        "records_request",
        request.id,
        reason=reason or f"{STATE_LABELS[source]} → {STATE_LABELS[target]}",
        section=SECTION,
        data={
            "from": source.value,
            "to": target.value,
            "at": when.isoformat(),
            "due": after.due.isoformat() if after.due else None,
            "days_left": after.days_left,
        },
    )
    return request


def extend(
    session: Session,
    desk: Desk,
    request_id: int,
    *,
    days: int,
    finding: str,
    actor: Actor,
    at: datetime | None = None,
    extra: str = "",
) -> Letter:
    """Extend the period with a written finding of extenuating circumstances, sent to the
    requester as the extension letter (CORA: within the first 3 working days, at most 7 more,
    never for a single identified document)."""
    request = _open_request(session, request_id, actor)
    finding = clean_text("the finding", finding, max_len=MAX_NOTE)
    when = _when(at, desk, "the extension")
    cal = queries.working_calendar(session, desk.book)
    c = queries.clock_of(session, desk, request, cal)
    if RequestState(request.state) in CLOSED:
        raise Conflict("the request is closed; its clock has stopped")
    deadline.check_extension(
        c,
        when,
        days=days,
        finding=finding,
        single_document=request.single_document,
        calendar=cal,
        tz=desk.tz,
    )
    ext = ClockEvent(ClockKind.EXTENDED, when, days, finding)
    after = queries.clock_of(session, desk, request, cal, extra=[ext])
    _event(session, request, ClockKind.EXTENDED.value, actor, at=when, note=finding, days=days)
    letter = _write_letter(
        session,
        desk,
        request,
        LetterKind.EXTENSION,
        actor,
        clock_=after,
        finding=finding,
        extension_days=days,
        extra=extra,
        sent_at=when,
    )
    session.flush()
    audit.record(
        session,
        actor,
        T.EXTEND,
        "records_request",
        request.id,
        reason=finding,
        section=SECTION,
        data={
            "days": days,
            "due_before": c.due.isoformat() if c.due else None,
            "due": after.due.isoformat() if after.due else None,
            "letter": letter.id,
        },
    )
    return letter


def grounds_asked(
    session: Session, desk: Desk, request_id: int, *, actor: Actor, at: datetime | None = None
) -> RecordsRequest:
    """The requester asked for the written grounds of a denial (CCJRA: within 72 hours)."""
    request = _open_request(session, request_id, actor)
    regime = desk.book.get(request.regime)
    if not regime.denial_grounds_hours:
        raise Conflict(f"{regime.name} sets no deadline for the grounds of a denial")
    when = _when(at, desk, "the time asked")
    c = queries.clock_of(session, desk, request)
    deadline.check_not_before_receipt(c, when, "the question")
    _event(session, request, ClockKind.GROUNDS_ASKED.value, actor, at=when)
    session.flush()
    audit.record(
        session,
        actor,
        T.GROUNDS_ASKED,
        "records_request",
        request.id,
        section=SECTION,
        data={"at": when.isoformat(), "hours": regime.denial_grounds_hours},
    )
    return request


def clock_as_of(
    session: Session, desk: Desk, request_id: int, day: date, *, actor: Actor
) -> tuple[Clock, int | None]:
    """The clock and the working days left as of ``day`` (refused before the receipt)."""
    require(actor, Perm.RECORDS_REQUEST_VIEW)
    request = queries.get_request(session, request_id)
    cal = queries.working_calendar(session, desk.book)
    c = queries.clock_of(session, desk, request, cal)
    if day < c.received_at.date():
        raise InvalidInput(
            f"a due date as of {day.isoformat()} is before the request was received "
            f"({c.received_at:%Y-%m-%d})"
        )
    return c, c.working_days_left(day, cal)
