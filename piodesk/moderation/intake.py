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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias, cast

from sqlalchemy import Row, Table, insert, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.model import ItemState
from piodesk.archive.tables import ArchiveItem, ArchiveVersion
from piodesk.connectors.model import ItemKind
from piodesk.core import audit, clock, evidence, tags
from piodesk.core.db import reading, transaction
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

#: One archive version as intake reads it (with its item's columns).
Version: TypeAlias = "Row[*tuple[Any, ...]]"

# Core tables for the bulk statements (several times faster than the ORM's per-row flushes).
SCREENINGS = cast(Table, Screening.__table__)
CASES = cast(Table, Case.__table__)
CATEGORIES = cast(Table, CaseCategory.__table__)
REQUESTS = cast(Table, ResponseRequest.__table__)


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
        "at_risk": f.at_risk,
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


def _chunks(values: Sequence[int], size: int = 500) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _read(session: Session, after: int, limit: int) -> list[Version]:
    """The archive versions after ``after``, oldest first, with what a case copies of its item."""
    return list(
        session.execute(
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
                ArchiveItem.page_platform_id,
            )
            .join(ArchiveItem, ArchiveItem.id == ArchiveVersion.item_id)
            .where(ArchiveVersion.seq > after)
            .order_by(ArchiveVersion.seq)
            .limit(limit)
        ).all()
    )


def _last_screened(session: Session, item_ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in _chunks(item_ids):
        rows = session.execute(
            select(Screening.item_id, Screening.text_sha256)
            .where(Screening.item_id.in_(chunk))
            .order_by(Screening.id)
        )
        for r in rows:
            out[r.item_id] = r.text_sha256
    return out


def screenable(r: Version) -> bool:
    """Whether intake screens this version at all: a live comment by the public, with text.

    (Whether its text was screened before is for :func:`_to_screen`, in the chain's order.)"""
    return bool(
        r.kind in COMMENT_KINDS
        and r.source.startswith(LIVE_SOURCE)
        and r.state in SCREENED_STATES
        and r.text
        and not r.text.isspace()
        # The department's own replies under its posts are not the public's comments.
        and not (r.author_platform_id and r.author_platform_id == r.page_platform_id)
    )


def read_range(session: Session, after: int, upto: int) -> list[Version]:
    """The versions (after, upto] as intake reads them (a worker screening a range ahead)."""
    return [r for r in _read(session, after, max(0, upto - after)) if r.seq <= upto]


def _to_screen(session: Session, rows: Sequence[Version]) -> list[Version]:
    """The versions to screen: the newest of each live comment, unless its text was screened."""
    latest: dict[int, Version] = {}
    for r in rows:
        if screenable(r):
            latest[r.item_id] = r
    previous = _last_screened(session, list(latest))
    return [r for r in latest.values() if previous.get(r.item_id) != _sha(r.text)]


def _open_cases(session: Session, item_ids: list[int]) -> dict[int, Case]:
    out: dict[int, Case] = {}
    for chunk in _chunks(item_ids):
        for case in session.execute(
            select(Case).where(
                Case.item_id.in_(chunk),
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


@dataclass(frozen=True, slots=True)
class Verdict:
    """What intake stores of one text's screening: worked out before any lock is taken."""

    result: ScreeningResult
    findings: list[dict[str, Any]]
    sha256: str


def verdicts(screener: Screener, texts: Sequence[str]) -> dict[str, Verdict]:
    """Screen ``texts`` (each once) and prepare what intake stores, by text."""
    unique = list(dict.fromkeys(texts))
    return {
        text: Verdict(
            result,
            [finding_json(f) for f in result.findings],
            _sha(text),
        )
        for text, result in zip(unique, screener.screen_many(unique), strict=True)
    }


def _asking(to_screen: Sequence[Version]) -> set[int]:
    """The versions (seq) whose comment asks the department for a response (§.12)."""
    return {
        r.seq
        for r in to_screen
        if asks_for_response(r.text, top_level=r.kind == ItemKind.COMMENT.value)
    }


@dataclass
class Prepared:
    """A batch read and screened before intake's write transaction, with no lock held.

    Screening is the slow part of intake; done here, it does not keep capture (which needs the
    same write lock on SQLite) waiting. :func:`intake` uses the batch only if the mark has not
    moved since: then no screening has been written since either (only intake writes them,
    and every intake that writes moves the mark), so the choice of versions still holds.
    """

    after: int
    rows: list[Version]
    to_screen: list[Version]
    verdicts: dict[str, Verdict]  # by text
    asking: set[int]  # the versions (seq) that ask the department for a response


def prepare(session: Session, screener: Screener, *, limit: int = 2_000) -> Prepared:
    """Read the next batch after the mark and screen it (a read; nothing is written)."""
    after = session.execute(select(IntakeMark.last_seq).where(IntakeMark.id == 1)).scalar() or 0
    rows = _read(session, after, limit)
    to_screen = _to_screen(session, rows)
    found = verdicts(screener, [r.text for r in to_screen])
    return Prepared(after, rows, to_screen, found, _asking(to_screen))


def _insert_ids(
    session: Session, table: Table, rows: list[dict[str, Any]], key: str, item_ids: list[int]
) -> dict[Any, int]:
    """Insert ``rows`` in one executemany and return their new ids by the column ``key``.

    Read back by item (an indexed column of all three tables): an INSERT … RETURNING of many
    rows in a known order goes row by row on SQLite.
    """
    if not rows:
        return {}
    session.execute(insert(table), rows)
    wanted = {r[key] for r in rows}
    out: dict[Any, int] = {}
    for chunk in _chunks(item_ids):
        for r in session.execute(
            select(table.c.id, table.c[key]).where(table.c.item_id.in_(chunk))
        ):
            if r[1] in wanted:
                out[r[1]] = r[0]
    # A bulk INSERT passes the ORM by: name the new rows so the audit event seals them.
    evidence.note(session, table, out.values())
    return out


def intake(
    session: Session,
    screener: Screener,
    *,
    limit: int = 2_000,
    actor: Actor = SYSTEM,
    prepared: Prepared | None = None,
) -> IntakeReport:
    """Screen what was captured since the mark, open or update cases, in the caller's
    write transaction. Returns what it did; call again while ``versions_read == limit``.

    ``prepared`` (from :func:`prepare`) carries a batch already screened outside the
    transaction; it is used only if nobody has moved the mark since it was read."""
    report = IntakeReport()
    mark = _mark(session)
    if prepared is not None and prepared.after == mark.last_seq:
        rows, to_screen = prepared.rows, prepared.to_screen
        found, asking = prepared.verdicts, prepared.asking
    else:
        rows = _read(session, mark.last_seq, limit)
        to_screen = _to_screen(session, rows)
        found, asking = verdicts(screener, [r.text for r in to_screen]), _asking(to_screen)
    report.versions_read = len(rows)
    if not rows:
        report.last_seq = mark.last_seq
        return report
    # Screening rows, cases, categories, requests and audit events each go in as one bulk
    # INSERT: a busy page brings hundreds of comments a batch (bench/moderation.py).
    now = clock.now()
    screened = [(r, found[r.text]) for r in to_screen]
    screening_ids = _insert_ids(
        session,
        SCREENINGS,
        [
            {
                "item_id": r.item_id,
                "version_seq": r.seq,
                "text_sha256": v.sha256,
                "screened_at": now,
                "ruleset_version": v.result.ruleset_version[:80],
                "model_version": v.result.model_version[:200],
                "findings": v.findings,
                "needs_response": r.seq in asking,
            }
            for r, v in screened
        ],
        "version_seq",
        [r.item_id for r, _ in screened],
    )
    report.screened = len(screened)

    flagged = [(r, v.result) for r, v in screened if v.result.flagged]
    open_cases = _open_cases(session, [r.item_id for r, _ in flagged])
    entries: list[tuple[Version, ScreeningResult, Case | None]] = []
    new_cases: list[dict[str, Any]] = []
    for r, result in flagged:
        case = open_cases.get(r.item_id)
        if case is not None:
            case.screening_id = screening_ids[r.seq]
        else:
            new_cases.append(
                {
                    "page_id": r.page_id,
                    "item_id": r.item_id,
                    "platform": r.platform,
                    "kind": r.kind,
                    "author_platform_id": r.author_platform_id,
                    "author_name": r.author_name,
                    "source": CaseSource.SCREENING.value,
                    "screening_id": screening_ids[r.seq],
                    "captured_at": r.captured_at,
                    "opened_at": now,
                    "state": CaseState.OPEN.value,
                }
            )
        entries.append((r, result, case))
    session.flush()  # the updated cases, before the bulk statements below
    case_ids = _insert_ids(
        session, CASES, new_cases, "screening_id", [c["item_id"] for c in new_cases]
    )

    known: dict[int, set[str]] = {}
    for chunk in _chunks([c.id for _, _, c in entries if c is not None]):
        for case_id, category in session.execute(
            select(CaseCategory.case_id, CaseCategory.category).where(
                CaseCategory.case_id.in_(chunk)
            )
        ):
            known.setdefault(case_id, set()).add(category)
    categories: list[dict[str, Any]] = []
    audit_entries: list[audit.Entry] = []
    for r, result, case in entries:
        cats = set(result.categories)
        if case is not None:
            case_id = case.id
            report.cases_updated += 1
            audit_entries.append(
                audit.Entry(
                    tags.Moderation.CASE_UPDATED,
                    "case",
                    case_id,
                    reason="an edited comment was screened again",
                    section="§.20",
                    data={"item_id": r.item_id, "version_seq": r.seq, "categories": sorted(cats)},
                )
            )
        else:
            case_id = case_ids[screening_ids[r.seq]]
            report.cases_opened += 1
            report.case_ids.append(case_id)
            audit_entries.append(
                audit.Entry(
                    tags.Moderation.CASE_OPENED,
                    "case",
                    case_id,
                    reason="screening found " + ", ".join(sorted(cats)),
                    section="§.20",
                    data={
                        "item_id": r.item_id,
                        "version_seq": r.seq,
                        "categories": sorted(cats),
                        "ruleset_version": result.ruleset_version,
                        "model_version": result.model_version,
                    },
                )
            )
        categories += [
            {"case_id": case_id, "category": c} for c in sorted(cats - known.get(case_id, set()))
        ]
    if categories:
        session.execute(insert(CATEGORIES), categories)

    if asking:
        requested: set[int] = set()
        for chunk in _chunks([r.item_id for r in to_screen if r.seq in asking]):
            requested.update(
                session.execute(
                    select(ResponseRequest.item_id).where(ResponseRequest.item_id.in_(chunk))
                ).scalars()
            )
        new_requests = []
        for r in to_screen:
            if r.seq in asking and r.item_id not in requested:
                requested.add(r.item_id)
                new_requests.append(
                    {
                        "item_id": r.item_id,
                        "page_id": r.page_id,
                        "detected_at": now,
                        "state": "open",
                    }
                )
        request_ids = _insert_ids(
            session, REQUESTS, new_requests, "item_id", [q["item_id"] for q in new_requests]
        )
        for q in new_requests:
            report.response_requests += 1
            audit_entries.append(
                audit.Entry(
                    tags.Moderation.RESPONSE_NEEDED,
                    "response_request",
                    request_ids[q["item_id"]],
                    reason="the comment asks the department for a response",
                    section="§.12",
                    data={"item_id": q["item_id"]},
                )
            )
    if screened:
        # The screenings themselves are evidence (what the engine said of each comment): one
        # event for the batch seals them, whether or not any case was opened.
        audit_entries.append(
            audit.Entry(
                tags.Moderation.SCREENED,
                "archive_versions",
                f"{screened[0][0].seq}-{screened[-1][0].seq}",
                reason=f"screened {len(screened)} captured versions",
                section="§.20",
                data={"screenings": len(screened)},
            )
        )
    # One event per case and request, chained in the order the loop above made them.
    audit.record_many(session, actor, audit_entries)
    mark.last_seq = report.last_seq = rows[-1].seq
    mark.updated_at = now
    return report


def intake_all(
    sessions: sessionmaker[Session],
    screener: Screener,
    *,
    batch: int = 2_000,
    actor: Actor = SYSTEM,
    committed: Callable[[IntakeReport], object] | None = None,
) -> IntakeReport:
    """Run intake until it has caught up with the archive (one transaction per batch).

    Each batch is read and screened first without any lock, then written in a short write
    transaction, so capture is not held up while comments are screened. ``committed`` is
    called with each batch's report once its cases are visible (after the commit)."""
    total = IntakeReport()
    while True:
        with reading(sessions) as session:
            prepared = prepare(session, screener, limit=batch)
        if not prepared.rows:
            # Nothing new: no write transaction, so a short period costs an idle system (and
            # SQLite's write lock) nothing but one read.
            report = IntakeReport(last_seq=prepared.after)
        else:
            with transaction(sessions) as session:
                report = intake(session, screener, limit=batch, actor=actor, prepared=prepared)
        if committed is not None:
            committed(report)
        total.add(report)
        if report.versions_read < batch:
            return total
