"""Blocks of a commenter from a page (§.20): placed on grounds, reviewed, lifted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.tables import ArchiveItem
from piodesk.connectors import intents
from piodesk.connectors.intents import Intent, Kind
from piodesk.connectors.model import Capability
from piodesk.connectors.tables import PlatformAction
from piodesk.core import audit, clock, tags
from piodesk.core.db import reading
from piodesk.core.errors import Conflict, InvalidInput, NotFound
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_text
from piodesk.moderation.actions._common import (
    Connect,
    check_category,
    connector_of,
    registered_page,
    unsupported,
)
from piodesk.moderation.model import (
    BLOCK_LIFECYCLE,
    MAX_NOTE,
    MIN_EXPLANATION,
    Action,
    BlockGrounds,
    BlockState,
    Outcome,
    block_state,
    check_block_grounds,
    review_due,
)
from piodesk.moderation.queries import (
    Person,
    active_block,
    person_of_case,
)
from piodesk.moderation.tables import (
    Advice,
    Block,
    Case,
    Consultation,
    Decision,
    Warning_,
)


def _violation_after(session: Session, person: Person, warning: Warning_) -> int | None:
    """A hide or removal a PIO decided after the warning, of a comment by the same person
    posted after it (and not restored since): the "repeated" of "repeated after a warning"."""
    rows = session.execute(
        select(Decision.id, Decision.decided_at, ArchiveItem.created_at, Case.captured_at)
        .join(Case, Case.id == Decision.case_id)
        .outerjoin(ArchiveItem, ArchiveItem.id == Case.item_id)
        .where(
            Case.platform == person.platform,
            Case.author_platform_id == person.person_id,
            Case.outcome.in_((Outcome.HIDDEN.value, Outcome.REMOVED.value)),
            Decision.action.in_((Action.HIDE.value, Action.REMOVE.value)),
        )
        .order_by(Decision.id.desc())
        .limit(200)
    )
    warned = clock.as_utc(warning.warned_at)
    for decision_id, decided_at, created_at, captured_at in rows:
        posted = created_at or captured_at
        if posted is None or decided_at is None:
            continue
        if clock.as_utc(decided_at) > warned and clock.as_utc(posted) > warned:
            return int(decision_id)
    return None


def block_grounds(
    session: Session, person: Person, concurrence_id: int | None = None
) -> BlockGrounds:
    """What a block of this person could rest on: the latest warning delivered to them and a
    violation decided after it, or counsel's concurrence with blocking them."""
    warnings = list(
        session.execute(
            select(Warning_)
            .where(Warning_.platform == person.platform, Warning_.person_id == person.person_id)
            .order_by(Warning_.id.desc())
            .limit(50)
        ).scalars()
    )
    delivered = next((w for w in warnings if w.delivered), None)
    undelivered = next((w.id for w in warnings if not w.delivered), None)
    warning_id = delivered.id if delivered else None
    violation = _violation_after(session, person, delivered) if delivered else None
    concurrence = None
    if concurrence_id is not None:
        row = session.execute(
            select(Advice, Case)
            .join(Consultation, Consultation.id == Advice.consultation_id)
            .join(Case, Case.id == Consultation.case_id)
            .where(Advice.id == concurrence_id)
        ).first()
        if row is None:
            raise NotFound(f"no advice {concurrence_id} from legal counsel")
        advice, case = row
        if not advice.concurs_block:
            raise InvalidInput(f"counsel's advice {concurrence_id} does not concur with a block")
        if (case.platform, case.author_platform_id) != (person.platform, person.person_id):
            raise InvalidInput(f"counsel's advice {concurrence_id} is about someone else")
        concurrence = advice.id
    return BlockGrounds(warning_id, concurrence, violation, undelivered)


def block(
    sessions: sessionmaker[Session],
    *,
    case_id: int,
    category: str,
    reason: str,
    actor: Actor,
    connect: Connect,
    review_days: int,
    concurrence_id: int | None = None,
) -> Block:
    """Block the author of a case's comment from the page (§.20): a warning must be on record,
    or legal counsel's concurrence with blocking without one."""
    category = check_category(category)
    reason = clean_text(
        "the reason for the block", reason, max_len=MAX_NOTE, required=True, min_len=MIN_EXPLANATION
    )
    with reading(sessions) as session:
        person = person_of_case(session, case_id)
        require(actor, Perm.PERSON_BLOCK, person.page_id)
        grounds = block_grounds(session, person, concurrence_id)
        check_block_grounds(grounds)
        _check_not_blocked(session, person)
        connector = connector_of(connect, registered_page(session, person.page_id))
        if Capability.BLOCK not in connector.capabilities:
            raise unsupported(person.platform, "block a person")
    intent = Intent(
        purpose="moderation:block",
        kind=Kind.BLOCK,
        page_id=person.page_id,
        platform=person.platform,
        target=person.person_id,
        subject_type="case",
        subject_id=str(case_id),
        reason=reason,
        params={
            "case_id": case_id,
            "category": category,
            "reason": reason,
            "warning_id": grounds.warning_id,
            "violation_id": grounds.violation_id,
            "concurrence_id": grounds.concurrence_id,
            "review_days": review_days,
            "person": [person.page_id, person.platform, person.person_id, person.name],
        },
    )
    row: Block = intents.perform(
        sessions,
        intent,
        actor=actor,
        check=lambda s: _check_not_blocked(s, person),
        call=lambda: connector.block(person.person_id),
        what="block the person",
        effect=f"{person.platform}: {person.person_id} blocked",
    )
    # The person is told why, until when, and how to appeal (their own notice, its own record).
    from piodesk.moderation.actions.appeals import send_block_notice

    send_block_notice(sessions, row.id, actor=actor, connector=connector)
    return row


def _check_not_blocked(session: Session, person: Person) -> None:
    existing = active_block(session, person)
    if existing is not None:
        raise Conflict(
            f"{person.name or person.person_id} is already blocked on this page "
            f"(block {existing.id}, placed by {existing.actor_name})"
        )


def _person(params: dict[str, Any]) -> Person:
    page_id, platform, person_id, name = params["person"]
    return Person(page_id, platform, person_id, name)


def _record_block(
    session: Session, action: PlatformAction, actor: Actor, delivered: bool | None
) -> Block:
    p = action.params
    person = _person(p)
    now = clock.now()
    row = Block(
        page_id=person.page_id,
        platform=person.platform,
        person_id=person.person_id,
        person_name=person.name,
        case_id=p["case_id"],
        category=p["category"],
        reason=p["reason"],
        warning_id=p["warning_id"],
        concurrence_id=p["concurrence_id"],
        actor_id=actor.account_id,
        actor_name=actor.username,
        blocked_at=now,
        review_due_at=review_due(now, int(p["review_days"])),
    )
    session.add(row)
    session.flush()  # the database's own check: one block in force per person and page
    audit.record(
        session,
        actor,
        tags.Moderation.BLOCK,
        "person",
        f"{person.platform}:{person.person_id}",
        reason=p["reason"],
        section="§.20",
        data={
            "block_id": row.id,
            "page_id": person.page_id,
            "case_id": p["case_id"],
            "category": p["category"],
            "warning_id": p["warning_id"],
            "violation_decision_id": p.get("violation_id"),
            "concurrence_id": p["concurrence_id"],
            "review_due_at": row.review_due_at.isoformat(),
            "platform_action_id": action.id,
        },
    )
    return row


def _block(session: Session, block_id: int) -> Block:
    row = session.get(Block, block_id)
    if row is None:
        raise NotFound(f"no block {block_id}")
    return row


def _check_in_force(session: Session, block_id: int) -> Block:
    row = _block(session, block_id)
    if block_state(row.lifted_at) is BlockState.LIFTED:
        raise Conflict(
            f"block {block_id} was already lifted (by {row.lifted_by_name}); "
            "the record of who lifted it and why stays as it is"
        )
    return row


def _check_liftable(session: Session, block_id: int) -> None:
    _check_in_force(session, block_id)


def lift_block(
    sessions: sessionmaker[Session], block_id: int, *, reason: str, actor: Actor, connect: Connect
) -> Block:
    """Lift a block: the person may comment again; the block stays on record."""
    reason = clean_text(
        "the reason for lifting the block",
        reason,
        max_len=MAX_NOTE,
        required=True,
        min_len=MIN_EXPLANATION,
    )
    with reading(sessions) as session:
        row = _block(session, block_id)
        require(actor, Perm.PERSON_BLOCK, row.page_id)
        _check_liftable(session, block_id)
        connector = connector_of(connect, registered_page(session, row.page_id))
        if Capability.UNBLOCK not in connector.capabilities:
            raise unsupported(row.platform, "lift a block")
        person_id, page_id, platform = row.person_id, row.page_id, row.platform
    intent = Intent(
        purpose="moderation:lift_block",
        kind=Kind.UNBLOCK,
        page_id=page_id,
        platform=platform,
        target=person_id,
        subject_type="block",
        subject_id=str(block_id),
        reason=reason,
        params={"block_id": block_id, "reason": reason},
    )
    lifted: Block = intents.perform(
        sessions,
        intent,
        actor=actor,
        check=lambda s: _check_liftable(s, block_id),
        call=lambda: connector.unblock(person_id),
        what="lift the block",
        effect=f"{platform}: {person_id} unblocked",
    )
    return lifted


def _record_lift(
    session: Session, action: PlatformAction, actor: Actor, delivered: bool | None
) -> Block:
    row = _block(session, int(action.params["block_id"]))
    BLOCK_LIFECYCLE.check(block_state(row.lifted_at), BlockState.LIFTED)
    reason = action.params["reason"]
    row.lifted_at, row.lifted_by_name, row.lift_reason = clock.now(), actor.username, reason
    session.flush()
    audit.record(
        session,
        actor,
        tags.Moderation.LIFT_BLOCK,
        "person",
        f"{row.platform}:{row.person_id}",
        reason=reason,
        section="§.20",
        data={"block_id": row.id, "page_id": row.page_id, "platform_action_id": action.id},
    )
    return row


def review_block(
    session: Session, block_id: int, *, note: str, actor: Actor, review_days: int
) -> Block:
    """Review a block that came due and keep it in force until the next review."""
    note = clean_text(
        "the review note", note, max_len=MAX_NOTE, required=True, min_len=MIN_EXPLANATION
    )
    row = _block(session, block_id)
    require(actor, Perm.PERSON_BLOCK, row.page_id)
    if row.lifted_at is not None:
        raise Conflict(f"block {block_id} was lifted; there is nothing to review")
    BLOCK_LIFECYCLE.check(block_state(row.lifted_at), BlockState.IN_FORCE)
    now = clock.now()
    row.reviewed_at, row.review_due_at = now, review_due(now, review_days)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Moderation.REVIEW_BLOCK,
        "person",
        f"{row.platform}:{row.person_id}",
        reason=note,
        section="§.20",
        data={"block_id": row.id, "next_review": row.review_due_at.isoformat()},
    )
    return row


intents.register_purpose(
    "moderation:block", _record_block, lambda s, a: _check_not_blocked(s, _person(a.params))
)
intents.register_purpose(
    "moderation:lift_block",
    _record_lift,
    lambda s, a: _check_liftable(s, int(a.params["block_id"])),
)
