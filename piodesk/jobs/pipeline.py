"""The moderation pipeline across workers: screen in parallel, write in the chain's order.

Each capture transaction defers one ``intake-range`` job for the versions it added (see
``queue.intake_after_capture``). Screening is the slow part, and it is pure: any number of
workers screen their ranges at once, with no lock held. The write stays what intake always was
(``moderation.intake.intake``, from the one stored mark, under its row lock), so a comment is
screened once and in order whatever the interleaving: a range waits (briefly) for the ranges
before it to be written, then writes from the mark with its screenings remembered. If an
earlier range is slow or lost (its worker killed), the waiting one writes from the mark anyway,
screening what it has not seen; the earlier one then finds its range done and stops.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.tables import ArchiveVersion
from piodesk.core.db import reading, transaction
from piodesk.moderation.intake import IntakeReport, intake
from piodesk.moderation.tables import IntakeMark
from piodesk.screening.drafts import DraftInput
from piodesk.screening.engine import Screener
from piodesk.screening.model import ScreeningResult, TextKind


class _Remembering(Screener):
    """A screener that answers from screenings already done and screens only the rest.

    Only ``screen_many`` is used by intake; the wrapped screener does the work (so the
    parent's initialiser, which loads the models again, is deliberately not called)."""

    def __init__(self, inner: Screener, known: dict[str, ScreeningResult]) -> None:
        self._inner = inner
        self._known = known

    def screen_many(
        self, texts: Sequence[str | DraftInput], kind: TextKind = TextKind.COMMENT
    ) -> list[ScreeningResult]:
        """Findings for ``texts``: remembered ones as they were, the rest screened now."""
        if not all(isinstance(t, str) for t in texts):
            return self._inner.screen_many(texts, kind)  # drafts: never remembered
        missing = [t for t in dict.fromkeys(texts) if isinstance(t, str) and t not in self._known]
        if missing:
            self._known.update(zip(missing, self._inner.screen_many(missing, kind), strict=True))
        return [self._known[t] for t in texts if isinstance(t, str)]


def _mark(session: Session, *, lock: bool = False) -> int:
    q = select(IntakeMark.last_seq).where(IntakeMark.id == 1)
    return int(session.execute(q.with_for_update() if lock else q).scalar() or 0)


@dataclass
class RangeReport:
    """What one range job did: the versions it screened itself and what the write did."""

    after: int
    upto: int
    screened_ahead: int = 0
    waited: float = 0.0
    written: IntakeReport | None = None


#: Whether a range before ``after`` that reaches past ``mark`` is still waiting or running
#: (the engine asks its queue); None: nobody else writes, so never wait.
EarlierPending = Callable[[Session, int, int], bool]


def intake_range(
    sessions: sessionmaker[Session],
    screener: Screener,
    *,
    after: int,
    upto: int,
    earlier_pending: EarlierPending | None = None,
    patience: float = 10.0,
    poll: float = 0.02,
) -> RangeReport:
    """Screen the versions (after, upto] and write them into the queue in the chain's order.

    Before writing it waits, at most ``patience`` seconds, while ``earlier_pending`` says a
    range before it is still on its way; versions no range covers (imports, the department's
    own posts) are never waited for: the write from the mark reads them too."""
    report = RangeReport(after, upto)
    with reading(sessions) as session:
        if _mark(session) >= upto:
            return report  # written already (the periodic sweep, or a range after this one)
        texts = list(
            session.execute(
                select(ArchiveVersion.text).where(
                    ArchiveVersion.seq > after, ArchiveVersion.seq <= upto
                )
            ).scalars()
        )
    wanted = [t for t in dict.fromkeys(texts) if t and not t.isspace()]
    known = dict(zip(wanted, screener.screen_many(wanted), strict=True))
    report.screened_ahead = len(known)
    remembering = _Remembering(screener, known)
    started = time.monotonic()
    while earlier_pending is not None and time.monotonic() - started < patience:
        with reading(sessions) as session:
            mark = _mark(session)
            if mark >= upto:
                report.waited = time.monotonic() - started
                return report
            if mark >= after or not earlier_pending(session, mark, after):
                break
        time.sleep(poll)
    report.waited = time.monotonic() - started
    total = IntakeReport()
    while True:
        with transaction(sessions) as session:
            # intake() locks the mark row; whoever holds it writes, from the mark, in order.
            current = _mark(session, lock=True)
            if current >= upto:
                break
            done = intake(session, remembering, limit=max(1, upto - current))
        total.add(done)
        if not done.versions_read:
            break
    report.written = total
    return report
