"""Ranges screened ahead of intake's write: what workers hand to the one writer.

Screening is the CPU-heavy part of intake and is pure, so any number of workers screen their
ranges of the archive at once; writing is serial (intake reads the chain in order from one
mark, and every case is an event on the one audit chain). A worker leaves what it found here
(:func:`stage`, keyed by each text's SHA-256); the writer holding the mark reads every range
contiguous from it (:func:`staged`), stores the screenings and cases for all of them in one
transaction, and deletes the ranges it has written (:func:`consume`).

A staged finding is exactly the :class:`ScreeningResult` the worker's screener returned, round
tripped through JSON (:func:`result_json`, :func:`result_from_json`): the writer stores the
same screening the worker would have.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from piodesk.core import clock
from piodesk.moderation.tables import ScreenedRange
from piodesk.screening.drafts import DraftInput
from piodesk.screening.engine import Screener
from piodesk.screening.model import Finding, ScreeningResult, Span, TextKind


def text_sha(text: str) -> str:
    """The key a staged finding is filed under (the same digest a screening row stores)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def result_json(result: ScreeningResult) -> dict[str, Any]:
    """Everything in a screening result, as JSON values."""
    return {
        "kind": result.kind.value,
        "ruleset_version": result.ruleset_version,
        "model_version": result.model_version,
        "categories": sorted(result.categories),
        "findings": [
            {
                "category": f.category,
                "rule": f.rule,
                "spans": [[s.start, s.end] for s in f.spans],
                "evidence": f.evidence,
                "score": f.score,
                "section": f.section,
                "explanation": f.explanation,
                "suggestion": f.suggestion,
                "at_risk": f.at_risk,
            }
            for f in result.findings
        ],
    }


def result_from_json(data: dict[str, Any]) -> ScreeningResult:
    """The screening result :func:`result_json` wrote."""
    return ScreeningResult(
        kind=TextKind(data["kind"]),
        findings=tuple(
            Finding(
                category=f["category"],
                rule=f["rule"],
                spans=tuple(Span(int(a), int(b)) for a, b in f["spans"]),
                evidence=f["evidence"],
                score=float(f["score"]),
                section=f["section"],
                explanation=f["explanation"],
                suggestion=f.get("suggestion", ""),
                at_risk=f.get("at_risk", ""),
            )
            for f in data["findings"]
        ),
        ruleset_version=data["ruleset_version"],
        model_version=data["model_version"],
        categories=frozenset(data["categories"]),
    )


def is_staged(session: Session, upto: int) -> bool:
    """Whether the range ending at ``upto`` is already waiting (a retried job's first run)."""
    return bool(session.execute(select(exists().where(ScreenedRange.upto == upto))).scalar())


def stage(
    session: Session, after: int, upto: int, results: Iterable[tuple[str, ScreeningResult]]
) -> bool:
    """Leave the findings for the versions (after, upto] for the writer, in the caller's
    transaction; False when the range was staged already (two runs of one job)."""
    row = ScreenedRange(
        upto=upto,
        after=after,
        verdicts={text_sha(text): result_json(result) for text, result in results},
        screened_at=clock.now(),
    )
    try:
        with session.begin_nested():  # a duplicate must not abort the caller's transaction
            session.add(row)
    except IntegrityError:
        return False
    return True


def staged(session: Session, mark: int, *, limit: int) -> list[ScreenedRange]:
    """The first ``limit`` ranges waiting past ``mark``, in the chain's order."""
    return list(
        session.execute(
            select(ScreenedRange)
            .where(ScreenedRange.upto > mark)
            .order_by(ScreenedRange.upto)  # ranges never overlap: the same order as by start
            .limit(limit)
        ).scalars()
    )


def consume(session: Session, mark: int) -> int:
    """Delete the ranges written up to ``mark`` (their screenings are stored and sealed)."""
    result = session.execute(delete(ScreenedRange).where(ScreenedRange.upto <= mark))
    return int(getattr(result, "rowcount", 0) or 0)


def oldest(ranges: Sequence[ScreenedRange]) -> datetime | None:
    """When the longest-waiting of ``ranges`` was staged."""
    return min((r.screened_at for r in ranges), default=None)


class Remembering(Screener):
    """A screener that answers from findings already staged and screens only the rest.

    Only ``screen_many`` is used by intake; the wrapped screener does the work (so the
    parent's initialiser, which loads the models again, is deliberately not called)."""

    def __init__(self, inner: Screener, known: dict[str, dict[str, Any]] | None = None) -> None:
        self._inner = inner
        self._known: dict[str, dict[str, Any]] = dict(known or {})
        self._decoded: dict[str, ScreeningResult] = {}
        self.screened_here = 0  # texts the wrapped screener had to screen (none were staged)

    def remember(self, verdicts: dict[str, dict[str, Any]]) -> None:
        """Add a staged range's findings."""
        self._known.update(verdicts)

    def _lookup(self, text: str) -> ScreeningResult | None:
        key = text_sha(text)
        found = self._decoded.get(key)
        if found is None and key in self._known:
            found = self._decoded[key] = result_from_json(self._known[key])
        return found

    def screen_many(
        self, texts: Sequence[str | DraftInput], kind: TextKind = TextKind.COMMENT
    ) -> list[ScreeningResult]:
        """Findings for ``texts``: staged ones as the worker found them, the rest screened now."""
        if kind is not TextKind.COMMENT or not all(isinstance(t, str) for t in texts):
            return self._inner.screen_many(texts, kind)  # drafts: never staged
        strings = [t for t in texts if isinstance(t, str)]
        answers = {t: self._lookup(t) for t in dict.fromkeys(strings)}
        missing = [t for t, found in answers.items() if found is None]
        if missing:
            self.screened_here += len(missing)
            answers.update(zip(missing, self._inner.screen_many(missing, kind), strict=True))
        return [a for a in (answers[t] for t in strings) if a is not None]
