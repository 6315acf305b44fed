"""Decisions on a case: keep, hide or remove its comment (§.20), and restore it.

Hiding, removing and restoring change the platform, so they go through the platform-action
primitive (``connectors.intents.perform``): the intent is recorded before the platform is
asked, and the decision after, by the recorders below — which the reconciler also uses to
finish a decision a crash left unrecorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.tables import ArchiveItem
from piodesk.connectors import intents
from piodesk.connectors.base import Connector
from piodesk.connectors.intents import Intent, Kind
from piodesk.connectors.model import Capability, ItemKind
from piodesk.connectors.tables import PlatformAction
from piodesk.core import audit, clock, tags
from piodesk.core.db import reading, transaction
from piodesk.core.errors import Conflict, InvalidInput
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_text
from piodesk.moderation.actions._common import (
    Connect,
    connector_of,
    record_state,
    registered_page,
    unsupported,
)
from piodesk.moderation.model import (
    CASE_LIFECYCLE,
    CONCURRENCE_MODES,
    MAX_NOTE,
    MIN_EXPLANATION,
    OUTCOME_OF,
    REASONS,
    RESTORE_REASONS,
    Action,
    CaseState,
    Guard,
    Outcome,
    check_decision,
    viewpoint_guard,
)
from piodesk.moderation.queries import find_case, found_categories
from piodesk.moderation.tables import Advice, Case, Concurrence, Consultation, Decision, Proposal


class HeldForSecond(Conflict):
    """A hide or removal the viewpoint guard holds for a second person (§.20)."""

    def __init__(self, message: str, guard: list[tuple[Guard, str]]) -> None:
        super().__init__(message)
        self.guard = guard


def _who_concurs(mode: str) -> str:
    return {
        "counsel": "legal counsel's concurrence",
        "pio": "a second PIO's concurrence",
    }.get(mode, "legal counsel's concurrence or a second PIO's")


def held_message(guard: list[tuple[Guard, str]], mode: str) -> str:
    """What the PIO reads when the guard holds a decision."""
    why = "; ".join(text for _, text in guard)
    return (
        f"Held by the viewpoint guard: {why}. Criticism, opinion and tone are protected speech "
        f"(§.20, First Amendment), so this hide or removal needs {_who_concurs(mode)}. Send it "
        "for a second look, ask counsel, or keep the comment."
    )


def concurrence_for(
    session: Session, case: Case, action: Action, reason: str, mode: str
) -> dict[str, Any] | None:
    """The second person standing behind this hide or removal of this case's comment, as the
    decision's audit event names it (None: nobody)."""
    rows = session.execute(
        select(Concurrence.id, Concurrence.role, Proposal.id)
        .join(Proposal, Proposal.id == Concurrence.proposal_id)
        .where(
            Proposal.case_id == case.id,
            Proposal.action == action.value,
            Proposal.reason == reason,
            Concurrence.verdict == "concur",
        )
        .order_by(Concurrence.id.desc())
    ).all()
    for concurrence_id, role, proposal_id in rows:
        if (role == "legal_counsel" and mode != "pio") or (role == "pio" and mode != "counsel"):
            return {"concurrence_id": concurrence_id, "role": role, "proposal_id": proposal_id}
    if mode == "pio":
        return None
    # Counsel's advice on this case recommending this action (or removal, for a hide).
    allowed = (action.value, "remove") if action is Action.HIDE else (action.value,)
    advice_id = session.execute(
        select(Advice.id)
        .join(Consultation, Consultation.id == Advice.consultation_id)
        .where(Consultation.case_id == case.id, Advice.recommends.in_(allowed))
        .order_by(Advice.id.desc())
        .limit(1)
    ).scalar()
    return {"advice_id": advice_id, "role": "legal_counsel"} if advice_id else None


def check_guard(
    session: Session, case: Case, action: Action, reason: str, note: str, mode: str
) -> list[tuple[Guard, str]]:
    """What the viewpoint guard says of this decision, once a concurrence is taken into account:
    empty when it may go ahead."""
    if mode not in CONCURRENCE_MODES:
        raise InvalidInput(f"unknown concurrence setting '{mode[:20]}'")
    if case.kind == "post":
        return []  # the department's own post is its own speech, not a visitor's
    guard = viewpoint_guard(action, reason, note, found_categories(session, case))
    if guard and concurrence_for(session, case, action, reason, mode) is not None:
        return []
    return guard


#: The audit action of each decision.
_DECISION_TAG: dict[Action, tags.Moderation] = {
    Action.KEEP: tags.Moderation.KEEP,
    Action.HIDE: tags.Moderation.HIDE,
    Action.REMOVE: tags.Moderation.REMOVE,
}


def _plan(
    session: Session, case: Case, action: Action, connector: Connector | None
) -> tuple[str, Kind | None, str, Callable[[], None] | None]:
    """The platform call for a decision (effect, kind, target, call), or a clear refusal."""
    if action is Action.KEEP:
        return "none: the comment stays up", None, "", None
    item = session.get(ArchiveItem, case.item_id) if case.item_id else None
    if item is None or connector is None:
        raise InvalidInput(
            "the reported link is not a record piodesk has captured, so piodesk cannot act on "
            "it on the platform; keep it (no violation) or capture the page first"
        )
    caps = connector.capabilities
    platform, pid = item.platform, item.platform_id
    if item.kind == ItemKind.POST.value:
        if action is Action.HIDE:
            raise unsupported(platform, "hide a post", "remove it, or keep it")
        if Capability.DELETE_POST not in caps:
            raise unsupported(platform, "delete a post")
        return (
            f"{platform}: post {pid} deleted",
            Kind.DELETE_POST,
            pid,
            lambda: connector.delete_post(pid),
        )
    if action is Action.HIDE:
        if Capability.HIDE_COMMENT not in caps:
            raise unsupported(platform, "hide a comment", "remove it, or keep it")
        return (
            f"{platform}: comment {pid} hidden",
            Kind.HIDE_COMMENT,
            pid,
            lambda: connector.hide_comment(pid),
        )
    if Capability.DELETE_COMMENT not in caps:
        raise unsupported(platform, "remove a comment")
    return (
        f"{platform}: comment {pid} deleted",
        Kind.DELETE_COMMENT,
        pid,
        lambda: connector.delete_comment(pid),
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
    guard_mode: str = "counsel_or_pio",
) -> Decision:
    """Keep, hide or remove the comment of a case, for the §.20 reason given (PIO office).

    A hide or removal for a category screening did not find, or with a note about opinion,
    tone or disrespect, is refused (:class:`HeldForSecond`) until a second person concurs
    (``guard_mode``: PIODESK_VIEWPOINT_CONCURRENCE): see :func:`hold`.
    """
    action, reason, note = check_decision(action, reason, note)
    with reading(sessions) as session:
        case = find_case(session, case_id)
        require(actor, Perm.MODERATION_DECIDE, case.page_id)
        if case.state == CaseState.CLOSED.value:
            raise Conflict(
                f"case {case_id} was already decided ({case.outcome}); a hidden or removed "
                "comment can be restored, and a decided case reopened with a reason"
            )
        connector = None
        if action is not Action.KEEP and case.item_id is not None:
            connector = connector_of(connect, registered_page(session, case.page_id))
        effect, kind, target, call = _plan(session, case, action, connector)
        guard = check_guard(session, case, action, reason, note, guard_mode)
        if guard:
            raise HeldForSecond(held_message(guard, guard_mode), guard)
        # What the guard would have said, and who concurred: the decision's event names both.
        held = (
            []
            if case.kind == "post"
            else viewpoint_guard(action, reason, note, found_categories(session, case))
        )
        basis = concurrence_for(session, case, action, reason, guard_mode) if held else None
        page_id, platform = case.page_id, case.platform
    params = {
        "action": action.value,
        "reason": reason,
        "note": note,
        "effect": effect,
        "viewpoint_guard": [g.value for g, _ in held],
        "concurrence": basis,
    }
    if call is None or kind is None or page_id is None:
        with transaction(sessions) as session:
            return _write_decision(session, case_id, params, actor, None)
    intent = Intent(
        purpose="moderation:decide",
        kind=kind,
        page_id=page_id,
        platform=platform or "",
        target=target,
        subject_type="case",
        subject_id=str(case_id),
        reason=note or REASONS[reason],
        params=params,
    )
    decision: Decision = intents.perform(
        sessions,
        intent,
        actor=actor,
        check=lambda s: _check_decide(s, case_id),
        call=call,
        what=f"{action.value} the comment",
        effect=effect,
    )
    return decision


def _tell_reporters(session: Session, case: Case, outcome: str) -> None:
    """Each employee who reported the case hears what became of it (in-app)."""
    from piodesk.moderation.actions import notifications
    from piodesk.moderation.tables import Report

    reporters = session.execute(
        select(Report.reporter_id).where(Report.case_id == case.id).distinct()
    ).scalars()
    for account_id in reporters:
        if account_id is not None:
            notifications.notify(
                session, account_id, f"The comment you reported was {outcome}", "/reports"
            )


def _check_decide(session: Session, case_id: int) -> None:
    # Only that the case is still there: another PIO deciding the same case while the platform
    # is asked is recorded as a concurrent decision (below), because the platform has done it.
    find_case(session, case_id)


def _write_decision(
    session: Session,
    case_id: int,
    params: dict[str, Any],
    actor: Actor,
    platform_action_id: int | None,
) -> Decision:
    """The decision's rows and audit event (after the platform did it, if it was asked)."""
    action, reason, note, effect = (
        Action(params["action"]),
        params["reason"],
        params["note"],
        params["effect"],
    )
    case = find_case(session, case_id)
    counsel_pending = case.state == CaseState.WITH_COUNSEL.value
    # Another PIO may have decided the same case while the platform was being asked. The
    # platform has now done what this decision asked, so it is recorded all the same — as
    # the latest decision, marked as concurrent — rather than leaving the record saying
    # something other than what the public sees.
    concurrent_with = None
    if case.state == CaseState.CLOSED.value:
        if action is Action.KEEP:
            raise Conflict(f"case {case_id} was already decided ({case.outcome})")
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
    _tell_reporters(session, case, f"{OUTCOME_OF[action].value}")
    case.first_decided_at = case.first_decided_at or now
    session.flush()
    audit.record(
        session,
        actor,
        _DECISION_TAG[action],
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
            "platform_action_id": platform_action_id,
            # Held by the viewpoint guard, and the second person who concurred.
            "viewpoint_guard": params.get("viewpoint_guard") or [],
            "concurrence": params.get("concurrence"),
        },
    )
    return decision


def _record_decide(
    session: Session, row: PlatformAction, actor: Actor, delivered: bool | None
) -> Decision:
    return _write_decision(session, int(row.subject_id), row.params, actor, row.id)


def restore(
    sessions: sessionmaker[Session],
    case_id: int,
    *,
    note: str,
    actor: Actor,
    connect: Connect,
    reason: str = "",
) -> Decision:
    """Put a hidden or removed comment back on the page, for its own reason (the case's history
    stays): ``reason`` is one of :data:`RESTORE_REASONS`."""
    if reason not in RESTORE_REASONS:
        raise InvalidInput(
            "say why the comment goes back up: "
            + "; ".join(f"{k} ({v.lower()})" for k, v in RESTORE_REASONS.items())
        )
    note = clean_text(
        "the reason for restoring", note, max_len=MAX_NOTE, required=True, min_len=MIN_EXPLANATION
    )
    with reading(sessions) as session:
        case = find_case(session, case_id)
        require(actor, Perm.MODERATION_DECIDE, case.page_id)
        _check_restorable(session, case_id)
        item = session.get(ArchiveItem, case.item_id) if case.item_id else None
        if item is None or case.page_id is None:
            raise Conflict(f"case {case_id} has no archived record to restore")
        connector = connector_of(connect, registered_page(session, case.page_id))
        caps, pid = connector.capabilities, item.platform_id
        if case.outcome == Outcome.HIDDEN.value:
            if Capability.UNHIDE_COMMENT not in caps:
                raise unsupported(item.platform, "show a hidden comment again")
            effect, kind = f"{item.platform}: comment {pid} shown again", Kind.UNHIDE_COMMENT

            def call() -> None:
                connector.unhide_comment(pid)
        else:
            if Capability.RESTORE_COMMENT not in caps:
                raise unsupported(
                    item.platform,
                    "bring back a deleted comment",
                    "the archive keeps every version of it",
                )
            effect, kind = f"{item.platform}: comment {pid} restored", Kind.RESTORE_COMMENT

            def call() -> None:
                connector.restore_comment(pid)

        intent = Intent(
            purpose="moderation:restore",
            kind=kind,
            page_id=case.page_id,
            platform=item.platform,
            target=pid,
            subject_type="case",
            subject_id=str(case_id),
            reason=note,
            params={
                "note": note,
                "effect": effect,
                "outcome": case.outcome,
                "reason": reason,
            },
        )
    decision: Decision = intents.perform(
        sessions,
        intent,
        actor=actor,
        check=lambda s: _check_restorable(s, case_id),
        call=call,
        what="restore the comment",
        effect=effect,
    )
    return decision


def _check_restorable(session: Session, case_id: int) -> None:
    case = find_case(session, case_id)
    if case.outcome not in (Outcome.HIDDEN.value, Outcome.REMOVED.value):
        raise Conflict(f"case {case_id} is not hidden or removed; there is nothing to restore")


def _record_restore(
    session: Session, row: PlatformAction, actor: Actor, delivered: bool | None
) -> Decision:
    note, effect = row.params["note"], row.params["effect"]
    case = find_case(session, int(row.subject_id))
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
        reason=row.params.get("reason") or "no_violation",
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
    _tell_reporters(session, case, Outcome.RESTORED.value)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Moderation.RESTORE,
        "case",
        case.id,
        reason=note,
        section="§.20",
        data={
            "decision_id": decision.id,
            "restore_reason": decision.reason,
            "platform_effect": effect,
            "archive_seq": seq,
            "platform_action_id": row.id,
        },
    )
    return decision


intents.register_purpose(
    "moderation:decide", _record_decide, lambda s, row: _check_decide(s, int(row.subject_id))
)
intents.register_purpose(
    "moderation:restore",
    _record_restore,
    lambda s, row: _check_restorable(s, int(row.subject_id)),
)
