"""The moderation pipeline across workers: screen in parallel, one writer for many ranges.

Each capture transaction defers one ``intake-range`` job for the versions it added (see
``queue.intake_after_capture``). A range job does two things:

1. **Screen** its versions, with no lock held, and stage the findings
   (:mod:`piodesk.moderation.screened`). Any number of workers do this at once.
2. **Write**, if nobody else is: it tries intake's mark row without waiting (``SKIP LOCKED``).
   Whoever holds the mark is *the* writer: it takes every staged range contiguous from the
   mark, stores their screenings, cases and audit events in one transaction (one event per
   case, one sealing the screenings: the evidence model of ``moderation.intake.intake``),
   deletes the ranges it wrote, and goes on while ranges keep arriving. A job that finds the
   mark taken leaves at once: the writer reads the staged ranges again after it lets go of
   the mark, so a range staged while it was busy is never stranded.

Writes stay serial (the mark and the audit chain's head are single rows, and intake must read
the chain in order), but one write now carries as many ranges as arrived while the last one
was committing, so the cost of a transaction is shared by all of them, and no worker slot is
held waiting for an earlier range.

Gaps: versions between the mark and a staged range that no staged range covers. If a range
job still on its way covers them (``pending``), the writer stops there and that job's write
picks up; once the range after the gap has waited ``patience`` seconds (its job is slow, or
its worker was killed and the job waits to be found stalled), the writer screens the gap
itself. Versions no range job covers (imports, a post captured outside a poll) are screened by
the writer at once. Whatever happens, a version is screened into the queue once, in order.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import clock
from piodesk.core.db import reading, transaction
from piodesk.moderation import screened
from piodesk.moderation.intake import IntakeReport, intake, read_range, screenable
from piodesk.moderation.tables import IntakeMark
from piodesk.screening.engine import Screener

#: Whether a range job overlapping the versions (lo, hi] is still waiting or running (the
#: engine asks its queue); None: nobody else screens ranges, so never wait for one.
Pending = Callable[[Session, int, int], bool]

#: Versions one write transaction takes at most (intake's own batch size).
WRITE_BATCH = 2_000


def _mark(session: Session) -> int:
    return int(session.execute(select(IntakeMark.last_seq).where(IntakeMark.id == 1)).scalar() or 0)


def _ensure_mark(sessions: sessionmaker[Session]) -> None:
    """Create intake's mark row, committed, if this is the first intake ever: ``SKIP LOCKED``
    cannot see a row another writer has inserted and not committed, so two first writers
    would both insert it and one would wait on the other's key."""
    with reading(sessions) as session:
        if session.execute(select(exists().where(IntakeMark.id == 1))).scalar():
            return
    try:
        with transaction(sessions) as session:
            session.add(IntakeMark(id=1, last_seq=0, updated_at=clock.now()))
    except IntegrityError:
        pass  # another writer created it first


def _try_mark(session: Session) -> int | None:
    """The mark, locked for this transaction; None when another writer holds it."""
    row = session.execute(
        select(IntakeMark.last_seq).where(IntakeMark.id == 1).with_for_update(skip_locked=True)
    ).first()
    return None if row is None else int(row[0])


@dataclass
class Plan:
    """What the writer can write from the mark: up to ``target``, with these findings."""

    mark: int
    target: int
    screener: screened.Remembering
    ranges: int = 0


def plan(
    session: Session,
    screener: Screener,
    mark: int,
    *,
    pending: Pending | None,
    patience: float,
    batch: int = WRITE_BATCH,
) -> Plan:
    """How far the staged ranges reach from ``mark`` without a gap a range job will fill
    (and no further than one write transaction takes)."""
    remembering = screened.Remembering(screener)
    target, taken = mark, 0
    now = clock.now()
    for r in screened.staged(session, mark, limit=batch):
        if target - mark >= batch:
            break
        if r.after > target:
            waited = now - clock.as_utc(r.screened_at)
            if (
                pending is not None
                and waited < timedelta(seconds=patience)
                and pending(session, target, r.after)
            ):
                break  # the job for the gap is on its way; its own write comes next
        remembering.remember(r.verdicts)
        target, taken = max(target, r.upto), taken + 1
    return Plan(mark, target, remembering, taken)


@dataclass
class WriteReport:
    """What one writer did: its transactions, the ranges they carried, what it screened."""

    transactions: int = 0
    ranges: int = 0
    screened_by_writer: int = 0
    intake: IntakeReport = field(default_factory=IntakeReport)


def write_screened(
    sessions: sessionmaker[Session],
    screener: Screener,
    *,
    pending: Pending | None = None,
    patience: float = 10.0,
    batch: int = WRITE_BATCH,
) -> WriteReport:
    """Be the writer while there are staged ranges to write; leave at once if another is."""
    report = WriteReport()
    _ensure_mark(sessions)
    while True:
        with transaction(sessions) as session:
            mark = _try_mark(session)
            if mark is None:
                return report  # the writer holding the mark reads the ranges again after
            p = plan(session, screener, mark, pending=pending, patience=patience, batch=batch)
            if p.target > mark:
                done = intake(session, p.screener, limit=min(p.target - mark, batch))
                mark = done.last_seq
                report.intake.add(done)
                report.transactions += 1
                report.ranges += p.ranges
                report.screened_by_writer += p.screener.screened_here
            screened.consume(session, mark)
        if p.target > p.mark:
            continue
        # Nothing to write. A range staged while this writer held the mark found it taken and
        # left: look once more, now that it is let go.
        with reading(sessions) as session:
            now = _mark(session)
            again = plan(session, screener, now, pending=pending, patience=patience)
        if again.target <= now:
            return report


@dataclass
class RangeReport:
    """What one range job did: what it screened and staged, and what its write did."""

    after: int
    upto: int
    screened_ahead: int = 0
    staged: bool = False
    written: WriteReport | None = None
    seconds_screening: float = 0.0


def screen_range(
    sessions: sessionmaker[Session], screener: Screener, *, after: int, upto: int
) -> RangeReport:
    """Screen the versions (after, upto] and stage the findings (no lock held)."""
    report = RangeReport(after, upto)
    with reading(sessions) as session:
        if _mark(session) >= upto or screened.is_staged(session, upto):
            return report  # written already, or staged by an earlier run of this job
        rows = read_range(session, after, upto)
    started = time.process_time()
    texts = list(dict.fromkeys(r.text for r in rows if screenable(r)))
    results = screener.screen_many(texts) if texts else []
    report.seconds_screening = time.process_time() - started
    report.screened_ahead = len(texts)
    with transaction(sessions) as session:
        report.staged = screened.stage(session, after, upto, zip(texts, results, strict=True))
    return report


def intake_range(
    sessions: sessionmaker[Session],
    screener: Screener,
    *,
    after: int,
    upto: int,
    pending: Pending | None = None,
    patience: float = 10.0,
) -> RangeReport:
    """One range job: screen and stage (after, upto], then write if no other writer is."""
    report = screen_range(sessions, screener, after=after, upto=upto)
    report.written = write_screened(sessions, screener, pending=pending, patience=patience)
    return report
