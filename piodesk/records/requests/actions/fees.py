"""The fees log and the working calendar."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from piodesk.core import audit, clock
from piodesk.core.errors import InvalidInput
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_text
from piodesk.records.requests.actions._common import (
    SECTION,
    T,
    _actor_id,
    _open_request,
)
from piodesk.records.requests.model import (
    MAX_NOTE,
    FeeKind,
)
from piodesk.records.requests.tables import (
    CalendarDay,
    FeeEntry,
)

# ---- fees ------------------------------------------------------------------------------------


def _cents(value: str) -> int:
    try:
        amount = Decimal(value.strip().lstrip("$") or "0")
    except InvalidOperation:
        raise InvalidInput(f"'{value[:20]}' is not an amount of dollars") from None
    if amount < 0 or amount > Decimal("1000000"):
        raise InvalidInput("amounts are between $0 and $1,000,000")
    return int((amount * 100).to_integral_value())


def add_fee(
    session: Session,
    request_id: int,
    kind: str,
    *,
    actor: Actor,
    minutes: int = 0,
    pages: int = 0,
    amount: str = "",
    note: str = "",
) -> FeeEntry:
    """A line of the fees log: time spent (minutes), paper copies (pages), a payment or a
    waiver (dollars)."""
    request = _open_request(session, request_id, actor)
    try:
        k = FeeKind(kind)
    except ValueError:
        raise InvalidInput(f"unknown kind of fee entry '{kind[:40]}'") from None
    if not (0 <= minutes <= 100_000 and 0 <= pages <= 10_000_000):
        raise InvalidInput("minutes and pages are whole numbers, not negative")
    if k == FeeKind.TIME and minutes <= 0:
        raise InvalidInput("say how many minutes were spent")
    if k == FeeKind.COPIES and pages <= 0:
        raise InvalidInput("say how many pages were copied")
    cents = _cents(amount) if k in (FeeKind.PAYMENT, FeeKind.WAIVER) else 0
    if k in (FeeKind.PAYMENT, FeeKind.WAIVER) and cents <= 0:
        raise InvalidInput("say the amount")
    text = clean_text("the note", note, max_len=MAX_NOTE)
    row = FeeEntry(
        request_id=request.id,
        kind=k.value,
        minutes=minutes if k == FeeKind.TIME else 0,
        pages=pages if k == FeeKind.COPIES else 0,
        amount_cents=cents,
        note=text,
        actor_id=_actor_id(actor),
        actor_name=actor.display_name,
        entered_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        T.FEE,
        "records_request",
        request.id,
        reason=text,
        section=SECTION,
        data={
            "entry": row.id,
            "kind": k.value,
            "minutes": row.minutes,
            "pages": row.pages,
            "cents": cents,
        },
    )
    return row


# ---- the working calendar --------------------------------------------------------------------


def change_calendar(
    session: Session, day: date, change: str, *, reason: str, actor: Actor
) -> CalendarDay:
    """Close a day (an agency closure), work a listed holiday, or return a day to the library's
    calendar. Every open request's due date follows at once (they are derived)."""
    require(actor, Perm.RECORDS_REQUEST_MANAGE)
    if change not in ("closed", "open", "library"):
        raise InvalidInput("a calendar change is closed, open or library")
    reason = clean_text("the reason", reason, max_len=MAX_NOTE, required=True)
    row = CalendarDay(
        day=day,
        change=change,
        reason=reason,
        actor_id=_actor_id(actor),
        actor_name=actor.display_name,
        changed_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        T.CALENDAR,
        "calendar_day",
        day.isoformat(),
        reason=reason,
        section=SECTION,
        data={"change": change},
    )
    return row
