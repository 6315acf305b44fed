"""The consistency report's roll-ups, so a year of a million comments is compared in seconds.

Most of the report's work does not depend on the period asked for: reading each decided case
with the text it was decided on, normalizing that text, hashing its word bigrams and its MinHash
bands. The periodic roll-up job (:func:`refresh_consistency`, run by
``rollups.refresh_rollups``) keeps that work: one row per decided case (id, page, outcome, when,
and which text) and one per distinct normalized text (its bigram hashes and its band keys at the
default threshold). The report then reads those rows for the period and only pairs, checks and
counts (``reports.compare``), exactly as it does from the records.

Derived data, never evidence, and the report is right whether or not the job has run:

- never rolled up: every case comes from the records;
- the roll-up keeps the high-water marks of the tables it read (the largest decision,
  reopening, archive version and screening ids). A case with a decision or a reopening since,
  or whose comment has a new version or screening since (the text decided on may change), is
  *stale*: it is read from the records, as is every case decided since, and its rolled row is
  left out. Decisions, reopenings, versions and screenings are append-only rows, so a row added
  is the only way a rolled case can change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import delete, func, insert, select
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
from piodesk.oversight.rollup_tables import ConsistencyCase, ConsistencyMarks, ConsistencyText

_MARKED = {
    "decisions": Decision.id,
    "reopenings": Reopening.id,
    "versions": ArchiveVersion.seq,
    "screenings": Screening.id,
}
_ONE = 1  # the marks row's id
_BATCH = 20_000  # cases written per transaction (a short write lock under SQLite)
_WORDS = np.dtype("<u8")


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


def _digest(normalized: str) -> str:
    return hashlib.sha256(normalized.encode()).hexdigest()


def _shingled(blobs: Sequence[bytes]) -> Shingled:
    sizes = np.fromiter((len(b) // 8 for b in blobs), dtype=np.int64, count=len(blobs))
    hashes = np.frombuffer(b"".join(blobs), dtype=_WORDS).astype(np.uint64)
    return Shingled(hashes, np.concatenate(([0], np.cumsum(sizes))).astype(np.int64))


def _keys(blobs: Sequence[bytes]) -> np.ndarray:
    bands = reports.bands_for(DEFAULT_THRESHOLD)[0]
    flat = np.frombuffer(b"".join(blobs), dtype=_WORDS).astype(np.uint64)
    return flat.reshape(len(blobs), bands)


@dataclass
class _Texts:
    """Texts as the report computes on them: bigram hashes, band keys, and their stored id."""

    shingled: Shingled
    keys: np.ndarray
    ids: list[int | None]  # None: not stored (yet)


def _fresh(normalized: Sequence[str]) -> _Texts:
    shingled = reports.shingle_all(normalized)
    keys = reports.band_keys(reports.minhash(shingled), DEFAULT_THRESHOLD)
    return _Texts(shingled, keys, [None] * len(normalized))


def _texts(rows: Sequence[tuple[int, bytes, bytes]]) -> _Texts:
    return _Texts(
        _shingled([bytes(r[1]) for r in rows]),
        _keys([bytes(r[2]) for r in rows]),
        [int(r[0]) for r in rows],
    )


def _stored(session: Session, ids: Sequence[int]) -> _Texts:
    """Stored texts by id, in the order asked for."""
    by_id: dict[int, tuple[int, bytes, bytes]] = {}
    for chunk in _chunks(ids):
        for row in session.execute(
            select(ConsistencyText.id, ConsistencyText.shingles, ConsistencyText.bands).where(
                ConsistencyText.id.in_(chunk)
            )
        ):
            by_id[row[0]] = tuple(row)  # type: ignore[assignment]
    return _texts([by_id[i] for i in ids])


def _stored_ids(session: Session, digests: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(digests))
    out: dict[str, int] = {}
    for start in range(0, len(wanted), 900):
        for digest, text_id in session.execute(
            select(ConsistencyText.digest, ConsistencyText.id).where(
                ConsistencyText.digest.in_(wanted[start : start + 900])
            )
        ):
            out[digest] = text_id
    return out


def corpus(session: Session, period: Period) -> Corpus | None:
    """The period's decided cases from the roll-ups, with every stale or newer case read from
    the records (None: never rolled up)."""
    kept = session.get(ConsistencyMarks, _ONE)
    if kept is None:
        return None
    stale = stale_cases(session, kept.marks)
    start, end = reports.micros(period.start), reports.micros(period.end)
    in_period = (ConsistencyCase.decided_us >= start, ConsistencyCase.decided_us < end)
    rows = (
        session.connection()
        .execute(
            select(
                ConsistencyCase.case_id,
                ConsistencyCase.page_id,
                ConsistencyCase.outcome,
                ConsistencyCase.decided_us,
                ConsistencyCase.text_id,
            ).where(*in_period)
        )
        .all()
    )
    if stale:
        rows = [r for r in rows if r[0] not in stale]
    # The rolled cases' texts, each once (every text kept has a case in the corpus).
    used = {r[4] for r in rows}
    stored = [
        r
        for r in session.connection().execute(
            select(ConsistencyText.id, ConsistencyText.shingles, ConsistencyText.bands)
            .where(
                ConsistencyText.id.in_(select(ConsistencyCase.text_id).where(*in_period).distinct())
            )
            .order_by(ConsistencyText.id)
        )
        if r[0] in used
    ]
    parts = [_texts(stored)]
    index = {text_id: n for n, text_id in enumerate(parts[0].ids)}

    # Cases decided or changed since the roll-up, from the records; their texts matched to
    # the stored ones by digest, or shingled here when never stored.
    live = []
    live_text: list[int] = []
    if stale:
        for r in reports._decided(session, period, Case.id.in_(sorted(stale))):
            text = reports.normalize(r.text)
            if text:
                live.append((r, text))
        known = _stored_ids(session, (_digest(t) for _, t in live))
        by_digest: dict[str, int] = {}
        more_stored: list[int] = []
        fresh: list[str] = []
        for _, text in live:
            digest = _digest(text)
            text_id = known.get(digest)
            if text_id is not None and text_id in index:
                live_text.append(index[text_id])
                continue
            if digest not in by_digest:
                if text_id is not None:
                    more_stored.append(text_id)
                    index[text_id] = by_digest[digest] = len(index)
                else:
                    by_digest[digest] = -1 - len(fresh)  # numbered after every stored text
                    fresh.append(text)
            live_text.append(by_digest[digest])
        if more_stored:
            parts.append(_stored(session, more_stored))
        if fresh:
            parts.append(_fresh(fresh))
        live_text = [t if t >= 0 else len(index) + (-1 - t) for t in live_text]
    n = len(rows) + len(live)
    pages = [NO_PAGE if r[1] is None else r[1] for r in rows]
    pages += [NO_PAGE if r.page_id is None else r.page_id for r, _ in live]
    return Corpus(
        np.fromiter([*(r[0] for r in rows), *(r.case_id for r, _ in live)], np.int64, n),
        np.array(pages, dtype=np.int64),
        np.fromiter(
            [*(OUTCOME_CODES[r[2]] for r in rows), *(OUTCOME_CODES[r.outcome] for r, _ in live)],
            np.int64,
            n,
        ),
        np.fromiter(
            [*(r[3] for r in rows), *(reports.micros(r.decided_at) for r, _ in live)], np.int64, n
        ),
        np.fromiter([*(index[r[4]] for r in rows), *live_text], np.int64, n),
        reports.concat([p.shingled for p in parts]),
        np.concatenate([p.keys for p in parts]),
    )


@dataclass
class ConsistencyRefresh:
    """What one refresh did."""

    cases: int  # cases rolled up again (or for the first time)
    texts: int  # distinct texts added


def refresh_consistency(sessions: sessionmaker[Session]) -> ConsistencyRefresh:
    """Bring the roll-up up to date: every case decided or changed since the last marks (the
    first time: every decided case), in short transactions; the marks are written last, so an
    interrupted refresh leaves the report right (its cases are still stale) and is redone."""
    with reading(sessions) as session:
        now = marks(session)  # before reading: a row added meanwhile makes its case stale
        kept = session.get(ConsistencyMarks, _ONE)
        todo = None if kept is None else sorted(stale_cases(session, kept.marks))
        if todo == [] and kept is not None and kept.marks == now:
            return ConsistencyRefresh(0, 0)
        rows = (
            reports._decided(session, None)
            if todo is None
            else [
                r
                for ids in _chunks(todo)
                for r in reports._decided(session, None, Case.id.in_(ids))
            ]
        )
    decided = [(r, reports.normalize(r.text)) for r in rows]
    decided = [(r, t) for r, t in decided if t]
    added = 0
    for start in range(0, max(len(decided), 1), _BATCH):
        batch = decided[start : start + _BATCH]
        with transaction(sessions) as session:
            if todo is None and start == 0:  # the first roll-up (or a redone one) starts clean
                session.execute(delete(ConsistencyCase))
            digests = [_digest(t) for _, t in batch]
            known = _stored_ids(session, digests)
            new: dict[str, str] = {}
            for (_, text), digest in zip(batch, digests, strict=True):
                if digest not in known:
                    new.setdefault(digest, text)
            if new:
                made = _fresh(list(new.values()))
                offsets = made.shingled.offsets
                session.execute(
                    insert(ConsistencyText),
                    [
                        {
                            "digest": digest,
                            "shingles": made.shingled.hashes[offsets[n] : offsets[n + 1]]
                            .astype(_WORDS)
                            .tobytes(),
                            "bands": made.keys[n].astype(_WORDS).tobytes(),
                        }
                        for n, digest in enumerate(new)
                    ],
                )
                known.update(_stored_ids(session, new))
                added += len(new)
            ids = [r.case_id for r, _ in batch]
            for chunk in _chunks(ids):
                session.execute(delete(ConsistencyCase).where(ConsistencyCase.case_id.in_(chunk)))
            if batch:
                session.execute(
                    insert(ConsistencyCase),
                    [
                        {
                            "case_id": r.case_id,
                            "decided_us": reports.micros(r.decided_at),
                            "page_id": r.page_id,
                            "outcome": r.outcome,
                            "text_id": known[digest],
                        }
                        for (r, _), digest in zip(batch, digests, strict=True)
                    ],
                )
    with transaction(sessions) as session:
        # Cases no longer decided (reopened), or whose text is gone, lose their row.
        if todo:
            still = {r.case_id for r, _ in decided}
            gone = [c for c in todo if c not in still]
            for chunk in _chunks(gone):
                session.execute(delete(ConsistencyCase).where(ConsistencyCase.case_id.in_(chunk)))
        row = session.get(ConsistencyMarks, _ONE)
        if row is None:
            session.add(ConsistencyMarks(id=_ONE, marks=now, computed_at=clock.now()))
        else:
            row.marks, row.computed_at = now, clock.now()
    return ConsistencyRefresh(len(decided), added)


def _chunks(ids: Sequence[int], size: int = 900) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])
