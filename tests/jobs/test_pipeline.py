"""The moderation pipeline across workers: ranges screened in parallel, one writer for many.

On both databases (the writer is plain SQL; the question "is a range job still on its way?"
is a function the engine answers from its queue, given here by the test), except where real
row locks between two connections are the point (PostgreSQL).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.capture import capture
from piodesk.archive.tables import ArchiveHead
from piodesk.connectors.model import CapturedItem
from piodesk.core import audit, evidence, tags
from piodesk.core.audit import AuditEvent
from piodesk.core.db import transaction
from piodesk.jobs.pipeline import WriteReport, intake_range, screen_range, write_screened
from piodesk.moderation import screened
from piodesk.moderation.intake import intake_all
from piodesk.moderation.tables import Case, IntakeMark, ScreenedRange, Screening
from piodesk.screening.drafts import DraftInput
from piodesk.screening.engine import Screener, default_screener
from piodesk.screening.model import ScreeningResult, TextKind
from tests.jobs.items import comment

SOURCE = "ingest:sandbox:precinct"
THREAT = "I will kill you, officer"
PHONE = "call me at 719-555-0142 for cheap pills"
CLEAN = "thanks for the update on the road closure"


@pytest.fixture(scope="module")
def screener() -> Screener:
    return default_screener()


class Counting(Screener):
    """The real screener, counting the texts it is asked to screen (no second model load)."""

    def __init__(self, inner: Screener) -> None:
        self.inner = inner
        self.texts: list[str] = []

    def screen_many(
        self, texts: Sequence[str | DraftInput], kind: TextKind = TextKind.COMMENT
    ) -> list[ScreeningResult]:
        self.texts += [t for t in texts if isinstance(t, str)]
        return self.inner.screen_many(texts, kind)


def _capture(sessions: sessionmaker[Session], items: list[CapturedItem]) -> tuple[int, int]:
    """One capture transaction; the range (before, after] of the chain it added."""
    with transaction(sessions) as s:
        before = int(s.execute(select(ArchiveHead.last_seq)).scalar() or 0)
        capture(s, items, source=SOURCE)
        after = int(s.execute(select(ArchiveHead.last_seq)).scalar() or 0)
    return before, after


def _ranges(sessions: sessionmaker[Session], batches: list[list[str]]) -> list[tuple[int, int]]:
    ranges, n = [], 0
    for texts in batches:
        ranges.append(_capture(sessions, [comment(n + i, t) for i, t in enumerate(texts)]))
        n += len(texts)
    return ranges


def _unstaged(ranges: list[tuple[int, int]]) -> object:
    """A queue that says a range job is on its way for each of ``ranges`` not staged yet."""

    def pending(session: Session, lo: int, hi: int) -> bool:
        waiting = set(session.execute(select(ScreenedRange.upto)).scalars())
        mark = int(session.execute(select(IntakeMark.last_seq)).scalar() or 0)
        return any(a < hi and u > lo and u not in waiting and u > mark for a, u in ranges)

    return pending


def _state(sessions: sessionmaker[Session]) -> dict[str, object]:
    with sessions() as s:
        return {
            "mark": s.execute(select(IntakeMark.last_seq)).scalar(),
            "screened": s.execute(select(Screening.version_seq).order_by(Screening.id))
            .scalars()
            .all(),
            "cases": s.execute(select(func.count()).select_from(Case)).scalar_one(),
            "staged": s.execute(select(func.count()).select_from(ScreenedRange)).scalar_one(),
        }


def _chain_holds(sessions: sessionmaker[Session]) -> None:
    """`piodesk audit verify`'s two checks, and one case-opened event per case."""
    with sessions() as s:
        assert audit.verify(s).ok
        check = evidence.verify(s)
        assert check.ok, check.problems
        cases = set(s.execute(select(Case.id)).scalars())
        opened = (
            s.execute(
                select(AuditEvent.target_id).where(
                    AuditEvent.action == tags.Moderation.CASE_OPENED.value
                )
            )
            .scalars()
            .all()
        )
    assert sorted(int(t) for t in opened) == sorted(cases)


def test_ranges_screened_out_of_order_are_written_by_one_writer_in_chain_order(
    sessions: sessionmaker[Session], screener: Screener
) -> None:
    ranges = _ranges(
        sessions, [[CLEAN, THREAT], [PHONE, "road closed again?"], [THREAT + " tonight", CLEAN]]
    )
    pending = _unstaged(ranges)
    counting = Counting(screener)
    # The last two ranges finish first: each is screened and staged, and its write stops at
    # the gap the first range's job (still on its way) will fill.
    for after, upto in reversed(ranges[1:]):
        report = intake_range(sessions, counting, after=after, upto=upto, pending=pending)
        assert report.staged and report.screened_ahead == 2
        assert report.written is not None and report.written.transactions == 0
    assert _state(sessions) == {"mark": 0, "screened": [], "cases": 0, "staged": 2}
    # The first range's job: one write, in one transaction, for all three ranges, with
    # nothing screened a second time.
    screened_before = len(counting.texts)
    first = intake_range(sessions, counting, after=ranges[0][0], upto=ranges[0][1], pending=pending)
    assert first.written is not None
    assert (first.written.transactions, first.written.ranges) == (1, 3)
    assert first.written.screened_by_writer == 0
    assert len(counting.texts) - screened_before == 2  # only its own range
    assert _state(sessions) == {"mark": 6, "screened": [1, 2, 3, 4, 5, 6], "cases": 3, "staged": 0}
    _chain_holds(sessions)


def test_a_gap_no_range_job_covers_is_screened_by_the_writer(
    sessions: sessionmaker[Session], screener: Screener
) -> None:
    first = _capture(sessions, [comment(0, CLEAN)])
    _capture(sessions, [comment(1, THREAT)])  # an import, say: no range job for it
    last = _capture(sessions, [comment(2, PHONE)])
    pending = _unstaged([first, last])
    counting = Counting(screener)
    late = intake_range(sessions, counting, after=last[0], upto=last[1], pending=pending)
    assert late.written is not None and late.written.transactions == 0  # waits for the first
    early = intake_range(sessions, counting, after=first[0], upto=first[1], pending=pending)
    assert early.written is not None and early.written.screened_by_writer == 1
    assert counting.texts.count(THREAT) == 1  # the uncovered comment, screened by the writer
    assert _state(sessions) == {"mark": 3, "screened": [1, 2, 3], "cases": 2, "staged": 0}
    _chain_holds(sessions)


def test_a_range_whose_job_is_lost_is_screened_by_the_writer_after_patience(
    sessions: sessionmaker[Session], screener: Screener
) -> None:
    lost, later = _ranges(sessions, [[THREAT], [PHONE, CLEAN]])
    always = _unstaged([lost, later])  # the lost job never comes back
    report = intake_range(
        sessions, screener, after=later[0], upto=later[1], pending=always, patience=60
    )
    assert report.written is not None and report.written.transactions == 0
    assert _state(sessions)["mark"] == 0
    # The staged range has waited past the writer's patience (its worker killed, the job
    # not yet found stalled): the writer screens the gap itself.
    with transaction(sessions) as s:
        s.execute(
            update(ScreenedRange).values(screened_at=datetime.now(UTC) - timedelta(seconds=61))
        )
    written = write_screened(sessions, screener, pending=always, patience=60)
    assert (written.transactions, written.ranges, written.screened_by_writer) == (1, 1, 1)
    assert _state(sessions) == {"mark": 3, "screened": [1, 2, 3], "cases": 2, "staged": 0}
    # The lost job, run again at last, finds its range written and screens nothing.
    again = intake_range(sessions, screener, after=lost[0], upto=lost[1], pending=always)
    assert again.screened_ahead == 0 and not again.staged
    _chain_holds(sessions)


def test_a_range_staged_by_a_job_killed_before_its_write_is_written_by_the_next(
    sessions: sessionmaker[Session], screener: Screener
) -> None:
    a, b = _ranges(sessions, [[THREAT, CLEAN], [PHONE]])
    # The first job screened and staged, then its worker died before the write.
    assert screen_range(sessions, screener, after=a[0], upto=a[1]).staged
    # Retried, it stages nothing twice and screens nothing again.
    counting = Counting(screener)
    retried = screen_range(sessions, counting, after=a[0], upto=a[1])
    assert not retried.staged and counting.texts == []
    # The next range's job writes both.
    report = intake_range(sessions, counting, after=b[0], upto=b[1])
    assert report.written is not None and report.written.ranges == 2
    assert counting.texts == [PHONE]
    assert _state(sessions) == {"mark": 3, "screened": [1, 2, 3], "cases": 2, "staged": 0}
    _chain_holds(sessions)


def test_an_edit_screened_ahead_joins_the_open_case_as_intake_all_would(
    sessions: sessionmaker[Session], screener: Screener
) -> None:
    first = _capture(sessions, [comment(0, THREAT)])
    edited = _capture(sessions, [comment(0, THREAT + ", tonight", 2)])
    for after, upto in (edited, first):  # the edit's range screened first
        assert screen_range(sessions, screener, after=after, upto=upto).staged
    assert write_screened(sessions, screener).ranges == 2
    with sessions() as s:
        cases = s.execute(select(Case.item_id, Case.screening_id)).all()
        screenings = dict(s.execute(select(Screening.id, Screening.version_seq)).all())
    # As intake_all does: only the newest version of the comment is screened, and its one
    # case points at that screening.
    assert len(cases) == 1 and list(screenings.values()) == [2]
    assert screenings[cases[0].screening_id] == 2
    _chain_holds(sessions)


def test_staged_findings_are_the_screeners_own(screener: Screener) -> None:
    texts = [THREAT, PHONE, CLEAN, "You are all idiots", "Is the bus detoured too?"]
    for text, result in zip(texts, screener.screen_many(texts), strict=True):
        back = screened.result_from_json(json.loads(json.dumps(screened.result_json(result))))
        assert back == result, text
    assert any(r.flagged for r in screener.screen_many(texts))


def test_the_sweep_still_catches_what_no_range_covers(
    sessions: sessionmaker[Session], screener: Screener
) -> None:
    _capture(sessions, [comment(0, THREAT)])
    assert write_screened(sessions, screener).transactions == 0  # nothing staged
    intake_all(sessions, screener)
    assert _state(sessions) == {"mark": 1, "screened": [1], "cases": 1, "staged": 0}


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_range_staged_while_the_writer_is_busy_is_written_by_that_writer(
    sessions: sessionmaker[Session], screener: Screener
) -> None:
    """The no-stranding rule with two real connections: a job that finds the mark taken
    leaves at once, and the writer holding it writes that job's range before it stops."""
    _capture(sessions, [comment(0, THREAT)])  # no range job: the writer screens it itself
    first = _capture(sessions, [comment(1, CLEAN)])
    assert screen_range(sessions, screener, after=first[0], upto=first[1]).staged
    inside, go_on = threading.Event(), threading.Event()

    class Slow(Screener):
        """The real screener, holding the writer inside its transaction until told."""

        def __init__(self) -> None:
            pass

        def screen_many(
            self, texts: Sequence[str | DraftInput], kind: TextKind = TextKind.COMMENT
        ) -> list[ScreeningResult]:
            inside.set()
            assert go_on.wait(30)
            return screener.screen_many(texts, kind)

    done: list[WriteReport] = []
    thread = threading.Thread(target=lambda: done.append(write_screened(sessions, Slow())))
    thread.start()
    assert inside.wait(30)  # the writer holds the mark, screening the uncovered comment
    late = _capture(sessions, [comment(2, PHONE)])
    mine = intake_range(sessions, screener, after=late[0], upto=late[1])
    assert mine.staged and mine.written is not None and mine.written.transactions == 0
    go_on.set()
    thread.join(30)
    assert [(r.transactions, r.ranges) for r in done] == [(2, 2)]
    assert _state(sessions) == {"mark": 3, "screened": [1, 2, 3], "cases": 2, "staged": 0}
    _chain_holds(sessions)
