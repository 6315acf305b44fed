"""The audit log: every change made through a service, append-only and hash-chained.

Each event's hash covers its own fields and the previous event's hash, so altering, removing
or reordering any event breaks every hash after it; ``piodesk audit verify`` recomputes the
chain and names the first event that does not match. A one-row head table holds the last
sequence number and hash: appends lock it (so concurrent writers chain in order) and it lets
verify notice events cut off the end of the log. The database also refuses UPDATE and DELETE
on the events table (triggers in the migration); the chain catches whoever gets around that,
and signed checkpoints outside the database (core/checkpoints.py) catch whoever also
recomputes the hashes. The chain itself is core/chain.py, shared with the archive.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Table, Text, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from piodesk.core import chain, clock, evidence
from piodesk.core.db import Base, JSONType, UTCDateTime
from piodesk.core.permissions import Actor
from piodesk.core.tags import Tag

GENESIS = chain.GENESIS
#: Deterministic JSON inside hashes (kept here: other modules import it from the audit log).
canonical = chain.canonical


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


def event_hash(fields: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 over the previous hash and the event's canonical fields (the chain's hash)."""
    return chain.link_hash(fields, prev_hash)


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


def _action(tag: Tag) -> str:
    # Stored (and hashed) as the plain string, so what verify reads back is what was hashed.
    if not isinstance(tag, Tag):
        raise TypeError(f"an audit action is a core.tags member, not {tag!r}")
    return tag.value


def record(
    session: Session,
    actor: Actor,
    action: Tag,
    target_type: str,
    target_id: object,
    *,
    reason: str = "",
    section: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction (``action``: core/tags.py)."""
    stored_action = _action(action)  # before anything is written
    # The evidence rows changed since the last event ride on this one (core/evidence.py).
    data = evidence.attach(data, evidence.seal(session))
    head = chain.locked_head(session, AuditHead)
    # Round-trip through JSON now, so the hash covers exactly what the database will return.
    stored_data = json.loads(canonical(data or {}))
    event = AuditEvent(
        seq=head.last_seq + 1,
        occurred_at=clock.now(),
        actor_id=actor.account_id,
        actor_name=actor.username,
        actor_roles=",".join(sorted(actor.roles)),
        via=actor.via,
        action=stored_action,
        target_type=target_type,
        target_id=str(target_id),
        reason=reason,
        section=section,
        data=stored_data,
        prev_hash=head.last_hash,
    )
    event.hash = chain.extend(chain.Head(head.last_seq, head.last_hash), _fields(event)).hash
    session.add(event)
    head.last_seq, head.last_hash = event.seq, event.hash
    session.flush()
    return event


@dataclass(frozen=True, slots=True)
class Entry:
    """One event to append with :func:`record_many`: what, to which record, why, under which
    section (the arguments of :func:`record` after the actor)."""

    action: Tag
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
    actions = [_action(e.action) for e in entries]  # before anything is written
    shares = evidence.split(
        evidence.seal(session), [(e.target_type, str(e.target_id)) for e in entries]
    )
    head = chain.locked_head(session, AuditHead)
    now = clock.now()
    roles = ",".join(sorted(actor.roles))
    seq, prev_hash = head.last_seq, head.last_hash
    rows: list[dict[str, Any]] = []
    for entry, action, share in zip(entries, actions, shares, strict=True):
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
            action=action,
            target_type=entry.target_type,
            target_id=str(entry.target_id),
            reason=entry.reason,
            section=entry.section,
            data=json.loads(canonical(evidence.attach(entry.data, share) or {})),
            prev_hash=prev_hash,
        )
        event.hash = prev_hash = chain.extend(chain.Head(seq - 1, prev_hash), _fields(event)).hash
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


def _links(session: Session, after: int, upto: int | None, batch: int) -> Iterator[chain.Link]:
    last_seen = after
    while True:
        query = select(AuditEvent).where(AuditEvent.seq > last_seen)
        if upto is not None:
            query = query.where(AuditEvent.seq <= upto)
        rows = session.execute(query.order_by(AuditEvent.seq).limit(batch)).scalars().all()
        if not rows:
            return
        for e in rows:
            yield chain.Link(e.seq, e.prev_hash, e.hash, _fields(e), f"event {e.seq} ({e.action})")
            last_seen = e.seq
        session.expunge_all()


def walk(
    session: Session,
    start: chain.Head = chain.START,
    wanted: Collection[int] = (),
    batch: int = 5000,
) -> chain.ChainResult:
    """Walk the chain after ``start`` (see :func:`piodesk.core.chain.walk_stored`)."""
    return chain.walk_stored(
        session,
        noun="event",
        head_model=AuditHead,
        seq_column=AuditEvent.seq,
        links=lambda after, upto: _links(session, after, upto, batch),
        start=start,
        wanted=wanted,
    )


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Recompute every hash in order; name the first event altered, removed or reordered."""
    result = walk(session, batch=batch)
    return VerifyResult(result.ok, result.checked, result.first_bad_seq, result.problem)


CHAIN = chain.register(
    chain.ChainSource(
        name="audit",
        noun="event",
        head=lambda session: chain.stored_head(session, AuditHead),
        walk=lambda session, start, wanted: walk(session, start, wanted),
    )
)
