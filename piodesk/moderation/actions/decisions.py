"""Decisions on a case: keep, hide or remove its comment (§.20), and restore it."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.tables import ArchiveItem
from piodesk.connectors.base import Connector
from piodesk.connectors.model import Capability, ItemKind
from piodesk.core import audit, clock
from piodesk.core.db import reading, transaction
from piodesk.core.errors import Conflict, InvalidInput
from piodesk.core.permissions import Actor, Perm, require
from piodesk.moderation.actions._common import (
    Connect,
    ask_platform,
    connector_of,
    record_state,
    registered_page,
    unsupported,
)
from piodesk.moderation.model import (
    CASE_LIFECYCLE,
    NO_VIOLATION,
    OUTCOME_OF,
    REASONS,
    Action,
    CaseState,
    Outcome,
    check_decision,
    clean_note,
)
from piodesk.moderation.queries import find_case
from piodesk.moderation.tables import (
    Case,
    Decision,
)


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
            raise unsupported(platform, "hide a post", "remove it, or keep it")
        if Capability.DELETE_POST not in caps:
            raise unsupported(platform, "delete a post")
        return f"{platform}: post {item.platform_id} deleted", lambda: connector.delete_post(
            item.platform_id
        )
    if action is Action.HIDE:
        if Capability.HIDE_COMMENT not in caps:
            raise unsupported(platform, "hide a comment", "remove it, or keep it")
        return f"{platform}: comment {item.platform_id} hidden", lambda: connector.hide_comment(
            item.platform_id
        )
    if Capability.DELETE_COMMENT not in caps:
        raise unsupported(platform, "remove a comment")
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
        case = find_case(session, case_id)
        require(actor, Perm.MODERATION_DECIDE, case.page_id)
        if case.state == CaseState.CLOSED.value:
            raise Conflict(
                f"case {case_id} was already decided ({case.outcome}); a hidden or removed "
                "comment can be restored, and a new report or edit opens a new case"
            )
        connector = None
        if action is not Action.KEEP and case.item_id is not None:
            connector = connector_of(connect, registered_page(session, case.page_id))
        effect, call = _plan(session, case, action, connector)
    if call is not None:
        ask_platform(call, f"{action.value} the comment")
    with transaction(sessions) as session:
        case = find_case(session, case_id)
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
        case = find_case(session, case_id)
        require(actor, Perm.MODERATION_DECIDE, case.page_id)
        if case.outcome not in (Outcome.HIDDEN.value, Outcome.REMOVED.value):
            raise Conflict(f"case {case_id} is not hidden or removed; there is nothing to restore")
        item = session.get(ArchiveItem, case.item_id) if case.item_id else None
        if item is None:
            raise Conflict(f"case {case_id} has no archived record to restore")
        connector = connector_of(connect, registered_page(session, case.page_id))
        caps, pid = connector.capabilities, item.platform_id
        if case.outcome == Outcome.HIDDEN.value:
            if Capability.UNHIDE_COMMENT not in caps:
                raise unsupported(item.platform, "show a hidden comment again")
            effect, call = (
                f"{item.platform}: comment {pid} shown again",
                (lambda: connector.unhide_comment(pid)),
            )
        else:
            if Capability.RESTORE_COMMENT not in caps:
                raise unsupported(
                    item.platform,
                    "bring back a deleted comment",
                    "the archive keeps every version of it",
                )
            effect, call = (
                f"{item.platform}: comment {pid} restored",
                (lambda: connector.restore_comment(pid)),
            )
    ask_platform(call, "restore the comment")
    with transaction(sessions) as session:
        case = find_case(session, case_id)
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
