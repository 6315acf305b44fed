"""The Social Media Cadre's register (GO 409 §.30): each step by its own role, audited.

§.30: "All Cadre personnel must be recommended by a supervisor, vetted through Internal
Affairs, and receive social media training through the Public Information Office. These
positions are voluntary." So: a supervisor recommends, internal affairs vets (or declines), the
PIO office records the training (the member is then active), suspends, reinstates or ends; the
member may leave. Nobody takes a step on their own membership except leaving it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.core import audit, clock, tags
from piodesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_line, clean_text
from piodesk.people.tables import Account
from piodesk.publishing.tables import CadreEvent, CadreMember
from piodesk.publishing.workflow import (
    CADRE_LIFECYCLE,
    STEP_NEEDS_REASON,
    STEP_TARGET,
    CadreState,
    CadreStep,
)

#: Who takes each step (LEAVE: the member themself, whatever their roles).
STEP_PERM: dict[CadreStep, Perm | None] = {
    CadreStep.RECOMMEND: Perm.CADRE_RECOMMEND,
    CadreStep.VET: Perm.CADRE_VET,
    CadreStep.DECLINE: Perm.CADRE_VET,
    CadreStep.TRAIN: Perm.CADRE_MANAGE,
    CadreStep.SUSPEND: Perm.CADRE_MANAGE,
    CadreStep.REINSTATE: Perm.CADRE_MANAGE,
    CadreStep.END: Perm.CADRE_MANAGE,
    CadreStep.LEAVE: None,
}

_TAG: dict[CadreStep, tags.Cadre] = {
    CadreStep.RECOMMEND: tags.Cadre.RECOMMEND,
    CadreStep.VET: tags.Cadre.VET,
    CadreStep.DECLINE: tags.Cadre.DECLINE,
    CadreStep.TRAIN: tags.Cadre.TRAIN,
    CadreStep.SUSPEND: tags.Cadre.SUSPEND,
    CadreStep.REINSTATE: tags.Cadre.REINSTATE,
    CadreStep.END: tags.Cadre.END,
    CadreStep.LEAVE: tags.Cadre.LEAVE,
}

MAX_REASON = 2000


@dataclass(frozen=True, slots=True)
class Training:
    """The PIO office's record of a member's social media training (§.30)."""

    course: str
    completed_on: date
    trainer: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (stored in the step and audited)."""
        return {
            "course": self.course,
            "completed_on": self.completed_on.isoformat(),
            "trainer": self.trainer,
        }


def clean_training(course: str, completed_on: str | date, trainer: str = "") -> Training:
    """Validate a training record's fields before anything is written."""
    course = clean_line("training course", course, max_len=200, required=True)
    if isinstance(completed_on, str):
        try:
            completed_on = date.fromisoformat(completed_on.strip())
        except ValueError:
            raise InvalidInput("training date must be a date (YYYY-MM-DD)") from None
    if completed_on > clock.now().date():
        raise InvalidInput("training date is in the future; record training once it is done")
    return Training(course, completed_on, clean_line("trainer", trainer, max_len=200))


def _member(session: Session, member_id: int, *, lock: bool = False) -> CadreMember:
    q = select(CadreMember).where(CadreMember.id == member_id)
    member = session.execute(q.with_for_update() if lock else q).scalar_one_or_none()
    if member is None:
        raise NotFound(f"no cadre membership with id {member_id}")
    return member


def _account(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(f"no account with id {account_id}")
    return account


def _event(
    session: Session,
    member: CadreMember,
    step: CadreStep,
    before: CadreState | None,
    actor: Actor,
    reason: str,
    details: dict[str, Any],
) -> CadreEvent:
    now = clock.now()
    event = CadreEvent(
        member_id=member.id,
        step=step.value,
        from_state=before.value if before else None,
        to_state=member.state,
        actor_id=actor.account_id,
        actor_name=actor.display_name,
        reason=reason,
        details=details,
        occurred_at=now,
    )
    member.changed_at = now
    session.add(event)
    session.flush()
    audit.record(
        session,
        actor,
        _TAG[step],
        "cadre_member",
        member.id,
        reason=reason,
        section="§.30",
        data={
            "account_id": member.account_id,
            "from": before.value if before else None,
            "to": member.state,
            **details,
        },
    )
    return event


def recommend(
    session: Session, *, actor: Actor, account_id: int, division: str, reason: str
) -> CadreMember:
    """A supervisor recommends a person for the cadre (the first step)."""
    require(actor, Perm.CADRE_RECOMMEND)
    division = clean_line("division", division, max_len=120, required=True)
    reason = clean_text("reason", reason, max_len=MAX_REASON, required=True)
    account = _account(session, account_id)
    if account.id == actor.account_id:
        raise PermissionDenied("nobody recommends themselves for the cadre; ask your supervisor")
    if not account.active:
        raise Conflict(f"{account.display_name}'s account is deactivated")
    open_one = session.execute(
        select(CadreMember).where(
            CadreMember.account_id == account.id, CadreMember.state != CadreState.ENDED.value
        )
    ).scalar_one_or_none()
    if open_one is not None:
        raise Conflict(
            f"{account.display_name} already has a cadre membership in progress ({open_one.state})"
        )
    now = clock.now()
    member = CadreMember(
        account_id=account.id,
        division=division,
        state=CADRE_LIFECYCLE.initial.value,
        recommended_by=actor.account_id,
        recommended_at=now,
        changed_at=now,
    )
    session.add(member)
    session.flush()
    _event(session, member, CadreStep.RECOMMEND, None, actor, reason, {"division": division})
    return member


def take_step(
    session: Session,
    member_id: int,
    step: CadreStep,
    *,
    actor: Actor,
    reason: str = "",
    training: Training | None = None,
) -> CadreMember:
    """Vet, decline, record training, suspend, reinstate, end or leave a membership."""
    if step == CadreStep.RECOMMEND:
        raise InvalidInput("a recommendation starts a membership: use recommend()")
    perm = STEP_PERM[step]
    if perm is not None:
        require(actor, perm)
    reason = clean_text("reason", reason, max_len=MAX_REASON, required=step in STEP_NEEDS_REASON)
    member = _member(session, member_id, lock=True)
    if step == CadreStep.LEAVE:
        if member.account_id != actor.account_id:
            raise PermissionDenied("only the member may leave the cadre; the PIO office ends it")
    elif member.account_id == actor.account_id:
        raise PermissionDenied(
            "nobody takes a step on their own cadre membership (other than leaving it)"
        )
    if step == CadreStep.VET and member.recommended_by == actor.account_id:
        raise PermissionDenied("the supervisor who recommended a person does not also vet them")
    details: dict[str, Any] = {}
    if step == CadreStep.TRAIN:
        if training is None:
            raise InvalidInput("recording training needs the course and the date it was completed")
        details = {"training": training.as_dict()}
    before = CadreState(member.state)
    member.state = CADRE_LIFECYCLE.check(before, STEP_TARGET[step]).value
    _event(session, member, step, before, actor, reason, details)
    return member


@dataclass(frozen=True, slots=True)
class MemberRow:
    """A membership as the register shows it: names, not ids."""

    member: CadreMember
    name: str
    username: str
    recommended_by: str


def _names(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    rows = session.execute(
        select(Account.id, Account.display_name, Account.username).where(Account.id.in_(ids))
    )
    return {r.id: (r.display_name, r.username) for r in rows}


def register(session: Session, *, actor: Actor, state: str | None = None) -> list[MemberRow]:
    """The cadre register (every membership, newest change first)."""
    require(actor, Perm.CADRE_VIEW)
    q = select(CadreMember).order_by(CadreMember.changed_at.desc(), CadreMember.id.desc())
    if state:
        try:
            q = q.where(CadreMember.state == CadreState(state).value)
        except ValueError:
            raise InvalidInput(f"unknown cadre state '{state[:40]}'") from None
    members = list(session.execute(q).scalars())
    names = _names(
        session,
        {m.account_id for m in members} | {m.recommended_by for m in members if m.recommended_by},
    )
    return [
        MemberRow(
            m,
            names.get(m.account_id, ("?", "?"))[0],
            names.get(m.account_id, ("?", "?"))[1],
            names.get(m.recommended_by or -1, ("", ""))[0],
        )
        for m in members
    ]


def history(session: Session, member_id: int, *, actor: Actor) -> list[CadreEvent]:
    """Every step of one membership, oldest first (the member may read their own)."""
    member = _member(session, member_id)
    if member.account_id != actor.account_id:
        require(actor, Perm.CADRE_VIEW)
    return list(
        session.execute(
            select(CadreEvent).where(CadreEvent.member_id == member.id).order_by(CadreEvent.id)
        ).scalars()
    )


def membership_of(session: Session, account_id: int | None) -> CadreMember | None:
    """The person's membership in progress (not ended), if any."""
    if account_id is None:
        return None
    return session.execute(
        select(CadreMember).where(
            CadreMember.account_id == account_id, CadreMember.state != CadreState.ENDED.value
        )
    ).scalar_one_or_none()


def get_member(session: Session, member_id: int, *, actor: Actor) -> CadreMember:
    """One membership (the member may read their own)."""
    member = _member(session, member_id)
    if member.account_id != actor.account_id:
        require(actor, Perm.CADRE_VIEW)
    return member
