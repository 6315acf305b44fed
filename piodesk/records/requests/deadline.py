"""The clock of a records request: working days, the regime's rules, and due dates derived
from the request's events (received, extended with a finding, paused, resumed, responded).

Pure: no web, no storage. Nothing here stores a due date; every date is computed again from the
events, the regime (``regimes.yaml``) and the agency's working calendar, so a corrected holiday
moves every open request's due date with it.

How days are counted (CORA, C.R.S. 24-72-203(3)(b) with C.R.S. 2-4-108):

* The day a request **counts as received** is the local date it arrived, unless it arrived after
  the regime's cut-off hour (default 5:00 pm local, the close of business: NextRequest's rule,
  "submitted at or before 5:00:59 PM" is that day) — then it counts as received on the next
  working day. The cut-off is per regime and agency-editable; an agency that closes its records
  desk at 4:00 pm sets ``cutoff: "16:00"``. A request arriving on a weekend or holiday counts as
  received on the next working day too (``closed_day_receipt: next_working_day``, the default,
  the rule agencies publish beside their cut-off); ``that_day`` reads C.R.S. 2-4-108 literally:
  the Saturday of receipt is excluded and day 1 is the Monday.
* The period runs from the **first working day after** that day: day 1 is the next working day,
  and the response is due by the end of day N (N = 3 for CORA).
* An extension (CORA: up to 7 more working days) is counted on from the current due date and is
  allowed only with a written finding filed within the first N working days, never for a single,
  specifically identified document, and once.
* While the request waits for the requester (clarification or payment) the clock is paused: the
  working days left after the pause's day are kept, and on resuming the due date is that many
  working days after the day the answer counts as received (the same cut-off applies).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

import holidays

from piodesk.core.errors import Conflict, InvalidInput

# ---- the regime (configuration, see regimes.yaml) --------------------------------------------


@dataclass(frozen=True)
class FeeRules:
    """What a regime lets the agency charge."""

    free_minutes: int = 60
    hourly_rate: Decimal = Decimal("0")
    rate_since: date | None = None
    digital_page: Decimal = Decimal("0")
    copy_page: Decimal = Decimal("0")
    citation: str = ""


@dataclass(frozen=True)
class Exemption:
    """A ground for withholding a record, as the regime names it."""

    key: str
    label: str
    citation: str = ""


@dataclass(frozen=True)
class Regime:
    """One law's clock and fees. ``response_days`` None: the law sets no general deadline."""

    key: str
    name: str
    citation: str
    response_days: int | None
    working_days: bool = True
    cutoff: time | None = time(17, 0)
    # A request arriving on a weekend or holiday: "next_working_day" (counts as received then,
    # like one after the cut-off) or "that_day" (C.R.S. 2-4-108 read literally: that day is
    # excluded and day 1 is the first working day after it).
    closed_day_receipt: str = "next_working_day"
    extension_days: int = 0
    extension_citation: str = ""
    extension_single_document: bool = False  # False: no extension for one identified document
    extension_reasons: tuple[str, ...] = ()
    discretionary: bool = False
    denial_grounds_hours: int | None = None  # written grounds for a denial within N h if asked
    fees: FeeRules = field(default_factory=FeeRules)
    exemptions: tuple[Exemption, ...] = ()
    notes: str = ""


# ---- the working calendar --------------------------------------------------------------------


class WorkingCalendar:
    """Weekdays that are not holidays: the ``holidays`` library's calendar for the agency's
    country and subdivision (Colorado by default), with the agency's own changes: ``closed``
    days it adds (a closure, a local holiday) and ``open`` days it works although the library
    lists a holiday there."""

    def __init__(
        self,
        *,
        country: str = "US",
        subdiv: str | None = "CO",
        closed: Iterable[date] = (),
        open_days: Iterable[date] = (),
    ) -> None:
        self.country = country
        self.subdiv = subdiv
        self._holidays = holidays.country_holidays(country, subdiv=subdiv)
        self.closed = frozenset(closed)
        self.open_days = frozenset(open_days)
        self._working: dict[date, bool] = {}

    def holiday_name(self, day: date) -> str | None:
        """Why ``day`` is not a working day, when it is a holiday (None otherwise)."""
        if day in self.closed:
            return "closed (agency calendar)"
        if day in self.open_days:
            return None
        name = self._holidays.get(day)
        return str(name) if name else None

    def library_holidays(self, year: int) -> list[tuple[date, str]]:
        """The library's holidays of ``year`` (before the agency's changes)."""
        cal = holidays.country_holidays(self.country, subdiv=self.subdiv, years=year)
        return sorted((d, str(n)) for d, n in cal.items())

    def is_working_day(self, day: date) -> bool:
        """A weekday that is neither a holiday nor a closure."""
        known = self._working.get(day)
        if known is None:
            known = self._working[day] = day.weekday() < 5 and self.holiday_name(day) is None
        return known

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        d = day + timedelta(days=1)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after ``day`` (n = 0: ``day`` itself, or the next working day
        when ``day`` is not one)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        d = day if self.is_working_day(day) else self.next_working_day(day)
        if n == 0:
            return d
        d = day
        for _ in range(n):
            d = self.next_working_day(d)
        return d

    def working_days_after(self, start: date, end: date) -> int:
        """How many working days lie in (start, end]; 0 when end is not after start."""
        count, d = 0, start
        while d < end:
            d += timedelta(days=1)
            if self.is_working_day(d):
                count += 1
        return count


# ---- events and the derived clock ------------------------------------------------------------


class ClockKind(StrEnum):
    """What happened to a request's clock."""

    RECEIVED = "received"
    EXTENDED = "extended"  # with a written finding
    PAUSED = "paused"  # waiting for the requester
    RESUMED = "resumed"
    RESPONDED = "responded"
    GROUNDS_ASKED = "grounds_asked"  # the requester asked for the grounds of a denial (CCJRA)


CLOCK_LABELS: dict[ClockKind, str] = {
    ClockKind.RECEIVED: "Received",
    ClockKind.EXTENDED: "Extended, with a written finding",
    ClockKind.PAUSED: "Paused: waiting for the requester",
    ClockKind.RESUMED: "Resumed",
    ClockKind.RESPONDED: "Responded",
    ClockKind.GROUNDS_ASKED: "Requester asked for the written grounds of the denial",
}


@dataclass(frozen=True)
class ClockEvent:
    """One event on the clock; ``at`` is timezone-aware."""

    kind: ClockKind
    at: datetime
    days: int | None = None  # extension: how many working days
    note: str = ""  # extension: the finding; pause: why (clarification | payment)


@dataclass(frozen=True)
class Milestone:
    """A line of the clock's timeline (events and derived days)."""

    label: str
    day: date
    at: datetime | None = None  # None: a derived day, not an event


@dataclass(frozen=True)
class Clock:
    """A request's clock as of its last event. All dates are the agency's local dates."""

    regime: Regime
    received_at: datetime  # local time
    counts_from: date  # the day the request counts as received (cut-off applied)
    started: date  # day 1 of the period
    first_due: date | None  # end of the first period (pauses applied, extension not)
    due: date | None  # the current due date; None while paused or with no deadline
    extended_days: int = 0
    paused: bool = False
    paused_at: datetime | None = None
    pause_reason: str = ""
    days_left: int | None = None  # kept while paused
    responded_at: datetime | None = None
    grounds_due: datetime | None = None
    timeline: tuple[Milestone, ...] = ()

    @property
    def open(self) -> bool:
        """Not yet responded to."""
        return self.responded_at is None

    def working_days_left(self, today: date, calendar: WorkingCalendar) -> int | None:
        """Working days after ``today`` up to the due date (negative: overdue by that many)."""
        if self.paused:
            return self.days_left
        if self.due is None:
            return None
        if today <= self.due:
            return calendar.working_days_after(today, self.due)
        return -calendar.working_days_after(self.due, today)

    def status(self, today: date) -> str:
        """responded | paused | no deadline | overdue | due today | open."""
        if self.responded_at is not None:
            return "responded"
        if self.paused:
            return "paused"
        if self.due is None:
            return "no deadline"
        if today > self.due:
            return "overdue"
        if today == self.due:
            return "due today"
        return "open"


def _local(at: datetime, tz: ZoneInfo) -> datetime:
    if at.tzinfo is None:
        raise InvalidInput("times on a request's clock must carry a time zone")
    return at.astimezone(tz)


def counts_as_received(
    at: datetime, regime: Regime, calendar: WorkingCalendar, tz: ZoneInfo
) -> date:
    """The working day on which something arriving at ``at`` counts as received."""
    local = _local(at, tz)
    day = local.date()
    after_cutoff = regime.cutoff is not None and local.time().replace(
        second=0, microsecond=0
    ) > regime.cutoff.replace(second=0, microsecond=0)
    if not calendar.is_working_day(day):
        return day if regime.closed_day_receipt == "that_day" else calendar.next_working_day(day)
    if after_cutoff:
        return calendar.next_working_day(day)
    return day


def _period_end(regime: Regime, calendar: WorkingCalendar, day0: date, n: int) -> date:
    if not regime.working_days:
        # Calendar days; a due date on a weekend or holiday moves to the next working day.
        d = day0 + timedelta(days=n)
        return d if calendar.is_working_day(d) else calendar.next_working_day(d)
    return calendar.add_working_days(day0, n)


def _left(regime: Regime, calendar: WorkingCalendar, day: date, due: date) -> int:
    if not regime.working_days:
        return max(0, (due - day).days)
    return calendar.working_days_after(day, due)


def compute(
    regime: Regime, calendar: WorkingCalendar, events: Sequence[ClockEvent], tz: ZoneInfo
) -> Clock:
    """The clock derived from ``events`` (the first must be the receipt; order by time)."""
    if not events or events[0].kind != ClockKind.RECEIVED:
        raise InvalidInput("a request's clock starts with its receipt")
    first = events[0]
    received = _local(first.at, tz)
    day0 = counts_as_received(first.at, regime, calendar, tz)
    n = regime.response_days
    due = _period_end(regime, calendar, day0, n) if n is not None else None
    clock = Clock(
        regime=regime,
        received_at=received,
        counts_from=day0,
        started=calendar.next_working_day(day0),
        first_due=due,
        due=due,
    )
    line = [Milestone("Received", received.date(), received)]
    if day0 != received.date():
        line.append(Milestone("Counts as received (after the cut-off or not a working day)", day0))
    line.append(Milestone("Day 1 of the period", clock.started))
    first_left: int | None = None  # days of the first period left at a pause
    for ev in events[1:]:
        local = _local(ev.at, tz)
        if ev.at < first.at:
            raise InvalidInput("an event on the clock cannot come before the request's receipt")
        if ev.kind == ClockKind.EXTENDED and clock.due is not None:
            days = int(ev.days or 0)
            clock = replace(
                clock,
                due=_period_end(regime, calendar, clock.due, days),
                extended_days=clock.extended_days + days,
            )
            line.append(Milestone(f"Extended by {days} working days", local.date(), local))
        elif ev.kind == ClockKind.PAUSED and not clock.paused:
            today = local.date()
            left = _left(regime, calendar, today, clock.due) if clock.due else None
            first_left = (
                _left(regime, calendar, today, clock.first_due)
                if clock.first_due is not None and clock.first_due >= today
                else None
            )
            clock = replace(
                clock,
                paused=True,
                paused_at=local,
                pause_reason=ev.note,
                days_left=left,
                due=None,
            )
            why = ev.note or "waiting for the requester"
            line.append(Milestone(f"Paused ({why})", today, local))
        elif ev.kind == ClockKind.RESUMED and clock.paused:
            back = counts_as_received(ev.at, regime, calendar, tz)
            left = clock.days_left
            new_due = _period_end(regime, calendar, back, left) if left is not None else None
            # The first period (which bounds an extension's finding) moves with the pause too.
            new_first = (
                _period_end(regime, calendar, back, first_left)
                if first_left is not None
                else clock.first_due
            )
            clock = replace(
                clock,
                paused=False,
                paused_at=None,
                pause_reason="",
                days_left=None,
                due=new_due,
                first_due=new_first,
            )
            line.append(Milestone("Resumed", local.date(), local))
        elif ev.kind == ClockKind.RESPONDED and clock.responded_at is None:
            clock = replace(clock, responded_at=local)
            line.append(Milestone("Responded", local.date(), local))
        elif ev.kind == ClockKind.GROUNDS_ASKED and regime.denial_grounds_hours:
            clock = replace(clock, grounds_due=local + timedelta(hours=regime.denial_grounds_hours))
            line.append(Milestone("Written grounds of the denial asked for", local.date(), local))
    if clock.due is not None and clock.responded_at is None:
        line.append(Milestone("Due (end of the day)", clock.due))
    return replace(clock, timeline=tuple(sorted(line, key=lambda m: (m.day, m.at is None))))


# ---- the rules that refuse an event ----------------------------------------------------------


def check_not_before_receipt(clock: Clock, at: datetime, what: str) -> None:
    """Refuse a date asked for (or an event) before the request was received."""
    if at < clock.received_at:
        raise InvalidInput(
            f"{what} cannot be before the request was received "
            f"({clock.received_at:%Y-%m-%d %H:%M %Z})"
        )


def check_extension(
    clock: Clock,
    at: datetime,
    *,
    days: int,
    finding: str,
    single_document: bool,
    calendar: WorkingCalendar,
    tz: ZoneInfo,
) -> None:
    """Refuse an extension the regime does not allow (CORA 24-72-203(3)(b))."""
    regime = clock.regime
    check_not_before_receipt(clock, at, "an extension")
    if regime.extension_days <= 0 or clock.first_due is None:
        raise Conflict(f"{regime.name} allows no extension of its period")
    if not clock.open:
        raise Conflict("the request has been responded to; its clock has stopped")
    if clock.paused:
        raise Conflict("the clock is paused while waiting for the requester; resume it first")
    if clock.extended_days:
        raise Conflict(f"the period was already extended by {clock.extended_days} working days")
    if single_document and not regime.extension_single_document:
        raise Conflict(
            f"{regime.name} allows no extension for a single, specifically identified document"
        )
    if not 1 <= days <= regime.extension_days:
        raise InvalidInput(f"an extension is 1 to {regime.extension_days} working days")
    if not finding.strip():
        raise InvalidInput("an extension needs a written finding of extenuating circumstances")
    filed = _local(at, tz).date()
    if filed > clock.first_due:
        late = calendar.working_days_after(clock.counts_from, filed)
        raise Conflict(
            f"too late for an extension: filed on working day {late}; the written finding must "
            f"reach the requester within the first {regime.response_days} working days "
            f"(by the end of {clock.first_due:%A %d %B %Y})"
        )


def check_pause(clock: Clock, at: datetime) -> None:
    """Refuse a pause of a stopped or already paused clock."""
    check_not_before_receipt(clock, at, "a pause")
    if not clock.open:
        raise Conflict("the request has been responded to; its clock has stopped")
    if clock.paused:
        raise Conflict("the clock is already paused")


def check_resume(clock: Clock, at: datetime) -> None:
    """Refuse resuming a clock that is not paused, or before it was paused."""
    if not clock.paused or clock.paused_at is None:
        raise Conflict("the clock is not paused")
    if at < clock.paused_at:
        raise InvalidInput("the clock cannot resume before it was paused")


# ---- fees ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fees:
    """What a request costs the requester, from its log."""

    minutes: int
    billable_minutes: int
    time_charge: Decimal
    copy_pages: int
    copy_charge: Decimal
    waived: Decimal
    paid: Decimal

    @property
    def total(self) -> Decimal:
        """Charges less waivers (never below zero)."""
        return max(Decimal("0.00"), self.time_charge + self.copy_charge - self.waived)

    @property
    def balance(self) -> Decimal:
        """What is still owed (negative: overpaid)."""
        return self.total - self.paid


CENT = Decimal("0.01")


def fees(
    rules: FeeRules,
    *,
    minutes: int = 0,
    copy_pages: int = 0,
    digital_pages: int = 0,
    waived: Decimal = Decimal("0"),
    paid: Decimal = Decimal("0"),
) -> Fees:
    """Time beyond the free minutes at the hourly rate; paper copies per page; digital records
    at the digital page rate (CORA: none)."""
    if min(minutes, copy_pages, digital_pages) < 0:
        raise InvalidInput("minutes and pages cannot be negative")
    billable = max(0, minutes - rules.free_minutes)
    time_charge = (rules.hourly_rate * billable / 60).quantize(CENT, ROUND_HALF_UP)
    copy_charge = (rules.copy_page * copy_pages + rules.digital_page * digital_pages).quantize(
        CENT, ROUND_HALF_UP
    )
    return Fees(
        minutes=minutes,
        billable_minutes=billable,
        time_charge=time_charge,
        copy_pages=copy_pages,
        copy_charge=copy_charge,
        waived=waived.quantize(CENT),
        paid=paid.quantize(CENT),
    )


# ---- the dashboard ---------------------------------------------------------------------------


def week_end(today: date) -> date:
    """The Sunday that ends ``today``'s week."""
    return today + timedelta(days=6 - today.weekday())


def bucket(clock: Clock, today: date) -> str | None:
    """overdue | today | week | None: where the dashboard lists an open request."""
    if not clock.open or clock.paused or clock.due is None:
        return None
    if clock.due < today:
        return "overdue"
    if clock.due == today:
        return "today"
    if clock.due <= week_end(today):
        return "week"
    return None


def local_time(at: datetime, tz: ZoneInfo) -> datetime:
    """``at`` in the agency's time zone."""
    return _local(at, tz)


def combine(day: date, at: time, tz: ZoneInfo) -> datetime:
    """A local date and time as an aware datetime."""
    return datetime.combine(day, at, tzinfo=tz)
