"""The records custodian's archive search and record view, and the archive API."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from piodesk.archive import actions
from piodesk.archive.model import ItemState
from piodesk.archive.search import SearchQuery
from piodesk.archive.tables import ArchiveItem, ArchiveVersion
from piodesk.connectors.model import ItemKind
from piodesk.core.errors import InvalidInput
from piodesk.core.permissions import Actor
from piodesk.pages.model import PLATFORM_LABELS
from piodesk.pages.tables import Page
from piodesk.web.context import authenticate, ctx, current_actor, render

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1/archive", tags=["archive"])


def _date(value: str | None, *, end: bool = False) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.strptime(value[:10], "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput(f"dates are YYYY-MM-DD, not '{value[:20]}'") from None
    return day.replace(hour=23, minute=59, second=59) if end else day


def _query(params: Mapping[str, str | None]) -> SearchQuery:
    def opt(name: str) -> str | None:
        value = params.get(name)
        return value.strip() if value and value.strip() else None

    page = opt("page")
    try:
        page_id = int(page) if page else None
        offset = int(opt("offset") or 0)
    except ValueError:
        raise InvalidInput("page and offset are numbers") from None
    return SearchQuery(
        q=opt("q") or "",
        page_id=page_id,
        platform=opt("platform"),
        author=opt("author"),
        kind=opt("kind"),
        state=opt("state"),
        date_from=_date(opt("from")),
        date_to=_date(opt("to"), end=True),
        offset=offset,
    )


@router.get("/archive", response_class=HTMLResponse)
def archive_search_page(request: Request) -> HTMLResponse:
    """Search every post, comment, edit and removal the department's pages ever held."""
    actor = authenticate(request).actor
    params = dict(request.query_params)
    query = _query(params)
    with ctx(request).read() as session:
        hits = actions.search_archive(session, query, actor=actor)
        pages = session.query(Page).order_by(Page.name).all()
    return render(
        request,
        "archive/search.html",
        {
            "hits": hits,
            "params": params,
            "query": query,
            "pages": pages,
            "platforms": PLATFORM_LABELS,
            "kinds": [k.value for k in ItemKind],
            "states": [s.value for s in ItemState],
            "searched": bool(params),
        },
    )


@router.get("/archive/items/{item_id}", response_class=HTMLResponse)
def archive_item_page(request: Request, item_id: int) -> HTMLResponse:
    """A record with every captured version side by side."""
    actor = authenticate(request).actor
    with ctx(request).read() as session:
        item, versions = actions.open_record(session, item_id, actor=actor)
        page = session.get(Page, item.page_id) if item.page_id else None
        from piodesk.records.links import ITEM_STATE_WORDS, links_of
        from piodesk.records.tables import ArchiveTombstone

        tombstones = {
            t.seq: t
            for t in session.query(ArchiveTombstone).filter(ArchiveTombstone.item_id == item.id)
        }
        links = links_of(session, item)
    return render(
        request,
        "archive/item.html",
        {
            "item": item,
            "versions": versions,
            "page": page,
            "tombstones": tombstones,
            "links": links,
            "state_words": ITEM_STATE_WORDS,
        },
    )


# ---- JSON API -------------------------------------------------------------------------------


class VersionOut(BaseModel):
    """One captured version."""

    seq: int
    version: int
    captured_at: str
    source: str
    state: str
    text: str | None
    author_name: str | None
    edited_at: str | None
    fields: dict[str, Any]
    media: list[dict[str, Any]]
    raw_sha256: str
    hash: str
    raw_base64: str | None = None


class ItemOut(BaseModel):
    """A record: identity, page, state and (in search results) the matching version."""

    id: int
    platform: str
    kind: str
    platform_id: str
    page_id: int | None
    author_name: str | None
    author_platform_id: str | None
    created_at: str | None
    state: str
    versions: int
    matched: VersionOut | None = None


def _version_out(v: ArchiveVersion, *, raw: bool = False) -> VersionOut:
    return VersionOut(
        seq=v.seq,
        version=v.version,
        captured_at=v.captured_at.isoformat(),
        source=v.source,
        state=v.state,
        text=v.text,
        author_name=v.author_name,
        edited_at=v.edited_at.isoformat() if v.edited_at else None,
        fields=v.fields,
        media=v.media,
        raw_sha256=v.raw_sha256,
        hash=v.hash,
        raw_base64=base64.b64encode(v.raw).decode() if raw else None,
    )


def _item_out(item: ArchiveItem, matched: ArchiveVersion | None = None) -> ItemOut:
    return ItemOut(
        id=item.id,
        platform=item.platform,
        kind=item.kind,
        platform_id=item.platform_id,
        page_id=item.page_id,
        author_name=item.author_name,
        author_platform_id=item.author_platform_id,
        created_at=item.created_at.isoformat() if item.created_at else None,
        state=item.state,
        versions=item.head_version,
        matched=_version_out(matched) if matched else None,
    )


@api.get("/search", response_model=list[ItemOut])
def api_search(
    request: Request,
    q: str = "",
    page: str | None = None,
    platform: str | None = None,
    author: str | None = None,
    kind: str | None = None,
    state: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    offset: str | None = None,
    actor: Actor = Depends(current_actor),
) -> list[ItemOut]:
    """Full-text search of the archive with filters (dates are YYYY-MM-DD)."""
    query = _query(
        {
            "q": q,
            "page": page,
            "platform": platform,
            "author": author,
            "kind": kind,
            "state": state,
            "from": date_from,
            "to": date_to,
            "offset": offset,
        }
    )
    with ctx(request).read() as session:
        return [
            _item_out(h.item, h.version)
            for h in actions.search_archive(session, query, actor=actor)
        ]


class RecordOut(BaseModel):
    """A record with every version, raw payloads included (base64)."""

    item: ItemOut
    versions: list[VersionOut]


@api.get("/items/{item_id}", response_model=RecordOut)
def api_item(request: Request, item_id: int, actor: Actor = Depends(current_actor)) -> RecordOut:
    """A record with every version exactly as captured."""
    with ctx(request).read() as session:
        item, versions = actions.open_record(session, item_id, actor=actor)
        return RecordOut(
            item=_item_out(item), versions=[_version_out(v, raw=True) for v in versions]
        )
