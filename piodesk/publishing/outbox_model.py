"""The outbox's rules, free of storage and web: delivery states, kinds, the overall status.

One **delivery** per (publication, page). Its lifecycle is declared once
(:data:`DELIVERY_LIFECYCLE`)::

    pending ──> sending ──> sent
       │           ├──────> failed ──(a person retries this page)──> pending
       │           └──────> unconfirmed ──(the platform shows it, or a person checked)──> sent
       │                         └──(a person checked: it is not there)──> failed
       └─> failed (refused before sending: the page is no longer approved)

``sending`` is entered in the same transaction that records the platform-action intent
(``connectors/intents.py``); from then on the send is never repeated automatically, because it
may have reached the platform (Postiz's lesson). Only a person moves a ``failed`` delivery back
to ``pending`` (per page: the pages that went out are never touched again, Mixpost's failure).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from piodesk.core.statemachine import StateMachine


class DeliveryState(StrEnum):
    """Where one (publication, page) delivery stands."""

    PENDING = "pending"  # waiting for its time (or for the original on that page)
    SENDING = "sending"  # the intent is recorded; the platform is being asked
    SENT = "sent"  # the platform has it; its id is stored
    FAILED = "failed"  # the platform refused (its own words are kept), or it was never sent
    UNCONFIRMED = "unconfirmed"  # the platform may have it: check the page before sending again


DELIVERY_LIFECYCLE: StateMachine[DeliveryState] = StateMachine(
    "delivery",
    DeliveryState.PENDING,
    {
        DeliveryState.PENDING: {DeliveryState.SENDING, DeliveryState.FAILED},
        DeliveryState.SENDING: {
            DeliveryState.SENT,
            DeliveryState.FAILED,
            DeliveryState.UNCONFIRMED,
        },
        DeliveryState.SENT: set(),
        DeliveryState.FAILED: {DeliveryState.PENDING},  # a person's retry of this page only
        DeliveryState.UNCONFIRMED: {DeliveryState.SENT, DeliveryState.FAILED},
    },
)

#: What a person sees for each state.
STATE_LABELS: dict[DeliveryState, str] = {
    DeliveryState.PENDING: "Waiting to be sent",
    DeliveryState.SENDING: "Sending",
    DeliveryState.SENT: "Published",
    DeliveryState.FAILED: "Failed",
    DeliveryState.UNCONFIRMED: "Not confirmed — check the page before posting again",
}


class PublicationKind(StrEnum):
    """What is being published."""

    POST = "post"  # an approved post (publishing review)
    REPLY = "reply"  # the department's answer under a comment (needs-response queue)
    NOTICE = "notice"  # a time-sensitive notice (§.15), its updates and all-clear


class Overall(StrEnum):
    """A publication's status across its pages."""

    PUBLISHED = "published"
    PARTLY = "partly published"
    FAILED = "failed"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    UNCONFIRMED = "unconfirmed"


def overall(
    states: Iterable[DeliveryState], scheduled_for: datetime | None, now: datetime
) -> Overall:
    """The publication's status from its deliveries' states.

    Published when every page has it; partly published when some pages have it and the rest
    failed or could not be confirmed (the post is out, the rest needs a person); scheduled
    while nothing went out and its time has not come; sending while any page is under way.
    """
    seen = list(states)
    if not seen:
        return Overall.FAILED
    open_ = [s for s in seen if s in (DeliveryState.PENDING, DeliveryState.SENDING)]
    sent = [s for s in seen if s is DeliveryState.SENT]
    if open_:
        waiting = all(s is DeliveryState.PENDING for s in seen)
        if waiting and scheduled_for is not None and scheduled_for > now:
            return Overall.SCHEDULED
        return Overall.SENDING
    if len(sent) == len(seen):
        return Overall.PUBLISHED
    if sent:
        return Overall.PARTLY
    if any(s is DeliveryState.UNCONFIRMED for s in seen):
        return Overall.UNCONFIRMED
    return Overall.FAILED
