"""Suggestion memos (§.15): supervisor → configured levels → chief; approve, return with
comments, decline; the author sees where it is; a memo routed to nobody is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import evidence
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, InvalidInput, PermissionDenied
from piodesk.core.permissions import Role
from piodesk.people import actions as people
from piodesk.program import memos
from piodesk.program.model import FieldErrors
from piodesk.program.tables import Memo, Notification
from tests.conftest import PASSWORD

LEVELS = "Division commander=commander"


@pytest.fixture
def commander(sessions: sessionmaker[Session], staff):
    with transaction(sessions) as s:
        account = people.create_account(
            s,
            actor=staff.admin,
            username="commander",
            display_name="Cmdr. Ana Ruiz",
            password=PASSWORD,
            roles=["employee"],
        )
        return people.actor_for(account)


def _file(sessions, staff, levels: str = LEVELS) -> int:
    with transaction(sessions) as s:
        return memos.file_memo(
            s,
            actor=staff[Role.EMPLOYEE],
            title="Post crime maps weekly",
            body="Share the weekly crime map on the community page (§.15 outreach).",
            supervisor_id=staff[Role.SUPERVISOR].account_id,
            levels=levels,
        ).id


def _where(sessions, memo_id: int) -> tuple[str, str]:
    with sessions() as s:
        m = s.get(Memo, memo_id)
        assert m is not None
        return m.state, m.route[m.step]["label"]


def _inbox(sessions, actor) -> list[str]:
    with sessions() as s:
        return [
            n.kind
            for n in s.execute(
                select(Notification).where(Notification.recipient_id == actor.account_id)
            ).scalars()
        ]


def test_a_memo_climbs_the_chain_to_the_chief(sessions, staff, commander) -> None:
    memo_id = _file(sessions, staff)
    assert _where(sessions, memo_id) == ("routing", "Supervisor")
    assert _inbox(sessions, staff[Role.SUPERVISOR]) == ["memo.waiting"]
    # Only the person at the step acts; the chief cannot skip ahead, the author cannot act.
    for who in (staff[Role.CHIEF], commander, staff[Role.EMPLOYEE]):
        with transaction(sessions) as s, pytest.raises((PermissionDenied, Conflict)):
            memos.act(s, memo_id, actor=who, action="approve")
    with transaction(sessions) as s:
        memos.act(s, memo_id, actor=staff[Role.SUPERVISOR], action="approve")
    assert _where(sessions, memo_id) == ("routing", "Division commander")
    assert _inbox(sessions, commander) == ["memo.waiting"]
    # The author cannot rewrite a memo while it is on its way.
    with transaction(sessions) as s, pytest.raises(Conflict):
        memos.resubmit(s, memo_id, actor=staff[Role.EMPLOYEE], body="changed mid-route")
    # Returned with comments, revised by the author, back to the same step.
    with transaction(sessions) as s, pytest.raises(FieldErrors):
        memos.act(s, memo_id, actor=commander, action="return", comment="")
    with transaction(sessions) as s:
        memos.act(s, memo_id, actor=commander, action="return", comment="Name the page.")
    assert _where(sessions, memo_id) == ("returned", "Division commander")
    assert "memo.returned" in _inbox(sessions, staff[Role.EMPLOYEE])
    with transaction(sessions) as s:
        memos.resubmit(
            s, memo_id, actor=staff[Role.EMPLOYEE], body="On CSPD Community, weekly.", comment=""
        )
    assert _where(sessions, memo_id) == ("routing", "Division commander")
    with transaction(sessions) as s:
        memos.act(s, memo_id, actor=commander, action="approve")
    assert _where(sessions, memo_id) == ("routing", "Chief of police")
    assert "memo.waiting" in _inbox(sessions, staff[Role.CHIEF])
    with transaction(sessions) as s:
        memos.act(s, memo_id, actor=staff[Role.CHIEF], action="approve", comment="Good idea.")
    assert _where(sessions, memo_id)[0] == "approved"
    with sessions() as s:
        steps = [(e.step_label, e.action) for e in memos.history(s, memo_id)]
        assert steps == [
            ("Supervisor", "filed"),
            ("Supervisor", "approved"),
            ("Division commander", "returned"),
            ("Division commander", "resubmitted"),
            ("Division commander", "approved"),
            ("Chief of police", "approved"),
        ]
        mine = memos.list_memos(s, actor=staff[Role.EMPLOYEE])["mine"]
        assert [m.state for m in mine] == ["approved"]
        assert evidence.verify(s).ok
    # An approved memo is final.
    with transaction(sessions) as s, pytest.raises((PermissionDenied, Conflict)):
        memos.act(s, memo_id, actor=staff[Role.CHIEF], action="decline", comment="changed mind")


def test_a_step_declines_and_the_author_may_withdraw(sessions, staff) -> None:
    memo_id = _file(sessions, staff, levels="")
    assert _where(sessions, memo_id) == ("routing", "Supervisor")
    with transaction(sessions) as s:
        memos.act(s, memo_id, actor=staff[Role.SUPERVISOR], action="decline", comment="No.")
    assert _where(sessions, memo_id)[0] == "declined"
    with transaction(sessions) as s, pytest.raises(Conflict):
        memos.withdraw(s, memo_id, actor=staff[Role.EMPLOYEE])
    other = _file(sessions, staff, levels="")
    with transaction(sessions) as s:
        memos.withdraw(s, other, actor=staff[Role.EMPLOYEE], reason="duplicate")
    assert _where(sessions, other)[0] == "withdrawn"


def test_a_memo_routed_to_nobody_is_refused(sessions, staff) -> None:
    emp = staff[Role.EMPLOYEE]
    with transaction(sessions) as s, pytest.raises(FieldErrors) as caught:
        memos.file_memo(s, actor=emp, title="T", body="B", supervisor_id=None)
    assert "supervisor" in caught.value.fields
    with transaction(sessions) as s, pytest.raises(FieldErrors) as caught:
        # Someone who is not a supervisor.
        memos.file_memo(s, actor=emp, title="T", body="B", supervisor_id=emp.account_id)
    assert "supervisor" in caught.value.fields
    with transaction(sessions) as s, pytest.raises(InvalidInput, match="misconfigured"):
        memos.file_memo(
            s,
            actor=emp,
            title="T",
            body="B",
            supervisor_id=staff[Role.SUPERVISOR].account_id,
            levels="Deputy chief=nobody-here",
        )
    with transaction(sessions) as s, pytest.raises(FieldErrors) as caught:
        memos.file_memo(
            s, actor=emp, title="", body="", supervisor_id=staff[Role.SUPERVISOR].account_id
        )
    assert set(caught.value.fields) == {"title", "body"}
    with sessions() as s:
        assert s.execute(select(func.count(Memo.id))).scalar_one() == 0
    # The auditor reads every memo but files none.
    with transaction(sessions) as s, pytest.raises(PermissionDenied):
        memos.file_memo(
            s,
            actor=staff[Role.AUDITOR],
            title="T",
            body="B",
            supervisor_id=staff[Role.SUPERVISOR].account_id,
        )
