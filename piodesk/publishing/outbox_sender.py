"""Sending the outbox: each due delivery once, through the intent-first primitive.

``send_due`` (the ``outbox`` job, and the fast path right after a notice's approval) sends the
deliveries whose time has come, one platform call each, by ``connectors.intents.perform``:

1. one transaction: the platform-action intent is recorded and the delivery moves
   ``pending → sending`` with it (``on_intent``), audited — from here on piodesk never sends
   it again by itself;
2. the platform is asked (``publish``, or ``reply`` for a reply or an update threaded under
   the original), outside any transaction, with the intent's idempotency key where the
   platform honours one (Mastodon); the new post is read back for the archive;
3. one transaction: the intent succeeds and the delivery is ``sent`` with the platform's id
   and URL, and the post is captured into the archive (§.40) — the id is stored in the step
   that sees the success.

A refusal (too long, bad media, a deleted comment) ends the intent ``failed`` and the delivery
with it, carrying the platform's own words (``settled``). A lost answer leaves both open for
the reconciler (``connectors.intents.reconcile``), which reads the page's recent posts for the
text (``find_published``): found → ``sent`` with its id; not found or unreadable →
``unconfirmed``, for a person to check (:func:`piodesk.publishing.outbox.resolve`).
``reconcile_unconfirmed`` keeps looking for unconfirmed deliveries on later passes (a platform
whose listing lagged), again only by reading.

A platform post is claimed once: a post already recorded for one of the page's deliveries is
left out of every later look (``claimed_ids``, read just before each look), the record refuses
an id another delivery holds (``claim``), and the unique key of ``outbox_post_claims`` (page,
parent, platform id) settles the race of two workers recording the same post at once. Without
that, two unconfirmed deliveries of the same text could both be "found" as the one post that
went out.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.capture import capture
from piodesk.archive.media import MediaStore
from piodesk.connectors import intents
from piodesk.connectors.base import Connector, ConnectorError, PlatformError, UnsupportedAction
from piodesk.connectors.model import CapturedItem, MediaRef
from piodesk.connectors.tables import PlatformAction
from piodesk.connectors.textmatch import AmbiguousMatch
from piodesk.core import audit, clock, tags
from piodesk.core.db import reading, transaction
from piodesk.core.errors import Conflict, DomainError
from piodesk.core.permissions import SYSTEM, Actor
from piodesk.pages.actions import is_usable
from piodesk.pages.tables import Page
from piodesk.publishing.outbox_model import DELIVERY_LIFECYCLE, DeliveryState, PublicationKind
from piodesk.publishing.outbox_tables import (
    Delivery,
    PostClaim,
    Publication,
    StandaloneDecision,
)

log = structlog.get_logger(__name__)

PURPOSE = "outbox:deliver"
Connect = Callable[[Page], Connector]


@dataclass(frozen=True)
class Answer:
    """What the platform gave back: the new post's id and, when it could be read, the post."""

    id: str
    item: CapturedItem | None = None
    store: MediaStore | None = None  # where the archive keeps the post's media


@dataclass
class SendReport:
    """What one pass of the sender did."""

    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    open: list[int] = field(default_factory=list)  # no answer: the reconciler reads the page
    waiting: list[int] = field(default_factory=list)  # the original is not out on that page yet


def _locked(session: Session, delivery_id: int) -> Delivery:
    row = session.execute(
        select(Delivery).where(Delivery.id == delivery_id).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise Conflict(f"there is no delivery {delivery_id}")
    return row


def move(
    session: Session,
    delivery: Delivery,
    state: DeliveryState,
    *,
    actor: Actor,
    tag: tags.Outbox,
    reason: str,
    data: dict[str, Any] | None = None,
) -> None:
    """Move a delivery along its declared lifecycle, audited in the caller's transaction."""
    before = delivery.state
    delivery.state = DELIVERY_LIFECYCLE.check(DeliveryState(before), state).value
    delivery.updated_at = clock.now()
    session.flush()
    audit.record(
        session,
        actor,
        tag,
        "delivery",
        delivery.id,
        reason=reason[:2000],
        section="§.04",
        data={
            "publication_id": delivery.publication_id,
            "page_id": delivery.page_id,
            "from": before,
            "to": delivery.state,
            "external_id": delivery.external_id,
            **(data or {}),
        },
    )


def _read_back(connector: Connector, post_id: str, threaded: bool) -> CapturedItem | None:
    """The post as the platform now shows it, for the archive (None if it cannot be read)."""
    try:
        fetch_comment = getattr(connector, "fetch_comment", None)
        if threaded and fetch_comment is not None:
            item: CapturedItem = fetch_comment(post_id)
            return item
        if threaded and connector.platform != "mastodon":
            return None  # a Graph comment is captured with its post by the next poll
        return connector.fetch_post(post_id)
    except (ConnectorError, DomainError):
        return None  # ingestion captures it on its next poll


def _capture(session: Session, delivery: Delivery, answer: Answer) -> None:
    if answer.item is not None:
        source = f"outbox:{delivery.publication_id}"
        capture(session, [answer.item], source=source, page_id=delivery.page_id, media=answer.store)


def claimed_ids(session: Session, page_id: int, parent: str, but: int) -> frozenset[str]:
    """The platform ids already recorded for the page's other deliveries in the same place
    (posts of their own for ``parent`` '', else replies under ``parent``): not to be found
    again for delivery ``but``."""
    ids = session.execute(
        select(PostClaim.external_id).where(
            PostClaim.page_id == page_id,
            PostClaim.parent_external_id == parent,
            PostClaim.delivery_id != but,
        )
    ).scalars()
    return frozenset(ids)


def claim(session: Session, delivery: Delivery, parent: str, external_id: str) -> None:
    """Record that this platform post is this delivery's; refused (Conflict, naming the
    other) when another delivery already holds it. A race the look cannot see is the unique
    key's to refuse (IntegrityError at the flush)."""
    other = session.execute(
        select(PostClaim).where(
            PostClaim.page_id == delivery.page_id,
            PostClaim.parent_external_id == parent,
            PostClaim.external_id == external_id,
        )
    ).scalar_one_or_none()
    if other is not None and other.delivery_id != delivery.id:
        holder = session.get(Delivery, other.delivery_id)
        raise Conflict(
            f"the platform's post {external_id} is already recorded for delivery "
            f"{other.delivery_id} (publication {holder.publication_id if holder else '?'}) "
            "on this page; one post is one delivery's, so a person checks the page for this one"
        )
    if other is None:
        session.add(
            PostClaim(
                delivery_id=delivery.id,
                page_id=delivery.page_id,
                parent_external_id=parent,
                external_id=external_id,
                claimed_at=clock.now(),
            )
        )
        session.flush()


def parent_of(row: PlatformAction | None) -> str:
    """What the action's post sits under on the platform ('' for a post of its own)."""
    return str((row.params.get("parent_id") if row is not None else None) or "")


def _mark_sent(
    session: Session,
    delivery: Delivery,
    answer: Answer,
    *,
    parent: str,
    actor: Actor,
    reason: str,
) -> None:
    claim(session, delivery, parent, answer.id[:200])
    delivery.external_id = answer.id[:200]
    url = str(answer.item.fields.get("permalink_url", "")) if answer.item is not None else ""
    delivery.external_url = url[:1000]
    delivery.sent_at = clock.now()
    delivery.error = ""
    move(session, delivery, DeliveryState.SENT, actor=actor, tag=tags.Outbox.SENT, reason=reason)
    _capture(session, delivery, answer)


# ---- the purpose registered with the intents primitive --------------------------------------


def _record(
    session: Session, row: PlatformAction, actor: Actor, delivered: bool | None, answer: Any
) -> Delivery:
    delivery = _locked(session, int(row.subject_id))
    if not isinstance(answer, Answer):
        raise Conflict("the platform's answer carried no id for the post")
    if delivery.state != DeliveryState.SENDING.value:
        raise Conflict(f"delivery {delivery.id} is {delivery.state}, not sending")
    how = "the platform accepted it" if row.outcome == "" else row.outcome
    _mark_sent(
        session,
        delivery,
        answer,
        parent=parent_of(row),
        actor=actor,
        reason=f"published: {how}"[:300],
    )
    return delivery


def _check(session: Session, row: PlatformAction) -> None:
    if session.get(Delivery, int(row.subject_id)) is None:
        raise Conflict(f"delivery {row.subject_id} is gone")


def _settled(session: Session, row: PlatformAction) -> None:
    """The intent ended without success: the delivery follows, with the platform's words."""
    delivery = _locked(session, int(row.subject_id))
    if delivery.state != DeliveryState.SENDING.value:
        return
    if row.state == intents.ActionState.FAILED.value:
        delivery.error = row.outcome[:2000]
        move(
            session,
            delivery,
            DeliveryState.FAILED,
            actor=SYSTEM,
            tag=tags.Outbox.FAILED,
            reason=f"the platform refused it: {row.outcome}",
        )
    else:  # unconfirmed, or superseded: the platform may hold it; a person checks
        delivery.error = row.outcome[:2000]
        move(
            session,
            delivery,
            DeliveryState.UNCONFIRMED,
            actor=SYSTEM,
            tag=tags.Outbox.UNCONFIRMED,
            reason=f"not confirmed: {row.outcome}",
        )


#: How far before the send's intent a post may be dated (the platform's clock against ours).
CLOCK_SKEW = timedelta(seconds=60)
#: How long after the intent the post may have been made (a slow or queued platform).
SEND_WINDOW = timedelta(minutes=15)


def _look(
    connector: Connector, row: PlatformAction, exclude: AbstractSet[str] = frozenset()
) -> tuple[bool | None, Any]:
    """The reconciler's read: is the post among the page's recent posts? Never sends.

    The page's posts (or the thread's replies) made in the send's window are compared with
    the text by ``connectors.textmatch`` (whitespace, links, entities, the ends); posts in
    ``exclude`` (recorded for other deliveries) do not count. Two that match: not guessed —
    (None, why) for a person, naming them."""
    p = row.params
    requested = clock.as_utc(row.requested_at)
    try:
        found = connector.find_published(
            str(p.get("text", "")),
            since=requested - CLOCK_SKEW,
            until=requested + SEND_WINDOW,
            parent_id=p.get("parent_id"),
            under=p.get("under") or "post",
            exclude=exclude,
            media_types=tuple(p.get("media_types") or ()),
        )
    except UnsupportedAction:
        return None, None
    except AmbiguousMatch as exc:
        return None, str(exc)
    if found is None:
        return None, None  # not found is not proof: the listing may lag; a person checks
    return True, Answer(found, _read_back(connector, found, p.get("parent_id") is not None))


def _claimed_for(session: Session, row: PlatformAction) -> frozenset[str]:
    return claimed_ids(session, row.page_id, parent_of(row), int(row.subject_id))


intents.register_purpose(
    PURPOSE,
    _record,
    _check,
    takes_answer=True,
    observe=_look,
    settled=_settled,
    claimed=_claimed_for,
)


# ---- sending ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    delivery_id: int
    page: Page
    text: str
    kind: PublicationKind
    parent_id: str | None  # the platform's id to reply under (a reply or a threaded update)
    under: str
    media: list[dict[str, Any]]


def _standalone(session: Session, delivery: Delivery) -> bool:
    return (
        session.execute(
            select(StandaloneDecision.id).where(StandaloneDecision.delivery_id == delivery.id)
        ).scalar_one_or_none()
        is not None
    )


def _plan(session: Session, delivery: Delivery) -> _Plan | str | None:
    """What to send for a due delivery; a reason string when it cannot go now; None: waits."""
    pub = session.get(Publication, delivery.publication_id)
    page = session.get(Page, delivery.page_id)
    if pub is None or page is None:
        return "its publication or page is gone"
    if not is_usable(page):
        return f"{page.name} is no longer approved (it is {page.state}; §.04)"
    parent_id, under = None, "post"
    if pub.reply_to_external_id:
        parent_id, under = pub.reply_to_external_id, "comment"
    elif pub.thread_under_id is not None and _standalone(session, delivery):
        pass  # a person decided: a new post on this page, its original not being there
    elif pub.thread_under_id is not None:
        original = session.execute(
            select(Delivery).where(
                Delivery.publication_id == pub.thread_under_id,
                Delivery.page_id == delivery.page_id,
            )
        ).scalar_one_or_none()
        if original is None:
            return "the original was never published to this page"
        if original.state != DeliveryState.SENT.value or not original.external_id:
            return None  # wait for the original on this page
        parent_id = original.external_id
    session.expunge(page)
    return _Plan(
        delivery.id, page, pub.text, PublicationKind(pub.kind), parent_id, under, list(pub.media)
    )


def _media(plan: _Plan, store: MediaStore | None) -> list[MediaRef]:
    out = []
    for m in plan.media:
        data = None
        if store is not None:
            path = store.path_for(m["sha256"])
            data = path.read_bytes() if path.exists() else None
        if data is None:
            raise Conflict(f"the media file {m['sha256'][:12]}… is not in the media store")
        out.append(
            MediaRef(
                data=data,
                mime_type=m.get("mime_type") or None,
                alt_text=m.get("alt_text") or None,
            )
        )
    return out


def send_delivery(
    sessions: sessionmaker[Session],
    delivery_id: int,
    connect: Connect,
    *,
    media: MediaStore | None = None,
    actor: Actor = SYSTEM,
) -> DeliveryState:
    """Send one due, pending delivery (once); returns the state it ended in.

    What to send is read without the write lock (SQLite has one, and 20 pages sent one after
    another would each take it for a read): the intent's own transaction locks the delivery
    and checks it is still pending, which is what makes the send happen once."""
    with reading(sessions) as session:
        delivery = session.get(Delivery, delivery_id)
        if delivery is None:
            raise Conflict(f"there is no delivery {delivery_id}")
        if delivery.state != DeliveryState.PENDING.value:
            return DeliveryState(delivery.state)
        plan = _plan(session, delivery)
    if plan is None:
        return DeliveryState.PENDING
    if isinstance(plan, str):
        return _refuse(sessions, delivery_id, actor=actor)
    page = plan.page
    keys: dict[str, str] = {}

    def on_intent(session: Session, row: PlatformAction) -> None:
        d = _locked(session, plan.delivery_id)
        if d.state != DeliveryState.PENDING.value:
            raise Conflict(f"delivery {d.id} is already {d.state}")
        d.attempts += 1
        d.action_id = row.id
        d.error = ""
        keys["idempotency"] = row.idempotency_key
        move(
            session,
            d,
            DeliveryState.SENDING,
            actor=actor,
            tag=tags.Outbox.SENDING,
            reason=f"sending to {page.name} ({page.platform})",
            data={"action_id": row.id, "attempt": d.attempts},
        )

    def call() -> Answer:
        try:
            refs = _media(plan, media)
        except Conflict as exc:
            raise PlatformError(page.platform, 422, exc.message) from None
        connector = connect(page)
        if plan.parent_id is not None:
            made = connector.reply(
                plan.parent_id,
                plan.text,
                under="comment" if plan.under == "comment" else "post",
                idempotency_key=keys.get("idempotency"),
            )
        else:
            made = connector.publish(plan.text, refs, idempotency_key=keys.get("idempotency"))
        return Answer(made, _read_back(connector, made, plan.parent_id is not None), media)

    kind = intents.Kind.REPLY if plan.parent_id is not None else intents.Kind.PUBLISH
    intent = intents.Intent(
        purpose=PURPOSE,
        kind=kind,
        page_id=page.id,
        platform=page.platform,
        target=f"delivery-{plan.delivery_id}",
        subject_type="delivery",
        subject_id=str(plan.delivery_id),
        reason=f"{plan.kind.value} to {page.name}",
        params={
            "text": plan.text,
            "parent_id": plan.parent_id,
            "under": plan.under,
            # Where the reconciler looks after a crash (a Facebook video has its own edge).
            "media_types": [str(m.get("mime_type") or "") for m in plan.media],
        },
    )
    try:
        recorded = intents.perform(
            sessions,
            intent,
            actor=actor,
            check=lambda s: None,
            call=call,
            what="publish the post" if kind is intents.Kind.PUBLISH else "publish the reply",
            effect=f"{page.platform}: published",
            on_intent=on_intent,
        )
        if isinstance(recorded, Delivery):  # the recorder's row, as it committed: sent
            return DeliveryState(recorded.state)
    except Conflict as exc:
        log.info("delivery not sent", delivery=delivery_id, reason=exc.message)
    with reading(sessions) as session:
        row = session.get(Delivery, delivery_id)
        return DeliveryState(row.state) if row is not None else DeliveryState.FAILED


def _refuse(sessions: sessionmaker[Session], delivery_id: int, *, actor: Actor) -> DeliveryState:
    """A due delivery that cannot go (its page is no longer approved, its original was never
    on the page): failed with the reason, decided again under the lock."""
    with transaction(sessions) as session:
        delivery = _locked(session, delivery_id)
        if delivery.state != DeliveryState.PENDING.value:
            return DeliveryState(delivery.state)
        plan = _plan(session, delivery)
        if not isinstance(plan, str):
            return DeliveryState.PENDING  # it can go after all: the next pass sends it
        delivery.error = plan
        move(
            session,
            delivery,
            DeliveryState.FAILED,
            actor=actor,
            tag=tags.Outbox.FAILED,
            reason=f"not sent: {plan}",
        )
        return DeliveryState.FAILED


def due(session: Session, *, limit: int = 200) -> list[int]:
    """Pending deliveries whose time has come, oldest first."""
    return list(
        session.execute(
            select(Delivery.id)
            .where(Delivery.state == DeliveryState.PENDING.value, Delivery.due_at <= clock.now())
            .order_by(Delivery.due_at, Delivery.id)
            .limit(limit)
        ).scalars()
    )


def send_due(
    sessions: sessionmaker[Session],
    connect: Connect,
    *,
    media: MediaStore | None = None,
    limit: int = 200,
    only: set[int] | None = None,
    workers: int | None = None,
) -> SendReport:
    """One pass of the sender: every due delivery (of ``only`` these publications), once.

    Deliveries to different pages are independent: on PostgreSQL up to ``workers`` (4 by
    default) go out at once; each is still sent at most once (its own intent and lock)."""
    report = SendReport()
    with reading(sessions) as session:
        ids = due(session, limit=limit)
        if only is not None:
            ids = [
                i
                for i, p in session.execute(
                    select(Delivery.id, Delivery.publication_id).where(Delivery.id.in_(ids))
                ).all()
                if p in only
            ]

    def one(delivery_id: int) -> DeliveryState | None:
        try:
            return send_delivery(sessions, delivery_id, connect, media=media)
        except DomainError as exc:  # a page that cannot be reached now: try again next pass
            log.warning("delivery not sent", delivery=delivery_id, reason=exc.message)
            return None

    if workers is None:
        # PostgreSQL takes concurrent writers (each page's platform call overlaps the others'
        # records); SQLite has one writer at a time, so threads would only queue for it.
        bind = sessions.kw.get("bind")
        workers = 4 if bind is not None and bind.dialect.name == "postgresql" else 1
    if workers > 1 and len(ids) > 1:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="outbox") as pool:
            states = list(pool.map(one, ids))
    else:
        states = [one(i) for i in ids]
    for delivery_id, state in zip(ids, states, strict=True):
        if state is None:
            continue
        {
            DeliveryState.SENT: report.sent,
            DeliveryState.FAILED: report.failed,
            DeliveryState.SENDING: report.open,
            DeliveryState.UNCONFIRMED: report.open,
            DeliveryState.PENDING: report.waiting,
        }[state].append(delivery_id)
    return report


def reconcile_unconfirmed(sessions: sessionmaker[Session], connect: Connect) -> list[int]:
    """Look again, by reading each page, for unconfirmed deliveries; those found are sent.

    A delivery two posts could be stays unconfirmed, its note naming them for a person. The
    posts other deliveries hold are read again before each look, so two unconfirmed
    deliveries of one text never both take the one post that went out."""
    settled: list[int] = []
    with reading(sessions) as session:
        rows = list(
            session.execute(
                select(Delivery, PlatformAction)
                .join(PlatformAction, PlatformAction.id == Delivery.action_id)
                .where(Delivery.state == DeliveryState.UNCONFIRMED.value)
            ).all()
        )
        pages = {p.id: p for p in session.execute(select(Page)).scalars()}
    for delivery, action in rows:
        page = pages.get(delivery.page_id)
        if page is None or action.state != intents.ActionState.UNCONFIRMED.value:
            continue
        with reading(sessions) as session:
            claimed = claimed_ids(session, delivery.page_id, parent_of(action), delivery.id)
        try:
            done, answer = _look(connect(page), action, claimed)
        except (ConnectorError, DomainError) as exc:
            log.warning("unconfirmed delivery not readable", delivery=delivery.id, error=str(exc))
            continue
        if isinstance(answer, str) and answer and answer != delivery.error:
            with transaction(sessions) as session:  # a note for the person; no state change
                d = _locked(session, delivery.id)
                if d.state == DeliveryState.UNCONFIRMED.value:
                    d.error = answer[:2000]
            continue
        if not done or not isinstance(answer, Answer):
            continue
        try:
            with transaction(sessions) as session:
                d = _locked(session, delivery.id)
                if d.state != DeliveryState.UNCONFIRMED.value:
                    continue
                intents.resolve(
                    session,
                    action.id,
                    intents.ActionState.SUCCEEDED,
                    "the platform shows it (read back later)",
                    actor=SYSTEM,
                )
                _mark_sent(
                    session,
                    d,
                    answer,
                    parent=parent_of(action),
                    actor=SYSTEM,
                    reason="found on the platform by the reconciler",
                )
                settled.append(d.id)
        except Conflict as exc:
            log.info("unconfirmed delivery not settled", delivery=delivery.id, reason=exc.message)
        except IntegrityError:
            # Another worker recorded the same post for another delivery a moment ago.
            log.info("unconfirmed delivery not settled: its post was claimed", delivery=delivery.id)
    return settled
