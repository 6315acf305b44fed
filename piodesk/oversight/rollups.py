"""Monthly roll-ups of the transparency report, so a year of a million comments reads at once.

:func:`refresh_rollups` (a periodic job) computes each closed month (before the current UTC
month) exactly as the live report does, and stores its rows; the report then reads those rows
instead of counting the records again. The roll-ups are derived data: rebuilt whenever needed,
never evidence, and a report is correct whether or not the job has run:

- the current month, and any month never rolled up, is always computed from the records;
- each rolled-up month keeps the high-water marks of the tables it was computed from (the
  largest id of comments, cases, decisions, warnings, blocks and screenings, and how many
  categories the cases then known had). A month touched by a row added since (an import of old
  comments, a late decision, a category added to a case opened that month) is *stale* and is
  computed from the records until the next refresh rolls it up again. The records these counts
  rest on are append-only, so a row added is the only way a closed month can change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.tables import ArchiveItem
from piodesk.core import clock
from piodesk.core.db import reading, transaction
from piodesk.moderation.model import Action, CaseState
from piodesk.moderation.queries import page_names
from piodesk.moderation.tables import Block, Case, CaseCategory, Decision, Screening, Warning_
from piodesk.oversight import reports
from piodesk.oversight.consistency_rollups import ConsistencyRefresh, refresh_consistency
from piodesk.oversight.reports import ALL, MAX_MONTHS, SUMMED, Period, TransparencyRow
from piodesk.oversight.rollup_tables import RollupMonth, RollupRow

_MARKED = {
    "items": ArchiveItem.id,
    "cases": Case.id,
    "decisions": Decision.id,
    "warnings": Warning_.id,
    "blocks": Block.id,
    "screenings": Screening.id,
}
#: The counters a stored row holds beside its month, page, category, captured and median: the
#: transparency row's own fields (``reports.SUMMED``), so the two shapes cannot drift apart.
_COUNTS = SUMMED


def _current_month() -> str:
    now = clock.now().astimezone(UTC)
    return f"{now.year:04d}-{now.month:02d}"


def marks(session: Session) -> dict[str, Any]:
    """What the tables hold now: each one's largest id, the categories of the cases known,
    and the month of the oldest case still open (categories are only added to open cases)."""
    out: dict[str, Any] = {
        name: int(session.execute(select(func.max(col))).scalar() or 0)
        for name, col in _MARKED.items()
    }
    out["categories"] = int(
        session.execute(
            select(func.count())
            .select_from(CaseCategory)
            .where(CaseCategory.case_id <= out["cases"])
        ).scalar_one()
    )
    oldest_open = session.execute(
        select(func.min(Case.opened_at)).where(Case.state != CaseState.CLOSED.value)
    ).scalar()
    out["open_since"] = None if oldest_open is None else clock.as_utc(oldest_open).strftime("%Y-%m")
    return out


def _months(session: Session, query: Select[Any]) -> set[str]:
    return {m for (m,) in session.execute(query) if m}


def stale_months(session: Session, kept: dict[str, Any]) -> set[str] | None:
    """The months rows added since ``kept`` touch (None: every month may have changed)."""
    month = lambda column: reports._month_of(session, column)  # noqa: E731
    out: set[str] = set()
    out |= _months(
        session,
        select(month(ArchiveItem.first_captured_at)).where(ArchiveItem.id > kept["items"]),
    )
    out |= _months(session, select(month(Case.opened_at)).where(Case.id > kept["cases"]))
    out |= _months(session, select(month(Case.first_decided_at)).where(Case.id > kept["cases"]))
    out |= _months(
        session, select(month(Decision.decided_at)).where(Decision.id > kept["decisions"])
    )
    out |= _months(
        session,
        select(month(Case.first_decided_at))
        .join(Decision, Decision.case_id == Case.id)
        .where(Decision.id > kept["decisions"]),
    )
    out |= _months(session, select(month(Warning_.warned_at)).where(Warning_.id > kept["warnings"]))
    out |= _months(session, select(month(Block.blocked_at)).where(Block.id > kept["blocks"]))
    # A later screening of a comment can change what a hide or removal "found".
    out |= _months(
        session,
        select(month(Decision.decided_at))
        .join(Case, Case.id == Decision.case_id)
        .join(Screening, Screening.item_id == Case.item_id)
        .where(
            Screening.id > kept["screenings"],
            Decision.action.in_((Action.HIDE.value, Action.REMOVE.value)),
        ),
    )
    categories = session.execute(
        select(func.count()).select_from(CaseCategory).where(CaseCategory.case_id <= kept["cases"])
    ).scalar_one()
    if categories != kept["categories"]:
        # A category was added to a case open at the roll-up: opened in open_since or later.
        if kept.get("open_since") is None:
            return None
        out |= {m for m in _rolled_months(session) if m >= kept["open_since"]}
    return out


def _rolled_months(session: Session) -> list[str]:
    return list(session.execute(select(RollupMonth.month)).scalars())


def usable(session: Session, period: Period) -> dict[str, float | None]:
    """The period's months that may be read from the roll-ups, with their all-pages median."""
    current = _current_month()
    found = session.execute(
        select(RollupMonth).where(
            RollupMonth.month >= period.first,
            RollupMonth.month <= period.last,
            RollupMonth.month < current,
        )
    ).scalars()
    by_marks: dict[str, list[RollupMonth]] = {}
    for r in found:
        by_marks.setdefault(repr(sorted(r.marks.items())), []).append(r)
    out: dict[str, float | None] = {}
    for group in by_marks.values():
        stale = stale_months(session, group[0].marks)
        if stale is None:
            continue
        out.update({r.month: r.median_hours_to_decision for r in group if r.month not in stale})
    return out


def rows(
    session: Session, months: Sequence[str], page_id: int | None, pages: dict[int, str]
) -> Iterable[TransparencyRow]:
    """The stored transparency rows of these months (of one page, when given)."""
    query = select(RollupRow).where(RollupRow.month.in_(months))
    if page_id is not None:
        query = query.where(RollupRow.page_id == page_id)
    for r in session.execute(query).scalars():
        name = pages.get(r.page_id, "—") if r.page_id is not None else "(no page)"
        yield transparency_row(r, name)


def stored_row(row: TransparencyRow) -> dict[str, Any]:
    """A transparency row as the roll-up stores it (the values of a ``RollupRow``)."""
    return {
        "month": row.month,
        "page_id": row.page_id,
        "category": row.category,
        "captured": row.captured,
        "median_hours_to_decision": row.median_hours_to_decision,
        **{a: getattr(row, a) for a in _COUNTS},
    }


def transparency_row(stored: RollupRow, page_name: str) -> TransparencyRow:
    """A stored row as the report's row again."""
    row = TransparencyRow(stored.month, stored.page_id, page_name, stored.category)
    row.captured = stored.captured if stored.category == ALL else None
    for attr in _COUNTS:
        setattr(row, attr, getattr(stored, attr))
    row.median_hours_to_decision = stored.median_hours_to_decision
    return row


@dataclass
class RefreshReport:
    """What one refresh did."""

    rolled: list[str]
    kept: int  # months already current
    consistency: ConsistencyRefresh | None = None  # the consistency report's roll-up


def _first_month(session: Session) -> str | None:
    firsts = [
        session.execute(select(func.min(col))).scalar()
        for col in (
            ArchiveItem.first_captured_at,
            Case.opened_at,
            Decision.decided_at,
            Warning_.warned_at,
            Block.blocked_at,
        )
    ]
    found = [clock.as_utc(f) for f in firsts if f is not None]
    return min(found).strftime("%Y-%m") if found else None


def refresh_rollups(sessions: sessionmaker[Session], settings: object = None) -> RefreshReport:
    """The periodic job: roll up every closed month that is missing or stale (each month in
    its own short transaction), then bring the consistency report's roll-up up to date
    (``consistency_rollups``). ``settings`` is unused; the signature is the job contract."""
    done = _refresh_months(sessions)
    done.consistency = refresh_consistency(sessions)
    return done


def _refresh_months(sessions: sessionmaker[Session]) -> RefreshReport:
    with reading(sessions) as session:
        now_marks = marks(session)  # before reading: a row added meanwhile makes it stale
        first = _first_month(session)
        current = _current_month()
        if first is None or first >= current:
            return RefreshReport([], 0)
        span = Period.of(max(first, _shift(current, -(MAX_MONTHS - 1))), current).months()[:-1]
        have = set(usable(session, Period(span[0], span[-1]))) if span else set()
        pages = page_names(session)
    todo = [m for m in span if m not in have]
    for m in todo:
        with transaction(sessions) as session:
            live, durations = reports._live_rows(session, Period(m, m), None, pages)
            session.execute(delete(RollupRow).where(RollupRow.month == m))
            session.execute(delete(RollupMonth).where(RollupMonth.month == m))
            if live:
                session.execute(insert(RollupRow), [stored_row(r) for r in live.values()])
            session.add(
                RollupMonth(
                    month=m,
                    median_hours_to_decision=reports._median(durations.get(m, [])),
                    marks=now_marks,
                    computed_at=clock.now(),
                )
            )
    return RefreshReport(todo, len(span) - len(todo))


def _shift(month: str, n: int) -> str:
    year, mon = reports._add_months(*reports.parse_month(month), n)
    return reports._label(year, mon)
