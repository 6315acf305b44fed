"""The viewpoint guard's second look, and corrections: reopening a decided case (§.20).

A hide or removal the guard holds (:func:`decisions.decide` refuses it) is recorded as a held
decision; a second PIO concurs (and the decision is carried out, by them) or declines (the case
is open again); legal counsel may concur too, and the PIO then decides. Who may concur is the
installation's setting (PIODESK_VIEWPOINT_CONCURRENCE). Nobody concurs with their own proposal.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import audit, clock, tags
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from piodesk.core.permissions import Actor, Perm, Role, require
from piodesk.core.text import clean_text
from piodesk.moderation.actions import notifications
from piodesk.moderation.actions._common import Connect
from piodesk.moderation.actions.decisions import check_guard, decide
from piodesk.moderation.model import (
    CASE_LIFECYCLE,
    CONCURRENCE_MODES,
    MAX_NOTE,
    MIN_EXPLANATION,
    Action,
    CaseState,
    Outcome,
    check_decision,
)
from piodesk.moderation.queries import find_case
from piodesk.moderation.tables import Concurrence, Decision, Proposal, Reopening


def hold(
    session: Session,
    case_id: int,
    *,
    action: Action | str,
    reason: str,
    note: str,
    actor: Actor,
    guard_mode: str = "counsel_or_pio",
) -> Proposal:
    """Send a hide or removal the viewpoint guard holds for a second person's look."""
    action, reason, note = check_decision(action, reason, note)
    case = find_case(session, case_id)
    require(actor, Perm.MODERATION_DECIDE, case.page_id)
    if case.state == CaseState.CLOSED.value:
        raise Conflict(f"case {case_id} was already decided ({case.outcome})")
    if case.state == CaseState.AWAITING_SECOND.value:
        raise Conflict(f"case {case_id} already waits for a second person's look")
    guard = check_guard(session, case, action, reason, note, guard_mode)
    if not guard:
        raise InvalidInput(
            "nothing holds this decision: screening found this category and the note is about "
            "what meets it; record the decision itself"
        )
    case.state = CASE_LIFECYCLE.check(CaseState(case.state), CaseState.AWAITING_SECOND).value
    proposal = Proposal(
        case_id=case.id,
        action=action.value,
        reason=reason,
        note=note,
        guard=[g.value for g, _ in guard],
        guard_text="; ".join(text for _, text in guard),
        proposed_by=actor.account_id,
        proposed_by_name=actor.username,
        proposed_at=clock.now(),
    )
    session.add(proposal)
    session.flush()
    audit.record(
        session,
        actor,
        tags.DueProcess.HELD,
        "case",
        case.id,
        reason=note,
        section="§.20",
        data={
            "proposal_id": proposal.id,
            "action": action.value,
            "reason": reason,
            "guard": proposal.guard,
            "mode": guard_mode,
        },
    )
    return proposal


def _open_proposal(session: Session, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(f"no held decision {proposal_id}")
    answered = session.execute(
        select(Concurrence.id).where(Concurrence.proposal_id == proposal_id)
    ).first()
    if answered:
        raise Conflict(f"held decision {proposal_id} was already answered")
    return proposal


def _second_person(session: Session, proposal: Proposal, actor: Actor, mode: str) -> str:
    """The role in which ``actor`` may answer this held decision, or a refusal."""
    if mode not in CONCURRENCE_MODES:
        raise InvalidInput(f"unknown concurrence setting '{mode[:20]}'")
    if actor.account_id is not None and actor.account_id == proposal.proposed_by:
        raise PermissionDenied(
            "a held decision needs a second person: you proposed it, so someone else answers"
        )
    case = find_case(session, proposal.case_id)
    if mode != "pio" and Role.LEGAL in actor.roles and actor.can(Perm.MODERATION_ADVISE):
        return "legal_counsel"
    if mode != "counsel" and actor.can(Perm.MODERATION_DECIDE, case.page_id):
        return "pio"
    who = {"pio": "a second PIO", "counsel": "legal counsel"}.get(
        mode, "legal counsel or a second PIO"
    )
    raise PermissionDenied(f"{actor.display_name} may not answer a held decision; {who} does")


def _answer(
    session: Session, proposal_id: int, *, verdict: str, note: str, actor: Actor, mode: str
) -> tuple[Proposal, Concurrence]:
    note = clean_text(
        "the note", note, max_len=MAX_NOTE, required=verdict == "decline", min_len=0
    ) or ("concurs" if verdict == "concur" else "")
    proposal = _open_proposal(session, proposal_id)
    role = _second_person(session, proposal, actor, mode)
    case = find_case(session, proposal.case_id)
    row = Concurrence(
        proposal_id=proposal.id,
        verdict=verdict,
        note=note,
        role=role,
        actor_id=actor.account_id,
        actor_name=actor.username,
        answered_at=clock.now(),
    )
    session.add(row)
    if case.state == CaseState.AWAITING_SECOND.value:
        case.state = CaseState.OPEN.value
    session.flush()
    tag = tags.DueProcess.CONCUR if verdict == "concur" else tags.DueProcess.DECLINE
    audit.record(
        session,
        actor,
        tag,
        "case",
        case.id,
        reason=note,
        section="§.20",
        data={"proposal_id": proposal.id, "concurrence_id": row.id, "role": role},
    )
    if proposal.proposed_by is not None:
        notifications.notify(
            session,
            proposal.proposed_by,
            f"{actor.display_name} {'concurred with' if verdict == 'concur' else 'declined'} "
            f"your {proposal.action} of case #{case.id}",
            f"/moderation/cases/{case.id}",
        )
    return proposal, row


def concur(
    sessions: sessionmaker[Session],
    proposal_id: int,
    *,
    note: str = "",
    actor: Actor,
    connect: Connect,
    guard_mode: str = "counsel_or_pio",
) -> Concurrence | Decision:
    """A second person concurs with a held hide or removal.

    A second PIO's concurrence carries the decision out at once (they decide it with the
    proposer's category and note); counsel's is recorded, and the PIO then decides.
    """
    with transaction(sessions) as session:
        proposal, row = _answer(
            session, proposal_id, verdict="concur", note=note, actor=actor, mode=guard_mode
        )
        case_id, action, reason, pnote = (
            proposal.case_id,
            proposal.action,
            proposal.reason,
            proposal.note,
        )
        role = row.role
        session.expunge(row)
    if role != "pio":
        return row
    return decide(
        sessions,
        case_id,
        action=action,
        reason=reason,
        note=pnote,
        actor=actor,
        connect=connect,
        guard_mode=guard_mode,
    )


def decline_held(
    session: Session,
    proposal_id: int,
    *,
    note: str,
    actor: Actor,
    guard_mode: str = "counsel_or_pio",
) -> Concurrence:
    """A second person declines a held hide or removal: the case is open again."""
    _, row = _answer(
        session, proposal_id, verdict="decline", note=note, actor=actor, mode=guard_mode
    )
    return row


def reopen(session: Session, case_id: int, *, reason: str, actor: Actor) -> Reopening:
    """Open a decided case again, with the reason (a correction); its history stays."""
    reason = clean_text(
        "the reason for reopening",
        reason,
        max_len=MAX_NOTE,
        required=True,
        min_len=MIN_EXPLANATION,
    )
    case = find_case(session, case_id)
    require(actor, Perm.MODERATION_DECIDE, case.page_id)
    if case.state != CaseState.CLOSED.value:
        raise Conflict(f"case {case_id} is not decided; there is nothing to reopen")
    if case.outcome in (Outcome.HIDDEN.value, Outcome.REMOVED.value):
        raise Conflict(
            f"case {case_id}'s comment is {case.outcome}: restore it (with its reason) to "
            "correct the decision; a case whose comment is up can then be reopened"
        )
    case.state = CASE_LIFECYCLE.check(CaseState.CLOSED, CaseState.OPEN).value
    previous = case.outcome
    case.outcome, case.decided_at = None, None
    row = Reopening(
        case_id=case.id,
        reason=reason,
        previous_outcome=previous,
        actor_id=actor.account_id,
        actor_name=actor.username,
        reopened_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        tags.DueProcess.REOPEN,
        "case",
        case.id,
        reason=reason,
        section="§.20",
        data={"reopening_id": row.id, "previous_outcome": previous},
    )
    return row


def open_proposal(session: Session, case_id: int) -> Proposal | None:
    """The held decision of a case still waiting for a second person, if any."""
    with_answer = select(Concurrence.proposal_id)
    return session.execute(
        select(Proposal)
        .where(Proposal.case_id == case_id, Proposal.id.not_in(with_answer))
        .order_by(Proposal.id.desc())
        .limit(1)
    ).scalar_one_or_none()


__all__ = ["concur", "decline_held", "hold", "open_proposal", "reopen"]
