"""Time-sensitive notices (§.15): draft, approve (the fast path), follow up; CAP and Atom.

``draft_notice`` writes a notice from a template (road closure, special event, weather
emergency, missing or endangered person, other) for the chosen pages, with its expiry.
``approve_notice`` — by a second person of the PIO office, never the drafter — issues it: one
publication to every chosen page at once (``outbox.enqueue``), its CAP identifier and sent
time fixed. The caller commits and then sends it straight away (``send_now``), the outbox job
being the backstop. ``draft_followup`` writes an update, the all-clear, or a cancel for an
issued notice: on each page it is threaded under the original's post, and its CAP message
references every earlier message of the incident. ``cap_xml`` and ``atom_feed`` are what the
public URLs serve (no sign-in). piodesk never sends anything to IPAWS.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from piodesk.core import audit, clock, tags
from piodesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_line, clean_text
from piodesk.pages.actions import is_usable
from piodesk.pages.tables import Page
from piodesk.publishing import cap, outbox
from piodesk.publishing.notice_model import (
    KIND_LABELS,
    MSG_TYPE,
    NOTICE_LIFECYCLE,
    TEMPLATES,
    MessageKind,
    NoticeState,
    Template,
    compose,
)
from piodesk.publishing.notice_tables import Notice


@dataclass(frozen=True)
class Agency:
    """What a notice needs to know about the agency (from the settings)."""

    name: str
    short_name: str
    website: str
    zone: str = "America/Denver"

    @property
    def tz(self) -> ZoneInfo:
        """The agency's zone."""
        return ZoneInfo(self.zone)

    @property
    def sender(self) -> str:
        """CAP ``sender``: no spaces, commas, ``<`` or ``&`` (an address-like id)."""
        host = urlsplit(self.website).hostname or "agency.invalid"
        return f"pio@{host}"

    @classmethod
    def from_settings(cls, settings: object) -> Agency:
        """From piodesk's settings."""
        return cls(
            getattr(settings, "agency_name", "Police Department"),
            getattr(settings, "agency_short_name", "PD"),
            getattr(settings, "agency_website", "https://agency.invalid/"),
            getattr(settings, "agency_time_zone", "America/Denver"),
        )


def parse_when(label: str, value: str | datetime | None, zone: ZoneInfo) -> datetime | None:
    """A date and time typed in the agency's zone (``2026-12-03T09:30``), as aware UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise InvalidInput(f"{label} is not a date and time (e.g. 2026-12-03 09:30)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return clock.as_utc(moment).astimezone(ZoneInfo("UTC"))


def _template(key: str) -> Template:
    template = TEMPLATES.get(key)
    if template is None:
        raise InvalidInput(f"'{key[:40]}' is not a notice template ({', '.join(TEMPLATES)})")
    return template


def _fields(
    template: Template, values: Mapping[str, str], zone: ZoneInfo, *, required: bool = True
) -> tuple[dict[str, str], dict[str, datetime]]:
    texts: dict[str, str] = {}
    times: dict[str, datetime] = {}
    known = {f.name for f in template.fields}
    unknown = sorted(set(values) - known)
    if unknown:
        raise InvalidInput(f"{template.label} has no field {unknown[0][:40]!r}")
    for f in template.fields:
        raw = values.get(f.name)
        if f.when:
            moment = parse_when(f.label, raw, zone)
            if moment is not None:
                times[f.name] = moment
            elif f.required and required:
                raise InvalidInput(f"{f.label} is required")
            continue
        clean = (
            clean_text(f.label, raw, max_len=1500, required=f.required and required)
            if f.long
            else clean_line(f.label, raw, max_len=300, required=f.required and required)
        )
        if f.name == "photo_url" and clean and not clean.startswith(("https://", "http://")):
            raise InvalidInput("the photo must be a public web link (https://…)")
        if clean:
            texts[f.name] = clean
    return texts, times


def _pages(session: Session, actor: Actor, page_ids: Sequence[int]) -> list[Page]:
    chosen = []
    if not page_ids:
        raise InvalidInput("choose at least one page for the notice")
    for page_id in sorted(set(page_ids)):
        require(actor, Perm.NOTICE_ISSUE, page_id)
        page = session.get(Page, page_id)
        if page is None:
            raise NotFound(f"there is no page {page_id}")
        if not is_usable(page):
            raise Conflict(
                f"{page.name} is not approved (it is {page.state}); a notice goes only to "
                "pages the chief has approved (§.04)"
            )
        chosen.append(page)
    return chosen


def _check_length(text: str, pages: Sequence[Page]) -> None:
    for page in pages:
        limit = outbox.TEXT_LIMITS.get(page.platform)
        if limit is not None and len(text) > limit:
            raise InvalidInput(
                f"the notice's post is {len(text):,} characters; {page.platform.capitalize()} "
                f"({page.name}) takes at most {limit:,}. Shorten the description or leave that "
                "page out"
            )


def _local(times: dict[str, datetime], zone: ZoneInfo) -> dict[str, datetime]:
    return {k: v.astimezone(zone) for k, v in times.items()}


def _expires(value: str | datetime | None, zone: ZoneInfo, times: dict[str, datetime]) -> datetime:
    expires = parse_when("The expiry", value, zone)
    if expires is None:
        raise InvalidInput("a notice needs an expiry: when it stops being in force")
    if expires <= clock.now():
        raise InvalidInput("the expiry is in the past; a notice must still be in force")
    if "start" in times and expires <= times["start"]:
        raise InvalidInput("the expiry comes before the notice's start")
    return expires


def draft_notice(
    session: Session,
    *,
    actor: Actor,
    agency: Agency,
    template: str,
    values: Mapping[str, str],
    page_ids: Sequence[int],
    expires: str | datetime | None,
) -> Notice:
    """A new notice (the incident's first message), waiting for a second person's approval."""
    require(actor, Perm.NOTICE_ISSUE)
    t = _template(template)
    zone = agency.tz
    texts, times = _fields(t, values, zone)
    chosen = _pages(session, actor, page_ids)
    until = _expires(expires, zone, times)
    text = compose(t, texts, _local(times, zone), MessageKind.ALERT)
    _check_length(text, chosen)
    return _add(session, actor, t, MessageKind.ALERT, texts, times, "", text, until, chosen, None)


def _add(
    session: Session,
    actor: Actor,
    t: Template,
    kind: MessageKind,
    texts: dict[str, str],
    times: dict[str, datetime],
    note: str,
    text: str,
    until: datetime,
    chosen: Sequence[Page],
    original: Notice | None,
) -> Notice:
    row = Notice(
        kind=kind.value,
        template=t.key,
        values=texts,
        times={k: v.isoformat() for k, v in times.items()},
        note=note,
        text=text,
        expires_at=until,
        page_ids=[p.id for p in chosen],
        original_id=original.id if original else None,
        drafted_by=actor.account_id,
        drafted_by_name=actor.display_name,
        drafted_at=clock.now(),
        state=NOTICE_LIFECYCLE.initial.value,
        extra={},
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Outbox.NOTICE_DRAFT,
        "notice",
        row.id,
        reason=f"{KIND_LABELS[kind]}: {t.label}",
        section="§.15",
        data={
            "template": t.key,
            "kind": kind.value,
            "pages": row.page_ids,
            "original": row.original_id,
        },
    )
    return row


def incident(session: Session, notice: Notice) -> list[Notice]:
    """Every message of the notice's incident (the original first), in order."""
    first = notice.original_id or notice.id
    return list(
        session.execute(
            select(Notice)
            .where(or_(Notice.id == first, Notice.original_id == first))
            .order_by(Notice.id)
        ).scalars()
    )


def draft_followup(
    session: Session,
    original_id: int,
    *,
    actor: Actor,
    agency: Agency,
    kind: str,
    note: str = "",
    values: Mapping[str, str] | None = None,
    expires: str | datetime | None = None,
    page_ids: Sequence[int] | None = None,
) -> Notice:
    """An update, the all-clear or a cancel of an issued notice (waits for approval too)."""
    require(actor, Perm.NOTICE_ISSUE)
    try:
        what = MessageKind(kind)
    except ValueError:
        raise InvalidInput("a follow-up is an update, an all clear or a cancel") from None
    if what is MessageKind.ALERT:
        raise InvalidInput("a follow-up is an update, an all clear or a cancel")
    original = session.get(Notice, original_id)
    if original is None:
        raise NotFound(f"there is no notice {original_id}")
    if original.original_id is not None:
        original = session.get(Notice, original.original_id) or original
    if original.state != NoticeState.ISSUED.value:
        raise Conflict("only an issued notice can be updated, cleared or cancelled")
    closed = [
        n
        for n in incident(session, original)
        if n.state == NoticeState.ISSUED.value
        and n.kind in (MessageKind.ALL_CLEAR.value, MessageKind.CANCEL.value)
    ]
    if closed:
        raise Conflict(
            f"this notice was already closed ({KIND_LABELS[MessageKind(closed[0].kind)]})"
        )
    t = _template(original.template)
    zone = agency.tz
    base = {**original.values, **original.times}
    merged = {**base, **{k: v for k, v in (values or {}).items() if v not in (None, "")}}
    texts, times = _fields(t, merged, zone)
    words = clean_text(
        "What is new", note, max_len=1000, required=what is not MessageKind.ALL_CLEAR
    )
    chosen = _pages(session, actor, page_ids if page_ids is not None else original.page_ids)
    outside = [p.name for p in chosen if p.id not in original.page_ids]
    if outside:
        raise InvalidInput(
            f"the original notice was not published to {', '.join(outside)}; a follow-up is "
            "threaded under it, so it goes only to the original's pages"
        )
    if expires in (None, "") and what is not MessageKind.UPDATE:
        until = max(clock.now() + timedelta(hours=1), clock.as_utc(original.expires_at))
    elif expires in (None, ""):
        until = clock.as_utc(original.expires_at)
        if until <= clock.now():
            raise InvalidInput("the original has expired; give the update its own expiry")
    else:
        until = _expires(expires, zone, {})
    text = compose(t, texts, _local(times, zone), what, note=words)
    _check_length(text, chosen)
    return _add(session, actor, t, what, texts, times, words, text, until, chosen, original)


def approve_notice(
    session: Session, notice_id: int, *, actor: Actor, agency: Agency, reason: str = ""
) -> int:
    """Issue a drafted notice: a second person of the PIO office approves, and it is enqueued
    to every chosen page at once (returns the publication's id). Caller commits, then sends."""
    row = session.execute(
        select(Notice).where(Notice.id == notice_id).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"there is no notice {notice_id}")
    for page_id in row.page_ids:
        require(actor, Perm.NOTICE_ISSUE, page_id)
    if row.drafted_by is not None and row.drafted_by == actor.account_id:
        raise PermissionDenied(
            "nobody approves their own notice; another person of the PIO office approves it"
        )
    if row.state != NoticeState.DRAFT.value:
        raise Conflict(f"this notice is already {row.state}")
    if clock.as_utc(row.expires_at) <= clock.now():
        raise Conflict("this notice expired before it was approved; draft it again")
    why = clean_text("The reason", reason, max_len=500)
    thread_under = None
    if row.original_id is not None:
        original = session.get(Notice, row.original_id)
        if original is None or original.publication_id is None:
            raise Conflict("the original notice was never published")
        thread_under = original.publication_id
    now = clock.now()
    row.state = NOTICE_LIFECYCLE.check(NoticeState(row.state), NoticeState.ISSUED).value
    row.identifier = f"{agency.short_name.lower() or 'pd'}-notice-{row.id}"
    row.approved_by, row.approved_by_name, row.approved_at = (
        actor.account_id,
        actor.display_name,
        now.replace(microsecond=0),
    )
    pub = outbox.enqueue(
        session,
        actor=actor,
        text=row.text,
        page_ids=row.page_ids,
        source=f"notice:{row.id}",
        kind="notice",
        thread_under_publication_id=thread_under,
    )
    row.publication_id = pub
    session.flush()
    audit.record(
        session,
        actor,
        tags.Outbox.NOTICE_APPROVE,
        "notice",
        row.id,
        reason=why or f"{KIND_LABELS[MessageKind(row.kind)]} approved and issued",
        section="§.15",
        data={"publication_id": pub, "identifier": row.identifier, "pages": row.page_ids},
    )
    return pub


def withdraw_notice(session: Session, notice_id: int, *, actor: Actor, reason: str) -> None:
    """Drop a draft that was never approved (nothing was published)."""
    row = session.get(Notice, notice_id)
    if row is None:
        raise NotFound(f"there is no notice {notice_id}")
    for page_id in row.page_ids:
        require(actor, Perm.NOTICE_ISSUE, page_id)
    why = clean_text("The reason", reason, max_len=500, required=True)
    row.state = NOTICE_LIFECYCLE.check(NoticeState(row.state), NoticeState.WITHDRAWN).value
    session.flush()
    audit.record(
        session,
        actor,
        tags.Outbox.NOTICE_DRAFT,
        "notice",
        row.id,
        reason=why,
        section="§.15",
        data={"withdrawn": True},
    )


# ---- CAP and Atom (public) ---------------------------------------------------------------------


def cap_message(
    session: Session, row: Notice, agency: Agency, *, base_url: str = ""
) -> cap.CapMessage:
    """The CAP 1.2 message of an issued notice."""
    if row.state != NoticeState.ISSUED.value or row.identifier is None or row.approved_at is None:
        raise NotFound("that notice has not been issued")
    t = TEMPLATES[row.template]
    zone = agency.tz
    kind = MessageKind(row.kind)
    earlier = [
        n
        for n in incident(session, row)
        if n.id < row.id and n.state == NoticeState.ISSUED.value and n.identifier and n.approved_at
    ]
    refs = [
        cap.Reference(
            agency.sender, n.identifier or "", clock.as_utc(n.approved_at).astimezone(zone)
        )
        for n in earlier
        if n.approved_at is not None
    ]
    values = row.values
    responses = (t.response,)
    urgency = t.urgency
    if kind is MessageKind.ALL_CLEAR:
        responses, urgency = ("AllClear",), "Past"
    headline = f"{KIND_LABELS[kind]}: {values.get(t.headline_from, t.label)}"
    description = row.note + ("\n\n" if row.note else "") + row.text
    first = earlier[0] if earlier else row
    return cap.CapMessage(
        identifier=row.identifier,
        sender=agency.sender,
        sent=clock.as_utc(row.approved_at).astimezone(zone),
        msg_type=MSG_TYPE[kind],
        category=t.category,
        event=t.event,
        urgency=urgency,
        severity=t.severity if kind is not MessageKind.ALL_CLEAR else "Minor",
        certainty=t.certainty,
        expires=clock.as_utc(row.expires_at).astimezone(zone),
        headline=headline[:160],
        description=description,
        area_desc=values.get(t.area_from, "") or agency.name,
        sender_name=agency.name,
        response_types=responses,
        instruction=values.get("instruction", "") or values.get("detour", ""),
        web=f"{base_url.rstrip('/')}/public/notices/{row.id}" if base_url else agency.website,
        contact=values.get("contact", ""),
        references=refs,
        incidents=first.identifier or "",
        photo_url=values.get("photo_url", ""),
    )


def cap_xml(session: Session, notice_id: int, agency: Agency, *, base_url: str = "") -> bytes:
    """The public CAP 1.2 XML of an issued notice."""
    row = session.get(Notice, notice_id)
    if row is None:
        raise NotFound(f"there is no notice {notice_id}")
    return cap.build_alert(cap_message(session, row, agency, base_url=base_url))


def issued(session: Session, *, days: int = 30) -> list[Notice]:
    """Issued notices of the last ``days``, newest first (the public feed)."""
    since = clock.now() - timedelta(days=days)
    return list(
        session.execute(
            select(Notice)
            .where(Notice.state == NoticeState.ISSUED.value, Notice.approved_at >= since)
            .order_by(Notice.approved_at.desc(), Notice.id.desc())
            .limit(200)
        ).scalars()
    )


def atom_feed(session: Session, agency: Agency, *, base_url: str) -> bytes:
    """The public Atom feed of issued notices, each linking its CAP message."""
    base = base_url.rstrip("/")
    rows = issued(session)
    entries = [
        cap.FeedEntry(
            id=f"{base}/public/notices/{n.id}.cap.xml",
            title=f"{KIND_LABELS[MessageKind(n.kind)]}: "
            f"{n.values.get(TEMPLATES[n.template].headline_from, '')}",
            updated=clock.as_utc(n.approved_at or n.drafted_at).astimezone(agency.tz),
            summary=n.text,
            cap_url=f"{base}/public/notices/{n.id}.cap.xml",
            msg_type=MSG_TYPE[MessageKind(n.kind)],
        )
        for n in rows
    ]
    newest = entries[0].updated if entries else clock.now().astimezone(agency.tz)
    return cap.build_feed(
        feed_id=f"{base}/public/notices.atom",
        title=f"{agency.name}: time-sensitive notices",
        self_url=f"{base}/public/notices.atom",
        author=agency.name,
        entries=entries,
        updated=newest,
    )
