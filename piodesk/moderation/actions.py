"""What the PIO office, legal counsel and employees do with comments (GO 409 §.20, §.22, §.12).

One function per thing a person does. Each checks the permission, validates the input before
anything is written, and writes its rows and its audit event in one transaction.

Actions with an effect on the platform (hide, remove, restore, warn, block, lift) run in three
steps, because the platform is another system and cannot join piodesk's transaction: check
everything in a read, ask the platform, then record what was done. A refusal by the platform
leaves piodesk unchanged and says why; the platform is never asked to do something piodesk
has already refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.capture import capture
from piodesk.archive.observe import head_version, observed
from piodesk.archive.tables import ArchiveItem, ArchiveVersion
from piodesk.connectors.base import Connector, ConnectorError
from piodesk.connectors.credentials import CredentialError
from piodesk.connectors.model import Capability, ItemKind
from piodesk.core import audit, clock
from piodesk.core.db import reading, transaction
from piodesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from piodesk.core.permissions import Actor, Perm, require
from piodesk.moderation.intake import add_categories
from piodesk.moderation.model import (
    CASE_LIFECYCLE,
    NO_VIOLATION,
    OUTCOME_OF,
    REASONS,
    Action,
    BlockGrounds,
    CaseSource,
    CaseState,
    Outcome,
    check_block_grounds,
    check_decision,
    clean_note,
    review_due,
)
from piodesk.moderation.tables import (
    Advice,
    Answer,
    Block,
    Case,
    Consultation,
    Decision,
    Report,
    ResponseRequest,
    Warning_,
)
from piodesk.pages.actions import is_usable
from piodesk.pages.tables import Page

#: Finds the connector that reaches a page's platform (the web app passes ``connector_for``).
Connect = Callable[[Page], Connector]

_COMMENT_KINDS = (ItemKind.COMMENT.value, ItemKind.REPLY.value)


def _case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no moderation case {case_id}")
    return case


def may_view_case(session: Session, case: Case, actor: Actor) -> bool:
    """The PIO office and the auditor see every case; counsel sees the ones sent to them."""
    if actor.can(Perm.MODERATION_VIEW, case.page_id):
        return True
    if actor.can(Perm.MODERATION_ADVISE):
        return (
            session.execute(
                select(Consultation.id).where(Consultation.case_id == case.id).limit(1)
            ).first()
            is not None
        )
    return False


def get_case(session: Session, case_id: int, *, actor: Actor) -> Case:
    """One case, for those who may see it."""
    case = _case(session, case_id)
    if not may_view_case(session, case, actor):
        raise PermissionDenied(
            f"{actor.username} may not see moderation case {case_id}; the PIO office and the "
            "auditor see every case, legal counsel the cases sent to them"
        )
    return case


def _page(session: Session, page_id: int | None) -> Page:
    page = session.get(Page, page_id) if page_id is not None else None
    if page is None:
        raise Conflict("this case is not on one of the department's registered pages")
    return page


def _connector(connect: Connect, page: Page) -> Connector:
    if not is_usable(page):
        raise Conflict(f"page {page.name} is {page.state}: piodesk acts on approved pages only")
    try:
        return connect(page)
    except KeyError as exc:
        raise Conflict(str(exc)) from None
    except CredentialError as exc:
        raise Conflict(
            f"{page.name}: {exc}; reconnect the page (piodesk page connect) and retry"
        ) from None


def _platform(action: Callable[[], None], what: str) -> None:
    try:
        action()
    except ConnectorError as exc:
        raise Conflict(f"the platform refused to {what}: {exc}; nothing was recorded") from None


def _unsupported(platform: str, what: str, hint: str = "") -> InvalidInput:
    return InvalidInput(f"{platform} does not let piodesk {what}{'; ' + hint if hint else ''}")


def record_state(
    session: Session,
    item: ArchiveItem,
    *,
    changes: dict[str, Any],
    drop: tuple[str, ...] = (),
    observation: dict[str, Any],
    source: str,
) -> int | None:
    """Add a version to an archived record saying what piodesk did to it on the platform.

    The new version repeats the last one's text and author, with ``changes`` applied to its
    fields, and an observation (what, who, why) as its raw payload: the archive keeps the
    comment with every version, including the one that says it was removed and by which case.
    """
    last = head_version(session, item)
    fields = {k: v for k, v in last.fields.items() if k not in drop}
    fields.update(changes)
    captured = observed(
        item,
        last,
        fields=fields,
        observation={**observation, "recorded_at": clock.now().isoformat()},
    )
    report = capture(session, [captured], source=source, page_id=item.page_id)
    if not report.new_versions:
        return None
    return session.execute(
        select(ArchiveVersion.seq).where(
            ArchiveVersion.item_id == item.id, ArchiveVersion.version == item.head_version + 1
        )
    ).scalar_one()


# ---- decisions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """What a decision will ask of the platform, worked out before anything happens."""

    case_id: int
    page_id: int | None
    item_id: int | None
    platform_id: str | None
    kind: str | None
    effect: str


def _plan(
    session: Session, case: Case, action: Action, connector: Connector | None
) -> tuple[str, Callable[[], None] | None]:
    """The platform call for a decision, or a clear refusal if the platform cannot do it."""
    if action is Action.KEEP:
        return "none: the comment stays up", None
    item = session.get(ArchiveItem, case.item_id) if case.item_id else None
    if item is None or connector is None:
        raise InvalidInput(
            "the reported link is not a record piodesk has captured, so piodesk cannot act on "
            "it on the platform; keep it (no violation) or capture the page first"
        )
    caps = connector.capabilities
    platform = item.platform
    if item.kind == ItemKind.POST.value:
        if action is Action.HIDE:
            raise _unsupported(platform, "hide a post", "remove it, or keep it")
        if Capability.DELETE_POST not in caps:
            raise _unsupported(platform, "delete a post")
        return f"{platform}: post {item.platform_id} deleted", lambda: connector.delete_post(
            item.platform_id
        )
    if action is Action.HIDE:
        if Capability.HIDE_COMMENT not in caps:
            raise _unsupported(platform, "hide a comment", "remove it, or keep it")
        return f"{platform}: comment {item.platform_id} hidden", lambda: connector.hide_comment(
            item.platform_id
        )
    if Capability.DELETE_COMMENT not in caps:
        raise _unsupported(platform, "remove a comment")
    return f"{platform}: comment {item.platform_id} deleted", lambda: connector.delete_comment(
        item.platform_id
    )


def decide(
    sessions: sessionmaker[Session],
    case_id: int,
    *,
    action: Action | str,
    reason: str,
    note: str,
    actor: Actor,
    connect: Connect,
) -> Decision:
    """Keep, hide or remove the comment of a case, for the §.20 reason given (PIO office)."""
    action, reason, note = check_decision(action, reason, note)
    with reading(sessions) as session:
        case = _case(session, case_id)
        require(actor, Perm.MODERATION_DECIDE, case.page_id)
        if case.state == CaseState.CLOSED.value:
            raise Conflict(
                f"case {case_id} was already decided ({case.outcome}); a hidden or removed "
                "comment can be restored, and a new report or edit opens a new case"
            )
        connector = None
        if action is not Action.KEEP and case.item_id is not None:
            connector = _connector(connect, _page(session, case.page_id))
        effect, call = _plan(session, case, action, connector)
    if call is not None:
        _platform(call, f"{action.value} the comment")
    with transaction(sessions) as session:
        case = _case(session, case_id)
        counsel_pending = case.state == CaseState.WITH_COUNSEL.value
        # Another PIO may have decided the same case while the platform was being asked. The
        # platform has now done what this decision asked, so it is recorded all the same — as
        # the latest decision, marked as concurrent — rather than leaving the record saying
        # something other than what the public sees.
        concurrent_with = None
        if case.state == CaseState.CLOSED.value:
            concurrent_with = session.execute(
                select(Decision.id)
                .where(Decision.case_id == case.id)
                .order_by(Decision.id.desc())
                .limit(1)
            ).scalar()
        else:
            CASE_LIFECYCLE.check(CaseState(case.state), CaseState.CLOSED)
        seq = None
        if action is not Action.KEEP and case.item_id is not None:
            item = session.get(ArchiveItem, case.item_id)
            assert item is not None
            changes = {"hidden": True} if action is Action.HIDE else {"removed": True}
            seq = record_state(
                session,
                item,
                changes=changes,
                observation={
                    "observation": f"{action.value} decided in piodesk",
                    "case": case.id,
                    "reason": reason,
                    "decided_by": actor.username,
                    "platform_effect": effect,
                },
                source=f"moderation:case:{case.id}",
            )
        now = clock.now()
        decision = Decision(
            case_id=case.id,
            action=action.value,
            reason=reason,
            note=note,
            actor_id=actor.account_id,
            actor_name=actor.username,
            decided_at=now,
            platform_effect=effect[:300],
            counsel_pending=counsel_pending,
            archive_seq=seq,
        )
        session.add(decision)
        case.state, case.outcome, case.decided_at = (
            CaseState.CLOSED.value,
            OUTCOME_OF[action].value,
            now,
        )
        case.first_decided_at = case.first_decided_at or now
        session.flush()
        audit.record(
            session,
            actor,
            f"moderation:{action.value}",
            "case",
            case.id,
            reason=note or REASONS[reason],
            section="§.20",
            data={
                "decision_id": decision.id,
                "reason": reason,
                "item_id": case.item_id,
                "platform_effect": effect,
                "archive_seq": seq,
                "counsel_pending": counsel_pending,
                "concurrent_with_decision": concurrent_with,
            },
        )
        return decision


def restore(
    sessions: sessionmaker[Session], case_id: int, *, note: str, actor: Actor, connect: Connect
) -> Decision:
    """Put a hidden or removed comment back on the page (the case's history stays)."""
    note = clean_note("the reason for restoring", note, required=True)
    with reading(sessions) as session:
        case = _case(session, case_id)
        require(actor, Perm.MODERATION_DECIDE, case.page_id)
        if case.outcome not in (Outcome.HIDDEN.value, Outcome.REMOVED.value):
            raise Conflict(f"case {case_id} is not hidden or removed; there is nothing to restore")
        item = session.get(ArchiveItem, case.item_id) if case.item_id else None
        if item is None:
            raise Conflict(f"case {case_id} has no archived record to restore")
        connector = _connector(connect, _page(session, case.page_id))
        caps, pid = connector.capabilities, item.platform_id
        if case.outcome == Outcome.HIDDEN.value:
            if Capability.UNHIDE_COMMENT not in caps:
                raise _unsupported(item.platform, "show a hidden comment again")
            effect, call = (
                f"{item.platform}: comment {pid} shown again",
                (lambda: connector.unhide_comment(pid)),
            )
        else:
            if Capability.RESTORE_COMMENT not in caps:
                raise _unsupported(
                    item.platform,
                    "bring back a deleted comment",
                    "the archive keeps every version of it",
                )
            effect, call = (
                f"{item.platform}: comment {pid} restored",
                (lambda: connector.restore_comment(pid)),
            )
    _platform(call, "restore the comment")
    with transaction(sessions) as session:
        case = _case(session, case_id)
        item = session.get(ArchiveItem, case.item_id)
        assert item is not None
        seq = record_state(
            session,
            item,
            changes={},
            drop=("hidden", "removed", "deleted"),
            observation={
                "observation": "restored in piodesk",
                "case": case.id,
                "restored_by": actor.username,
                "platform_effect": effect,
            },
            source=f"moderation:case:{case.id}",
        )
        now = clock.now()
        decision = Decision(
            case_id=case.id,
            action="restore",
            reason=NO_VIOLATION,
            note=note,
            actor_id=actor.account_id,
            actor_name=actor.username,
            decided_at=now,
            platform_effect=effect[:300],
            counsel_pending=False,
            archive_seq=seq,
        )
        session.add(decision)
        case.outcome, case.decided_at = Outcome.RESTORED.value, now
        session.flush()
        audit.record(
            session,
            actor,
            "moderation:restore",
            "case",
            case.id,
            reason=note,
            section="§.20",
            data={"decision_id": decision.id, "platform_effect": effect, "archive_seq": seq},
        )
        return decision


# ---- legal counsel ---------------------------------------------------------------------------


def consult(session: Session, case_id: int, *, question: str, actor: Actor) -> Consultation:
    """Send a case to legal counsel before deciding (§.20); the decision stays with the PIO."""
    question = clean_note("the question for counsel", question, required=True)
    case = _case(session, case_id)
    require(actor, Perm.MODERATION_CONSULT, case.page_id)
    case.state = CASE_LIFECYCLE.check(CaseState(case.state), CaseState.WITH_COUNSEL).value
    consultation = Consultation(
        case_id=case.id,
        question=question,
        asked_by=actor.account_id,
        asked_by_name=actor.username,
        asked_at=clock.now(),
    )
    session.add(consultation)
    session.flush()
    audit.record(
        session,
        actor,
        "moderation:consult",
        "case",
        case.id,
        reason=question,
        section="§.20",
        data={"consultation_id": consultation.id},
    )
    return consultation


ADVICE_RECOMMENDS = ("keep", "hide", "remove", "none")


def advise(
    session: Session,
    consultation_id: int,
    *,
    advice: str,
    recommends: str = "none",
    concurs_block: bool = False,
    actor: Actor,
) -> Advice:
    """Legal counsel answers a consultation; the case goes back to the PIO to decide."""
    require(actor, Perm.MODERATION_ADVISE)
    advice = clean_note("the advice", advice, required=True)
    if recommends not in ADVICE_RECOMMENDS:
        raise InvalidInput(f"recommendation must be one of {', '.join(ADVICE_RECOMMENDS)}")
    consultation = session.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound(f"no consultation {consultation_id}")
    if session.execute(select(Advice.id).where(Advice.consultation_id == consultation_id)).first():
        raise Conflict(f"consultation {consultation_id} was already answered")
    case = _case(session, consultation.case_id)
    answer = Advice(
        consultation_id=consultation_id,
        advice=advice,
        recommends=recommends,
        concurs_block=concurs_block,
        advised_by=actor.account_id,
        advised_by_name=actor.username,
        advised_at=clock.now(),
    )
    session.add(answer)
    if case.state == CaseState.WITH_COUNSEL.value:
        case.state = CaseState.OPEN.value
    session.flush()
    audit.record(
        session,
        actor,
        "moderation:advise",
        "case",
        case.id,
        reason=advice,
        section="§.20",
        data={
            "consultation_id": consultation_id,
            "advice_id": answer.id,
            "recommends": recommends,
            "concurs_block": concurs_block,
        },
    )
    return answer


# ---- warnings and blocks ---------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """Someone who commented on a department page, as the platform names them."""

    page_id: int
    platform: str
    person_id: str
    name: str | None


def person_of_case(session: Session, case_id: int) -> Person:
    """The author of a case's comment."""
    case = _case(session, case_id)
    if case.page_id is None or not case.author_platform_id or not case.platform:
        raise Conflict(f"case {case_id} has no known author on a department page")
    return Person(case.page_id, case.platform, case.author_platform_id, case.author_name)


def _category(value: str) -> str:
    if value not in REASONS or value == NO_VIOLATION:
        raise InvalidInput(
            f"a warning or block rests on one of the eight §.20 categories (got '{value[:40]}')"
        )
    return value


def warning_text(page: Page, category: str, explanation: str) -> str:
    """The message the person receives."""
    return (
        f"A message from {page.name}: a comment of yours was reviewed under the department's "
        f"social media policy (GO 409 §.20: {REASONS[category].lower()}). {explanation} "
        "Comments of this kind may be hidden or removed, and repeated ones may lead to a block "
        "from commenting on this page."
    )


def warn(
    sessions: sessionmaker[Session],
    *,
    case_id: int,
    category: str,
    explanation: str,
    actor: Actor,
    connect: Connect,
) -> Warning_:
    """Warn the author of a case's comment, with an explanation (§.20). Delivered through the
    platform where it can send a private message; recorded either way."""
    category = _category(category)
    explanation = clean_note("the explanation", explanation, required=True)
    with reading(sessions) as session:
        person = person_of_case(session, case_id)
        require(actor, Perm.PERSON_WARN, person.page_id)
        page = _page(session, person.page_id)
        connector = _connector(connect, page)
        text = warning_text(page, category, explanation)
    if Capability.SEND_MESSAGE in connector.capabilities:
        try:
            connector.send_message(person.person_id, text)
            delivered, delivery = True, f"sent as a private message on {person.platform}"
        except ConnectorError as exc:
            delivered, delivery = False, f"not delivered: {exc}"[:300]
    else:
        delivered, delivery = (
            False,
            f"not delivered: {person.platform} offers piodesk no private messages; "
            "deliver it another way and note how",
        )
    with transaction(sessions) as session:
        warning = Warning_(
            page_id=person.page_id,
            platform=person.platform,
            person_id=person.person_id,
            person_name=person.name,
            case_id=case_id,
            category=category,
            explanation=explanation,
            delivery=delivery,
            delivered=delivered,
            actor_id=actor.account_id,
            actor_name=actor.username,
            warned_at=clock.now(),
        )
        session.add(warning)
        session.flush()
        audit.record(
            session,
            actor,
            "moderation:warn",
            "person",
            f"{person.platform}:{person.person_id}",
            reason=explanation,
            section="§.20",
            data={
                "warning_id": warning.id,
                "case_id": case_id,
                "category": category,
                "delivered": delivered,
                "delivery": delivery,
            },
        )
        return warning


def block_grounds(
    session: Session, person: Person, concurrence_id: int | None = None
) -> BlockGrounds:
    """The warning on record for this person, or counsel's concurrence with blocking them."""
    warning_id = session.execute(
        select(Warning_.id)
        .where(Warning_.platform == person.platform, Warning_.person_id == person.person_id)
        .order_by(Warning_.id.desc())
        .limit(1)
    ).scalar()
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
    return BlockGrounds(warning_id, concurrence)


def concurrences_for(session: Session, person: Person) -> list[Advice]:
    """Counsel's advice concurring with blocking this person without a warning."""
    return list(
        session.execute(
            select(Advice)
            .join(Consultation, Consultation.id == Advice.consultation_id)
            .join(Case, Case.id == Consultation.case_id)
            .where(
                Advice.concurs_block.is_(True),
                Case.platform == person.platform,
                Case.author_platform_id == person.person_id,
            )
            .order_by(Advice.id.desc())
        ).scalars()
    )


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
    category = _category(category)
    reason = clean_note("the reason for the block", reason, required=True)
    with reading(sessions) as session:
        person = person_of_case(session, case_id)
        require(actor, Perm.PERSON_BLOCK, person.page_id)
        grounds = block_grounds(session, person, concurrence_id)
        check_block_grounds(grounds)
        if active_block(session, person) is not None:
            raise Conflict(f"{person.name or person.person_id} is already blocked on this page")
        connector = _connector(connect, _page(session, person.page_id))
        if Capability.BLOCK not in connector.capabilities:
            raise _unsupported(person.platform, "block a person")
    _platform(lambda: connector.block(person.person_id), "block the person")
    with transaction(sessions) as session:
        now = clock.now()
        row = Block(
            page_id=person.page_id,
            platform=person.platform,
            person_id=person.person_id,
            person_name=person.name,
            case_id=case_id,
            category=category,
            reason=reason,
            warning_id=grounds.warning_id,
            concurrence_id=grounds.concurrence_id,
            actor_id=actor.account_id,
            actor_name=actor.username,
            blocked_at=now,
            review_due_at=review_due(now, review_days),
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            "moderation:block",
            "person",
            f"{person.platform}:{person.person_id}",
            reason=reason,
            section="§.20",
            data={
                "block_id": row.id,
                "page_id": person.page_id,
                "case_id": case_id,
                "category": category,
                "warning_id": grounds.warning_id,
                "concurrence_id": grounds.concurrence_id,
                "review_due_at": row.review_due_at.isoformat(),
            },
        )
        return row


def active_block(session: Session, person: Person) -> Block | None:
    """The block of this person on their page that is in force, if any."""
    return session.execute(
        select(Block).where(
            Block.page_id == person.page_id,
            Block.platform == person.platform,
            Block.person_id == person.person_id,
            Block.lifted_at.is_(None),
        )
    ).scalar_one_or_none()


def _block(session: Session, block_id: int) -> Block:
    row = session.get(Block, block_id)
    if row is None:
        raise NotFound(f"no block {block_id}")
    return row


def lift_block(
    sessions: sessionmaker[Session], block_id: int, *, reason: str, actor: Actor, connect: Connect
) -> Block:
    """Lift a block: the person may comment again; the block stays on record."""
    reason = clean_note("the reason for lifting the block", reason, required=True)
    with reading(sessions) as session:
        row = _block(session, block_id)
        require(actor, Perm.PERSON_BLOCK, row.page_id)
        if row.lifted_at is not None:
            raise Conflict(f"block {block_id} was already lifted")
        connector = _connector(connect, _page(session, row.page_id))
        if Capability.UNBLOCK not in connector.capabilities:
            raise _unsupported(row.platform, "lift a block")
        person_id = row.person_id
    _platform(lambda: connector.unblock(person_id), "lift the block")
    with transaction(sessions) as session:
        row = _block(session, block_id)
        row.lifted_at, row.lifted_by_name, row.lift_reason = clock.now(), actor.username, reason
        session.flush()
        audit.record(
            session,
            actor,
            "moderation:lift_block",
            "person",
            f"{row.platform}:{row.person_id}",
            reason=reason,
            section="§.20",
            data={"block_id": row.id, "page_id": row.page_id},
        )
        return row


def review_block(
    session: Session, block_id: int, *, note: str, actor: Actor, review_days: int
) -> Block:
    """Review a block that came due and keep it in force until the next review."""
    note = clean_note("the review note", note, required=True)
    row = _block(session, block_id)
    require(actor, Perm.PERSON_BLOCK, row.page_id)
    if row.lifted_at is not None:
        raise Conflict(f"block {block_id} was lifted; there is nothing to review")
    now = clock.now()
    row.reviewed_at, row.review_due_at = now, review_due(now, review_days)
    session.flush()
    audit.record(
        session,
        actor,
        "moderation:review_block",
        "person",
        f"{row.platform}:{row.person_id}",
        reason=note,
        section="§.20",
        data={"block_id": row.id, "next_review": row.review_due_at.isoformat()},
    )
    return row


# ---- employee reports (§.22) -----------------------------------------------------------------

# Links to a record on each platform: the platform, and the id (and kind, where the link says).
_LINKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "sandbox",
        re.compile(r"/sandbox/[\w.%-]+/?[^#\s]*#(?P<kind>comment|post)-(?P<id>\d{1,18})\b"),
    ),
    ("mastodon", re.compile(r"^https?://[^/\s]+/@[\w.@-]+/(?P<id>\d{1,24})\b")),
    ("x", re.compile(r"^https?://(?:www\.)?(?:x|twitter)\.com/\w+/status/(?P<id>\d{1,24})\b")),
    (
        "facebook",
        re.compile(r"^https?://(?:www\.|m\.)?facebook\.com/.*[?&]comment_id=(?P<id>\d{1,24})"),
    ),
)


def resolve_link(session: Session, url: str) -> ArchiveItem | None:
    """The archived post or comment a platform link points at, if piodesk captured it."""
    for platform, pattern in _LINKS:
        match = pattern.search(url)
        if not match:
            continue
        platform_id = match.group("id")
        kind = match.groupdict().get("kind")
        q = select(ArchiveItem).where(ArchiveItem.platform == platform)
        if kind == "post":
            q = q.where(ArchiveItem.kind == ItemKind.POST.value)
        elif kind == "comment" or platform == "facebook":
            q = q.where(ArchiveItem.kind.in_(_COMMENT_KINDS))
        if platform == "facebook":
            # Graph comment ids are "<post>_<comment>"; the link carries the comment part.
            q = q.where(
                (ArchiveItem.platform_id == platform_id)
                | ArchiveItem.platform_id.like(f"%\\_{platform_id}", escape="\\")
            )
        else:
            q = q.where(ArchiveItem.platform_id == platform_id)
        return session.execute(q.order_by(ArchiveItem.id).limit(1)).scalar_one_or_none()
    return None


def file_report(
    session: Session,
    *,
    reason: str,
    actor: Actor,
    item_id: int | None = None,
    url: str | None = None,
    category: str | None = None,
) -> Report:
    """An employee reports a post or comment to the PIO (§.22): by a link or an archive record.

    The report joins the open case of that record if there is one, or opens a case.
    """
    require(actor, Perm.REPORT_FILE)
    reason = clean_note("the reason for the report", reason, required=True)
    url = (url or "").strip() or None
    if category is not None and category not in REASONS:
        raise InvalidInput(f"unknown category '{category[:40]}'")
    if category == NO_VIOLATION:
        category = None
    if (item_id is None) == (url is None):
        raise InvalidInput("report either a link to the post or comment, or an archive record")
    item: ArchiveItem | None = None
    if url is not None:
        if len(url) > 1000 or not url.lower().startswith(("http://", "https://", "/")):
            raise InvalidInput("the link must be a web address (http:// or https://)")
        item = resolve_link(session, url)
    else:
        item = session.get(ArchiveItem, item_id)
        if item is None:
            raise NotFound(f"no archive record {item_id}")
    case = None
    if item is not None:
        case = session.execute(
            select(Case)
            .where(Case.item_id == item.id, Case.state != CaseState.CLOSED.value)
            .order_by(Case.id.desc())
            .limit(1)
        ).scalar_one_or_none()
    now = clock.now()
    opened = case is None
    if case is None:
        case = Case(
            page_id=item.page_id if item else None,
            item_id=item.id if item else None,
            url=url,
            platform=item.platform if item else None,
            kind=item.kind if item else None,
            author_platform_id=item.author_platform_id if item else None,
            author_name=item.author_name if item else None,
            source=CaseSource.REPORT.value,
            captured_at=item.first_captured_at if item else None,
            opened_at=now,
            state=CaseState.OPEN.value,
        )
        session.add(case)
        session.flush()
    if category:
        add_categories(session, case.id, {category})
    report = Report(
        reporter_id=actor.account_id,
        reporter_name=actor.username,
        item_id=item.id if item else None,
        url=url,
        category=category,
        reason=reason,
        case_id=case.id,
        reported_at=now,
    )
    session.add(report)
    session.flush()
    audit.record(
        session,
        actor,
        "moderation:report",
        "case",
        case.id,
        reason=reason,
        section="§.22",
        data={
            "report_id": report.id,
            "item_id": report.item_id,
            "url": url,
            "category": category,
            "opened_case": opened,
        },
    )
    return report


# ---- needs response (§.12) -------------------------------------------------------------------

ANSWER_OUTCOMES = ("answered", "no_response")


def answer(session: Session, request_id: int, *, outcome: str, note: str, actor: Actor) -> Answer:
    """Record who answered a comment's question, when and how (or why no answer is due)."""
    if outcome not in ANSWER_OUTCOMES:
        raise InvalidInput("outcome is 'answered' or 'no_response'")
    note = clean_note("how it was answered", note, required=True, minimum=3)
    request = session.get(ResponseRequest, request_id)
    if request is None:
        raise NotFound(f"no response request {request_id}")
    require(actor, Perm.RESPONSE_ANSWER, request.page_id)
    if request.state != "open":
        raise Conflict(f"request {request_id} was already closed ({request.state})")
    now = clock.now()
    row = Answer(
        request_id=request.id,
        outcome=outcome,
        note=note,
        actor_id=actor.account_id,
        actor_name=actor.username,
        answered_at=now,
    )
    session.add(row)
    request.state, request.answered_at = outcome, now
    session.flush()
    audit.record(
        session,
        actor,
        "moderation:answer",
        "response_request",
        request.id,
        reason=note,
        section="§.12",
        data={"item_id": request.item_id, "outcome": outcome, "answer_id": row.id},
    )
    return row
