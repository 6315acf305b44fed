"""The request clock (pure): CORA's working days, the cut-off, extensions, pauses, fees."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from piodesk.core.errors import Conflict, DomainError, InvalidInput
from piodesk.records.requests import regimes
from piodesk.records.requests.deadline import (
    ClockEvent,
    ClockKind,
    WorkingCalendar,
    bucket,
    check_extension,
    check_pause,
    check_resume,
    compute,
    fees,
)
from piodesk.records.requests.model import MACHINE, RequestState

DENVER = ZoneInfo("America/Denver")
BOOK = regimes.load()
CORA = BOOK.get("cora")
CAL = WorkingCalendar()


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=DENVER)


def received(when: datetime) -> list[ClockEvent]:
    return [ClockEvent(ClockKind.RECEIVED, when)]


def test_the_colorado_calendar_knows_labor_day_and_weekends() -> None:
    assert not CAL.is_working_day(date(2026, 9, 7))  # Labor Day (Monday)
    assert not CAL.is_working_day(date(2026, 9, 5))  # Saturday
    assert CAL.is_working_day(date(2026, 9, 8))
    assert CAL.next_working_day(date(2026, 9, 4)) == date(2026, 9, 8)
    assert CAL.working_days_after(date(2026, 9, 4), date(2026, 9, 11)) == 4


def test_received_during_business_hours_due_three_working_days_later() -> None:
    clock = compute(CORA, CAL, received(at(2026, 9, 14, 10)), DENVER)  # a Monday
    assert clock.counts_from == date(2026, 9, 14)
    assert clock.started == date(2026, 9, 15)
    assert clock.due == date(2026, 9, 17)


def test_received_455_pm_friday_before_labor_day() -> None:
    friday = at(2026, 9, 4, 16, 55)
    # Default cut-off 5:00 pm: Friday is the day of receipt; Monday is Labor Day, so day 1 is
    # Tuesday 8 and day 3 Thursday 10.
    clock = compute(CORA, CAL, received(friday), DENVER)
    assert clock.counts_from == date(2026, 9, 4)
    assert clock.started == date(2026, 9, 8)
    assert clock.due == date(2026, 9, 10)
    # An agency whose records desk closes at 4:00 pm: the request counts as received on the
    # next working day (Tuesday 8), day 1 is Wednesday 9, due Friday 11.
    four_pm = replace(CORA, cutoff=time(16, 0))
    late = compute(four_pm, CAL, received(friday), DENVER)
    assert late.counts_from == date(2026, 9, 8)
    assert late.started == date(2026, 9, 9)
    assert late.due == date(2026, 9, 11)


def test_cutoff_minute_is_inclusive_and_utc_times_are_read_locally() -> None:
    # 17:00:59 local is still that day; 17:01 is not. 23:30 UTC on 14 Sep is 17:30 in Denver.
    assert compute(
        CORA, CAL, received(at(2026, 9, 14, 17, 0) + timedelta(seconds=59)), DENVER
    ).counts_from == date(2026, 9, 14)
    assert compute(CORA, CAL, received(at(2026, 9, 14, 17, 1)), DENVER).counts_from == date(
        2026, 9, 15
    )
    utc = datetime(2026, 9, 14, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert compute(CORA, CAL, received(utc), DENVER).counts_from == date(2026, 9, 15)


def test_received_on_a_weekend_counts_from_monday() -> None:
    clock = compute(CORA, CAL, received(at(2026, 9, 12, 9)), DENVER)  # Saturday
    assert clock.counts_from == date(2026, 9, 14)
    assert clock.due == date(2026, 9, 17)
    # Read literally (C.R.S. 2-4-108): Saturday is excluded, Monday is day 1, due Wednesday.
    literal = replace(CORA, closed_day_receipt="that_day")
    clock = compute(literal, CAL, received(at(2026, 9, 12, 9)), DENVER)
    assert (clock.started, clock.due) == (date(2026, 9, 14), date(2026, 9, 16))
    # ... and Labor Day the same way: received on the holiday, Tuesday is day 1.
    clock = compute(literal, CAL, received(at(2026, 9, 7, 9)), DENVER)
    assert (clock.started, clock.due) == (date(2026, 9, 8), date(2026, 9, 10))


def test_the_agency_calendar_edits_move_due_dates() -> None:
    closed = WorkingCalendar(closed=[date(2026, 9, 16)])  # an agency closure on Wednesday
    assert compute(CORA, closed, received(at(2026, 9, 14)), DENVER).due == date(2026, 9, 18)
    works_labor_day = WorkingCalendar(open_days=[date(2026, 9, 7)])
    clock = compute(CORA, works_labor_day, received(at(2026, 9, 4, 16, 55)), DENVER)
    assert clock.due == date(2026, 9, 9)


def test_extension_inside_the_first_three_days_adds_seven_working_days() -> None:
    events = received(at(2026, 9, 14))
    clock = compute(CORA, CAL, events, DENVER)
    filed = at(2026, 9, 17, 15)  # day 3
    check_extension(
        clock,
        filed,
        days=7,
        finding="broad request",
        single_document=False,
        calendar=CAL,
        tz=DENVER,
    )
    extended = compute(
        CORA, CAL, [*events, ClockEvent(ClockKind.EXTENDED, filed, 7, "broad request")], DENVER
    )
    # Fri 18, Mon 21 ... Mon 28 is the seventh working day after Thursday 17.
    assert extended.due == date(2026, 9, 28)
    assert extended.first_due == date(2026, 9, 17)
    with pytest.raises(Conflict, match="already extended"):
        check_extension(
            extended, filed, days=1, finding="x", single_document=False, calendar=CAL, tz=DENVER
        )


def test_extension_filed_on_day_four_is_refused() -> None:
    clock = compute(CORA, CAL, received(at(2026, 9, 14)), DENVER)
    with pytest.raises(Conflict, match="working day 4"):
        check_extension(
            clock,
            at(2026, 9, 18, 9),
            days=7,
            finding="we are busy",
            single_document=False,
            calendar=CAL,
            tz=DENVER,
        )


@pytest.mark.parametrize(
    ("days", "finding", "single", "error"),
    [
        (7, "one report", True, Conflict),
        (8, "too many", False, InvalidInput),
        (0, "none", False, InvalidInput),
        (3, "   ", False, InvalidInput),
    ],
)
def test_extension_refusals(days: int, finding: str, single: bool, error: type) -> None:
    clock = compute(CORA, CAL, received(at(2026, 9, 14)), DENVER)
    with pytest.raises(error):
        check_extension(
            clock,
            at(2026, 9, 15),
            days=days,
            finding=finding,
            single_document=single,
            calendar=CAL,
            tz=DENVER,
        )


def test_payment_pause_keeps_the_days_left() -> None:
    events = [
        *received(at(2026, 9, 14)),  # due Thursday 17
        ClockEvent(ClockKind.PAUSED, at(2026, 9, 15, 11), note="payment"),  # day 1
    ]
    paused = compute(CORA, CAL, events, DENVER)
    assert paused.paused and paused.due is None
    assert paused.days_left == 2  # Wednesday 16 and Thursday 17
    assert paused.working_days_left(date(2026, 10, 1), CAL) == 2  # however long it waits
    assert bucket(paused, date(2026, 10, 1)) is None  # never overdue while paused
    with pytest.raises(Conflict):
        check_pause(paused, at(2026, 9, 16))
    with pytest.raises(InvalidInput):
        check_resume(paused, at(2026, 9, 15, 10))
    resumed = compute(
        CORA, CAL, [*events, ClockEvent(ClockKind.RESUMED, at(2026, 9, 21, 9))], DENVER
    )
    assert resumed.due == date(2026, 9, 23)  # Monday 21 + 2 working days
    # Paid after the cut-off: counts from Tuesday 22, due Thursday 24.
    late = compute(CORA, CAL, [*events, ClockEvent(ClockKind.RESUMED, at(2026, 9, 21, 18))], DENVER)
    assert late.due == date(2026, 9, 24)
    # The window for an extension's finding moves with the pause too.
    assert late.first_due == date(2026, 9, 24)


def test_an_event_before_receipt_is_refused() -> None:
    events = received(at(2026, 9, 14))
    with pytest.raises(InvalidInput, match="before"):
        compute(CORA, CAL, [*events, ClockEvent(ClockKind.PAUSED, at(2026, 9, 13))], DENVER)
    with pytest.raises(InvalidInput):
        compute(CORA, CAL, [], DENVER)


def test_responding_stops_the_clock_and_the_dashboard() -> None:
    events = received(at(2026, 9, 14))
    clock = compute(CORA, CAL, events, DENVER)
    assert bucket(clock, date(2026, 9, 14)) == "week"
    assert bucket(clock, date(2026, 9, 17)) == "today"
    assert bucket(clock, date(2026, 9, 18)) == "overdue"
    assert clock.working_days_left(date(2026, 9, 21), CAL) == -2
    done = compute(CORA, CAL, [*events, ClockEvent(ClockKind.RESPONDED, at(2026, 9, 16))], DENVER)
    assert done.status(date(2026, 9, 30)) == "responded"
    assert bucket(done, date(2026, 9, 30)) is None


def test_ccjra_has_no_deadline_but_grounds_within_72_hours() -> None:
    ccjra = BOOK.get("ccjra")
    events = received(at(2026, 9, 14))
    clock = compute(ccjra, CAL, events, DENVER)
    assert clock.due is None and clock.status(date(2027, 1, 1)) == "no deadline"
    with pytest.raises(Conflict):
        check_extension(
            clock,
            at(2026, 9, 15),
            days=1,
            finding="x",
            single_document=False,
            calendar=CAL,
            tz=DENVER,
        )
    asked = at(2026, 9, 20, 8)
    clock = compute(ccjra, CAL, [*events, ClockEvent(ClockKind.GROUNDS_ASKED, asked)], DENVER)
    assert clock.grounds_due == asked + timedelta(hours=72)


def test_another_state_is_configuration() -> None:
    wa = BOOK.get("wa-pra")
    assert compute(wa, CAL, received(at(2026, 9, 14)), DENVER).due == date(2026, 9, 21)


def test_cora_fees_first_hour_free_no_digital_page_charge() -> None:
    rules = CORA.fees
    assert rules.hourly_rate == Decimal("41.37")
    assert fees(rules, minutes=60).total == Decimal("0.00")
    f = fees(rules, minutes=90, digital_pages=5000, copy_pages=10)
    assert f.billable_minutes == 30
    assert f.time_charge == Decimal("20.69")  # half of 41.37, rounded half up
    assert f.copy_charge == Decimal("2.50")
    assert fees(rules, minutes=180, paid=Decimal("50")).balance == Decimal("32.74")
    with pytest.raises(InvalidInput):
        fees(rules, minutes=-5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("regimes: {x: {citation: c}}", "'name' is required"),
        ("regimes: {x: {name: n, citation: c, response_days: -1}}", "response_days"),
        ("regimes: {x: {name: n, citation: c, cutoff: 'late'}}", "HH:MM"),
        ("regimes: {x: {name: n, citation: c, fees: {hourly_rate: abc}}}", "not an amount"),
        ("regimes: {x: {name: n, citation: c}}\ndefault: y", "default regime"),
        ("[1, 2", "not valid YAML"),
        ("regimes: {x: {name: n, citation: c, closed_day_receipt: monday}}", "closed_day"),
    ],
)
def test_a_wrong_regime_file_is_refused_naming_the_field(text: str, message: str) -> None:
    with pytest.raises(DomainError, match=message):
        regimes.parse(text)


def test_the_state_machine() -> None:
    S = RequestState
    assert MACHINE.check(S.IN_REVIEW, S.WAITING_PAYMENT) == S.WAITING_PAYMENT
    assert MACHINE.check(S.WAITING_PAYMENT, S.IN_REVIEW) == S.IN_REVIEW
    with pytest.raises(Conflict):
        MACHINE.check(S.WAITING_PAYMENT, S.FULFILLED)
    with pytest.raises(Conflict):
        MACHINE.check(S.RECEIVED, S.FULFILLED)
    for end in (S.FULFILLED, S.PARTLY_FULFILLED, S.NO_RECORDS, S.DENIED, S.WITHDRAWN):
        assert MACHINE.terminal(end)


def test_pause_on_the_day_of_receipt_keeps_the_whole_period() -> None:
    events = [
        *received(at(2026, 9, 14, 9)),
        ClockEvent(ClockKind.PAUSED, at(2026, 9, 14, 15), note="clarification"),
    ]
    assert compute(CORA, CAL, events, DENVER).days_left == 3
    # The answer comes on Saturday: it counts from Monday, due Thursday.
    resumed = compute(
        CORA, CAL, [*events, ClockEvent(ClockKind.RESUMED, at(2026, 9, 19, 11))], DENVER
    )
    assert resumed.due == date(2026, 9, 24)


def test_an_extension_after_a_pause_uses_the_moved_first_period() -> None:
    events = [
        *received(at(2026, 9, 14)),  # first period ends Thursday 17
        ClockEvent(ClockKind.PAUSED, at(2026, 9, 15, 11), note="clarification"),  # 2 left
        ClockEvent(ClockKind.RESUMED, at(2026, 9, 21, 9)),  # first period now ends Wed 23
    ]
    clock = compute(CORA, CAL, events, DENVER)
    assert clock.first_due == date(2026, 9, 23)
    check_extension(
        clock,
        at(2026, 9, 22),
        days=7,
        finding="large",
        single_document=False,
        calendar=CAL,
        tz=DENVER,
    )
    with pytest.raises(Conflict, match="too late"):
        check_extension(
            clock,
            at(2026, 9, 24),
            days=7,
            finding="large",
            single_document=False,
            calendar=CAL,
            tz=DENVER,
        )


def test_a_pause_after_the_due_date_leaves_no_days() -> None:
    events = [
        *received(at(2026, 9, 14)),
        ClockEvent(ClockKind.PAUSED, at(2026, 9, 22), note="payment"),  # overdue since Friday
    ]
    paused = compute(CORA, CAL, events, DENVER)
    assert paused.days_left == 0
    resumed = compute(
        CORA, CAL, [*events, ClockEvent(ClockKind.RESUMED, at(2026, 9, 24, 9))], DENVER
    )
    assert resumed.due == date(2026, 9, 24)  # due the day the payment arrives


def test_working_days_across_thanksgiving_and_christmas() -> None:
    # Wednesday 25 November: Thanksgiving Thursday is a holiday, Friday 27 is not (Colorado):
    # day 1 Friday 27, day 2 Monday 30, day 3 Tuesday 1 December.
    assert compute(CORA, CAL, received(at(2026, 11, 25)), DENVER).due == date(2026, 12, 1)
    # Wednesday 23 December: day 1 Thursday 24, Christmas Friday, day 2 Monday 28, day 3 Tuesday.
    assert compute(CORA, CAL, received(at(2026, 12, 23)), DENVER).due == date(2026, 12, 29)
