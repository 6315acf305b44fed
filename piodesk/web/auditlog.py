"""The audit log in the browser: filter, search, CSV export, and verify the chain (reads only).

Everything here needs ``audit.view``. Filters: the action, who acted, what it was about
(a target type and id), a UTC date range and words in the reason, target or data. The page
shows people's names and actions in words; the CSV carries both the words and the codes the
chain hashed, so a reader can match a row to ``piodesk audit verify``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import BaseModel
from sqlalchemy import Select, String, cast, func, or_, select
from sqlalchemy.orm import Session

from piodesk.core import audit, evidence, tags
from piodesk.core.audit import AuditEvent
from piodesk.core.errors import InvalidInput
from piodesk.core.permissions import Actor, Perm, require
from piodesk.pages.tables import Page
from piodesk.people.lookup import display_names
from piodesk.people.tables import Account
from piodesk.web.context import authenticate, ctx, current_actor, render
from piodesk.web.labels import (
    TARGET_LABELS,
    VIA_LABELS,
    action_label,
    role_labels,
    source_label,
    target_label,
)

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["audit"])

PAGE_SIZE = 100
_BATCH = 1000

#: Who acted when no account did (the names the log stores for them).
_NOT_ACCOUNTS = {"system": "piodesk system (scheduled jobs)", "operator": "Local operator"}


@dataclass
class AuditFilter:
    """What the person asked for, as typed (kept in the form), and the errors per field."""

    action: str = ""
    actor: str = ""
    target_type: str = ""
    target_id: str = ""
    date_from: str = ""
    date_to: str = ""
    q: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, params: Any) -> AuditFilter:
        """From the query string; an unusable value is named beside its field."""
        f = cls()
        for k in _FIELDS:
            setattr(f, k, str(params.get(k, "") or "").strip()[:200])
        known = {m.value for source in tags.SOURCES for m in source}
        if f.action and f.action not in known:
            f.errors["action"] = "no such action"
        for name in ("date_from", "date_to"):
            value = getattr(f, name)
            if value:
                try:
                    date.fromisoformat(value)
                except ValueError:
                    f.errors[name] = "a date as YYYY-MM-DD, e.g. 2026-03-01"
        if not f.errors and f.date_from and f.date_to and f.date_to < f.date_from:
            f.errors["date_to"] = "the end is before the start"
        return f

    def query_string(self, **extra: object) -> str:
        """These filters as a query string (for the CSV link and paging)."""
        pairs = {k: getattr(self, k) for k in _FIELDS if getattr(self, k)}
        pairs.update({k: str(v) for k, v in extra.items() if v not in (None, "")})
        return urlencode(pairs)

    def where(self, q: Select[Any]) -> Select[Any]:
        """``q`` narrowed to the filters (which must have parsed without errors)."""
        if self.action:
            q = q.where(AuditEvent.action == self.action)
        if self.actor:
            q = q.where(AuditEvent.actor_name == self.actor)
        if self.target_type:
            q = q.where(AuditEvent.target_type == self.target_type)
        if self.target_id:
            q = q.where(AuditEvent.target_id == self.target_id)
        if self.date_from:
            start = datetime.combine(date.fromisoformat(self.date_from), datetime.min.time(), UTC)
            q = q.where(AuditEvent.occurred_at >= start)
        if self.date_to:
            end = datetime.combine(date.fromisoformat(self.date_to), datetime.min.time(), UTC)
            q = q.where(AuditEvent.occurred_at < end + timedelta(days=1))
        if self.q:
            words = self.q.lower()
            q = q.where(
                or_(
                    *(
                        func.lower(col).contains(words, autoescape=True)
                        for col in (
                            AuditEvent.reason,
                            AuditEvent.target_id,
                            AuditEvent.actor_name,
                            AuditEvent.action,
                            cast(AuditEvent.data, String),
                        )
                    )
                )
            )
        return q


_FIELDS = ("action", "actor", "target_type", "target_id", "date_from", "date_to", "q")


@dataclass
class Row:
    """One event as the page shows it."""

    event: AuditEvent
    who: str
    roles: str
    action: str
    target: str
    link: str | None
    via: str

    def values(self) -> tuple[object, ...]:
        """The row's fields in the order of :data:`CSV_COLUMNS` (CSV and JSON alike)."""
        e = self.event
        return (
            e.seq,
            e.occurred_at.isoformat(),
            self.who,
            e.actor_name,
            self.roles,
            self.via,
            self.action,
            e.action,
            self.target,
            e.target_type,
            e.target_id,
            e.section,
            e.reason,
            e.hash,
        )


def _rows(session: Session, events: list[AuditEvent]) -> list[Row]:
    names = display_names(session, [e.actor_id for e in events])
    page_ids = {
        int(e.target_id) for e in events if e.target_type == "page" and e.target_id.isdigit()
    }
    page_names = (
        dict(session.execute(select(Page.id, Page.name).where(Page.id.in_(page_ids))).all())
        if page_ids
        else {}
    )
    account_ids = [
        int(e.target_id) for e in events if e.target_type == "account" and e.target_id.isdigit()
    ]
    account_names = display_names(session, account_ids)
    out = []
    for e in events:
        target = f"{target_label(e.target_type)} {e.target_id}".strip()
        link = None
        if e.target_type == "page" and e.target_id.isdigit():
            name = page_names.get(int(e.target_id))
            target = f"Page “{name}”" if name else target
            link = f"/pages/{e.target_id}"
        elif e.target_type == "account" and e.target_id.isdigit():
            name = account_names.get(int(e.target_id))
            target = name or target
        elif e.target_type == "case" and e.target_id.isdigit():
            link = f"/moderation/cases/{e.target_id}"
        out.append(
            Row(
                event=e,
                who=_who(e, names),
                roles=role_labels(e.actor_roles),
                action=action_label(e.action),
                target=target,
                link=link,
                via=VIA_LABELS.get(e.via, e.via),
            )
        )
    return out


def _who(e: AuditEvent, names: dict[int, str]) -> str:
    if e.actor_id is not None and e.actor_id in names:
        return names[e.actor_id]
    return _NOT_ACCOUNTS.get(e.actor_name, e.actor_name)


def _people(session: Session) -> list[tuple[str, str]]:
    """(username as stored, name shown) for the "who" filter: every account, and the two
    actors that are not accounts."""
    rows = session.execute(select(Account.username, Account.display_name)).all()
    people = sorted(((u, n) for u, n in rows), key=lambda p: p[1].casefold())
    return people + sorted(_NOT_ACCOUNTS.items(), key=lambda p: p[1])


def _actions() -> list[tuple[str, list[tuple[str, str]]]]:
    """The actions the log can record, grouped by source, in words."""
    groups = []
    for source in tags.SOURCES:
        members = sorted(((m.value, action_label(m.value)) for m in source), key=lambda m: m[1])
        groups.append((source_label(source), members))
    return groups


@router.get("/audit", response_class=HTMLResponse)
def audit_log(request: Request, before: int | None = None) -> HTMLResponse:
    """The audit log, newest first, filtered and searched."""
    actor = authenticate(request).actor
    require(actor, Perm.AUDIT_VIEW)
    params = dict(request.query_params)
    target = params.get("target", "")
    if target and ":" in target and not params.get("target_type"):
        params["target_type"], _, params["target_id"] = target.partition(":")
    f = AuditFilter.parse(params)
    rows: list[Row] = []
    with ctx(request).read() as session:
        if not f.errors:
            q = f.where(select(AuditEvent)).order_by(AuditEvent.seq.desc()).limit(PAGE_SIZE)
            if before:
                q = q.where(AuditEvent.seq < before)
            rows = _rows(session, list(session.execute(q).scalars()))
        people = _people(session)
    return render(
        request,
        "audit.html",
        {
            "rows": rows,
            "f": f,
            "before": before,
            "people": people,
            "action_groups": _actions(),
            "targets": sorted(TARGET_LABELS.items(), key=lambda t: t[1]),
            "page_size": PAGE_SIZE,
        },
        status=422 if f.errors else 200,
    )


def _cell(value: object) -> object:
    """Text a spreadsheet would run as a formula is quoted with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


CSV_COLUMNS: tuple[str, ...] = (
    "seq",
    "occurred_at_utc",
    "who",
    "username",
    "roles",
    "via",
    "action",
    "action_code",
    "target",
    "target_type",
    "target_id",
    "section",
    "reason",
    "hash",
)


@router.get("/audit.csv")
def audit_csv(request: Request) -> StreamingResponse:
    """Every event the filters match, oldest first, as CSV (streamed, however many)."""
    actor = authenticate(request).actor
    require(actor, Perm.AUDIT_VIEW)
    f = AuditFilter.parse(request.query_params)
    if f.errors:
        raise InvalidInput("; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in f.errors.items()))
    app = ctx(request)

    def lines() -> Iterator[str]:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        last = 0
        while True:
            with app.read() as session:
                q = f.where(select(AuditEvent)).where(AuditEvent.seq > last)
                events = list(session.execute(q.order_by(AuditEvent.seq).limit(_BATCH)).scalars())
                rows = _rows(session, events)
            for r in rows:
                writer.writerow([_cell(v) for v in r.values()])
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
            if len(events) < _BATCH:
                return
            last = events[-1].seq

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="piodesk-audit-{stamp}.csv"'},
    )


@router.get("/audit/verify", response_class=HTMLResponse)
def audit_verify_page(request: Request) -> HTMLResponse:
    """Recompute the audit chain and check every evidence row against it, in the browser
    (what ``piodesk audit verify`` does), and say plainly what was found."""
    actor = authenticate(request).actor
    require(actor, Perm.AUDIT_VIEW)
    started = datetime.now(UTC)
    with ctx(request).read() as session:
        chain = audit.verify(session)
        rows = evidence.verify(session)
    taken = (datetime.now(UTC) - started).total_seconds()
    return render(
        request,
        "audit_verify.html",
        {"chain": chain, "rows": rows, "checked_at": started, "taken": taken},
    )


class EventOut(BaseModel):
    """An audit event as people read it, with the stored codes beside the words (the fields
    of the CSV export)."""

    seq: int
    occurred_at_utc: str
    who: str
    username: str
    roles: str
    via: str
    action: str
    action_code: str
    target: str
    target_type: str
    target_id: str
    section: str
    reason: str
    hash: str


@api.get("/audit/events", response_model=list[EventOut])
def api_audit_events(
    request: Request,
    action: str | None = Query(None, description="an action code, e.g. page:approved"),
    actor: str | None = Query(None, description="who acted (username; system; operator)"),
    target_type: str | None = Query(None, description="e.g. page, case, account"),
    target_id: str | None = Query(None),
    date_from: str | None = Query(None, description="first UTC day, YYYY-MM-DD"),
    date_to: str | None = Query(None, description="last UTC day, YYYY-MM-DD"),
    q: str | None = Query(None, description="words in the reason, target or details"),
    before: int | None = Query(None, description="only events before this number"),
    limit: int = Query(PAGE_SIZE, ge=1, le=1000),
    who: Actor = Depends(current_actor),
) -> list[EventOut]:
    """The audit log, newest first, with the filters of the audit page."""
    require(who, Perm.AUDIT_VIEW)
    f = AuditFilter.parse(
        {
            "action": action,
            "actor": actor,
            "target_type": target_type,
            "target_id": target_id,
            "date_from": date_from,
            "date_to": date_to,
            "q": q,
        }
    )
    if f.errors:
        raise InvalidInput("; ".join(f"{k}: {v}" for k, v in f.errors.items()))
    with ctx(request).read() as session:
        query = f.where(select(AuditEvent)).order_by(AuditEvent.seq.desc()).limit(limit)
        if before is not None:
            query = query.where(AuditEvent.seq < before)
        rows = _rows(session, list(session.execute(query).scalars()))
    return [EventOut(**dict(zip(CSV_COLUMNS, r.values(), strict=True))) for r in rows]
