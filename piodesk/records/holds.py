"""Legal holds (GO 409 §.40; Sedona Legal Holds 2nd ed.): preserve what litigation may need.

A hold names one scope — a page, a person (author), a date range, a saved search, a request,
or a list of records — a matter, and a written notice sent to the custodians it names; each
custodian acknowledges it; it is released in part (some records) or in full. A hold overrides
retention: no disposition destroys a record any hold in force covers (``held``). Every step is
an append-only row sealed by its audit event.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.archive.search import SearchQuery, search
from piodesk.archive.tables import ArchiveItem
from piodesk.core import audit, clock, tags
from piodesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_line, clean_text
from piodesk.people.tables import Account
from piodesk.records.tables import Hold, HoldAcknowledgement, HoldRelease

SCOPES = ("page", "author", "dates", "query", "request", "items")
SCOPE_LABELS = {
    "page": "a page",
    "author": "a person (author)",
    "dates": "a date range",
    "query": "a saved search",
    "request": "an open-records request",
    "items": "a list of records",
}
QUERY_KEYS = ("q", "page_id", "platform", "author", "kind", "state")


@dataclass(frozen=True)
class HoldScope:
    """What a hold preserves (exactly the fields its scope needs)."""

    scope: str
    page_id: int | None = None
    author_platform_id: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    query: dict[str, Any] | None = None
    request_id: int | None = None
    item_ids: tuple[int, ...] = ()

    def validated(self) -> HoldScope:
        """Refuse a scope that is empty or asks for fields it does not use."""
        if self.scope not in SCOPES:
            raise InvalidInput(
                f"unknown hold scope {self.scope[:20]!r}: one of {', '.join(SCOPES)}"
            )
        need = {
            "page": self.page_id is not None,
            "author": bool(self.author_platform_id),
            "dates": self.date_from is not None or self.date_to is not None,
            "query": bool(self.query),
            "request": self.request_id is not None,
            "items": bool(self.item_ids),
        }
        if not need[self.scope]:
            raise InvalidInput(f"a hold on {SCOPE_LABELS[self.scope]} must say which")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidInput("the hold's date range ends before it starts")
        if self.query is not None:
            unknown = set(self.query) - set(QUERY_KEYS)
            if unknown:
                raise InvalidInput(f"a saved search has no field {sorted(unknown)[0]!r}")
            SearchQuery(**self.query).validated()
        return self


def place(
    session: Session,
    *,
    actor: Actor,
    name: str,
    matter: str,
    scope: HoldScope,
    notice: str,
    custodians: Iterable[int] = (),
) -> Hold:
    """Place a hold and send its notice to ``custodians`` (account ids)."""
    require(actor, Perm.HOLD_MANAGE)
    scope = scope.validated()
    name = clean_line("name", name, max_len=200, required=True)
    matter = clean_text("matter", matter, max_len=4000, required=True)
    notice = clean_text("notice", notice, max_len=20000, required=True, min_len=20)
    people = sorted(set(custodians))
    for account_id in people:
        if session.get(Account, account_id) is None:
            raise NotFound(f"no account {account_id} to send the hold notice to")
    if scope.item_ids:
        found = set(
            session.execute(
                select(ArchiveItem.id).where(ArchiveItem.id.in_(list(scope.item_ids)))
            ).scalars()
        )
        missing = sorted(set(scope.item_ids) - found)
        if missing:
            raise NotFound(f"no archive record {missing[0]}")
    hold = Hold(
        name=name,
        matter=matter,
        scope=scope.scope,
        page_id=scope.page_id,
        author_platform_id=scope.author_platform_id,
        date_from=scope.date_from,
        date_to=scope.date_to,
        query=scope.query,
        request_id=scope.request_id,
        item_ids=sorted(set(scope.item_ids)) or None,
        notice=notice,
        custodians=people,
        placed_by=actor.account_id,
        placed_by_name=actor.display_name,
        placed_at=clock.now(),
    )
    session.add(hold)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Records.HOLD_PLACE,
        "legal_hold",
        hold.id,
        reason=f"{name}: {matter[:200]}",
        section="§.40",
        data={"scope": scope.scope, "custodians": people},
    )
    return hold


def acknowledge(
    session: Session, *, actor: Actor, hold_id: int, note: str = ""
) -> HoldAcknowledgement:
    """A custodian named in the notice acknowledges it (once)."""
    hold = _hold(session, hold_id)
    if actor.account_id is None or actor.account_id not in hold.custodians:
        raise PermissionDenied(f"{actor.username} is not a custodian of hold {hold_id}")
    done = session.execute(
        select(HoldAcknowledgement.id).where(
            HoldAcknowledgement.hold_id == hold_id,
            HoldAcknowledgement.account_id == actor.account_id,
        )
    ).first()
    if done:
        raise Conflict(f"{actor.display_name} already acknowledged hold {hold_id}")
    ack = HoldAcknowledgement(
        hold_id=hold_id,
        account_id=actor.account_id,
        name=actor.display_name,
        note=clean_text("note", note, max_len=2000),
        acknowledged_at=clock.now(),
    )
    session.add(ack)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Records.HOLD_ACKNOWLEDGE,
        "legal_hold",
        hold_id,
        reason="hold notice acknowledged",
        section="§.40",
    )
    return ack


def release(
    session: Session,
    *,
    actor: Actor,
    hold_id: int,
    reason: str,
    item_ids: Iterable[int] | None = None,
) -> HoldRelease:
    """Release some records from a hold (partial), or the whole hold (``item_ids`` None)."""
    require(actor, Perm.HOLD_MANAGE)
    hold = _hold(session, hold_id)
    if not in_force(session, hold):
        raise Conflict(f"hold {hold_id} was already released in full")
    reason = clean_text("reason", reason, max_len=2000, required=True)
    ids = None if item_ids is None else sorted(set(item_ids))
    if ids == []:
        raise InvalidInput("a partial release names at least one record")
    row = HoldRelease(
        hold_id=hold_id,
        item_ids=ids,
        reason=reason,
        released_by=actor.account_id,
        released_by_name=actor.display_name,
        released_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Records.HOLD_RELEASE,
        "legal_hold",
        hold_id,
        reason=reason,
        section="§.40",
        data={"full": ids is None, "item_ids": ids},
    )
    return row


def _hold(session: Session, hold_id: int) -> Hold:
    hold = session.get(Hold, hold_id)
    if hold is None:
        raise NotFound(f"no legal hold {hold_id}")
    return hold


def _releases(session: Session, hold_id: int) -> list[HoldRelease]:
    return list(
        session.execute(select(HoldRelease).where(HoldRelease.hold_id == hold_id)).scalars()
    )


def in_force(session: Session, hold: Hold) -> bool:
    """True until the hold is released in full."""
    return not any(r.item_ids is None for r in _releases(session, hold.id))


def holds_in_force(session: Session) -> list[Hold]:
    """Every hold not released in full, oldest first."""
    holds = session.execute(select(Hold).order_by(Hold.id)).scalars().all()
    return [h for h in holds if in_force(session, h)]


def _covered(session: Session, hold: Hold, ids: list[int]) -> set[int]:
    """Which of ``ids`` the hold's scope covers (releases not yet taken off)."""
    if hold.scope == "items":
        return set(ids) & set(hold.item_ids or [])
    if hold.scope == "request":
        from piodesk.records.productions.build import review_set_ids

        assert hold.request_id is not None
        try:
            return set(ids) & set(review_set_ids(session, hold.request_id))
        except InvalidInput:
            # A hold that cannot be resolved keeps everything: never destroy on a guess.
            return set(ids)
    if hold.scope == "query":
        q = dict(hold.query or {})
        found: set[int] = set()
        offset = 0
        while True:
            hits = search(session, SearchQuery(**q, limit=500, offset=offset))
            found.update(h.item.id for h in hits)
            if len(hits) < 500:
                break
            offset += 500
        return set(ids) & found
    stmt = select(ArchiveItem.id).where(ArchiveItem.id.in_(ids))
    if hold.scope == "page":
        stmt = stmt.where(ArchiveItem.page_id == hold.page_id)
    elif hold.scope == "author":
        stmt = stmt.where(ArchiveItem.author_platform_id == hold.author_platform_id)
    elif hold.scope == "dates":
        when = ArchiveItem.created_at
        if hold.date_from is not None:
            stmt = stmt.where(when >= hold.date_from)
        if hold.date_to is not None:
            stmt = stmt.where(when <= hold.date_to)
    return set(session.execute(stmt).scalars())


def held(session: Session, item_ids: Iterable[int]) -> dict[int, list[int]]:
    """For each of ``item_ids`` some hold in force covers, the ids of those holds."""
    ids = sorted(set(item_ids))
    out: dict[int, list[int]] = {}
    if not ids:
        return out
    for hold in holds_in_force(session):
        released: set[int] = set()
        for r in _releases(session, hold.id):
            released.update(r.item_ids or [])
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            for item_id in _covered(session, hold, part) - released:
                out.setdefault(item_id, []).append(hold.id)
    return out


def acknowledgements(session: Session, hold_id: int) -> list[HoldAcknowledgement]:
    """Who acknowledged the hold's notice, in order."""
    return list(
        session.execute(
            select(HoldAcknowledgement)
            .where(HoldAcknowledgement.hold_id == hold_id)
            .order_by(HoldAcknowledgement.id)
        ).scalars()
    )


def releases(session: Session, hold_id: int) -> list[HoldRelease]:
    """The hold's releases, in order."""
    return sorted(_releases(session, hold_id), key=lambda r: r.id)


def items_of(session: Session, hold_id: int) -> list[int]:
    """Every record the hold covers now (its scope, less what was released)."""
    hold = _hold(session, hold_id)
    if not in_force(session, hold):
        return []
    released: set[int] = set()
    for r in _releases(session, hold.id):
        released.update(r.item_ids or [])
    out: set[int] = set()
    last = 0
    while True:
        ids = list(
            session.execute(
                select(ArchiveItem.id)
                .where(ArchiveItem.id > last)
                .order_by(ArchiveItem.id)
                .limit(2000)
            ).scalars()
        )
        if not ids:
            break
        out.update(_covered(session, hold, ids))
        last = ids[-1]
    return sorted(out - released)
