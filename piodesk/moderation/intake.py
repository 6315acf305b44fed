"""Intake: every newly captured comment is screened; findings open a case in its page's queue.

Intake reads the archive's version chain from a stored mark, so it never misses or repeats a
version whatever happens between two runs (a crash rolls the mark back with the work). It runs
right after each ingest batch and on a timer. Only versions captured from a live platform
(source ``ingest:…``) are screened: an imported export is years of history, kept as records but
not turned into a queue of decisions nobody can still act on.

A version whose text has not changed since the last screening (a hide, an unhide, a deletion)
is not screened again. An edit is: new findings on a comment whose case is still open are
added to that case; on a comment whose case was closed, they open a new one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.model import ItemState
from piodesk.archive.tables import ArchiveItem, ArchiveVersion
from piodesk.connectors.model import ItemKind
from piodesk.core import audit, clock
from piodesk.core.db import transaction
from piodesk.core.permissions import SYSTEM, Actor
from piodesk.moderation.model import CaseSource, CaseState, asks_for_response
from piodesk.moderation.tables import (
    Case,
    CaseCategory,
    IntakeMark,
    ResponseRequest,
    Screening,
)
from piodesk.screening.engine import Screener
from piodesk.screening.model import Finding, ScreeningResult

COMMENT_KINDS = (ItemKind.COMMENT.value, ItemKind.REPLY.value)
SCREENED_STATES = (ItemState.LIVE.value, ItemState.EDITED.value)
LIVE_SOURCE = "ingest:"


@dataclass
class IntakeReport:
    """What one intake run did."""

    versions_read: int = 0
    screened: int = 0
    cases_opened: int = 0
    cases_updated: int = 0
    response_requests: int = 0
    last_seq: int = 0
    case_ids: list[int] = field(default_factory=list)

    def add(self, other: IntakeReport) -> None:
        """Accumulate another run's counts."""
        self.versions_read += other.versions_read
        self.screened += other.screened
        self.cases_opened += other.cases_opened
        self.cases_updated += other.cases_updated
        self.response_requests += other.response_requests
        self.last_seq = max(self.last_seq, other.last_seq)
        self.case_ids.extend(other.case_ids)


def finding_json(f: Finding) -> dict[str, Any]:
    """A finding as stored with its screening (what the PIO sees on the case)."""
    return {
        "category": f.category,
        "rule": f.rule,
        "spans": [[s.start, s.end] for s in f.spans],
        "evidence": f.evidence[:500],
        "score": round(f.score, 4),
        "section": f.section,
        "explanation": f.explanation,
    }


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _mark(session: Session) -> IntakeMark:
    mark = session.execute(
        select(IntakeMark).where(IntakeMark.id == 1).with_for_update()
    ).scalar_one_or_none()
    if mark is None:
        mark = IntakeMark(id=1, last_seq=0, updated_at=clock.now())
        session.add(mark)
        session.flush()
    return mark


def _last_screened(session: Session, item_ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for start in range(0, len(item_ids), 500):
        rows = session.execute(
            select(Screening.item_id, Screening.text_sha256)
            .where(Screening.item_id.in_(item_ids[start : start + 500]))
            .order_by(Screening.id)
        )
        for r in rows:
            out[r.item_id] = r.text_sha256
    return out


def _open_cases(session: Session, item_ids: list[int]) -> dict[int, Case]:
    out: dict[int, Case] = {}
    for start in range(0, len(item_ids), 500):
        for case in session.execute(
            select(Case).where(
                Case.item_id.in_(item_ids[start : start + 500]),
                Case.state != CaseState.CLOSED.value,
            )
        ).scalars():
            if case.item_id is not None:
                out[case.item_id] = case
    return out


def add_categories(session: Session, case_id: int, categories: set[str]) -> None:
    """Record the categories a case is about (the queue filters on them), once each."""
    if not categories:
        return
    known = set(
        session.execute(
            select(CaseCategory.category).where(CaseCategory.case_id == case_id)
        ).scalars()
    )
    for category in sorted(categories - known):
        session.add(CaseCategory(case_id=case_id, category=category))


def intake(
    session: Session, screener: Screener, *, limit: int = 2_000, actor: Actor = SYSTEM
) -> IntakeReport:
    """Screen what was captured since the mark, open or update cases, in the caller's
    write transaction. Returns what it did; call again while ``versions_read == limit``."""
    report = IntakeReport()
    mark = _mark(session)
    rows = session.execute(
        select(
            ArchiveVersion.seq,
            ArchiveVersion.item_id,
            ArchiveVersion.text,
            ArchiveVersion.state,
            ArchiveVersion.source,
            ArchiveVersion.captured_at,
            ArchiveItem.kind,
            ArchiveItem.page_id,
            ArchiveItem.platform,
            ArchiveItem.author_platform_id,
            ArchiveItem.author_name,
        )
        .join(ArchiveItem, ArchiveItem.id == ArchiveVersion.item_id)
        .where(ArchiveVersion.seq > mark.last_seq)
        .order_by(ArchiveVersion.seq)
        .limit(limit)
    ).all()
    report.versions_read = len(rows)
    if not rows:
        report.last_seq = mark.last_seq
        return report
    candidates = [
        r
        for r in rows
        if r.kind in COMMENT_KINDS
        and r.source.startswith(LIVE_SOURCE)
        and r.state in SCREENED_STATES
        and r.text
        and not r.text.isspace()
    ]
    # The newest version of each item in this batch is the one to screen.
    latest: dict[int, Any] = {}
    for r in candidates:
        latest[r.item_id] = r
    previous = _last_screened(session, list(latest))
    to_screen = [r for r in latest.values() if previous.get(r.item_id) != _sha(r.text)]
    results: list[ScreeningResult] = (
        screener.screen_many([r.text for r in to_screen]) if to_screen else []
    )
    now = clock.now()
    screenings = []
    for r, result in zip(to_screen, results, strict=True):
        screening = Screening(
            item_id=r.item_id,
            version_seq=r.seq,
            text_sha256=_sha(r.text),
            screened_at=now,
            ruleset_version=result.ruleset_version[:80],
            model_version=result.model_version[:200],
            findings=[finding_json(f) for f in result.findings],
            needs_response=asks_for_response(r.text, top_level=r.kind == ItemKind.COMMENT.value),
        )
        screenings.append((r, result, screening))
    session.add_all([s for _, _, s in screenings])
    session.flush()
    report.screened = len(screenings)

    flagged = [(r, res, s) for r, res, s in screenings if res.flagged]
    open_cases = _open_cases(session, [r.item_id for r, _, _ in flagged])
    for r, result, screening in flagged:
        categories = set(result.categories)
        case = open_cases.get(r.item_id)
        if case is not None:
            case.screening_id = screening.id
            add_categories(session, case.id, categories)
            report.cases_updated += 1
            audit.record(
                session,
                actor,
                "moderation:case_updated",
                "case",
                case.id,
                reason="an edited comment was screened again",
                section="§.20",
                data={"item_id": r.item_id, "version_seq": r.seq, "categories": sorted(categories)},
            )
            continue
        case = Case(
            page_id=r.page_id,
            item_id=r.item_id,
            platform=r.platform,
            kind=r.kind,
            author_platform_id=r.author_platform_id,
            author_name=r.author_name,
            source=CaseSource.SCREENING.value,
            screening_id=screening.id,
            captured_at=r.captured_at,
            opened_at=now,
            state=CaseState.OPEN.value,
        )
        session.add(case)
        session.flush()
        add_categories(session, case.id, categories)
        report.cases_opened += 1
        report.case_ids.append(case.id)
        audit.record(
            session,
            actor,
            "moderation:case_opened",
            "case",
            case.id,
            reason="screening found " + ", ".join(sorted(categories)),
            section="§.20",
            data={
                "item_id": r.item_id,
                "version_seq": r.seq,
                "categories": sorted(categories),
                "ruleset_version": result.ruleset_version,
                "model_version": result.model_version,
            },
        )

    asking = [(r, s) for r, _, s in screenings if s.needs_response]
    if asking:
        known = set(
            session.execute(
                select(ResponseRequest.item_id).where(
                    ResponseRequest.item_id.in_([r.item_id for r, _ in asking])
                )
            ).scalars()
        )
        for r, _ in asking:
            if r.item_id in known:
                continue
            known.add(r.item_id)
            request = ResponseRequest(
                item_id=r.item_id, page_id=r.page_id, detected_at=now, state="open"
            )
            session.add(request)
            session.flush()
            report.response_requests += 1
            audit.record(
                session,
                actor,
                "moderation:response_needed",
                "response_request",
                request.id,
                reason="the comment asks the department for a response",
                section="§.12",
                data={"item_id": r.item_id},
            )
    mark.last_seq = report.last_seq = rows[-1].seq
    mark.updated_at = now
    return report


def intake_all(
    sessions: sessionmaker[Session],
    screener: Screener,
    *,
    batch: int = 2_000,
    actor: Actor = SYSTEM,
) -> IntakeReport:
    """Run intake until it has caught up with the archive (one transaction per batch)."""
    total = IntakeReport()
    while True:
        with transaction(sessions) as session:
            report = intake(session, screener, limit=batch, actor=actor)
        total.add(report)
        if report.versions_read < batch:
            return total
