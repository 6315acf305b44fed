"""One hash chain for every kind of evidence: the audit log, the archive's versions, and more.

A chain is a sequence of links numbered 1, 2, 3, …; each link's hash is SHA-256 over the
previous link's hash and the link's canonical fields, so altering, removing or reordering a
link breaks every hash after it. A one-row *head* (last number and hash) is kept beside the
links: appends lock it, so concurrent writers chain in order, and it shows a cut tail.

Everything here is the same for every chain: how a hash is made (:func:`link_hash`), how a
link is appended (:func:`extend`), and how a chain is walked (:class:`Walk`), with the same
checks everywhere: a link altered, missing, out of order, a tail cut off, a head missing.

The head lives in the same database as the links, so whoever holds the database file can cut
the tail and reset the head, or rewrite a link and recompute every later hash. Signed
checkpoints kept outside the database (:mod:`piodesk.core.checkpoints`) catch that; the walk
records the hashes it recomputes at the link numbers a checkpoint names, for that comparison.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from piodesk.core import jsontext

#: The "previous hash" of the first link.
GENESIS = "0" * 64


# One encoder for every hash, built once (json.dumps with these options builds a new encoder per
# call, which cost a fifth of each call at an import's hundreds of thousands of links; see
# core.jsontext). Same output.
_CANONICAL = jsontext.encoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
)


def canonical(value: Any) -> str:
    """Deterministic JSON used inside hashes (sorted keys, no spaces, UTF-8 kept)."""
    return _CANONICAL(value)


def link_hash(fields: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 over the previous hash and the link's canonical fields."""
    return hashlib.sha256((prev_hash + "\n" + canonical(fields)).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Head:
    """The end of a chain: how many links it has (the last one's number) and that link's hash."""

    count: int
    hash: str


START = Head(0, GENESIS)


def extend(head: Head, fields: dict[str, Any]) -> Head:
    """The head after appending one link with ``fields`` (link number ``head.count + 1``)."""
    return Head(head.count + 1, link_hash(fields, head.hash))


class HeadRow(Protocol):
    """A chain's one-row head table (id=1): last link number and hash."""

    id: Any
    last_seq: Any
    last_hash: Any


R = TypeVar("R", bound=HeadRow)


def locked_head(session: Session, model: type[R]) -> R:
    """The head row, locked for this transaction (created at the start if there is none)."""
    row = session.execute(select(model).where(model.id == 1).with_for_update()).scalar()
    if row is None:
        row = model()
        row.id, row.last_seq, row.last_hash = 1, START.count, START.hash
        session.add(row)
        session.flush()
    return row


def stored_head(session: Session, model: type[HeadRow]) -> Head | None:
    """What the head row says, or None when it is missing."""
    row = session.get(model, 1)
    return None if row is None else Head(row.last_seq, row.last_hash)


@dataclass(frozen=True, slots=True)
class Link:
    """One stored link as the walk sees it: its number, stored hashes and hashed fields.

    ``label`` names it in messages (e.g. "event 5 (page:approved)"); ``problem`` is a check of
    the chain's own that failed on this link (e.g. a raw payload no longer matching its hash).
    """

    seq: int
    prev_hash: str
    hash: str
    fields: dict[str, Any]
    label: str
    problem: str = ""
    #: Said after "was altered" when the recomputed hash differs (what the hash covers).
    altered_hint: str = ""
    #: The fields can no longer be recomputed (a disposition destroyed a version hashed before
    #: its content was chained by digest): the link's hash is vouched for by a record sealed in
    #: another chain (the disposition's tombstone), which the chain's owner has checked.
    vouched: bool = False


@dataclass(frozen=True, slots=True)
class ChainResult:
    """The outcome of walking a chain."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""
    #: The head recomputed from the links' fields (whatever the stored hashes say).
    head: Head = START
    #: Recomputed hashes at the link numbers asked for (see :class:`Walk`).
    hashes: dict[int, str] = field(default_factory=dict)


class Walk:
    """Recompute a chain link by link; keep the first problem and go on recomputing.

    ``noun`` names a link in messages ("event", "version"). The walk may start after a link
    already trusted (``start``, e.g. the last checkpoint's head) instead of at the beginning.
    It records the recomputed hash of each link numbered in ``wanted``: after a problem the
    recomputation goes on over the links' fields, so a link rewritten anywhere before a
    checkpoint's last link shows as a hash differing from the checkpoint's.
    """

    def __init__(self, noun: str, *, start: Head = START, wanted: Collection[int] = ()) -> None:
        self.noun = noun
        self.start = start
        self.wanted = frozenset(wanted)
        self.running = start.hash  # recomputed from fields
        self.stored = start.hash  # the previous link's stored hash
        self.expected = start.count + 1
        self.last = start.count
        self.checked = 0
        self.first_bad: int | None = None
        self.problem = ""
        self.hashes: dict[int, str] = {}

    def _fail(self, seq: int, problem: str) -> None:
        if self.first_bad is None:
            self.first_bad, self.problem = seq, problem

    def add(self, link: Link) -> None:
        """Check one link (links must come in ascending number)."""
        if link.seq != self.expected:
            self._fail(self.expected, f"{self.noun} {self.expected} is missing from the chain")
        elif link.prev_hash != self.stored:
            self._fail(link.seq, f"{link.label} does not follow {self.noun} {link.seq - 1}")
        elif link.problem:
            self._fail(link.seq, f"{link.label}: {link.problem}")
        if link.vouched:
            # Continue from the vouched hash when the walk agrees so far; after a divergence,
            # stay diverged (a rewrite before this link must still differ from a checkpoint).
            same = self.running == link.prev_hash
            self.running = link.hash if same else link_hash({"vouched": link.hash}, self.running)
        else:
            self.running = link_hash(link.fields, self.running)
        if self.running != link.hash:
            self._fail(link.seq, f"{link.label} was altered{link.altered_hint}")
        if link.seq in self.wanted:
            self.hashes[link.seq] = self.running
        self.stored, self.expected, self.last = link.hash, link.seq + 1, link.seq
        self.checked += 1

    def past_head(self, count: int) -> None:
        """Note links numbered past what the head says (rows added without moving the head)."""
        self._fail(
            count + 1, f"{self.noun}s after {count} are past the chain head (it says {count})"
        )

    def finish(self, stored: Head | None) -> ChainResult:
        """Compare the end of the walk with the stored head (None: the head row is missing)."""
        plural = f"{self.noun}s"
        if stored is None and self.last > 0:
            self._fail(
                self.last + 1, f"the chain head is missing ({self.last} {plural} and no head)"
            )
        elif stored is not None and stored.count > self.last:
            self._fail(
                self.last + 1,
                f"{plural} after {self.last} were removed (the chain head says {stored.count})",
            )
        elif stored is not None and stored.count < self.last:
            self._fail(
                stored.count + 1,
                f"{plural} after {stored.count} are past the chain head (it says {stored.count})",
            )
        elif stored is not None and stored.hash != self.stored:
            self._fail(self.last, f"the chain head does not match {self.noun} {self.last}")
        return ChainResult(
            ok=self.first_bad is None,
            checked=self.checked,
            first_bad_seq=self.first_bad,
            problem=self.problem,
            head=Head(self.last, self.running),
            hashes=self.hashes,
        )


#: Yields a chain's stored links numbered after the first argument, up to the second (None: all).
LinkReader = Callable[[int, int | None], Iterable[Link]]


def walk_stored(
    session: Session,
    *,
    noun: str,
    head_model: type[HeadRow],
    seq_column: Any,
    links: LinkReader,
    start: Head = START,
    wanted: Collection[int] = (),
) -> ChainResult:
    """Walk a chain stored as link rows plus a head row, while writers may be appending.

    The head is read first and the links up to it are walked: a writer commits a link and the
    head together, so everything up to a head once seen is there (on PostgreSQL, too, where
    each statement sees the latest commits). Links past the head are looked for after: the
    highest number first, then the head again; read in that order, an honest chain never shows
    a link the head does not cover.
    """
    stored = stored_head(session, head_model)
    w = Walk(noun, start=start, wanted=wanted)
    for link in links(start.count, None if stored is None else stored.count):
        w.add(link)
    if stored is not None:
        highest = session.execute(select(func.max(seq_column))).scalar() or 0
        now = stored_head(session, head_model)
        if now is not None and highest > now.count:
            w.past_head(now.count)
    return w.finish(stored)


# ---- the registry of chains (what a checkpoint covers) ------------------------------------


@dataclass(frozen=True, slots=True)
class ChainSource:
    """A chain a checkpoint covers: its name, what a link is called, and how to walk it."""

    name: str  # "audit", "archive", …: the key in every checkpoint
    noun: str  # "event", "version"
    #: The head as stored (None when the head row is missing).
    head: Callable[[Session], Head | None]
    #: Walk the links after ``start``, recording recomputed hashes at ``wanted``.
    walk: Callable[[Session, Head, Collection[int]], ChainResult]


_CHAINS: dict[str, ChainSource] = {}

#: Modules that register a chain when imported. A new chain (productions) adds its module here,
#: so every checkpoint covers it without anyone having to remember an import.
PROVIDERS = ("piodesk.core.audit", "piodesk.archive.verify")


def register(source: ChainSource) -> ChainSource:
    """Add a chain to the registry (done once, by the module that owns the chain)."""
    _CHAINS[source.name] = source
    return source


def chains() -> list[ChainSource]:
    """Every registered chain, by name."""
    for module in PROVIDERS:
        importlib.import_module(module)
    return [_CHAINS[name] for name in sorted(_CHAINS)]


def chain(name: str) -> ChainSource:
    """The registered chain called ``name``."""
    found = {c.name: c for c in chains()}
    if name not in found:
        raise KeyError(f"no chain called {name!r}")
    return found[name]
