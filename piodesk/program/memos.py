"""Suggestion memos (§.15): "submit suggestions via an interoffice memo for approval through
their chain of command to the chief of police".

A memo's route is fixed when it is filed: the author's supervisor, then the configured
intermediate levels (``PIODESK_MEMO_LEVELS``), then the chief. Each step approves (the memo
moves up), returns it with comments (the author revises and resubmits to the same step) or
declines it. The author sees where it is; the person at each step is notified.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.core import audit, clock, tags
from piodesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from piodesk.core.permissions import ROLE_LABELS, Actor, Perm, Role, require
from piodesk.core.text import clean_line, clean_text
from piodesk.people.lookup import find_account
from piodesk.people.tables import Account, AccountRole
from piodesk.program.model import MEMO_MACHINE, FieldErrors, MemoState, StepAction, parse_levels
from piodesk.program.notifications import notify
from piodesk.program.tables import Memo, MemoEvent

CHIEF_STEP = "Chief of police"

_TAGS = {
    StepAction.APPROVE: tags.Program.MEMO_APPROVE,
    StepAction.RETURN: tags.Program.MEMO_RETURN,
    StepAction.DECLINE: tags.Program.MEMO_DECLINE,
}


def _who(actor: Actor) -> str:
    return f"{actor.display_name} ({actor.username})"


def _active_holders(session: Session, role: Role) -> list[Account]:
    return list(
        session.execute(
            select(Account)
            .join(AccountRole, AccountRole.account_id == Account.id)
            .where(AccountRole.role == role.value, Account.active.is_(True))
            .order_by(Account.display_name)
        ).scalars()
    )


def supervisors(session: Session) -> list[Account]:
    """Everyone an author may route a memo to first."""
    return _active_holders(session, Role.SUPERVISOR)


def build_route(
    session: Session, *, author_id: int | None, supervisor_id: int | None, levels: str
) -> list[dict[str, Any]]:
    """The steps a memo takes; refused when a step would be nobody (or the author)."""
    if supervisor_id is None:
        raise FieldErrors(
            {"supervisor": "supervisor: choose the supervisor the memo goes to first"}
        )
    first = session.get(Account, supervisor_id)
    if (
        first is None
        or not first.active
        or Role.SUPERVISOR.value not in {r.role for r in first.roles}
    ):
        raise FieldErrors({"supervisor": "supervisor: that person is not an active supervisor"})
    if first.id == author_id:
        raise FieldErrors(
            {"supervisor": "supervisor: a memo goes to someone other than its author"}
        )
    route: list[dict[str, Any]] = [
        {"label": "Supervisor", "account_id": first.id, "name": first.display_name, "role": None}
    ]
    for label, username in parse_levels(levels):
        account = find_account(session, username)
        if account is None or not account.active:
            raise InvalidInput(
                f"the chain of command is misconfigured: the step '{label}' names "
                f"'{username}', who has no active account; an administrator must fix "
                "PIODESK_MEMO_LEVELS"
            )
        if account.id == author_id:
            continue  # the author does not approve their own suggestion; the next step does
        route.append(
            {"label": label, "account_id": account.id, "name": account.display_name, "role": None}
        )
    if not _active_holders(session, Role.CHIEF):
        raise InvalidInput(f"no active {ROLE_LABELS[Role.CHIEF]} to route a memo to")
    route.append({"label": CHIEF_STEP, "account_id": None, "name": "", "role": Role.CHIEF.value})
    return route


def _recipients(session: Session, step: dict[str, Any], author_id: int) -> list[int]:
    if step.get("account_id") is not None:
        return [int(step["account_id"])]
    return [a.id for a in _active_holders(session, Role(step["role"])) if a.id != author_id]


def _event(
    session: Session, memo: Memo, actor: Actor, action: str, comment: str = "", body: str = ""
) -> MemoEvent:
    step = memo.route[min(memo.step, len(memo.route) - 1)]
    row = MemoEvent(
        memo_id=memo.id,
        step=memo.step,
        step_label=str(step["label"]),
        action=action,
        actor_id=actor.account_id,
        actor_name=_who(actor),
        comment=comment,
        body=body,
        at=clock.now(),
    )
    session.add(row)
    return row


def _tell_step(session: Session, memo: Memo) -> None:
    step = memo.route[memo.step]
    for person in _recipients(session, step, memo.author_id):
        notify(
            session,
            recipient_account_id=person,
            kind="memo.waiting",
            subject=f"A suggestion memo waits for you: {memo.title}",
            body=f"From {memo.author_name}, at the step '{step['label']}'.",
            link=f"/memos/{memo.id}",
        )


def file_memo(
    session: Session,
    *,
    actor: Actor,
    title: str,
    body: str,
    supervisor_id: int | None,
    levels: str = "",
) -> Memo:
    """An employee files a suggestion; it goes to their supervisor first."""
    require(actor, Perm.MEMO_FILE)
    if actor.account_id is None:
        raise PermissionDenied("a memo is filed by a person with an account")
    errors: dict[str, str] = {}
    try:
        title = clean_line("title", title, max_len=200, required=True)
    except InvalidInput as exc:
        errors["title"] = exc.message
    try:
        body = clean_text("suggestion", body, max_len=20000, required=True)
    except InvalidInput as exc:
        errors["body"] = exc.message
    try:
        route = build_route(
            session, author_id=actor.account_id, supervisor_id=supervisor_id, levels=levels
        )
    except FieldErrors as exc:
        errors.update(exc.fields)
    if errors:
        raise FieldErrors(errors)
    now = clock.now()
    memo = Memo(
        author_id=actor.account_id,
        author_name=_who(actor),
        title=title,
        body=body,
        route=route,
        step=0,
        state=MEMO_MACHINE.initial.value,
        filed_at=now,
        updated_at=now,
    )
    session.add(memo)
    session.flush()
    _event(session, memo, actor, "filed", body=body)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Program.MEMO_FILE,
        "memo",
        memo.id,
        section="§.15",
        data={"title": title, "route": [s["label"] for s in route]},
    )
    _tell_step(session, memo)
    return memo


def get_memo(session: Session, memo_id: int, *, actor: Actor) -> Memo:
    """A memo: its author's, its steps' people's, or anyone's for those who read them all."""
    memo = session.get(Memo, memo_id)
    if memo is None or not may_read(session, memo, actor):
        raise NotFound(f"no memo {memo_id} you may read")
    return memo


def may_read(session: Session, memo: Memo, actor: Actor) -> bool:
    """Author, anyone on its route, or a reader of every memo."""
    if actor.can(Perm.MEMO_VIEW) or actor.account_id == memo.author_id:
        return True
    return any(
        actor.account_id in _recipients(session, step, memo.author_id) for step in memo.route
    )


def waiting_for(session: Session, memo: Memo, actor: Actor) -> bool:
    """True when the memo waits at a step that is the actor's."""
    if memo.state != MemoState.ROUTING.value or actor.account_id is None:
        return False
    step = memo.route[memo.step]
    if step.get("role"):
        return Role(step["role"]) in actor.roles and actor.account_id != memo.author_id
    return step.get("account_id") == actor.account_id


def act(session: Session, memo_id: int, *, actor: Actor, action: str, comment: str = "") -> Memo:
    """The person at the memo's current step approves, returns (with comments) or declines."""
    require(actor, Perm.MEMO_FILE)
    memo = get_memo(session, memo_id, actor=actor)
    try:
        what = StepAction(action)
    except ValueError:
        raise FieldErrors({"action": "action: approve, return or decline"}) from None
    if actor.account_id == memo.author_id:
        raise Conflict("nobody approves, returns or declines their own memo")
    if not waiting_for(session, memo, actor):
        raise PermissionDenied(
            f"memo {memo.id} is {memo.state} at '{memo.route[memo.step]['label']}'; "
            "only the person at that step acts on it"
        )
    try:
        text = clean_text("comments", comment, max_len=5000, required=what != StepAction.APPROVE)
    except InvalidInput as exc:
        raise FieldErrors({"comment": exc.message}) from None
    last = memo.step == len(memo.route) - 1
    if what == StepAction.APPROVE:
        target = MemoState.APPROVED if last else MemoState.ROUTING
    elif what == StepAction.RETURN:
        target = MemoState.RETURNED
    else:
        target = MemoState.DECLINED
    MEMO_MACHINE.check(MemoState(memo.state), target)
    _event(
        session,
        memo,
        actor,
        {"approve": "approved", "return": "returned", "decline": "declined"}[what.value],
        comment=text,
    )
    before = {"state": memo.state, "step": memo.step}
    memo.state = target.value
    if what == StepAction.APPROVE and not last:
        memo.step += 1
    memo.updated_at = clock.now()
    session.flush()
    audit.record(
        session,
        actor,
        _TAGS[what],
        "memo",
        memo.id,
        reason=text,
        section="§.15",
        data={"before": before, "after": {"state": memo.state, "step": memo.step}},
    )
    if memo.state == MemoState.ROUTING.value:
        _tell_step(session, memo)
    else:
        notify(
            session,
            recipient_account_id=memo.author_id,
            kind=f"memo.{memo.state}",
            subject=f"Your suggestion memo was {memo.state}: {memo.title}",
            body=f"{_who(actor)} at '{memo.route[memo.step]['label']}'. {text}".strip(),
            link=f"/memos/{memo.id}",
        )
    return memo


def resubmit(session: Session, memo_id: int, *, actor: Actor, body: str, comment: str = "") -> Memo:
    """The author revises a returned memo; it goes back to the step that returned it."""
    require(actor, Perm.MEMO_FILE)
    memo = get_memo(session, memo_id, actor=actor)
    if memo.author_id != actor.account_id:
        raise PermissionDenied("only the memo's author resubmits it")
    if memo.state != MemoState.RETURNED.value:
        raise Conflict(f"memo {memo.id} is {memo.state}; only a returned memo is resubmitted")
    MEMO_MACHINE.check(MemoState(memo.state), MemoState.ROUTING)
    errors = {}
    try:
        text = clean_text("suggestion", body or memo.body, max_len=20000, required=True)
    except InvalidInput as exc:
        errors["body"] = exc.message
    try:
        note = clean_text("comments", comment, max_len=5000)
    except InvalidInput as exc:
        errors["comment"] = exc.message
    if errors:
        raise FieldErrors(errors)
    _event(session, memo, actor, "resubmitted", comment=note, body=text)
    memo.body = text
    memo.state = MemoState.ROUTING.value
    memo.updated_at = clock.now()
    session.flush()
    audit.record(
        session, actor, tags.Program.MEMO_RESUBMIT, "memo", memo.id, reason=note, section="§.15"
    )
    _tell_step(session, memo)
    return memo


def withdraw(session: Session, memo_id: int, *, actor: Actor, reason: str = "") -> Memo:
    """The author withdraws a memo that is still open."""
    require(actor, Perm.MEMO_FILE)
    memo = get_memo(session, memo_id, actor=actor)
    if memo.author_id != actor.account_id:
        raise PermissionDenied("only the memo's author withdraws it")
    MEMO_MACHINE.check(MemoState(memo.state), MemoState.WITHDRAWN)
    note = clean_text("reason", reason, max_len=2000)
    _event(session, memo, actor, "withdrawn", comment=note)
    memo.state = MemoState.WITHDRAWN.value
    memo.updated_at = clock.now()
    session.flush()
    audit.record(
        session, actor, tags.Program.MEMO_WITHDRAW, "memo", memo.id, reason=note, section="§.15"
    )
    return memo


def history(session: Session, memo_id: int) -> list[MemoEvent]:
    """Every step of the memo's journey, oldest first."""
    return list(
        session.execute(
            select(MemoEvent).where(MemoEvent.memo_id == memo_id).order_by(MemoEvent.id)
        ).scalars()
    )


def list_memos(session: Session, *, actor: Actor) -> dict[str, list[Memo]]:
    """The actor's memos, the ones waiting at their step, and (for readers of all) every memo."""
    if not actor.can(Perm.MEMO_VIEW):
        require(actor, Perm.MEMO_FILE)
    rows = list(session.execute(select(Memo).order_by(Memo.id.desc()).limit(500)).scalars())
    return {
        "mine": [m for m in rows if m.author_id == actor.account_id],
        "waiting": [m for m in rows if waiting_for(session, m, actor)],
        "all": rows if actor.can(Perm.MEMO_VIEW) else [],
    }
