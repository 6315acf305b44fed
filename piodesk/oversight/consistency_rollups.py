"""The consistency report's roll-ups, so a year of a million comments is compared in seconds.

Most of the report's work does not depend on the period asked for: reading each decided case
with the text it was decided on, normalizing that text, hashing its word bigrams and its MinHash
bands. The periodic roll-up job (:func:`refresh_consistency`, run by
``rollups.refresh_rollups``) keeps that work, one row per month of decisions holding packed
arrays: each case's id, page, outcome, decision time and text, and each distinct normalized
text's digest, bigram hashes and band keys at the default threshold. The report reads the
period's dozen rows, joins texts that recur across months by digest, and only pairs, checks
and counts (``reports.compare``), exactly as it does from the records.

Derived data, never evidence, and the report is right whether or not the job has run:

- never rolled up: every case comes from the records;
- the roll-up keeps the high-water marks of the tables it read (the largest decision,
  reopening, archive version and screening ids). A case with a decision or a reopening since,
  or whose comment has a new version or screening since (the text decided on may change), is
  *stale*: it is read from the records, as is every case decided since, and its rolled entry
  is left out; the next refresh packs the months such cases were and are in again.
  Decisions, reopenings, versions and screenings are append-only rows, so a row added is the
  only way a rolled case can change.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.tables import ArchiveVersion
from piodesk.core import clock
from piodesk.core.db import reading, transaction
from piodesk.moderation.tables import Case, Decision, Reopening, Screening
from piodesk.oversight import reports
from piodesk.oversight.reports import (
    DEFAULT_THRESHOLD,
    NO_PAGE,
    OUTCOME_CODES,
    Corpus,
    Period,
    Shingled,
)
from piodesk.oversight.rollup_tables import ConsistencyMarks, ConsistencyMonth

_MARKED = {
    "decisions": Decision.id,
    "reopenings": Reopening.id,
    "versions": ArchiveVersion.seq,
    "screenings": Screening.id,
}
_ONE = 1  # the marks row's id


def marks(session: Session) -> dict[str, int]:
    """The largest id of each table a rolled case rests on."""
    return {
        name: int(session.execute(select(func.max(col))).scalar() or 0)
        for name, col in _MARKED.items()
    }


def stale_cases(session: Session, kept: dict[str, Any]) -> set[int]:
    """The cases a row added since ``kept`` may have changed (decided again, reopened, or
    their comment captured or screened again)."""
    out: set[int] = set()
    for query in (
        select(Decision.case_id).where(Decision.id > kept["decisions"]),
        select(Reopening.case_id).where(Reopening.id > kept["reopenings"]),
        select(Case.id).where(
            Case.item_id.in_(
                select(ArchiveVersion.item_id).where(ArchiveVersion.seq > kept["versions"])
            )
        ),
        select(Case.id).where(
            Case.item_id.in_(select(Screening.item_id).where(Screening.id > kept["screenings"]))
        ),
    ):
        out.update(session.execute(query).scalars())
    return out


def _digest(normalized: str) -> bytes:
    """16 bytes of the normalized text's SHA-256: which texts are one across months."""
    return hashlib.sha256(normalized.encode()).digest()[:16]


def _array(blob: bytes, dtype: str) -> np.ndarray:
    return np.frombuffer(bytes(blob), dtype=np.dtype(dtype)).astype(np.dtype(dtype[1:]))


def _month_of(at: datetime) -> str:
    return clock.as_utc(at).strftime("%Y-%m")


def pack(rows: Sequence[reports._Row]) -> dict[str, Any] | None:
    """One month's decided cases as a stored row's arrays (None: no case with text)."""
    corpus = Corpus.of(rows)
    if not len(corpus.case_ids):
        return None
    normalized: dict[str, int] = {}
    for r in rows:
        text = reports.normalize(r.text)
        if text:
            normalized.setdefault(text, len(normalized))
    keys = reports.band_keys(reports.minhash(corpus.shingled), DEFAULT_THRESHOLD)
    return {
        "cases": len(corpus.case_ids),
        "case_ids": corpus.case_ids.astype("<i8").tobytes(),
        "pages": corpus.pages.astype("<i8").tobytes(),
        "outcomes": corpus.outcomes.astype("<i8").tobytes(),
        "decided": corpus.decided.astype("<i8").tobytes(),
        "texts": corpus.text.astype("<i8").tobytes(),
        "digests": b"".join(_digest(t) for t in normalized),
        "sizes": np.diff(corpus.shingled.offsets).astype("<i8").tobytes(),
        "shingles": corpus.shingled.hashes.astype("<u8").tobytes(),
        "bands": keys.astype("<u8").tobytes(),
    }


def corpus(session: Session, period: Period) -> Corpus | None:
    """The period's decided cases from the roll-ups, with every stale or newer case read from
    the records (None: never rolled up)."""
    kept = session.get(ConsistencyMarks, _ONE)
    if kept is None:
        return None
    stale = stale_cases(session, kept.marks)
    packs = (
        session.execute(
            select(ConsistencyMonth)
            .where(ConsistencyMonth.month >= period.first, ConsistencyMonth.month <= period.last)
            .order_by(ConsistencyMonth.month)
        )
        .scalars()
        .all()
    )
    bands = reports.bands_for(DEFAULT_THRESHOLD)[0]
    parts: dict[str, list[np.ndarray]] = defaultdict(list)
    text_base = 0
    for m in packs:
        for name in ("case_ids", "pages", "outcomes", "decided"):
            parts[name].append(_array(getattr(m, name), "<i8"))
        parts["texts"].append(_array(m.texts, "<i8") + text_base)
        sizes = _array(m.sizes, "<i8")
        parts["sizes"].append(sizes)
        parts["shingles"].append(_array(m.shingles, "<u8"))
        parts["bands"].append(_array(m.bands, "<u8").reshape(len(sizes), bands))
        parts["digests"].append(np.frombuffer(bytes(m.digests), dtype="<u8").reshape(-1, 2))
        text_base += len(sizes)

    def joined(name: str, dtype: Any, shape: tuple[int, ...] = (0,)) -> np.ndarray:
        return np.concatenate(parts[name]) if parts[name] else np.empty(shape, dtype=dtype)

    case_ids = joined("case_ids", np.int64)
    pages, outcomes = joined("pages", np.int64), joined("outcomes", np.int64)
    decided, text = joined("decided", np.int64), joined("texts", np.int64)
    sizes = joined("sizes", np.int64)
    hashes = joined("shingles", np.uint64)
    keys = joined("bands", np.uint64, (0, bands))
    digests = joined("digests", np.uint64, (0, 2))
    offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    if stale:
        keep = ~np.isin(case_ids, np.fromiter(stale, np.int64, len(stale)))
        case_ids, pages, outcomes = case_ids[keep], pages[keep], outcomes[keep]
        decided, text = decided[keep], text[keep]

    # One entry per distinct text across the months (by digest), only those with a case.
    order = np.lexsort((digests[:, 1], digests[:, 0])) if len(digests) else np.empty(0, int)
    ordered = digests[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    same = np.empty(len(order), dtype=np.int64)
    same[order] = np.cumsum(new) - 1  # every stored text's distinct-text number
    first = order[new]  # a stored text standing for each distinct one
    distinct_keys = ordered[new]

    # Cases decided or changed since the roll-up, from the records.
    live: list[tuple[reports._Row, str]] = []
    if stale:
        for chunk in _chunks(sorted(stale)):
            for r in reports._decided(session, period, Case.id.in_(chunk)):
                normalized = reports.normalize(r.text)
                if normalized:
                    live.append((r, normalized))
        live.sort(key=lambda found: found[0].case_id)
    live_text: list[int] = []
    fresh: dict[bytes, int] = {}
    for _, normalized in live:
        digest = _digest(normalized)
        hi, lo = np.frombuffer(digest, dtype="<u8")
        at = int(np.searchsorted(distinct_keys[:, 0], hi)) if len(distinct_keys) else 0
        while at < len(distinct_keys) and distinct_keys[at, 0] == hi:
            if distinct_keys[at, 1] == lo:
                break
            at += 1
        if at < len(distinct_keys) and tuple(distinct_keys[at]) == (hi, lo):
            live_text.append(at)
        else:
            live_text.append(len(distinct_keys) + fresh.setdefault(digest, len(fresh)))
    fresh_texts = list(dict.fromkeys(t for _, t in live if _digest(t) in fresh))

    used_distinct = np.concatenate((same[text], np.array(live_text, dtype=np.int64)))
    used, compact = np.unique(used_distinct, return_inverse=True)
    stored_used = used[used < len(distinct_keys)]
    chosen = first[stored_used]
    shingled = Shingled(
        hashes[reports._ragged(offsets, chosen)],
        np.concatenate(([0], np.cumsum(sizes[chosen]))).astype(np.int64),
    )
    band_rows = keys[chosen]
    if fresh_texts:
        made = reports.shingle_all(fresh_texts)
        shingled = reports.concat([shingled, made])
        band_rows = np.concatenate(
            (band_rows, reports.band_keys(reports.minhash(made), DEFAULT_THRESHOLD))
        )
    n_rolled = len(case_ids)
    return Corpus(
        np.concatenate((case_ids, [r.case_id for r, _ in live])).astype(np.int64),
        np.concatenate(
            (pages, [NO_PAGE if r.page_id is None else r.page_id for r, _ in live])
        ).astype(np.int64),
        np.concatenate((outcomes, [OUTCOME_CODES[r.outcome] for r, _ in live])).astype(np.int64),
        np.concatenate((decided, [reports.micros(r.decided_at) for r, _ in live])).astype(np.int64),
        np.concatenate((compact[:n_rolled], compact[n_rolled:])).astype(np.int64),
        shingled,
        band_rows,
    )


@dataclass
class ConsistencyRefresh:
    """What one refresh did."""

    months: list[str]  # months packed again (or for the first time)
    cases: int  # cases in them


def refresh_consistency(sessions: sessionmaker[Session]) -> ConsistencyRefresh:
    """Bring the roll-up up to date: pack again every month that holds, or held, a case
    decided or changed since the last marks (the first time: every month), each month in its
    own short transaction; the marks are written last, so an interrupted refresh leaves the
    report right (its cases are still stale) and is redone."""
    with reading(sessions) as session:
        now = marks(session)  # before reading: a row added meanwhile makes its case stale
        kept = session.get(ConsistencyMarks, _ONE)
        by_month: dict[str, list[reports._Row]] = defaultdict(list)
        if kept is None:
            for r in reports._decided(session, None):
                by_month[_month_of(r.decided_at)].append(r)
            todo = set(by_month)
            todo.update(session.execute(select(ConsistencyMonth.month)).scalars())
        else:
            if kept.marks == now:
                return ConsistencyRefresh([], 0)
            stale = sorted(stale_cases(session, kept.marks))
            todo = set()
            wanted = np.array(stale, dtype=np.int64)
            for month, ids in session.execute(
                select(ConsistencyMonth.month, ConsistencyMonth.case_ids)
            ):
                if np.isin(_array(ids, "<i8"), wanted).any():
                    todo.add(month)  # where a stale case was
            for chunk in _chunks(stale):
                for r in reports._decided(session, None, Case.id.in_(chunk)):
                    todo.add(_month_of(r.decided_at))  # where it is now
            for month in todo:
                by_month[month] = reports._decided(session, Period(month, month))
    cases = 0
    for month in sorted(todo):
        packed = pack(by_month.get(month, []))
        with transaction(sessions) as session:
            session.execute(delete(ConsistencyMonth).where(ConsistencyMonth.month == month))
            if packed is not None:
                session.add(ConsistencyMonth(month=month, computed_at=clock.now(), **packed))
                cases += int(packed["cases"])
    with transaction(sessions) as session:
        row = session.get(ConsistencyMarks, _ONE)
        if row is None:
            session.add(ConsistencyMarks(id=_ONE, marks=now, computed_at=clock.now()))
        else:
            row.marks, row.computed_at = now, clock.now()
    return ConsistencyRefresh(sorted(todo), cases)


def _chunks(ids: Sequence[int], size: int = 900) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])
