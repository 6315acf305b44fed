"""What the records custodian does with a request (§.40). One function per thing a person does;
each checks permission, validates everything before writing anything, writes its rows and
its audit event in the caller's one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.archive.search import Hit, SearchQuery, search
from piodesk.archive.tables import ArchiveItem
from piodesk.core import audit, clock, tags
from piodesk.core.errors import Conflict, InvalidInput, NotFound
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_line, clean_text
from piodesk.people.tables import Account
from piodesk.records.requests import deadline, letters, queries
from piodesk.records.requests.deadline import Clock, ClockEvent, ClockKind
from piodesk.records.requests.model import (
    CHANNEL_LABELS,
    CLOSED,
    MACHINE,
    MAX_LETTER,
    MAX_NAME,
    MAX_NOTE,
    MAX_TEXT,
    STATE_LABELS,
    WAITING,
    Channel,
    FeeKind,
    LetterKind,
    RequestState,
)
from piodesk.records.requests.queries import Desk, number
from piodesk.records.requests.tables import (
    CalendarDay,
    FeeEntry,
    Letter,
    LetterTemplate,
    RecordsRequest,
    RequestEvent,
    RequestNote,
    ReviewItem,
)

SECTION = "§.40"
T = tags.RecordsRequest
#: How far in the future a receipt time may lie (clocks of two machines disagree a little).
FUTURE_SLACK = timedelta(minutes=5)
MAX_REVIEW_BATCH = 500


class FieldErrors(InvalidInput):
    """Several fields are wrong; ``fields`` maps each to its message (forms show them beside)."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def _actor_id(actor: Actor) -> int | None:
    return actor.account_id


def _event(
    session: Session,
    request: RecordsRequest,
    kind: str,
    actor: Actor,
    *,
    at: datetime | None = None,
    note: str = "",
    days: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    data: dict[str, Any] | None = None,
) -> RequestEvent:
    now = clock.now()
    row = RequestEvent(
        request_id=request.id,
        kind=kind,
        at=at or now,
        from_state=from_state,
        to_state=to_state,
        days=days,
        note=note,
        data=data or {},
        actor_id=_actor_id(actor),
        actor_name=actor.display_name,
        recorded_at=now,
    )
    session.add(row)
    return row


def _when(value: datetime | None, desk: Desk, label: str) -> datetime:
    """An event's time: now when not given; refused in the future."""
    now = clock.now()
    if value is None:
        return now
    if value.tzinfo is None:
        value = value.replace(tzinfo=desk.tz)
    if value > now + FUTURE_SLACK:
        raise InvalidInput(f"{label} cannot be in the future")
    return value.astimezone(UTC)  # stored as UTC: SQLite keeps no offset


def _open_request(session: Session, request_id: int, actor: Actor) -> RecordsRequest:
    require(actor, Perm.RECORDS_REQUEST_MANAGE)
    return queries.get_request(session, request_id)


# ---- intake ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Intake:
    """A request as the custodian typed it (strings, as from a form)."""

    requester_name: str = ""
    requester_contact: str = ""
    requester_organization: str = ""
    channel: str = ""
    received_at: str = ""  # local date and time, "YYYY-MM-DDTHH:MM" (or ISO with an offset)
    text: str = ""
    scope: str = ""
    single_document: bool = False
    regime: str = ""
    assignee: str = ""  # username, optional


def parse_local(value: str, desk: Desk) -> datetime:
    """A local date and time typed by a person (or ISO 8601 with an offset)."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput("give the date and time as YYYY-MM-DD HH:MM") from None
    local = parsed if parsed.tzinfo else parsed.replace(tzinfo=desk.tz)
    return local.astimezone(UTC)  # stored as UTC: SQLite keeps no offset


def _validate_intake(
    session: Session, desk: Desk, intake: Intake
) -> tuple[dict[str, Any], Account | None]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}

    def field(name: str, fn: Any) -> None:
        try:
            values[name] = fn()
        except InvalidInput as exc:
            errors[name] = exc.message

    field(
        "requester_name",
        lambda: clean_line(
            "the requester's name", intake.requester_name, max_len=MAX_NAME, required=True
        ),
    )
    field(
        "requester_contact",
        lambda: clean_line("how to reach the requester", intake.requester_contact, max_len=300),
    )
    field(
        "requester_organization",
        lambda: clean_line("the organization", intake.requester_organization, max_len=MAX_NAME),
    )

    def channel() -> str:
        if intake.channel not in {c.value for c in Channel}:
            raise InvalidInput("choose how the request arrived")
        return intake.channel

    field("channel", channel)

    def received() -> datetime:
        if not intake.received_at.strip():
            raise InvalidInput("the date and time the request was received is required")
        at = parse_local(intake.received_at, desk)
        if at > clock.now() + FUTURE_SLACK:
            raise InvalidInput("the request cannot have been received in the future")
        return at

    field("received_at", received)
    field(
        "text",
        lambda: clean_text("the request's text", intake.text, max_len=MAX_TEXT, required=True),
    )
    field("scope", lambda: clean_text("the scope", intake.scope, max_len=MAX_TEXT))

    def regime() -> str:
        key = intake.regime or desk.book.default
        if key not in desk.book.regimes:
            raise InvalidInput("choose a law the request is made under")
        return key

    field("regime", regime)
    assignee: Account | None = None
    if intake.assignee.strip():
        assignee = session.execute(
            select(Account).where(Account.username == intake.assignee.strip())
        ).scalar_one_or_none()
        if assignee is None:
            errors["assignee"] = f"no account '{intake.assignee.strip()[:60]}'"
    if errors:
        raise FieldErrors(errors)
    return values, assignee


def log_request(session: Session, desk: Desk, intake: Intake, *, actor: Actor) -> RecordsRequest:
    """Log a request as it arrived (a request without a requester or a date is refused whole)."""
    require(actor, Perm.RECORDS_REQUEST_MANAGE)
    values, assignee = _validate_intake(session, desk, intake)
    if assignee is not None:
        _check_assignee(assignee)
    request = RecordsRequest(
        regime=values["regime"],
        requester_name=values["requester_name"],
        requester_contact=values["requester_contact"],
        requester_organization=values["requester_organization"],
        channel=values["channel"],
        received_at=values["received_at"],
        text=values["text"],
        scope=values["scope"],
        single_document=bool(intake.single_document),
        logged_by=_actor_id(actor),
        logged_by_name=actor.display_name,
        logged_at=clock.now(),
        state=MACHINE.initial.value,
        assignee_id=assignee.id if assignee else None,
        assignee_name=assignee.display_name if assignee else None,
        saved_search=None,
    )
    session.add(request)
    session.flush()
    _event(
        session,
        request,
        ClockKind.RECEIVED.value,
        actor,
        at=values["received_at"],
        to_state=request.state,
        data={"channel": request.channel, "regime": request.regime},
    )
    session.flush()
    c = queries.clock_of(session, desk, request)
    audit.record(
        session,
        actor,
        T.INTAKE,
        "records_request",
        request.id,
        reason=f"received {c.received_at:%Y-%m-%d %H:%M %Z} by "
        f"{CHANNEL_LABELS[Channel(request.channel)]}",
        section=SECTION,
        data={
            "regime": request.regime,
            "counts_from": c.counts_from.isoformat(),
            "due": c.due.isoformat() if c.due else None,
            "assignee": request.assignee_name,
        },
    )
    return request


def _check_assignee(account: Account) -> None:
    from piodesk.people.actions import actor_for

    if not account.active or not actor_for(account).can(Perm.RECORDS_REQUEST_MANAGE):
        raise InvalidInput(f"{account.display_name} may not work records requests")


def assign(
    session: Session, request_id: int, username: str, *, actor: Actor, reason: str = ""
) -> RecordsRequest:
    """Give the request to a records custodian."""
    request = _open_request(session, request_id, actor)
    reason = clean_text("the reason", reason, max_len=MAX_NOTE)
    account = session.execute(
        select(Account).where(Account.username == username.strip())
    ).scalar_one_or_none()
    if account is None:
        raise InvalidInput(f"no account '{username.strip()[:60]}'")
    _check_assignee(account)
    before = request.assignee_name
    request.assignee_id = account.id
    request.assignee_name = account.display_name
    _event(session, request, "assign", actor, note=reason, data={"assignee": account.username})
    session.flush()
    audit.record(
        session,
        actor,
        T.ASSIGN,
        "records_request",
        request.id,
        reason=reason,
        section=SECTION,
        data={"before": before, "after": account.display_name},
    )
    return request


# ---- states and the clock --------------------------------------------------------------------


def move(
    session: Session,
    desk: Desk,
    request_id: int,
    to_state: str,
    *,
    actor: Actor,
    reason: str = "",
    at: datetime | None = None,
) -> RecordsRequest:
    """Move the request along its state machine; waiting pauses the clock, coming back resumes
    it, closing it stops it (responded)."""
    request = _open_request(session, request_id, actor)
    try:
        target = RequestState(to_state)
    except ValueError:
        raise InvalidInput(f"unknown state '{to_state[:40]}'") from None
    source = RequestState(request.state)
    MACHINE.check(source, target)
    reason = clean_text("the reason", reason, max_len=MAX_NOTE)
    if target in (RequestState.DENIED, RequestState.WITHDRAWN) and not reason:
        raise InvalidInput(f"say why the request is {STATE_LABELS[target].lower()}")
    when = _when(at, desk, "the time of the change")
    c = queries.clock_of(session, desk, request)
    deadline.check_not_before_receipt(c, when, "the change")
    kind: str = "state"
    extra: list[ClockEvent] = []
    if target in CLOSED:
        kind = ClockKind.RESPONDED.value  # the response (or withdrawal) stops the clock
        extra.append(ClockEvent(ClockKind.RESPONDED, when))
    elif target in WAITING:
        deadline.check_pause(c, when)
        kind = ClockKind.PAUSED.value
        why = "payment" if target == RequestState.WAITING_PAYMENT else "clarification"
        extra.append(ClockEvent(ClockKind.PAUSED, when, None, why))
    elif source in WAITING:
        deadline.check_resume(c, when)
        kind = ClockKind.RESUMED.value
        extra.append(ClockEvent(ClockKind.RESUMED, when))
    after = queries.clock_of(session, desk, request, extra=extra)
    request.state = target.value
    note = reason or (extra[0].note if extra else "")
    _event(
        session,
        request,
        kind,
        actor,
        at=when,
        note=note,
        from_state=source.value,
        to_state=target.value,
    )
    session.flush()
    audit.record(
        session,
        actor,
        T.PAUSE if kind == ClockKind.PAUSED else T.RESUME if kind == ClockKind.RESUMED else T.STATE,
        "records_request",
        request.id,
        reason=reason or f"{STATE_LABELS[source]} → {STATE_LABELS[target]}",
        section=SECTION,
        data={
            "from": source.value,
            "to": target.value,
            "at": when.isoformat(),
            "due": after.due.isoformat() if after.due else None,
            "days_left": after.days_left,
        },
    )
    return request


def extend(
    session: Session,
    desk: Desk,
    request_id: int,
    *,
    days: int,
    finding: str,
    actor: Actor,
    at: datetime | None = None,
    extra: str = "",
) -> Letter:
    """Extend the period with a written finding of extenuating circumstances, sent to the
    requester as the extension letter (CORA: within the first 3 working days, at most 7 more,
    never for a single identified document)."""
    request = _open_request(session, request_id, actor)
    finding = clean_text("the finding", finding, max_len=MAX_NOTE)
    when = _when(at, desk, "the extension")
    cal = queries.working_calendar(session, desk.book)
    c = queries.clock_of(session, desk, request, cal)
    if RequestState(request.state) in CLOSED:
        raise Conflict("the request is closed; its clock has stopped")
    deadline.check_extension(
        c,
        when,
        days=days,
        finding=finding,
        single_document=request.single_document,
        calendar=cal,
        tz=desk.tz,
    )
    ext = ClockEvent(ClockKind.EXTENDED, when, days, finding)
    after = queries.clock_of(session, desk, request, cal, extra=[ext])
    _event(session, request, ClockKind.EXTENDED.value, actor, at=when, note=finding, days=days)
    letter = _write_letter(
        session,
        desk,
        request,
        LetterKind.EXTENSION,
        actor,
        clock_=after,
        finding=finding,
        extension_days=days,
        extra=extra,
        sent_at=when,
    )
    session.flush()
    audit.record(
        session,
        actor,
        T.EXTEND,
        "records_request",
        request.id,
        reason=finding,
        section=SECTION,
        data={
            "days": days,
            "due_before": c.due.isoformat() if c.due else None,
            "due": after.due.isoformat() if after.due else None,
            "letter": letter.id,
        },
    )
    return letter


def grounds_asked(
    session: Session, desk: Desk, request_id: int, *, actor: Actor, at: datetime | None = None
) -> RecordsRequest:
    """The requester asked for the written grounds of a denial (CCJRA: within 72 hours)."""
    request = _open_request(session, request_id, actor)
    regime = desk.book.get(request.regime)
    if not regime.denial_grounds_hours:
        raise Conflict(f"{regime.name} sets no deadline for the grounds of a denial")
    when = _when(at, desk, "the time asked")
    c = queries.clock_of(session, desk, request)
    deadline.check_not_before_receipt(c, when, "the question")
    _event(session, request, ClockKind.GROUNDS_ASKED.value, actor, at=when)
    session.flush()
    audit.record(
        session,
        actor,
        T.GROUNDS_ASKED,
        "records_request",
        request.id,
        section=SECTION,
        data={"at": when.isoformat(), "hours": regime.denial_grounds_hours},
    )
    return request


def clock_as_of(
    session: Session, desk: Desk, request_id: int, day: date, *, actor: Actor
) -> tuple[Clock, int | None]:
    """The clock and the working days left as of ``day`` (refused before the receipt)."""
    require(actor, Perm.RECORDS_REQUEST_VIEW)
    request = queries.get_request(session, request_id)
    cal = queries.working_calendar(session, desk.book)
    c = queries.clock_of(session, desk, request, cal)
    if day < c.received_at.date():
        raise InvalidInput(
            f"a due date as of {day.isoformat()} is before the request was received "
            f"({c.received_at:%Y-%m-%d})"
        )
    return c, c.working_days_left(day, cal)


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


# ---- letters and templates -------------------------------------------------------------------


def _grounds(desk: Desk, request: RecordsRequest, keys: Sequence[str]) -> list[dict[str, str]]:
    regime = desk.book.get(request.regime)
    known = {e.key: e for e in regime.exemptions}
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise InvalidInput(
            f"{regime.name} has no exemption '{unknown[0][:40]}' "
            f"(it has: {', '.join(sorted(known)) or 'none'})"
        )
    return [{"key": k, "label": known[k].label, "citation": known[k].citation} for k in keys]


def letter_context(
    session: Session,
    desk: Desk,
    request: RecordsRequest,
    actor: Actor,
    *,
    clock_: Clock | None = None,
    grounds: Sequence[dict[str, str]] = (),
    finding: str = "",
    extension_days: int = 0,
    extra: str = "",
) -> dict[str, Any]:
    """Everything a letter template may name."""
    regime = desk.book.get(request.regime)
    c = clock_ or queries.clock_of(session, desk, request)
    f = queries.fees_of(session, desk, request)
    return {
        "request": {
            "number": number(request),
            "requester": request.requester_name,
            "received": c.received_at.strftime("%Y-%m-%d"),
            "channel": CHANNEL_LABELS[Channel(request.channel)],
            "text": request.text,
            "scope": request.scope,
        },
        "agency": desk.agency,
        "custodian": actor.display_name,
        "regime": {
            "name": regime.name,
            "citation": regime.citation,
            "extension_citation": regime.extension_citation,
        },
        "clock": {
            "due": c.due.strftime("%A %d %B %Y") if c.due else None,
            "days_left": c.days_left,
            "counts_from": c.counts_from.isoformat(),
        },
        "fees": {
            "minutes": f.minutes,
            "free_minutes": regime.fees.free_minutes,
            "hourly_rate": f"{regime.fees.hourly_rate:.2f}",
            "copy_pages": f.copy_pages,
            "copy_page": f"{regime.fees.copy_page:.2f}",
            "total": f"{f.total:.2f}",
            "paid": f"{f.paid:.2f}",
            "balance": f"{f.balance:.2f}",
            "citation": regime.fees.citation,
        },
        "grounds": list(grounds),
        "finding": finding,
        "extension_days": extension_days,
        "responsive": len(queries.review_set_item_ids(session, request.id)),
        "extra": extra,
        "today": desk.today().isoformat(),
    }


def _write_letter(
    session: Session,
    desk: Desk,
    request: RecordsRequest,
    kind: LetterKind,
    actor: Actor,
    *,
    clock_: Clock | None = None,
    grounds: Sequence[dict[str, str]] = (),
    finding: str = "",
    extension_days: int = 0,
    extra: str = "",
    sent_at: datetime | None = None,
) -> Letter:
    tpl = queries.template(session, kind)
    context = letter_context(
        session,
        desk,
        request,
        actor,
        clock_=clock_,
        grounds=grounds,
        finding=finding,
        extension_days=extension_days,
        extra=extra,
    )
    subject, body = letters.render(tpl, context)
    letter = Letter(
        request_id=request.id,
        kind=kind.value,
        template_version=tpl.version,
        subject=subject[:300],
        body=clean_text("the letter", body, max_len=MAX_LETTER, required=True),
        grounds=list(grounds),
        sent_at=sent_at or clock.now(),
        actor_id=_actor_id(actor),
        actor_name=actor.display_name,
    )
    session.add(letter)
    return letter


def preview_letter(
    session: Session,
    desk: Desk,
    request_id: int,
    kind: str,
    *,
    actor: Actor,
    grounds: Sequence[str] = (),
    extra: str = "",
) -> tuple[str, str]:
    """The letter as it would be sent (nothing is written)."""
    require(actor, Perm.RECORDS_REQUEST_VIEW)
    request = queries.get_request(session, request_id)
    k = _letter_kind(kind)
    ctx = letter_context(
        session,
        desk,
        request,
        actor,
        grounds=_grounds(desk, request, grounds),
        extra=clean_text("the added text", extra, max_len=MAX_NOTE),
    )
    return letters.render(queries.template(session, k), ctx)


def letter_kind(kind: str) -> LetterKind:
    """The kind of letter named ``kind``, or InvalidInput."""
    return _letter_kind(kind)


def _letter_kind(kind: str) -> LetterKind:
    try:
        return LetterKind(kind)
    except ValueError:
        raise InvalidInput(f"unknown kind of letter '{kind[:40]}'") from None


def send_letter(
    session: Session,
    desk: Desk,
    request_id: int,
    kind: str,
    *,
    actor: Actor,
    grounds: Sequence[str] = (),
    extra: str = "",
) -> Letter:
    """Send a letter from the agency's template and keep it, as sent, as a record. A denial
    needs its grounds; an extension is sent by :func:`extend` (it needs the finding)."""
    request = _open_request(session, request_id, actor)
    k = _letter_kind(kind)
    if k == LetterKind.EXTENSION:
        raise InvalidInput("an extension letter is sent with the extension and its finding")
    chosen = _grounds(desk, request, grounds)
    if k == LetterKind.DENIAL and not chosen:
        raise InvalidInput("a denial names its grounds: choose at least one exemption")
    text = clean_text("the added text", extra, max_len=MAX_NOTE)
    if k == LetterKind.CLARIFICATION and not text:
        raise InvalidInput("say what needs clarifying")
    letter = _write_letter(session, desk, request, k, actor, grounds=chosen, extra=text)
    session.flush()
    audit.record(
        session,
        actor,
        T.LETTER,
        "records_request",
        request.id,
        section=SECTION,
        reason=letter.subject,
        data={
            "letter": letter.id,
            "kind": k.value,
            "template_version": letter.template_version,
            "grounds": [g["key"] for g in chosen],
        },
    )
    return letter


def save_template(
    session: Session, kind: str, *, subject: str, body: str, reason: str, actor: Actor
) -> LetterTemplate:
    """A new version of the agency's template for ``kind`` (checked by rendering it first)."""
    require(actor, Perm.RECORDS_REQUEST_MANAGE)
    k = _letter_kind(kind)
    subject = clean_line("the subject", subject, max_len=300, required=True)
    body = clean_text("the template", body, max_len=MAX_LETTER, required=True)
    reason = clean_text("the reason", reason, max_len=MAX_NOTE, required=True)
    letters.render(letters.Template(k, subject, body, 0), letters.sample_context())
    version = queries.template_versions(session, k) + 1
    row = LetterTemplate(
        kind=k.value,
        version=version,
        subject=subject,
        body=body,
        reason=reason,
        actor_id=_actor_id(actor),
        actor_name=actor.display_name,
        saved_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        tags.RecordsRequest.TEMPLATE,
        "letter_template",
        k.value,
        reason=reason,
        section=SECTION,
        data={"version": version},
    )
    return row


# ---- fees ------------------------------------------------------------------------------------


def _cents(value: str) -> int:
    try:
        amount = Decimal(value.strip().lstrip("$") or "0")
    except InvalidOperation:
        raise InvalidInput(f"'{value[:20]}' is not an amount of dollars") from None
    if amount < 0 or amount > Decimal("1000000"):
        raise InvalidInput("amounts are between $0 and $1,000,000")
    return int((amount * 100).to_integral_value())


def add_fee(
    session: Session,
    request_id: int,
    kind: str,
    *,
    actor: Actor,
    minutes: int = 0,
    pages: int = 0,
    amount: str = "",
    note: str = "",
) -> FeeEntry:
    """A line of the fees log: time spent (minutes), paper copies (pages), a payment or a
    waiver (dollars)."""
    request = _open_request(session, request_id, actor)
    try:
        k = FeeKind(kind)
    except ValueError:
        raise InvalidInput(f"unknown kind of fee entry '{kind[:40]}'") from None
    if not (0 <= minutes <= 100_000 and 0 <= pages <= 10_000_000):
        raise InvalidInput("minutes and pages are whole numbers, not negative")
    if k == FeeKind.TIME and minutes <= 0:
        raise InvalidInput("say how many minutes were spent")
    if k == FeeKind.COPIES and pages <= 0:
        raise InvalidInput("say how many pages were copied")
    cents = _cents(amount) if k in (FeeKind.PAYMENT, FeeKind.WAIVER) else 0
    if k in (FeeKind.PAYMENT, FeeKind.WAIVER) and cents <= 0:
        raise InvalidInput("say the amount")
    text = clean_text("the note", note, max_len=MAX_NOTE)
    row = FeeEntry(
        request_id=request.id,
        kind=k.value,
        minutes=minutes if k == FeeKind.TIME else 0,
        pages=pages if k == FeeKind.COPIES else 0,
        amount_cents=cents,
        note=text,
        actor_id=_actor_id(actor),
        actor_name=actor.display_name,
        entered_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        T.FEE,
        "records_request",
        request.id,
        reason=text,
        section=SECTION,
        data={
            "entry": row.id,
            "kind": k.value,
            "minutes": row.minutes,
            "pages": row.pages,
            "cents": cents,
        },
    )
    return row


# ---- the working calendar --------------------------------------------------------------------


def change_calendar(
    session: Session, day: date, change: str, *, reason: str, actor: Actor
) -> CalendarDay:
    """Close a day (an agency closure), work a listed holiday, or return a day to the library's
    calendar. Every open request's due date follows at once (they are derived)."""
    require(actor, Perm.RECORDS_REQUEST_MANAGE)
    if change not in ("closed", "open", "library"):
        raise InvalidInput("a calendar change is closed, open or library")
    reason = clean_text("the reason", reason, max_len=MAX_NOTE, required=True)
    row = CalendarDay(
        day=day,
        change=change,
        reason=reason,
        actor_id=_actor_id(actor),
        actor_name=actor.display_name,
        changed_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        T.CALENDAR,
        "calendar_day",
        day.isoformat(),
        reason=reason,
        section=SECTION,
        data={"change": change},
    )
    return row


# ---- reading (with permission) ---------------------------------------------------------------


@dataclass(frozen=True)
class RequestView:
    """Everything the request page shows."""

    request: RecordsRequest
    clock: Clock
    days_left: int | None
    status: str
    events: list[RequestEvent]
    notes: list[RequestNote]
    review: list[queries.ReviewEntry]
    letters: list[Letter]
    fee_entries: list[FeeEntry]
    fees: deadline.Fees
    allowed: list[RequestState]


def open_request(session: Session, desk: Desk, request_id: int, *, actor: Actor) -> RequestView:
    """A request with its clock, timeline, review set, letters, fees and notes."""
    require(actor, Perm.RECORDS_REQUEST_VIEW)
    request = queries.get_request(session, request_id)
    cal = queries.working_calendar(session, desk.book)
    c = queries.clock_of(session, desk, request, cal)
    today = desk.today()
    return RequestView(
        request=request,
        clock=c,
        days_left=c.working_days_left(today, cal),
        status=c.status(today),
        events=queries.events(session, request.id),
        notes=queries.notes(session, request.id),
        review=queries.review_set(session, request.id),
        letters=queries.letters(session, request.id),
        fee_entries=queries.fee_entries(session, request.id),
        fees=queries.fees_of(session, desk, request),
        allowed=sorted(MACHINE.allowed(RequestState(request.state)), key=list(RequestState).index),
    )


def list_requests(
    session: Session, desk: Desk, *, actor: Actor, state: str | None = None
) -> list[tuple[RecordsRequest, Clock]]:
    """Requests with their clocks, newest first."""
    require(actor, Perm.RECORDS_REQUEST_VIEW)
    if state and state not in {s.value for s in RequestState}:
        raise InvalidInput(f"unknown state '{state[:40]}'")
    return queries.clocks(session, desk, queries.list_requests(session, state=state))


def dashboard(
    session: Session, desk: Desk, *, actor: Actor, today: date | None = None
) -> dict[str, list[queries.DueRow]]:
    """Open requests due today, this week, overdue (and paused, and without a deadline)."""
    require(actor, Perm.RECORDS_REQUEST_VIEW)
    return queries.dashboard(session, desk, today)
