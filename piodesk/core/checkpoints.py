"""Signed checkpoints: every chain's head and count, signed with the agency's key.

A chain's head row lives in the database, so whoever holds the database file can cut the
tail and reset the head, or rewrite an event and recompute every hash after it. A checkpoint
is a statement signed with a key kept outside the database ("on <time>, the audit chain had
120 events ending in hash H, the archive chain 5,000 versions ending in hash K"), appended to a
JSON-lines file outside the database and published at /checkpoints. Once one is published,
nothing it covers can be cut or rewritten without ``--against`` naming it; an insider with the
database file can still rewrite what came after the last published checkpoint.

Checkpoints are chained too: each names the SHA-256 of the previous one's statement, so a
checkpoint file with one taken out, reordered or altered is refused. Making one is not an
audit event: the checkpoint is its own signed, chained record, and an event would move the
audit chain so that every scheduled run found something new to sign.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import BigInteger, Integer, String, Text, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from piodesk.core import chain, clock, signing, timestamps
from piodesk.core.config import Settings
from piodesk.core.db import Base, UTCDateTime, transaction
from piodesk.core.errors import Conflict, InvalidInput

KIND = "piodesk checkpoint"
FORMAT = 1
#: What the first checkpoint names as its predecessor.
NO_PREVIOUS = "0" * 64

#: Asks a time-stamping authority for a token over some bytes (None: no token to be had).
Stamper = Callable[[bytes], bytes | None]


class CheckpointRow(Base):
    """One signed checkpoint, as made (append-only: triggers refuse UPDATE and DELETE)."""

    __tablename__ = "checkpoints"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    statement: Mapped[str] = mapped_column(Text)  # canonical JSON, exactly the signed bytes
    signature: Mapped[str] = mapped_column(String(100))  # Ed25519, base64
    timestamp: Mapped[str | None] = mapped_column(Text, nullable=True)  # RFC 3161 token, base64


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed statement of every chain's head and count at one time."""

    statement: dict[str, Any]
    signature: str
    timestamp: str | None = None  # RFC 3161 TimeStampToken (DER, base64) over signed_bytes

    @property
    def seq(self) -> int:
        """Its place in the sequence of checkpoints (1, 2, …)."""
        return int(self.statement["seq"])

    @property
    def made_at(self) -> str:
        """When it was made (ISO 8601, UTC)."""
        return str(self.statement["made_at"])

    @property
    def chains(self) -> dict[str, chain.Head]:
        """Each chain's head as the checkpoint states it."""
        return {
            name: chain.Head(int(c["count"]), str(c["head"]))
            for name, c in self.statement["chains"].items()
        }

    @property
    def statement_bytes(self) -> bytes:
        """The exact bytes signed."""
        return chain.canonical(self.statement).encode()

    @property
    def digest(self) -> str:
        """SHA-256 of the statement: what the next checkpoint names as its predecessor."""
        return hashlib.sha256(self.statement_bytes).hexdigest()

    @property
    def signed_bytes(self) -> bytes:
        """What a time-stamping authority stamps: the statement and its signature."""
        return self.statement_bytes + b"\n" + self.signature.encode()

    def line(self) -> str:
        """One line of the JSON-lines file."""
        return chain.canonical(
            {"statement": self.statement, "signature": self.signature, "timestamp": self.timestamp}
        )


def _from_row(row: CheckpointRow) -> Checkpoint:
    return Checkpoint(json.loads(row.statement), row.signature, row.timestamp)


def latest(session: Session) -> Checkpoint | None:
    """The newest checkpoint in the database, if any."""
    row = session.execute(
        select(CheckpointRow).order_by(CheckpointRow.seq.desc()).limit(1)
    ).scalar()
    return None if row is None else _from_row(row)


def all_checkpoints(session: Session) -> Iterator[Checkpoint]:
    """Every checkpoint in the database, oldest first."""
    last = 0
    while True:
        rows = (
            session.execute(
                select(CheckpointRow)
                .where(CheckpointRow.seq > last)
                .order_by(CheckpointRow.seq)
                .limit(1000)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        for row in rows:
            yield _from_row(row)
            last = row.seq


class ChainDisagrees(Conflict):
    """A chain no longer agrees with the last checkpoint (or with itself): nothing is signed."""


def _current_heads(session: Session, previous: Checkpoint | None) -> dict[str, dict[str, Any]]:
    """Walk every chain from the previous checkpoint's head (only the new links), refusing a
    chain that is broken or cut: a checkpoint must never bless a rewritten history."""
    before = previous.chains if previous else {}
    heads: dict[str, dict[str, Any]] = {}
    for source in chain.chains():
        start = before.get(source.name, chain.START)
        stored = source.head(session)
        after = previous.seq if previous else 0
        if start.count and (stored is None or stored.count < start.count):
            raise ChainDisagrees(
                f"the {source.name} chain was cut after checkpoint {after}"
                f" ({start.count} {source.noun}s then, the head now says "
                f"{'nothing' if stored is None else stored.count}); run `piodesk {source.name} "
                "verify --against` with the published checkpoints"
            )
        result = source.walk(session, start, ())
        if not result.ok:
            raise ChainDisagrees(
                f"the {source.name} chain does not verify after checkpoint {after}: "
                f"{result.problem}"
            )
        heads[source.name] = {"count": result.head.count, "head": result.head.hash}
    return heads


def create(
    session: Session,
    key: Ed25519PrivateKey,
    *,
    agency: str,
    stamp: Stamper | None = None,
    only_if_changed: bool = False,
) -> Checkpoint | None:
    """Sign a checkpoint of every chain in the caller's transaction.

    With ``only_if_changed`` (the scheduled job), nothing is made when no chain moved since the
    last checkpoint, and None is returned.
    """
    previous = latest(session)
    if previous is not None and not signing.signature_ok(
        key.public_key(), previous.statement_bytes, previous.signature
    ):
        # The walk trusts what the last checkpoint covers; an altered row must not be trusted.
        raise ChainDisagrees(
            f"checkpoint {previous.seq} in the database is not signed by this key "
            "(altered, or the key was replaced); nothing was signed"
        )
    heads = _current_heads(session, previous)
    unchanged = previous is not None and heads == {
        n: {"count": h.count, "head": h.hash} for n, h in previous.chains.items()
    }
    if only_if_changed and unchanged:
        return None
    now = clock.now()
    statement = {
        "kind": KIND,
        "format": FORMAT,
        "seq": (previous.seq if previous else 0) + 1,
        "made_at": now.isoformat(timespec="microseconds"),
        "agency": agency,
        "key_id": signing.key_id(key),
        "previous": previous.digest if previous else NO_PREVIOUS,
        "chains": heads,
    }
    unsigned = Checkpoint(statement, "")
    checkpoint = Checkpoint(statement, signing.sign(key, unsigned.statement_bytes))
    if stamp is not None:
        token = stamp(checkpoint.signed_bytes)
        if token is not None:
            checkpoint = Checkpoint(
                statement, checkpoint.signature, base64.b64encode(token).decode()
            )
    session.add(
        CheckpointRow(
            seq=checkpoint.seq,
            made_at=now,
            statement=chain.canonical(statement),
            signature=checkpoint.signature,
            timestamp=checkpoint.timestamp,
        )
    )
    try:
        session.flush()
    except IntegrityError:
        # Two made at once (the schedule and a person): the number is taken; nothing is kept.
        raise Conflict(
            f"checkpoint {checkpoint.seq} was made by someone else at the same moment; run again"
        ) from None
    return checkpoint


def append_to_file(path: Path, checkpoints: Iterable[Checkpoint]) -> None:
    """Append checkpoints to the JSON-lines file (created 0644; flushed to disk)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        for c in checkpoints:
            f.write(c.line() + "\n")
        f.flush()
        os.fsync(f.fileno())


def export_text(session: Session) -> str:
    """Every checkpoint as JSON lines (what `piodesk checkpoint export` writes)."""
    return "".join(c.line() + "\n" for c in all_checkpoints(session))


# ---- checking a checkpoint file (offline: only the file and the public key) ----------------


def parse(text: str) -> list[Checkpoint]:
    """Checkpoints from JSON-lines text; a line that is not one is refused with its number."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            cp = Checkpoint(obj["statement"], str(obj["signature"]), obj.get("timestamp"))
            _ = (cp.seq, cp.chains)  # the fields every check needs must be there
            if cp.statement.get("kind") != KIND:
                raise ValueError(cp.statement.get("kind"))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise InvalidInput(f"line {number} is not a piodesk checkpoint") from None
        out.append(cp)
    return out


def check(
    checkpoints: Sequence[Checkpoint],
    public: Ed25519PublicKey,
    tsa_roots: Sequence[x509.Certificate] = (),
) -> list[str]:
    """Every problem with a sequence of checkpoints: a signature that does not match the
    public key, a gap, a checkpoint out of order or not naming its predecessor, a chain whose
    count went down, a timestamp token not over its checkpoint (or, given the TSA's
    certificates, not signed by it). An empty list means every checkpoint is the agency's,
    in order."""
    problems: list[str] = []
    expected_key = signing.key_id(public)
    prev: Checkpoint | None = None
    for cp in checkpoints:
        where = f"checkpoint {cp.seq} ({cp.made_at})"
        if cp.statement.get("key_id") != expected_key:
            problems.append(
                f"{where} names key {cp.statement.get('key_id')}, not this public key "
                f"({expected_key})"
            )
        if not signing.signature_ok(public, cp.statement_bytes, cp.signature):
            problems.append(f"{where}: the signature does not match (altered or not the agency's)")
        if cp.timestamp:
            try:
                token = base64.b64decode(cp.timestamp, validate=True)
            except ValueError:
                token = b""
            problem = timestamps.problem_with(token, cp.signed_bytes, roots=tsa_roots)
            if problem:
                problems.append(f"{where}: {problem}")
        if prev is not None:
            if cp.seq != prev.seq + 1:
                problems.append(
                    f"{where} comes after checkpoint {prev.seq}: "
                    "checkpoints are missing or out of order"
                )
            elif cp.statement.get("previous") != prev.digest:
                problems.append(f"{where} does not name checkpoint {prev.seq} as its predecessor")
            if cp.made_at < prev.made_at:
                problems.append(f"{where} is dated before checkpoint {prev.seq}")
            for name, head in prev.chains.items():
                now = cp.chains.get(name)
                if now is None or now.count < head.count:
                    problems.append(
                        f"{where}: the {name} chain shrank from {head.count} "
                        f"to {0 if now is None else now.count}"
                    )
        elif cp.seq == 1 and cp.statement.get("previous") != NO_PREVIOUS:
            problems.append(f"{where} is the first but names a predecessor")
        prev = cp
    return problems


def against(session: Session, source: chain.ChainSource, checkpoints: Sequence[Checkpoint]) -> str:
    """How the chain in the database disagrees with the checkpoints ('' when it agrees).

    The chain is recomputed from its links' fields from the beginning, so a link rewritten
    with every later hash recomputed still shows: the recomputed hash at a checkpoint's count
    differs from the signed one. Names the earliest checkpoint that disagrees and the last
    that still agrees, which brackets where the change was made.
    """
    covering = [(cp, cp.chains[source.name]) for cp in checkpoints if source.name in cp.chains]
    if not covering:
        return ""
    walked = source.walk(session, chain.START, {h.count for _, h in covering})
    stored = source.head(session)
    now = walked.head.count
    agreed: tuple[Checkpoint, chain.Head] | None = None
    for cp, head in covering:
        if head.count == 0:
            continue
        if now < head.count or (stored is not None and stored.count < head.count):
            have = min(now, stored.count if stored else now)
            return (
                f"{source.name} chain cut: the checkpoint of {cp.made_at} (no. {cp.seq}) covers "
                f"{head.count} {source.noun}s, the database now has {have}"
            )
        if walked.hashes.get(head.count) != head.hash:
            since = (
                f"; the checkpoint of {agreed[0].made_at} (no. {agreed[0].seq}) still agrees, so "
                f"the change is in {source.noun}s {agreed[1].count + 1} to {head.count}"
                if agreed
                else f"; the change is in {source.noun}s 1 to {head.count}"
            )
            return (
                f"{source.name} chain rewritten: {source.noun} {head.count} differs from the "
                f"checkpoint of {cp.made_at} (no. {cp.seq}){since}"
            )
        agreed = (cp, head)
    return ""


# ---- making one: the signing key from its file, the row, the file outside the database ----


def checkpoint_now(
    sessions: sessionmaker[Session], settings: Settings, *, only_if_changed: bool = False
) -> Checkpoint | None:
    """Sign a checkpoint with the configured key, commit it, then append it to the file.

    The file is written after the commit: a failed commit leaves no line behind, and a line
    the file missed is restored by `piodesk checkpoint export` from the table.
    """
    key = signing.load_key(settings.signing_key_path)
    stamp = None
    if settings.tsa_url:
        roots = (
            timestamps.load_certificates(settings.tsa_certificate_file)
            if settings.tsa_certificate_file
            else []
        )
        stamp = timestamps.stamper(settings.tsa_url, roots)
    with transaction(sessions) as session:
        made = create(
            session, key, agency=settings.agency_name, stamp=stamp, only_if_changed=only_if_changed
        )
    if made is not None:
        append_to_file(settings.checkpoint_path, [made])
    return made
