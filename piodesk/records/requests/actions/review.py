"""Notes, the request's saved search, and its review set."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.archive.search import Hit, SearchQuery, search
from piodesk.archive.tables import ArchiveItem
from piodesk.core import audit, clock
from piodesk.core.errors import Conflict, InvalidInput, NotFound
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_text
from piodesk.records.requests import queries
from piodesk.records.requests.actions._common import (
    MAX_REVIEW_BATCH,
    SECTION,
    T,
    _actor_id,
    _event,
    _open_request,
)
from piodesk.records.requests.model import (
    CLOSED,
    MAX_NOTE,
    RequestState,
)
from piodesk.records.requests.queries import number
from piodesk.records.requests.tables import (
    RequestNote,
    ReviewItem,
)

# ---- notes -----------------------------------------------------------------------------------


def add_note(session: Session, request_id: int, body: str, *, actor: Actor) -> RequestNote:
    """An internal note on the request."""
    request = _open_request(session, request_id, actor)
    text = clean_text("the note", body, max_len=MAX_NOTE, required=True)
    note = RequestNote(
        request_id=request.id,
        body=text,
        author_id=_actor_id(actor),
        author_name=actor.display_name,
        written_at=clock.now(),
    )
    session.add(note)
    session.flush()
    audit.record(
        session,
        actor,
        T.NOTE,
        "records_request",
        request.id,
        section=SECTION,
        data={"note": note.id},
    )
    return note


# ---- the saved search and the review set -----------------------------------------------------


def _query_json(query: SearchQuery) -> dict[str, Any]:
    data = asdict(query)
    for key in ("date_from", "date_to"):
        data[key] = data[key].isoformat() if data[key] else None
    data.pop("offset", None)
    return data


def query_from_json(data: dict[str, Any]) -> SearchQuery:
    """The saved search as a query again."""
    values = dict(data)
    for key in ("date_from", "date_to"):
        values[key] = datetime.fromisoformat(values[key]) if values.get(key) else None
    allowed = set(SearchQuery.__dataclass_fields__)
    return SearchQuery(**{k: v for k, v in values.items() if k in allowed})


def save_search(
    session: Session, request_id: int, query: SearchQuery, *, actor: Actor
) -> list[Hit]:
    """Keep ``query`` as the request's search (it can be run again) and return its hits."""
    request = _open_request(session, request_id, actor)
    require(actor, Perm.ARCHIVE_VIEW)
    query = query.validated()
    hits = search(session, query)
    before = request.saved_search
    request.saved_search = _query_json(query)
    _event(
        session, request, "search", actor, data={"query": request.saved_search, "hits": len(hits)}
    )
    session.flush()
    audit.record(
        session,
        actor,
        T.SEARCH_SAVED,
        "records_request",
        request.id,
        section=SECTION,
        data={"before": before, "after": request.saved_search, "hits": len(hits)},
    )
    return hits


def run_saved_search(
    session: Session, request_id: int, *, actor: Actor, offset: int = 0
) -> tuple[SearchQuery | None, list[Hit]]:
    """The request's saved search, run again now."""
    require(actor, Perm.RECORDS_REQUEST_VIEW)
    require(actor, Perm.ARCHIVE_VIEW)
    request = queries.get_request(session, request_id)
    if not request.saved_search:
        return None, []
    query = query_from_json(request.saved_search)
    query = SearchQuery(**{**asdict(query), "offset": max(0, offset)})
    return query, search(session, query)


def add_to_review(
    session: Session, request_id: int, item_ids: Iterable[int], *, actor: Actor, reason: str = ""
) -> list[ReviewItem]:
    """Put archive records into the request's review set (those already there are left)."""
    request = _open_request(session, request_id, actor)
    require(actor, Perm.ARCHIVE_VIEW)
    if RequestState(request.state) in CLOSED:
        raise Conflict("the request is closed; its review set is final")
    ids = sorted(set(item_ids))
    if not ids:
        raise InvalidInput("choose at least one record to add")
    if len(ids) > MAX_REVIEW_BATCH:
        raise InvalidInput(f"add at most {MAX_REVIEW_BATCH} records at a time")
    reason = clean_text("the reason", reason, max_len=MAX_NOTE)
    found = set(session.execute(select(ArchiveItem.id).where(ArchiveItem.id.in_(ids))).scalars())
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(f"no archived record {', '.join(map(str, missing[:10]))}")
    present = {e.item.id for e in queries.review_set(session, request.id)}
    rows = [
        ReviewItem(
            request_id=request.id,
            item_id=i,
            responsive=None,
            removed=False,
            reason=reason,
            added_by=_actor_id(actor),
            added_by_name=actor.display_name,
            added_at=clock.now(),
        )
        for i in ids
        if i not in present
    ]
    session.add_all(rows)
    session.flush()
    audit.record(
        session,
        actor,
        T.REVIEW,
        "records_request",
        request.id,
        reason=reason,
        section=SECTION,
        data={"added": [r.item_id for r in rows], "already": sorted(present & set(ids))},
    )
    return rows


def mark(
    session: Session,
    request_id: int,
    item_id: int,
    *,
    responsive: bool | None,
    reason: str,
    actor: Actor,
    remove: bool = False,
) -> ReviewItem:
    """The custodian's call on a record in the set: responsive or not (with a reason), or
    taken out of the set. A new row: earlier calls stay on record."""
    request = _open_request(session, request_id, actor)
    if RequestState(request.state) in CLOSED:
        raise Conflict("the request is closed; its review set is final")
    text = clean_text("the reason", reason, max_len=MAX_NOTE, required=True)
    if item_id not in {e.item.id for e in queries.review_set(session, request.id)}:
        raise NotFound(f"record {item_id} is not in request {number(request)}'s review set")
    row = ReviewItem(
        request_id=request.id,
        item_id=item_id,
        responsive=None if remove else responsive,
        removed=remove,
        reason=text,
        added_by=_actor_id(actor),
        added_by_name=actor.display_name,
        added_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        T.REVIEW,
        "records_request",
        request.id,
        reason=text,
        section=SECTION,
        data={"item": item_id, "responsive": row.responsive, "removed": remove},
    )
    return row
