"""The one primitive for every action that changes a platform, and the reconciler.

A platform is another system: it cannot join piodesk's transaction, and piodesk can stop
(a crash, a deploy, SIGKILL) between the platform's answer and its own record. So every
change asked of a platform — hide, remove, restore, warn, block, lift now; publish and reply
next — runs the same five steps (``perform``):

1. **check and read**: the caller validates and reads what it needs (outside this module);
2. **intent**: a ``pending`` row in ``platform_actions`` with what will be asked, of which
   page, about what, by whom and why, committed (and audited) before the platform hears of it.
   The caller's ``check`` runs again inside this transaction, and a second action on the
   same thing (its ``lock_key``) is refused while the first is pending;
3. **call** the platform, outside any database transaction;
4. **record** the outcome in a new transaction: lock the intent, run ``check`` again (things
   may have changed while the platform was asked), write the caller's rows through its
   registered recorder, mark the intent ``succeeded``;
5. **audit**: each of the intent's changes is an audit event, next to the recorder's own.

A platform that refuses marks the intent ``failed`` with its message and nothing else
changes. A network failure leaves the outcome unknown: the intent is ``unconfirmed`` and a
person is told to check the page before trying again.

The reconciler (``reconcile``) settles intents left ``pending`` longer than a grace period —
a crash between steps 3 and 4 — by **reading** the platform (is the comment hidden now? is the
person blocked?), never by sending the action again (Postiz's lesson: a retried publish whose
first attempt went through publishes twice). What the platform shows done is recorded exactly
once by the same recorder; what it shows not done is ``failed``; what it cannot tell is
``unconfirmed`` for a person to check.

Recorders are registered by purpose (``register_purpose``), by the capability that owns the
records (moderation, the publishing outbox), so the reconciler can finish any intent without
knowing what it is for. A purpose may also say:

* ``takes_answer``: its recorder gets what the platform answered (a publish's new post id,
  stored in the very step that sees the success), or what the reconciler read back;
* ``observe``: how to read the platform for its kind of action (the outbox looks for its post
  among the page's recent posts, by text and time), instead of the generic reads below;
* ``claimed``: the platform ids other records already hold (the posts recorded for the
  page's other deliveries), read in a transaction just before ``observe`` and handed to it,
  so a post found once is never found again for a second intent;
* ``settled``: what changes, in the same transaction, when the intent ends failed, unconfirmed
  or superseded (the outbox's delivery follows its intent: refused → failed with the
  platform's words, unknown → unconfirmed);
* ``on_intent`` (an argument of ``perform``/``begin``): a change made in the intent's own
  transaction (the outbox's delivery moves pending → sending with the intent, atomically).

An unconfirmed intent that a later read or a person settles moves with :func:`resolve`, in the
caller's transaction (never by sending again).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any, TypeVar

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from piodesk.connectors.base import (
    Connector,
    ConnectorError,
    NotFound,
    PlatformError,
    UnsupportedAction,
)
from piodesk.connectors.model import CommentState
from piodesk.connectors.tables import PlatformAction
from piodesk.core import audit, clock, tags
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, DomainError
from piodesk.core.permissions import SYSTEM, Actor, Role
from piodesk.core.statemachine import StateMachine
from piodesk.pages.tables import Page

log = structlog.get_logger(__name__)

T = TypeVar("T")


class ActionState(StrEnum):
    """Where a platform action stands."""

    PENDING = "pending"  # recorded, the platform asked or about to be; outcome not recorded
    SUCCEEDED = "succeeded"  # the platform did it and piodesk recorded it
    FAILED = "failed"  # the platform refused, or shows it was not done: nothing else changed
    UNCONFIRMED = "unconfirmed"  # the outcome is unknown: a person checks the page
    SUPERSEDED = "superseded"  # done on the platform, but someone else's record already says so


ACTION_LIFECYCLE: StateMachine[ActionState] = StateMachine(
    "platform action",
    ActionState.PENDING,
    {
        ActionState.PENDING: {
            ActionState.SUCCEEDED,
            ActionState.FAILED,
            ActionState.UNCONFIRMED,
            ActionState.SUPERSEDED,
        },
        ActionState.SUCCEEDED: set(),
        ActionState.FAILED: set(),
        # A person who checked the page may still settle it (not automated yet); never resent.
        ActionState.UNCONFIRMED: {ActionState.SUCCEEDED, ActionState.FAILED},
        ActionState.SUPERSEDED: set(),
    },
)

#: The audit action recording a move to each settled state.
_OUTCOME_TAG: dict[ActionState, tags.PlatformAction] = {
    ActionState.SUCCEEDED: tags.PlatformAction.SUCCEEDED,
    ActionState.FAILED: tags.PlatformAction.FAILED,
    ActionState.UNCONFIRMED: tags.PlatformAction.UNCONFIRMED,
    ActionState.SUPERSEDED: tags.PlatformAction.SUPERSEDED,
}


class Kind(StrEnum):
    """The platform call an action makes (the connector method of the same name)."""

    HIDE_COMMENT = "hide_comment"
    UNHIDE_COMMENT = "unhide_comment"
    DELETE_COMMENT = "delete_comment"
    RESTORE_COMMENT = "restore_comment"
    DELETE_POST = "delete_post"
    SEND_MESSAGE = "send_message"
    BLOCK = "block"
    UNBLOCK = "unblock"
    PUBLISH = "publish"
    REPLY = "reply"


#: What a person sees while an action waits or could not be confirmed (the case page).
DOING: dict[Kind, str] = {
    Kind.HIDE_COMMENT: "Hiding the comment",
    Kind.UNHIDE_COMMENT: "Showing the comment again",
    Kind.DELETE_COMMENT: "Removing the comment",
    Kind.RESTORE_COMMENT: "Restoring the comment",
    Kind.DELETE_POST: "Deleting the post",
    Kind.SEND_MESSAGE: "Sending the warning",
    Kind.BLOCK: "Blocking the person",
    Kind.UNBLOCK: "Lifting the block",
    Kind.PUBLISH: "Publishing",
    Kind.REPLY: "Replying",
}


@dataclass(frozen=True)
class Intent:
    """What a caller will ask of a platform, and what records it afterwards."""

    purpose: str  # a registered recorder, e.g. "moderation:block"
    kind: Kind
    page_id: int
    platform: str
    target: str  # the platform's id of the comment, post or person
    subject_type: str  # piodesk's record it is about: "case", "block", "person"
    subject_id: str
    reason: str = ""
    params: dict[str, Any] = field(default_factory=dict)  # everything the recorder needs
    lock: bool = True  # one pending action at a time on this target


#: Records an outcome: (session, the intent's row, the requester, delivered) -> the new record.
#: ``delivered`` is True when the platform did it, None when that could not be confirmed (only
#: purposes registered with ``record_unknown`` are asked to record an unknown outcome).
Recorder = Callable[[Session, PlatformAction, Actor, bool | None], Any]
#: Re-checks, inside a transaction, that the action still makes sense; raises Conflict if not.
Check = Callable[[Session], None]
#: Reads the platform for one intent, leaving out the ids other records hold:
#: (done: True / False / None unknown, what it found).
Observer = Callable[[Connector, PlatformAction, AbstractSet[str]], tuple[bool | None, Any]]
#: The platform ids other records already hold, for one intent (what its observer leaves out).
Claimed = Callable[[Session, PlatformAction], AbstractSet[str]]
#: Changes made with the intent's own row, in its transaction (the intent is flushed).
WithRow = Callable[[Session, PlatformAction], None]


@dataclass(frozen=True)
class Purpose:
    """A registered recorder and its re-check (rebuilt from the row, for the reconciler)."""

    record: Recorder | Callable[..., Any]  # with takes_answer: also the platform's answer
    check: Callable[[Session, PlatformAction], None]
    record_unknown: bool = False  # e.g. a warning is recorded even if delivery is unknown
    takes_answer: bool = False  # the recorder takes a fifth argument: the platform's answer
    observe: Observer | None = None  # how the reconciler reads the platform for it
    settled: WithRow | None = None  # runs when the intent ends failed/unconfirmed/superseded
    claimed: Claimed | None = None  # ids held by other records: not this intent's


_PURPOSES: dict[str, Purpose] = {}


def register_purpose(
    name: str,
    record: Recorder | Callable[..., Any],
    check: Callable[[Session, PlatformAction], None],
    *,
    record_unknown: bool = False,
    takes_answer: bool = False,
    observe: Observer | None = None,
    settled: WithRow | None = None,
    claimed: Claimed | None = None,
) -> None:
    """Register what records the outcome of actions for ``name`` (once, at import)."""
    _PURPOSES[name] = Purpose(
        record, check, record_unknown, takes_answer, observe, settled, claimed
    )


def lock_key(intent: Intent) -> str | None:
    """What two actions must not do at once: the same comment, post or person on a page."""
    if not intent.lock:
        return None
    noun = {
        Kind.BLOCK: "person",
        Kind.UNBLOCK: "person",
        Kind.SEND_MESSAGE: "message",
        Kind.DELETE_POST: "post",
        Kind.PUBLISH: "publish",
        Kind.REPLY: "reply",
    }.get(intent.kind, "comment")
    return f"{intent.page_id}:{noun}:{intent.target}"[:260]


def _actor_params(actor: Actor) -> dict[str, Any]:
    return {
        "account_id": actor.account_id,
        "username": actor.username,
        "display_name": actor.display_name,
        "roles": sorted(r.value for r in actor.roles),
        "via": actor.via,
    }


def requester(row: PlatformAction) -> Actor:
    """The person who asked for the action (the reconciler records in their name)."""
    who = row.params.get("_actor", {})
    return Actor(
        account_id=row.requested_by,
        username=row.requested_by_name,
        display_name=who.get("display_name", row.requested_by_name),
        roles=frozenset(Role(r) for r in who.get("roles", []) if r in {x.value for x in Role}),
        via="job",
    )


def _audit(
    session: Session, actor: Actor, row: PlatformAction, what: tags.PlatformAction, reason: str
) -> None:
    audit.record(
        session,
        actor,
        what,
        "platform_action",
        row.id,
        reason=reason,
        data={
            "purpose": row.purpose,
            "kind": row.kind,
            "page_id": row.page_id,
            "target": row.target,
            "subject": f"{row.subject_type}:{row.subject_id}",
            "state": row.state,
            "outcome": row.outcome[:500],
            "result_id": row.result_id,
        },
    )


def begin(
    sessions: sessionmaker[Session],
    intent: Intent,
    *,
    actor: Actor,
    check: Check,
    on_intent: WithRow | None = None,
) -> int:
    """Step 2: re-check and record the intent as pending, committed; returns its id.

    ``on_intent`` runs in the same transaction once the row exists (and its audit event is
    written), so what the caller marks with it commits, or not, with the intent."""
    if intent.purpose not in _PURPOSES:
        raise KeyError(f"no recorder registered for {intent.purpose!r}")
    try:
        with transaction(sessions) as session:
            check(session)
            key = lock_key(intent)
            if key is not None:
                busy = session.execute(
                    select(PlatformAction).where(
                        PlatformAction.lock_key == key,
                        PlatformAction.state == ActionState.PENDING.value,
                    )
                ).scalar_one_or_none()
                if busy is not None:
                    raise _busy(busy)
            row = PlatformAction(
                idempotency_key=uuid.uuid4().hex,
                purpose=intent.purpose,
                kind=intent.kind.value,
                page_id=intent.page_id,
                platform=intent.platform,
                target=intent.target,
                lock_key=key,
                subject_type=intent.subject_type,
                subject_id=intent.subject_id,
                reason=intent.reason,
                params={**intent.params, "_actor": _actor_params(actor)},
                requested_by=actor.account_id,
                requested_by_name=actor.username,
                requested_at=clock.now(),
                state=ActionState.PENDING.value,
                outcome="",
            )
            session.add(row)
            session.flush()
            _audit(session, actor, row, tags.PlatformAction.INTENT, intent.reason)
            if on_intent is not None:
                on_intent(session, row)
            return row.id
    except IntegrityError:
        # Another action on the same thing was recorded between our look and our insert.
        raise Conflict(
            "another person's action on this is in progress on the platform; wait for it to "
            "finish, then look again"
        ) from None


def _busy(row: PlatformAction) -> Conflict:
    doing = DOING.get(Kind(row.kind), row.kind)
    return Conflict(
        f"{doing} on {row.platform.capitalize()} (asked by {row.requested_by_name}) is in "
        "progress and not confirmed yet; wait for it, or check the page before trying again"
    )


def settle(
    sessions: sessionmaker[Session],
    action_id: int,
    state: ActionState,
    outcome: str,
    *,
    actor: Actor,
) -> None:
    """Mark a pending intent failed, unconfirmed or superseded (audited); nothing else changes."""
    with transaction(sessions) as session:
        row = _locked(session, action_id)
        if row is None or row.state != ActionState.PENDING.value:
            return  # settled meanwhile (the reconciler): its word stands
        _move(row, state, outcome)
        _audit(session, actor, row, _OUTCOME_TAG[state], outcome)
        purpose = _PURPOSES.get(row.purpose)
        if purpose is not None and purpose.settled is not None:
            purpose.settled(session, row)


def resolve(
    session: Session, action_id: int, state: ActionState, outcome: str, *, actor: Actor
) -> PlatformAction:
    """Settle an unconfirmed intent in the caller's transaction (audited): a later read of the
    platform, or a person who checked the page, says it was done (SUCCEEDED) or not (FAILED).
    Nothing is sent. Refused for an intent that is not unconfirmed."""
    row = _locked(session, action_id)
    if row is None:
        raise Conflict(f"there is no platform action {action_id}")
    if row.state != ActionState.UNCONFIRMED.value:
        raise Conflict(f"platform action {action_id} is {row.state}, not unconfirmed")
    _move(row, state, outcome)
    _audit(session, actor, row, _OUTCOME_TAG[state], outcome)
    return row


def _no_answer(
    sessions: sessionmaker[Session], action_id: int, message: str, *, actor: Actor
) -> None:
    """Note on a pending intent that the platform's answer never came (it stays pending)."""
    with transaction(sessions) as session:
        row = _locked(session, action_id)
        if row is None or row.state != ActionState.PENDING.value:
            return
        row.outcome = f"no answer from the platform: {message}"[:2000]
        _audit(session, actor, row, tags.PlatformAction.NO_ANSWER, row.outcome)


def _locked(session: Session, action_id: int) -> PlatformAction | None:
    return session.execute(
        select(PlatformAction).where(PlatformAction.id == action_id).with_for_update()
    ).scalar_one_or_none()


def _move(row: PlatformAction, state: ActionState, outcome: str) -> None:
    row.state = ACTION_LIFECYCLE.check(ActionState(row.state), state).value
    row.settled_at = clock.now()
    row.outcome = outcome[:2000]


def _result_id(result: Any) -> str | None:
    value = getattr(result, "id", None)
    return None if value is None else str(value)


def _record(
    sessions: sessionmaker[Session],
    action_id: int,
    *,
    actor: Actor,
    check: Check,
    delivered: bool | None,
    outcome: str,
    by: Actor,
    answer: Any = None,
) -> Any:
    """Step 4: re-check and record through the purpose's recorder, in one transaction."""
    try:
        return _record_once(
            sessions,
            action_id,
            actor=actor,
            check=check,
            delivered=delivered,
            outcome=outcome,
            by=by,
            answer=answer,
        )
    except IntegrityError as exc:
        # The database's own constraint (e.g. one block in force per person and page) refused
        # a second record: the re-check lost a race it cannot see. Nothing is recorded twice.
        settle(
            sessions,
            action_id,
            ActionState.SUPERSEDED,
            f"done on the platform, but the database already holds that record ({exc.orig})",
            actor=by,
        )
        raise Conflict(
            "someone else's record of the same thing was written first (the platform already "
            "shows it); nothing was recorded twice"
        ) from None


class _AlreadySettled(Conflict):
    """Someone (the reconciler, or the process that asked) settled the intent first."""


def _record_once(
    sessions: sessionmaker[Session],
    action_id: int,
    *,
    actor: Actor,
    check: Check,
    delivered: bool | None,
    outcome: str,
    by: Actor,
    answer: Any = None,
) -> Any:
    try:
        with transaction(sessions) as session:
            row = _locked(session, action_id)
            if row is None or row.state != ActionState.PENDING.value:
                raise _AlreadySettled(
                    f"platform action {action_id} was already settled "
                    f"({row.state if row else 'missing'}); look at the record again"
                )
            check(session)
            # A refusal from here on rolls back everything the recorder wrote.
            purpose = _PURPOSES[row.purpose]
            recorder: Callable[..., Any] = purpose.record
            extra = (answer,) if purpose.takes_answer else ()
            result = recorder(session, row, actor, delivered, *extra)
            _move(row, ActionState.SUCCEEDED, outcome)
            row.result_id = _result_id(result)
            _audit(session, by, row, tags.PlatformAction.SUCCEEDED, outcome)
            return result
    except _AlreadySettled:
        raise
    except Conflict as exc:
        refusal = exc
    # Done on the platform, but the record already says so (someone else's action, or the
    # record moved on meanwhile): nothing is recorded twice. The intent says what happened.
    settle(
        sessions,
        action_id,
        ActionState.SUPERSEDED,
        f"done on the platform, but not recorded again: {refusal.message}",
        actor=by,
    )
    raise Conflict(f"{refusal.message} (the platform already shows it; nothing was recorded twice)")


def _unknown(exc: ConnectorError) -> bool:
    """A failure that leaves it unknown whether the platform acted (the network, a timeout)."""
    return isinstance(exc, PlatformError) and exc.status is None


def perform(
    sessions: sessionmaker[Session],
    intent: Intent,
    *,
    actor: Actor,
    check: Check,
    call: Callable[[], Any],
    what: str,
    effect: str = "",
    on_intent: WithRow | None = None,
) -> Any:
    """Steps 2–5 for one action: intent, platform call, record with re-check, audit.

    ``check`` runs in the intent's transaction and again in the record's; ``call`` asks the
    platform; ``what`` names the action in messages ("hide the comment"). Returns what the
    purpose's recorder returned. A platform refusal is a Conflict that says nothing was
    recorded except the failed attempt.
    """
    action_id = begin(sessions, intent, actor=actor, check=check, on_intent=on_intent)
    try:
        answer = call()
    except UnsupportedAction as exc:
        settle(sessions, action_id, ActionState.FAILED, str(exc), actor=actor)
        raise Conflict(f"the platform refused to {what}: {exc}; nothing was recorded") from None
    except ConnectorError as exc:
        if _unknown(exc):
            # The request may have gone through: the intent stays pending, so nobody sends it
            # again, and the reconciler reads the platform and records what it finds.
            _no_answer(sessions, action_id, str(exc), actor=actor)
            raise Conflict(
                f"piodesk could not confirm that the platform did {what}: {exc}. Check the "
                "page on the platform before trying again; piodesk will read the platform "
                "and record what it shows"
            ) from None
        settle(sessions, action_id, ActionState.FAILED, str(exc), actor=actor)
        raise Conflict(f"the platform refused to {what}: {exc}; nothing was recorded") from None
    return _record(
        sessions,
        action_id,
        actor=actor,
        check=check,
        delivered=True,
        outcome=effect or f"{intent.platform}: {what}",
        by=actor,
        answer=answer,
    )


# ---- the reconciler --------------------------------------------------------------------------


def observe(connector: Connector, kind: Kind, target: str) -> bool | None:
    """Read the platform: True when the action shows as done, False when not, None: unknown."""
    try:
        if kind in (
            Kind.HIDE_COMMENT,
            Kind.UNHIDE_COMMENT,
            Kind.DELETE_COMMENT,
            Kind.RESTORE_COMMENT,
        ):
            state = connector.comment_state(target)
            return {
                Kind.HIDE_COMMENT: state is CommentState.HIDDEN,
                Kind.UNHIDE_COMMENT: state is CommentState.VISIBLE,
                Kind.DELETE_COMMENT: state is CommentState.DELETED,
                Kind.RESTORE_COMMENT: state is not CommentState.DELETED,
            }[kind]
        if kind is Kind.DELETE_POST:
            try:
                connector.fetch_post(target)
            except NotFound:
                return True
            return False
        if kind in (Kind.BLOCK, Kind.UNBLOCK):
            blocked = connector.is_blocked(target)
            return blocked if kind is Kind.BLOCK else not blocked
    except UnsupportedAction:
        return None
    # A private message, a publish or a reply cannot be read back (yet): a person checks.
    return None


@dataclass
class ReconcileReport:
    """What one pass of the reconciler settled."""

    looked_at: int = 0
    recorded: list[int] = field(default_factory=list)  # done on the platform: now recorded
    failed: list[int] = field(default_factory=list)  # the platform shows it was not done
    unconfirmed: list[int] = field(default_factory=list)  # a person must check
    superseded: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)  # the platform could not be read now


def pending_older_than(session: Session, grace: timedelta) -> list[PlatformAction]:
    """Intents still pending after ``grace``: their process stopped before recording."""
    return list(
        session.execute(
            select(PlatformAction)
            .where(
                PlatformAction.state == ActionState.PENDING.value,
                PlatformAction.requested_at <= clock.now() - grace,
            )
            .order_by(PlatformAction.id)
        ).scalars()
    )


def reconcile(
    sessions: sessionmaker[Session],
    connect: Callable[[Page], Connector],
    *,
    grace: timedelta = timedelta(minutes=5),
    by: Actor = SYSTEM,
) -> ReconcileReport:
    """Settle intents a crash left pending, by reading the platform (never re-sending).

    ``by`` is who settles them: the system on the server's schedule, the person (or the local
    operator) who ran ``piodesk reconcile``; a recorded action stays its requester's."""
    report = ReconcileReport()
    with sessions() as session:
        rows = pending_older_than(session, grace)
        pages = {p.id: p for p in session.execute(select(Page)).scalars()}
    for row in rows:
        report.looked_at += 1
        _reconcile_one(sessions, connect, row, pages.get(row.page_id), report, by)
    if report.looked_at:
        log.info(
            "platform actions reconciled",
            recorded=len(report.recorded),
            failed=len(report.failed),
            unconfirmed=len(report.unconfirmed),
            waiting=len(report.waiting),
        )
    return report


def _reconcile_one(
    sessions: sessionmaker[Session],
    connect: Callable[[Page], Connector],
    row: PlatformAction,
    page: Page | None,
    report: ReconcileReport,
    by: Actor,
) -> None:
    purpose = _PURPOSES.get(row.purpose)
    if purpose is None or page is None:
        why = "no recorder for it" if purpose is None else "its page is gone"
        settle(sessions, row.id, ActionState.UNCONFIRMED, why, actor=by)
        report.unconfirmed.append(row.id)
        return
    answer: Any = None
    try:
        if purpose.observe is not None:
            taken: AbstractSet[str] = frozenset()
            if purpose.claimed is not None:
                # Read now, not once per pass: an intent settled a moment ago holds its id.
                with sessions() as session:
                    taken = purpose.claimed(session, row)
            done, answer = purpose.observe(connect(page), row, taken)
        else:
            done = observe(connect(page), Kind(row.kind), row.target)
    except (DomainError, KeyError) as exc:
        done = None
        note = f"the page cannot be read now ({exc}); check it on the platform"
    except ConnectorError as exc:
        # Rate limits, a network failure: read again on the next pass.
        log.warning("reconciler could not read the platform", action=row.id, error=str(exc))
        report.waiting.append(row.id)
        return
    else:
        note = "piodesk stopped before recording; the platform cannot say whether it happened"
        if done is None and isinstance(answer, str) and answer:
            note = answer  # the purpose's own words: why the platform's answer is unclear
    if done is False:
        settle(
            sessions,
            row.id,
            ActionState.FAILED,
            "piodesk stopped before recording, and the platform shows it was not done; "
            "nothing was recorded (try again if it is still wanted)",
            actor=by,
        )
        report.failed.append(row.id)
        return
    if done is None and not purpose.record_unknown:
        settle(sessions, row.id, ActionState.UNCONFIRMED, note, actor=by)
        report.unconfirmed.append(row.id)
        return
    try:
        _record(
            sessions,
            row.id,
            actor=requester(row),
            check=lambda s: purpose.check(s, row),
            delivered=done,
            answer=answer,
            outcome=(
                "recorded by the reconciler: the platform shows it done"
                if done
                else f"recorded by the reconciler, delivery not confirmed: {note}"
            ),
            by=by,
        )
        report.recorded.append(row.id)
    except Conflict:
        with sessions() as session:
            state = session.get(PlatformAction, row.id)
            if state is not None and state.state == ActionState.SUPERSEDED.value:
                report.superseded.append(row.id)


def open_actions(
    session: Session, subject_type: str, subject_ids: list[str]
) -> list[PlatformAction]:
    """Pending and unconfirmed actions on these records (what the case page warns about).

    An unconfirmed action stops being news once a later action of the same kind on the same
    record went through (a person checked the page and did it again).
    """
    if not subject_ids:
        return []
    rows = list(
        session.execute(
            select(PlatformAction)
            .where(
                PlatformAction.subject_type == subject_type,
                PlatformAction.subject_id.in_(subject_ids),
            )
            .order_by(PlatformAction.id)
        ).scalars()
    )
    done = {
        (r.subject_id, r.kind): r.id
        for r in rows
        if r.state in (ActionState.SUCCEEDED.value, ActionState.SUPERSEDED.value)
    }
    return [
        r
        for r in rows
        if r.state == ActionState.PENDING.value
        or (r.state == ActionState.UNCONFIRMED.value and done.get((r.subject_id, r.kind), 0) < r.id)
    ]


def describe(row: PlatformAction, page_name: str | None = None) -> str:
    """'Hiding the comment on Facebook… not confirmed yet — check the page before trying again'."""
    doing = DOING.get(Kind(row.kind), row.kind)
    where = row.platform.capitalize() + (f" ({page_name})" if page_name else "")
    if row.state == ActionState.PENDING.value:
        why = f"; {row.outcome}" if row.outcome else ""
        return (
            f"{doing} on {where}… not confirmed yet (asked by {row.requested_by_name}{why}) — "
            "check the page before trying again"
        )
    return (
        f"{doing} on {where} could not be confirmed ({row.outcome}) — check the page on the "
        "platform before trying again"
    )
