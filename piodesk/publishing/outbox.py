"""The outbox: what the PIO office released goes out to each page exactly once (GO 409 §.04).

The API other capabilities call
===============================

``enqueue(session, *, actor, text, page_ids, media=(), source="post:<id>", kind="post",
reply_to_external_id=None, thread_under_publication_id=None, scheduled_for=None) -> int``
    Records one **publication** and one **delivery** per page (state ``pending``), in the
    caller's transaction, audited (``outbox:enqueue``). Returns the publication's id. Nothing
    is sent here: the sender (:func:`send_due`, a job) sends due deliveries after the caller
    commits, so an approval that rolls back sends nothing. Refused, naming the reason, with
    nothing written: an actor without ``publish.send`` on a page (the cadre never has it), a
    page that is not approved (§.04), an empty or too-long text for a page's platform, a reply
    without the comment it answers or to more than one page, an update threaded under a
    publication that was not sent to one of the pages, a scheduled time without a time zone or
    in the past, an image without alt text.

    ``kind``: ``post`` (an approved story), ``reply`` (an answer under a comment:
    ``reply_to_external_id`` is the platform's id of the comment), ``notice`` (§.15).
    ``thread_under_publication_id``: an update or "all clear" is published, on each page, as a
    reply under the original's post there (it waits until the original is sent on that page).
    ``scheduled_for``: an aware datetime (see :func:`local_time` for the agency's zone).

``status(session, publication_id) -> PublicationStatus``
    Per page: state, its label, the platform's id and URL, the platform's own error; and the
    overall status: "published", "partly published", "failed", "scheduled", "sending" or
    "unconfirmed" (:class:`~piodesk.publishing.outbox_model.Overall`).

How it never posts twice
========================
Every send goes through ``connectors/intents.py``: in one transaction the delivery moves
``pending → sending`` and the platform-action intent is recorded; then the platform is asked,
outside any transaction; then, in one transaction, the intent is marked succeeded and the
delivery ``sent`` with the platform's id (stored in the very step that sees the success) and
the post captured into the archive (§.40). A refusal marks the delivery ``failed`` with the
platform's own words; an answer that never came leaves it for the reconciler, which **reads**
the platform's recent posts for it (never sends again): found → ``sent`` with its id; not
readable → ``unconfirmed``, shown for a person to check and resolve. Only a person retries a
failed page (:func:`retry`), one page at a time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.core import audit, clock, tags
from piodesk.core.errors import Conflict, InvalidInput, NotFound
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_line, clean_text
from piodesk.pages.actions import is_usable
from piodesk.pages.tables import Page
from piodesk.publishing.outbox_model import (
    DELIVERY_LIFECYCLE,
    STATE_LABELS,
    DeliveryState,
    Overall,
    PublicationKind,
    overall,
)
from piodesk.publishing.outbox_tables import Delivery, Publication, StandaloneDecision

#: The longest post each platform takes (characters); a longer text is refused before sending.
TEXT_LIMITS: dict[str, int] = {"mastodon": 500, "facebook": 63_206, "sandbox": 10_000}
#: The section of GO 409 each kind of publication answers to.
SECTION: dict[PublicationKind, str] = {
    PublicationKind.POST: "§.04",
    PublicationKind.REPLY: "§.12",
    PublicationKind.NOTICE: "§.15",
}
#: A scheduled time this far in the past is a mistake, not "now".
_PAST_SLACK = timedelta(minutes=1)


def local_time(value: datetime, zone: str) -> datetime:
    """A wall-clock time in the agency's zone (e.g. ``America/Denver``) as an aware datetime.

    A naive value is read in ``zone`` (daylight saving included); an aware one is kept.
    """
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"the agency's time zone '{zone[:60]}' is not a known zone") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def _media(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for n, item in enumerate(items, 1):
        mime = clean_line(f"Media {n}'s type", str(item.get("mime_type", "")), max_len=100)
        sha = clean_line(f"Media {n}'s hash", str(item.get("sha256", "")), max_len=64)
        alt = clean_text(f"Media {n}'s alt text", str(item.get("alt_text", "")), max_len=1500)
        if not sha:
            raise InvalidInput(f"media {n} names no stored file (sha256)")
        if mime.startswith("image/") and not alt:
            raise InvalidInput(f"media {n} is an image without alt text; describe it first")
        if mime.startswith("video/") and not alt:
            raise InvalidInput(f"media {n} is a video without a description; describe it first")
        out.append({"sha256": sha, "mime_type": mime, "alt_text": alt})
    return out


def enqueue(
    session: Session,
    *,
    actor: Actor,
    text: str,
    page_ids: Sequence[int],
    media: Sequence[Mapping[str, Any]] = (),
    source: str,
    kind: str = "post",
    reply_to_external_id: str | None = None,
    thread_under_publication_id: int | None = None,
    scheduled_for: datetime | None = None,
) -> int:
    """Record a publication and its deliveries (pending), audited; returns its id."""
    try:
        what = PublicationKind(kind)
    except ValueError:
        raise InvalidInput(
            f"'{kind[:20]}' is not a kind of publication (post, reply, notice)"
        ) from None
    body = clean_text("The text", text, max_len=max(TEXT_LIMITS.values()), required=True)
    origin = clean_line("The source", source, max_len=80, required=True)
    pages_ = sorted(set(page_ids))
    if not pages_:
        raise InvalidInput("choose at least one page to publish to")
    if len(pages_) != len(page_ids):
        raise InvalidInput("a page is chosen twice")
    chosen: list[Page] = []
    for page_id in pages_:
        require(actor, Perm.PUBLISH, page_id)
        page = session.get(Page, page_id)
        if page is None:
            raise NotFound(f"there is no page {page_id}")
        if not is_usable(page):
            raise Conflict(
                f"{page.name} is not approved (it is {page.state}); nothing is published to a "
                "page the chief has not approved (§.04)"
            )
        limit = TEXT_LIMITS.get(page.platform)
        if limit is not None and len(body) > limit:
            raise InvalidInput(
                f"the text is {len(body):,} characters; {page.platform.capitalize()} "
                f"({page.name}) takes at most {limit:,}. Shorten it or leave that page out"
            )
        chosen.append(page)
    reply_to = None
    if what is PublicationKind.REPLY:
        reply_to = clean_line("The comment replied to", reply_to_external_id, max_len=200)
        if not reply_to:
            raise InvalidInput("a reply needs the comment it answers")
        if len(chosen) != 1:
            raise InvalidInput("a reply goes to the one page its comment is on")
    elif reply_to_external_id:
        raise InvalidInput("only a reply answers a comment")
    parent: Publication | None = None
    if thread_under_publication_id is not None:
        parent = session.get(Publication, thread_under_publication_id)
        if parent is None:
            raise NotFound(f"there is no publication {thread_under_publication_id}")
        on = set(
            session.execute(
                select(Delivery.page_id).where(Delivery.publication_id == parent.id)
            ).scalars()
        )
        missing = [p.name for p in chosen if p.id not in on]
        if missing:
            raise InvalidInput(
                "an update is threaded under the original on each page, and the original was "
                f"not published to: {', '.join(missing)}"
            )
    now = clock.now()
    if scheduled_for is not None:
        if scheduled_for.tzinfo is None:
            raise InvalidInput("the scheduled time needs a time zone (the agency's)")
        if scheduled_for < now - _PAST_SLACK:
            raise InvalidInput("the scheduled time is in the past; choose a later time")
    pub = Publication(
        kind=what.value,
        source=origin,
        text=body,
        media=_media(media),
        reply_to_external_id=reply_to,
        thread_under_id=parent.id if parent else None,
        scheduled_for=scheduled_for,
        created_by=actor.account_id,
        created_by_name=actor.username,
        created_at=now,
    )
    session.add(pub)
    session.flush()
    for page in chosen:
        session.add(
            Delivery(
                publication_id=pub.id,
                page_id=page.id,
                platform=page.platform,
                due_at=scheduled_for or now,
                created_at=now,
                state=DELIVERY_LIFECYCLE.initial.value,
                updated_at=now,
                attempts=0,
                external_url="",
                error="",
            )
        )
    session.flush()
    audit.record(
        session,
        actor,
        tags.Outbox.ENQUEUE,
        "publication",
        pub.id,
        reason=f"{what.value} from {origin} to {len(chosen)} page(s)",
        section=SECTION[what],
        data={
            "kind": what.value,
            "source": origin,
            "pages": [p.id for p in chosen],
            "scheduled_for": scheduled_for.isoformat() if scheduled_for else None,
            "thread_under": parent.id if parent else None,
            "reply_to": reply_to,
        },
    )
    return pub.id


# ---- status ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageStatus:
    """One page's delivery, as a person reads it."""

    delivery_id: int
    page_id: int
    page_name: str
    platform: str
    state: DeliveryState
    label: str
    external_id: str | None
    external_url: str
    error: str  # the platform's own words when it refused
    sent_at: datetime | None
    due_at: datetime
    attempts: int
    #: An update waiting for an original that did not go out on this page (failed or
    #: unconfirmed): what a person is told, and may decide (:func:`send_standalone`).
    waiting: str = ""
    #: Who decided it goes out as a new post, not threaded, and why ("" when threaded).
    standalone: str = ""


@dataclass(frozen=True)
class PublicationStatus:
    """A publication across its pages."""

    publication_id: int
    kind: str
    source: str
    text: str
    scheduled_for: datetime | None
    overall: Overall
    pages: list[PageStatus] = field(default_factory=list)

    @property
    def label(self) -> str:
        """'Published', 'Partly published'…"""
        return self.overall.value.capitalize()


def status(session: Session, publication_id: int) -> PublicationStatus:
    """Where a publication stands on each page, and overall."""
    pub = session.get(Publication, publication_id)
    if pub is None:
        raise NotFound(f"there is no publication {publication_id}")
    rows = session.execute(
        select(Delivery, Page.name)
        .join(Page, Page.id == Delivery.page_id)
        .where(Delivery.publication_id == pub.id)
        .order_by(Page.name, Delivery.id)
    ).all()
    decided = {
        r.delivery_id: r
        for r in session.execute(
            select(StandaloneDecision).where(
                StandaloneDecision.delivery_id.in_([d.id for d, _n in rows])
            )
        ).scalars()
    }
    pages_ = [
        PageStatus(
            delivery_id=d.id,
            page_id=d.page_id,
            page_name=name,
            platform=d.platform,
            state=DeliveryState(d.state),
            label=STATE_LABELS[DeliveryState(d.state)],
            external_id=d.external_id,
            external_url=d.external_url,
            error=d.error,
            sent_at=d.sent_at,
            due_at=clock.as_utc(d.due_at),
            attempts=d.attempts,
            waiting=waiting_note(session, pub, d, name) if d.id not in decided else "",
            standalone=(
                f"Sent as a new post, not under the original: decided by "
                f"{decided[d.id].decided_by_name} ({decided[d.id].reason})"
                if d.id in decided
                else ""
            ),
        )
        for d, name in rows
    ]
    when = clock.as_utc(pub.scheduled_for) if pub.scheduled_for else None
    return PublicationStatus(
        publication_id=pub.id,
        kind=pub.kind,
        source=pub.source,
        text=pub.text,
        scheduled_for=when,
        overall=overall((p.state for p in pages_), when, clock.now()),
        pages=pages_,
    )


# ---- an update whose original is not on a page ------------------------------------------------

#: The original's states in which an update on that page cannot be threaded and waits.
NOT_OUT = (DeliveryState.FAILED, DeliveryState.UNCONFIRMED)


def original_on_page(session: Session, pub: Publication, delivery: Delivery) -> Delivery | None:
    """The delivery of the original an update is threaded under, on the same page."""
    if pub.thread_under_id is None:
        return None
    return session.execute(
        select(Delivery).where(
            Delivery.publication_id == pub.thread_under_id,
            Delivery.page_id == delivery.page_id,
        )
    ).scalar_one_or_none()


def waiting_note(session: Session, pub: Publication, delivery: Delivery, page_name: str) -> str:
    """What a person is told about an update waiting on a page whose original did not go
    out ("" when it is not waiting for that reason)."""
    if delivery.state != DeliveryState.PENDING.value:
        return ""
    original = original_on_page(session, pub, delivery)
    if original is None or DeliveryState(original.state) not in NOT_OUT:
        return ""
    return (
        f"Waiting: the original was not published on {page_name} (it is "
        f"{STATE_LABELS[DeliveryState(original.state)].lower()}); publish the original first "
        "or send this as a new post"
    )


def send_standalone(session: Session, delivery_id: int, *, actor: Actor, reason: str) -> None:
    """A person's decision: this update (or all clear) goes out on its page as a new post,
    not threaded under an original that is not there. Recorded (never changed) and audited;
    the sender then publishes it on its next pass. Only while it waits for that reason."""
    row = _delivery(session, delivery_id, actor)
    pub = session.get(Publication, row.publication_id)
    page = session.get(Page, row.page_id)
    if pub is None or page is None:
        raise NotFound(f"there is no delivery {delivery_id}")
    original = original_on_page(session, pub, row)
    if row.state != DeliveryState.PENDING.value or original is None:
        raise Conflict("only an update waiting for its original is sent as a new post")
    if DeliveryState(original.state) not in NOT_OUT:
        raise Conflict(
            f"the original is {STATE_LABELS[DeliveryState(original.state)].lower()} on "
            f"{page.name}; this update waits to go out under it"
        )
    if session.execute(
        select(StandaloneDecision.id).where(StandaloneDecision.delivery_id == row.id)
    ).scalar_one_or_none():
        raise Conflict("this update is already to be sent as a new post")
    why = clean_text("The reason", reason, max_len=500, required=True)
    now = clock.now()
    session.add(
        StandaloneDecision(
            delivery_id=row.id,
            original_state=original.state,
            reason=why,
            decided_by=actor.account_id,
            decided_by_name=actor.display_name,
            decided_at=now,
        )
    )
    row.due_at = now
    row.updated_at = now
    session.flush()
    audit.record(
        session,
        actor,
        tags.OutboxThread.STANDALONE,
        "delivery",
        row.id,
        reason=why,
        section="§.15",
        data={
            "publication_id": pub.id,
            "page_id": row.page_id,
            "thread_under": pub.thread_under_id,
            "original_delivery_id": original.id,
            "original_state": original.state,
        },
    )


# ---- a person's actions on one page's delivery ------------------------------------------------


def _delivery(session: Session, delivery_id: int, actor: Actor) -> Delivery:
    row = session.execute(
        select(Delivery).where(Delivery.id == delivery_id).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"there is no delivery {delivery_id}")
    require(actor, Perm.PUBLISH, row.page_id)
    return row


def retry(session: Session, delivery_id: int, *, actor: Actor, reason: str = "") -> None:
    """Send one failed page again (a person's decision; the other pages are not touched).

    Only a failed delivery: an unconfirmed one may already be on the page, so it is resolved
    (:func:`resolve`) after someone checked, never simply sent again.
    """
    from piodesk.publishing.outbox_sender import move

    row = _delivery(session, delivery_id, actor)
    if row.state != DeliveryState.FAILED.value:
        hint = (
            "check the page and resolve it first"
            if row.state == DeliveryState.UNCONFIRMED.value
            else "only a failed page is sent again"
        )
        raise Conflict(f"this page's delivery is {STATE_LABELS[DeliveryState(row.state)]}; {hint}")
    why = clean_text("The reason", reason, max_len=500)
    previous = row.error
    row.due_at = clock.now()
    row.error = ""
    move(
        session,
        row,
        DeliveryState.PENDING,
        actor=actor,
        tag=tags.Outbox.RETRY,
        reason=why or "sent again after the platform refused it",
        data={"previous_error": previous[:500]},
    )


def resolve(
    session: Session,
    delivery_id: int,
    *,
    actor: Actor,
    published: bool,
    reason: str,
    external_id: str | None = None,
) -> None:
    """Settle an unconfirmed delivery after checking the page on the platform.

    ``published``: the post is there (its platform id, if the person has it, is kept); not
    there: the delivery is failed, and may then be retried. Nothing is sent.
    """
    from piodesk.connectors import intents
    from piodesk.connectors.tables import PlatformAction
    from piodesk.publishing.outbox_sender import claim, move, parent_of

    row = _delivery(session, delivery_id, actor)
    if row.state != DeliveryState.UNCONFIRMED.value:
        raise Conflict(
            f"this page's delivery is {STATE_LABELS[DeliveryState(row.state)]}, not unconfirmed"
        )
    why = clean_text("The reason", reason, max_len=500, required=True)
    found = clean_line("The platform's id of the post", external_id, max_len=200)
    action = session.get(PlatformAction, row.action_id) if row.action_id is not None else None
    if action is not None and action.state == intents.ActionState.UNCONFIRMED.value:
        intents.resolve(
            session,
            action.id,
            intents.ActionState.SUCCEEDED if published else intents.ActionState.FAILED,
            f"checked on the platform by {actor.display_name}: {why}",
            actor=actor,
        )
    if published:
        if found:
            claim(session, row, parent_of(action), found)
        row.external_id = found or row.external_id
        row.sent_at = clock.now()
        row.error = ""
        target = DeliveryState.SENT
    else:
        row.error = f"not on the page ({actor.display_name} checked): {why}"
        target = DeliveryState.FAILED
    move(session, row, target, actor=actor, tag=tags.Outbox.RESOLVE, reason=why)
