"""The audit log: every change made through a service, append-only and hash-chained.

Each event's hash covers its own fields and the previous event's hash, so altering, removing
or reordering any event breaks every hash after it; ``piodesk audit verify`` recomputes the
chain and names the first event that does not match. A one-row head table holds the last
sequence number and hash: appends lock it (so concurrent writers chain in order) and it lets
verify notice events cut off the end of the log. The database also refuses UPDATE and DELETE
on the events table (triggers in the migration); the chain catches whoever gets around that.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Table, Text, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from piodesk.core import clock, evidence
from piodesk.core.db import Base, JSONType, UTCDateTime
from piodesk.core.permissions import Actor

GENESIS = "0" * 64


class AuditEvent(Base):
    """One change: who, in which roles, when, what, to which record, why, under which section."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="RESTRICT"), index=True
    )
    actor_name: Mapped[str] = mapped_column(String(200))  # a copy: survives renames
    actor_roles: Mapped[str] = mapped_column(String(300))
    via: Mapped[str] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(80), index=True)  # e.g. "page:approve"
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str] = mapped_column(String(80), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    section: Mapped[str] = mapped_column(String(20), default="")  # GO 409 section, e.g. "§.04"
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # before/after etc.
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


#: The events table for bulk statements (record_many).
EVENTS = cast(Table, AuditEvent.__table__)


class AuditHead(Base):
    """The end of the chain (one row, id=1): last sequence number and hash."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    last_hash: Mapped[str] = mapped_column(String(64))


def canonical(value: Any) -> str:
    """Deterministic JSON used inside hashes (sorted keys, no spaces, UTF-8 kept)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(fields: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 over the previous hash and the event's canonical fields."""
    return hashlib.sha256((prev_hash + "\n" + canonical(fields)).encode()).hexdigest()


def _fields(e: AuditEvent) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "occurred_at": clock.as_utc(e.occurred_at).isoformat(timespec="microseconds"),
        "actor_id": e.actor_id,
        "actor_name": e.actor_name,
        "actor_roles": e.actor_roles,
        "via": e.via,
        "action": e.action,
        "target_type": e.target_type,
        "target_id": e.target_id,
        "reason": e.reason,
        "section": e.section,
        "data": e.data,
    }


def record(
    session: Session,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: object,
    *,
    reason: str = "",
    section: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction."""
    # The evidence rows changed since the last event ride on this one (core/evidence.py).
    data = evidence.attach(data, evidence.seal(session))
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar()
    if head is None:
        head = AuditHead(id=1, last_seq=0, last_hash=GENESIS)
        session.add(head)
    # Round-trip through JSON now, so the hash covers exactly what the database will return.
    stored_data = json.loads(canonical(data or {}))
    event = AuditEvent(
        seq=head.last_seq + 1,
        occurred_at=clock.now(),
        actor_id=actor.account_id,
        actor_name=actor.username,
        actor_roles=",".join(sorted(actor.roles)),
        via=actor.via,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        reason=reason,
        section=section,
        data=stored_data,
        prev_hash=head.last_hash,
    )
    event.hash = event_hash(_fields(event), head.last_hash)
    session.add(event)
    head.last_seq, head.last_hash = event.seq, event.hash
    session.flush()
    return event


@dataclass(frozen=True, slots=True)
class Entry:
    """One event to append with :func:`record_many`: what, to which record, why, under which
    section (the arguments of :func:`record` after the actor)."""

    action: str
    target_type: str
    target_id: object
    reason: str = ""
    section: str = ""
    data: dict[str, Any] | None = None


def record_many(session: Session, actor: Actor, entries: Sequence[Entry]) -> list[int]:
    """Append several events by one actor in one go, inside the caller's transaction.

    The chain is exactly what as many :func:`record` calls would write (each event hashed over
    its fields and the previous hash, in the order given), but the head is locked and updated
    once and the events go in as one multi-row INSERT, which a job writing hundreds of events
    a batch needs. Returns the events' sequence numbers.
    """
    if not entries:
        return []
    shares = evidence.split(
        evidence.seal(session), [(e.target_type, str(e.target_id)) for e in entries]
    )
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar()
    if head is None:
        head = AuditHead(id=1, last_seq=0, last_hash=GENESIS)
        session.add(head)
    now = clock.now()
    roles = ",".join(sorted(actor.roles))
    seq, prev_hash = head.last_seq, head.last_hash
    rows: list[dict[str, Any]] = []
    for entry, share in zip(entries, shares, strict=True):
        seq += 1
        # Built as a (transient, never added) event so the hash is computed by the very code
        # that verify uses; only its column values are inserted.
        event = AuditEvent(
            seq=seq,
            occurred_at=now,
            actor_id=actor.account_id,
            actor_name=actor.username,
            actor_roles=roles,
            via=actor.via,
            action=entry.action,
            target_type=entry.target_type,
            target_id=str(entry.target_id),
            reason=entry.reason,
            section=entry.section,
            data=json.loads(canonical(evidence.attach(entry.data, share) or {})),
            prev_hash=prev_hash,
        )
        event.hash = prev_hash = event_hash(_fields(event), prev_hash)
        rows.append({c.key: getattr(event, c.key) for c in EVENTS.columns})
    session.execute(insert(EVENTS), rows)
    # Through the mapped head, so a later record() in this session sees the new end of chain.
    head.last_seq, head.last_hash = seq, prev_hash
    session.flush()
    return [r["seq"] for r in rows]


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """The outcome of recomputing the chain."""

    ok: bool
    events_checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Recompute every hash in order; name the first event altered, removed or reordered."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    last_seen = 0
    while True:
        rows = (
            session.execute(
                select(AuditEvent)
                .where(AuditEvent.seq > last_seen)
                .order_by(AuditEvent.seq)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            break
        for e in rows:
            if e.seq != expected_seq:
                return VerifyResult(
                    False, checked, expected_seq, f"event {expected_seq} is missing"
                )
            if e.prev_hash != prev_hash:
                return VerifyResult(
                    False, checked, e.seq, f"event {e.seq} does not follow event {e.seq - 1}"
                )
            if event_hash(_fields(e), prev_hash) != e.hash:
                return VerifyResult(
                    False, checked, e.seq, f"event {e.seq} ({e.action}) was altered"
                )
            prev_hash = e.hash
            expected_seq += 1
            checked += 1
            last_seen = e.seq
        session.expunge_all()
    head = session.get(AuditHead, 1)
    last = head.last_seq if head else 0
    if last != checked or (head is not None and head.last_hash != prev_hash):
        return VerifyResult(
            False, checked, checked + 1, f"events after {checked} were removed (head says {last})"
        )
    return VerifyResult(True, checked)
