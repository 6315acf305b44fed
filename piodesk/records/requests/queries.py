"""Reads of records requests: the clock derived from a request's events, its review set, fees,
letters and notes, and the dashboard. No permission checks here (actions.py checks them);
other capabilities call :func:`review_set_item_ids` for a production's scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from piodesk.archive.tables import ArchiveItem, ArchiveVersion
from piodesk.core import clock as core_clock
from piodesk.core.errors import NotFound
from piodesk.records.requests import deadline, regimes
from piodesk.records.requests.deadline import Clock, ClockEvent, ClockKind, Fees, WorkingCalendar
from piodesk.records.requests.letters import Template, default_template
from piodesk.records.requests.model import CLOSED, FeeKind, LetterKind
from piodesk.records.requests.regimes import RegimeBook
from piodesk.records.requests.tables import (
    CalendarDay,
    FeeEntry,
    Letter,
    LetterTemplate,
    RecordsRequest,
    RequestEvent,
    RequestNote,
    ReviewItem,
)


@dataclass(frozen=True)
class Desk:
    """What request work needs besides the database: the regimes and the agency's time zone."""

    book: RegimeBook
    tz: ZoneInfo
    agency: str = "the agency"  # the name letters are signed with

    @classmethod
    def from_settings(cls, settings: object) -> Desk:
        """From piodesk's settings (``agency_time_zone``, ``records_regimes_file``)."""
        path: Path | None = getattr(settings, "records_regimes_file", None)
        tz = str(getattr(settings, "agency_time_zone", "America/Denver"))
        agency = str(getattr(settings, "agency_name", "the agency"))
        return cls(regimes.load(path), ZoneInfo(tz), agency)

    def today(self) -> date:
        """Today in the agency's time zone."""
        return core_clock.now().astimezone(self.tz).date()


def number(request: RecordsRequest) -> str:
    """How people refer to a request: R-<year received>-<id>."""
    return f"R-{request.received_at.year}-{request.id}"


def get_request(session: Session, request_id: int) -> RecordsRequest:
    """The request, or NotFound."""
    request = session.get(RecordsRequest, request_id)
    if request is None:
        raise NotFound(f"no records request {request_id}")
    return request


def list_requests(session: Session, *, state: str | None = None) -> list[RecordsRequest]:
    """Requests, newest first."""
    stmt = select(RecordsRequest).order_by(RecordsRequest.received_at.desc())
    if state:
        stmt = stmt.where(RecordsRequest.state == state)
    return list(session.execute(stmt).scalars())


def assignable(session: Session) -> list[tuple[str, str]]:
    """(username, name) of the active accounts that may work requests, by name."""
    from piodesk.core.permissions import GRANTS, Perm
    from piodesk.people.tables import Account, AccountRole

    roles = [r.value for r, perms in GRANTS.items() if Perm.RECORDS_REQUEST_MANAGE in perms]
    rows = session.execute(
        select(Account.username, Account.display_name)
        .join(AccountRole, AccountRole.account_id == Account.id)
        .where(AccountRole.role.in_(roles), Account.active.is_(True))
        .distinct()
        .order_by(Account.display_name)
    ).all()
    return [(u, n) for u, n in rows]


# ---- the calendar and the clock --------------------------------------------------------------


def calendar_changes(session: Session) -> dict[date, CalendarDay]:
    """The agency's latest change per day."""
    rows = session.execute(select(CalendarDay).order_by(CalendarDay.id)).scalars()
    latest: dict[date, CalendarDay] = {}
    for row in rows:
        latest[row.day] = row
    return latest


def working_calendar(session: Session, book: RegimeBook) -> WorkingCalendar:
    """The library's calendar with the agency's closures and worked holidays."""
    changes = calendar_changes(session)
    return WorkingCalendar(
        country=book.country,
        subdiv=book.subdiv,
        closed=[d for d, r in changes.items() if r.change == "closed"],
        open_days=[d for d, r in changes.items() if r.change == "open"],
    )


def events(session: Session, request_id: int) -> list[RequestEvent]:
    """A request's events, in the order they happened."""
    return list(
        session.execute(
            select(RequestEvent)
            .where(RequestEvent.request_id == request_id)
            .order_by(RequestEvent.at, RequestEvent.id)
        ).scalars()
    )


CLOCK_KINDS = {k.value for k in ClockKind}
_CLOSED_STATES = {s.value for s in CLOSED}


def clock_events(rows: Sequence[RequestEvent]) -> list[ClockEvent]:
    """The clock's events among a request's events."""
    return [
        ClockEvent(ClockKind(r.kind), core_clock.as_utc(r.at), r.days, r.note)
        for r in rows
        if r.kind in CLOCK_KINDS
    ]


def events_by_request(session: Session, ids: Sequence[int]) -> dict[int, list[RequestEvent]]:
    """The events of many requests at once (one query per thousand requests)."""
    out: dict[int, list[RequestEvent]] = {i: [] for i in ids}
    for start in range(0, len(ids), 1000):
        chunk = list(ids[start : start + 1000])
        rows = session.execute(
            select(RequestEvent)
            .where(RequestEvent.request_id.in_(chunk))
            .order_by(RequestEvent.at, RequestEvent.id)
        ).scalars()
        for row in rows:
            out[row.request_id].append(row)
    return out


def clock_of(
    session: Session,
    desk: Desk,
    request: RecordsRequest,
    calendar: WorkingCalendar | None = None,
    extra: Sequence[ClockEvent] = (),
    rows: Sequence[RequestEvent] | None = None,
) -> Clock:
    """The request's clock, derived from its events (and ``extra`` ones not yet written)."""
    cal = calendar or working_calendar(session, desk.book)
    stored = rows if rows is not None else events(session, request.id)
    evs = sorted([*clock_events(stored), *extra], key=lambda e: e.at)
    return deadline.compute(desk.book.get(request.regime), cal, evs, desk.tz)


def clocks(
    session: Session, desk: Desk, requests: Sequence[RecordsRequest]
) -> list[tuple[RecordsRequest, Clock]]:
    """Each request with its clock (the events read in bulk)."""
    cal = working_calendar(session, desk.book)
    by_id = events_by_request(session, [r.id for r in requests])
    return [(r, clock_of(session, desk, r, cal, rows=by_id[r.id])) for r in requests]


# ---- the review set --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewEntry:
    """A record in the review set with the latest call on it."""

    item: ArchiveItem
    decision: ReviewItem
    added: ReviewItem  # the row that first put it in the set
    text: str | None = None  # the record's latest text


def review_set(session: Session, request_id: int) -> list[ReviewEntry]:
    """The request's review set: each record once, with its latest call, in the order added."""
    rows = session.execute(
        select(ReviewItem).where(ReviewItem.request_id == request_id).order_by(ReviewItem.id)
    ).scalars()
    first: dict[int, ReviewItem] = {}
    latest: dict[int, ReviewItem] = {}
    for row in rows:
        first.setdefault(row.item_id, row)
        latest[row.item_id] = row
        if row.removed:
            first.pop(row.item_id, None)
    keep = [i for i, r in latest.items() if not r.removed]
    items = {
        i.id: i
        for i in session.execute(select(ArchiveItem).where(ArchiveItem.id.in_(keep))).scalars()
    }
    texts = dict(
        session.execute(
            select(ArchiveVersion.item_id, ArchiveVersion.text)
            .join(ArchiveItem, ArchiveItem.id == ArchiveVersion.item_id)
            .where(ArchiveVersion.item_id.in_(keep))
            .where(ArchiveVersion.version == ArchiveItem.head_version)
        ).all()
    )
    entries = [ReviewEntry(items[i], latest[i], first[i], texts.get(i)) for i in keep if i in items]
    return sorted(entries, key=lambda e: e.added.id)


def review_set_item_ids(session: Session, request_id: int) -> list[int]:
    """The archive item ids the custodian marked responsive for ``request_id`` (latest call
    per record), in the order they were added: a production's scope for the request."""
    return [e.item.id for e in review_set(session, request_id) if e.decision.responsive is True]


# ---- fees, letters, notes, templates ---------------------------------------------------------


def fee_entries(session: Session, request_id: int) -> list[FeeEntry]:
    """The fees log, oldest first."""
    return list(
        session.execute(
            select(FeeEntry).where(FeeEntry.request_id == request_id).order_by(FeeEntry.id)
        ).scalars()
    )


def fees_of(session: Session, desk: Desk, request: RecordsRequest) -> Fees:
    """What the request costs, from its log and its regime's fee rules."""
    rows = fee_entries(session, request.id)
    cents = Decimal("0.01")
    return deadline.fees(
        desk.book.get(request.regime).fees,
        minutes=sum(r.minutes for r in rows if r.kind == FeeKind.TIME),
        copy_pages=sum(r.pages for r in rows if r.kind == FeeKind.COPIES),
        waived=sum((r.amount_cents * cents for r in rows if r.kind == FeeKind.WAIVER), Decimal()),
        paid=sum((r.amount_cents * cents for r in rows if r.kind == FeeKind.PAYMENT), Decimal()),
    )


def letters(session: Session, request_id: int) -> list[Letter]:
    """Letters sent, oldest first."""
    return list(
        session.execute(
            select(Letter).where(Letter.request_id == request_id).order_by(Letter.id)
        ).scalars()
    )


def notes(session: Session, request_id: int) -> list[RequestNote]:
    """Notes, oldest first."""
    return list(
        session.execute(
            select(RequestNote).where(RequestNote.request_id == request_id).order_by(RequestNote.id)
        ).scalars()
    )


def template(session: Session, kind: LetterKind) -> Template:
    """The agency's latest template for ``kind``, or piodesk's default."""
    row = session.execute(
        select(LetterTemplate)
        .where(LetterTemplate.kind == kind.value)
        .order_by(LetterTemplate.version.desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None:
        return default_template(kind)
    return Template(kind, row.subject, row.body, row.version)


def template_versions(session: Session, kind: LetterKind) -> int:
    """How many versions the agency saved of ``kind``'s template."""
    count = session.execute(
        select(func.count()).select_from(LetterTemplate).where(LetterTemplate.kind == kind.value)
    ).scalar_one()
    return int(count)


# ---- the dashboard ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DueRow:
    """An open request on the dashboard."""

    request: RecordsRequest
    clock: Clock
    bucket: str | None


def dashboard(session: Session, desk: Desk, today: date | None = None) -> dict[str, list[DueRow]]:
    """Open requests due today, later this week, overdue, paused and without a deadline."""
    day = today or desk.today()
    out: dict[str, list[DueRow]] = {
        "overdue": [],
        "today": [],
        "week": [],
        "later": [],
        "paused": [],
        "no_deadline": [],
    }
    open_ones = [r for r in list_requests(session) if r.state not in _CLOSED_STATES]
    for request, clock in clocks(session, desk, open_ones):
        if not clock.open:
            continue
        b = deadline.bucket(clock, day)
        key = b or ("paused" if clock.paused else "no_deadline" if clock.due is None else "later")
        out[key].append(DueRow(request, clock, b))
    for rows in out.values():
        rows.sort(key=lambda r: (r.clock.due or date.max, r.request.id))
    return out
