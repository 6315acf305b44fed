"""Evidence rows covered by the audit chain: every change to one carries the row's digest.

Moderation decisions, case outcomes, warnings, blocks, reports, counsel's advice and the like
are evidence, but they live in ordinary tables an insider with the database file can edit.
So each registered table's rows are *sealed*: whenever one is inserted, changed or deleted,
the audit event written for that change carries a SHA-256 digest of the row's new state (under
the reserved key :data:`KEY` of the event's data; ``null`` for a deleted row). The audit chain
then vouches for the digest, and :func:`verify` re-derives, for every registered row, the last
digest the chain recorded and compares it with the row in the database: a row altered,
deleted, or present without any audited event is named.

It is automatic for ORM writes: a session hook notes every registered row flushed, and
``audit.record``/``audit.record_many`` call :func:`seal` to attach the pending digests to the
event they write. A transaction that changes evidence rows and commits without an audit event
to carry them is refused (:class:`UnsealedEvidence`), so a forgotten event is a test failure,
not a silent gap. Bulk ``insert()`` statements bypass the ORM: their callers name the rows
with :func:`note`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, event, func, select
from sqlalchemy.orm import Session

from piodesk.core import clock, tags
from piodesk.core.text import clean_text

#: The reserved key of an audit event's data that holds the digests it vouches for.
KEY = "_evidence"
#: Where a session keeps the rows flushed since its last audit event.
_PENDING = "piodesk_evidence_pending"


class UnsealedEvidence(RuntimeError):
    """Evidence rows changed in a transaction that wrote no audit event to carry them."""


@dataclass(frozen=True)
class EvidenceTable:
    """A table whose rows are evidence: what to call a row, and which columns its digest covers."""

    table: Table
    label: str  # what a PIO calls one row, e.g. "decision"
    target: str  # the audit events' target_type for such a row, e.g. "response_request"
    columns: tuple[str, ...]  # the columns the digest covers, in a fixed order

    @property
    def name(self) -> str:
        """The table's name."""
        return self.table.name


_REGISTRY: dict[str, EvidenceTable] = {}


def register(table: Any, label: str, *, target: str = "", exclude: Iterable[str] = ()) -> None:
    """Declare ``table`` (a Table or mapped class with an integer ``id``) as evidence."""
    t: Table = getattr(table, "__table__", table)
    if [c.key for c in t.primary_key.columns] != ["id"]:
        raise ValueError(f"evidence table {t.name} needs a single 'id' primary key")
    skip = set(exclude)  # columns that are not evidence (caches, counters)
    columns = tuple(sorted(c.key for c in t.columns if c.key not in skip))
    _REGISTRY[t.name] = EvidenceTable(t, label, target or label.replace(" ", "_"), columns)


def registered() -> list[EvidenceTable]:
    """Every evidence table, by name."""
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def _value(value: Any) -> Any:
    # The digest must come out the same from the values just written and from the values read
    # back years later, on either database: timestamps as UTC ISO text, bytes as hex.
    if isinstance(value, datetime):
        return clock.as_utc(value).isoformat(timespec="microseconds")
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return value


def row_digest(spec: EvidenceTable, row: Mapping[Any, Any]) -> str:
    """SHA-256 over a row's table, id and canonical column values (in the registered order)."""
    body = [spec.name, row["id"], [_value(row[c]) for c in spec.columns]]
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


# ---- collecting and sealing ------------------------------------------------------------------


def _pending(session: Session) -> dict[str, set[int]]:
    pending: dict[str, set[int]] = session.info.setdefault(_PENDING, {})
    return pending


def note(session: Session, table: Any, ids: Iterable[int]) -> None:
    """Name rows written by a bulk statement (table: a Table, mapped class or table name), so
    the next audit event seals them."""
    name = table if isinstance(table, str) else getattr(table, "__table__", table).name
    if name in _REGISTRY:
        _pending(session).setdefault(name, set()).update(int(i) for i in ids)


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: Any) -> None:
    # The ORM's view of this flush: which registered rows were added, changed or deleted.
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(type(obj), "__table__", None)
        if table is None or table.name not in _REGISTRY:
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        ident = getattr(obj, "id", None)
        if ident is not None:
            _pending(session).setdefault(table.name, set()).add(int(ident))


@event.listens_for(Session, "before_commit")
def _guard(session: Session) -> None:
    session.flush()
    pending = session.info.get(_PENDING)
    if pending and any(pending.values()):
        names = ", ".join(f"{t} {sorted(ids)[:5]}" for t, ids in sorted(pending.items()) if ids)
        session.info.pop(_PENDING, None)
        raise UnsealedEvidence(f"evidence rows changed with no audit event to record them: {names}")


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _current(session: Session, spec: EvidenceTable, ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for row in session.execute(select(spec.table).where(spec.table.c.id.in_(chunk))):
            out[row.id] = row_digest(spec, row._mapping)
    return out


def seal(session: Session) -> list[list[Any]]:
    """The digests of every evidence row changed since the last seal, read from the database.

    Each entry is ``[table, id, digest]``, with ``None`` for a row that no longer exists.
    Called by the audit log just before it writes an event; the pending list is emptied.
    """
    session.flush()
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return []
    sealed: list[list[Any]] = []
    for name in sorted(pending):
        ids = sorted(pending[name])
        if not ids:
            continue
        now = _current(session, _REGISTRY[name], ids)
        sealed += [[name, i, now.get(i)] for i in ids]
    return sealed


def attach(data: dict[str, Any] | None, sealed: list[list[Any]]) -> dict[str, Any] | None:
    """``data`` with the sealed digests under :data:`KEY` (unchanged when there are none)."""
    if not sealed:
        return data
    if data and KEY in data:
        raise ValueError(f"'{KEY}' is reserved in audit event data")
    return {**(data or {}), KEY: sealed}


def split(sealed: list[list[Any]], targets: list[tuple[str, str]]) -> list[list[list[Any]]]:
    """Share digests among several events: a row goes to the last event that targets it by
    label and id, the rest to the last event (for ``audit.record_many``)."""
    labels = {name: spec.target for name, spec in _REGISTRY.items()}
    where = {t: i for i, t in enumerate(targets)}
    out: list[list[list[Any]]] = [[] for _ in targets]
    for entry in sealed:
        i = where.get((labels.get(entry[0], ""), str(entry[1])), len(targets) - 1)
        out[i].append(entry)
    return out


# ---- verifying ---------------------------------------------------------------------------------


@dataclass
class EvidenceResult:
    """What :func:`verify` found: rows checked and each problem, in plain words."""

    rows_checked: int = 0
    events_read: int = 0
    problems: list[str] = field(default_factory=list)
    more: int = 0  # problems beyond the first MAX_PROBLEMS, counted only

    @property
    def ok(self) -> bool:
        """True when every evidence row matches the chain."""
        return not self.problems

    def add(self, problem: str) -> None:
        """Keep a problem (the first MAX_PROBLEMS in full)."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.more += 1


MAX_PROBLEMS = 100


def recorded(session: Session, batch: int = 5000) -> Iterator[tuple[int, list[list[Any]]]]:
    """Every audit event's sealed digests, in chain order: ``(seq, [[table, id, digest]…])``."""
    from piodesk.core.audit import EVENTS  # the audit log imports this module

    # Most events seal nothing (an ingest's, a sign-in's): let the database skip them. The
    # filter only narrows; the key is checked below on the parsed data.
    sealing: ColumnElement[bool]
    if session.get_bind().dialect.name == "postgresql":
        sealing = func.jsonb_exists(EVENTS.c.data, KEY).is_(True)
    else:
        sealing = func.instr(EVENTS.c.data, f'"{KEY}"') > 0
    last, top = 0, session.execute(select(func.max(EVENTS.c.seq))).scalar() or 0
    while last < top:
        hi = last + batch  # by seq range, so skipped events cost no round trips or sorting
        rows = session.execute(
            select(EVENTS.c.seq, EVENTS.c.data)
            .where(EVENTS.c.seq > last, EVENTS.c.seq <= hi, sealing)
            .order_by(EVENTS.c.seq)
        ).all()
        last = hi
        for seq, data in rows:
            if isinstance(data, str):  # a driver that hands JSON back as text
                data = json.loads(data)
            if isinstance(data, dict) and data.get(KEY):
                yield seq, data[KEY]


def _latest(
    session: Session, result: EvidenceResult
) -> dict[str, dict[int, tuple[bytes | None, int]]]:
    # The chain's last word on each row: its digest (bytes, to halve the memory) and event.
    latest: dict[str, dict[int, tuple[bytes | None, int]]] = {n: {} for n in _REGISTRY}
    for seq, sealed in recorded(session):
        result.events_read += 1
        for name, ident, digest in sealed:
            if name in latest:
                latest[name][int(ident)] = (bytes.fromhex(digest) if digest else None, seq)
    return latest


def verify(session: Session, batch: int = 2000) -> EvidenceResult:
    """Compare every evidence row with the digest the audit chain last recorded for it."""
    result = EvidenceResult()
    latest = _latest(session, result)
    for spec in registered():
        want = latest[spec.name]
        last: int | None = None  # no lower bound at first: a row written with id 0 or less is seen
        while True:
            page = select(spec.table)
            if last is not None:
                page = page.where(spec.table.c.id > last)
            rows = session.execute(page.order_by(spec.table.c.id).limit(batch)).all()
            if not rows:
                break
            for row in rows:
                result.rows_checked += 1
                found = want.pop(row.id, None)
                what = f"{spec.label} {row.id} ({spec.name})"
                if found is None:
                    result.add(f"{what} has no audit event recording it")
                elif found[0] is None:
                    result.add(f"{what} exists but audit event {found[1]} recorded it deleted")
                elif bytes.fromhex(row_digest(spec, row._mapping)) != found[0]:
                    result.add(f"{what} was altered after audit event {found[1]} recorded it")
            last = rows[-1].id
        for ident, (digest, seq) in sorted(want.items()):
            if digest is not None:
                result.add(
                    f"{spec.label} {ident} ({spec.name}) was deleted: audit event {seq} recorded it"
                )
    return result


def unsealed(session: Session, batch: int = 2000) -> Iterator[tuple[str, list[int]]]:
    """Evidence rows the chain has never recorded (written before evidence was sealed), in
    batches of ids per table, for :func:`piodesk.core.evidence.baseline`."""
    result = EvidenceResult()
    latest = _latest(session, result)
    for spec in registered():
        known = latest[spec.name]
        # Ids only grow: a row written before sealing began has an id below every row the chain
        # sealed. An unsealed row above that was written outside piodesk, and stays named.
        below = min(known) if known else None
        last: int | None = None
        while True:
            query = select(spec.table.c.id)
            if last is not None:
                query = query.where(spec.table.c.id > last)
            if below is not None:
                query = query.where(spec.table.c.id < below)
            ids = list(session.execute(query.order_by(spec.table.c.id).limit(batch)).scalars())
            if not ids:
                break
            fresh = [i for i in ids if i not in known]
            if fresh:
                yield spec.name, fresh
            last = ids[-1]


def baseline(session: Session, actor: Any, reason: str) -> int:
    """Seal the rows written before evidence was sealed (one audit event per batch); rows the
    chain already recorded are left alone, so this cannot launder a row altered since, and rows
    newer than the first sealed one are left named, so it cannot launder a forged row either."""
    from piodesk.core import audit  # the audit log imports this module

    reason = clean_text("the reason", reason, max_len=2000) or "baseline"
    batches = list(unsealed(session))
    for name, ids in batches:
        note(session, name, ids)
        audit.record(
            session,
            actor,
            tags.Evidence.BASELINE,
            name,
            f"{ids[0]}-{ids[-1]}",
            reason=reason,
            data={"rows": len(ids)},
        )
    return sum(len(ids) for _, ids in batches)
