"""Accounts: validation, bootstrap, roles, deactivation, lock-out and tokens (service layer)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import audit
from piodesk.core.db import transaction
from piodesk.core.errors import AuthenticationFailed, Conflict, InvalidInput
from piodesk.core.permissions import Role
from piodesk.people import actions as people
from piodesk.people.model import LockoutPolicy
from tests.conftest import PASSWORD


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("a", PASSWORD, "username must be 2-40"),
        ("Bad Name!", PASSWORD, "username must be 2-40"),
        ("newbie", "short", "at least 12"),
        ("newbie", "x" * 257, "at most 256"),
        ("newbie", "my newbie password", "must not contain the username"),
    ],
)
def test_account_input_is_checked(
    sessions: sessionmaker[Session], staff, username: str, password: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message), transaction(sessions) as s:
        people.create_account(
            s,
            actor=staff.admin,
            username=username,
            display_name="New Person",
            password=password,
            roles=["employee"],
        )


def test_unknown_role_and_duplicate_username(sessions: sessionmaker[Session], staff) -> None:
    with pytest.raises(InvalidInput, match="unknown role 'sheriff'"), transaction(sessions) as s:
        people.create_account(
            s,
            actor=staff.admin,
            username="x1",
            display_name="X",
            password=PASSWORD,
            roles=["sheriff"],
        )
    with pytest.raises(Conflict, match="taken"), transaction(sessions) as s:
        people.create_account(
            s,
            actor=staff.admin,
            username="pio",
            display_name="X",
            password=PASSWORD,
            roles=["pio"],
        )


def test_bootstrap_only_on_an_empty_installation(sessions: sessionmaker[Session], staff) -> None:
    with pytest.raises(Conflict, match="accounts exist already"), transaction(sessions) as s:
        people.bootstrap_admin(s, username="second", display_name="S", password=PASSWORD)


def test_admin_cannot_lock_themselves_out(sessions: sessionmaker[Session], staff) -> None:
    with (
        pytest.raises(Conflict, match="no account changes its own roles"),
        transaction(sessions) as s,
    ):
        people.set_roles(
            s, staff.admin.account_id, actor=staff.admin, roles=["auditor"], reason="oops"
        )
    with pytest.raises(Conflict, match="own account"), transaction(sessions) as s:
        people.set_active(s, staff.admin.account_id, actor=staff.admin, active=False, reason="x")


def test_deactivation_ends_sessions_and_tokens(sessions: sessionmaker[Session], staff) -> None:
    pio = staff[Role.PIO]
    with transaction(sessions) as s:
        account = people.get_account(s, pio.account_id)
        cookie, _csrf = people.start_session(s, account, hours=1)
        _row, token = people.issue_api_token(s, actor=pio, name="laptop")
    with sessions() as s:
        assert people.resolve_session(s, cookie) is not None
        assert people.resolve_api_token(s, token) is not None
    with transaction(sessions) as s:
        people.set_active(s, pio.account_id, actor=staff.admin, active=False, reason="left")
    with sessions() as s:
        assert people.resolve_session(s, cookie) is None
        assert people.resolve_api_token(s, token) is None
        policy = LockoutPolicy(5, 15)
        with pytest.raises(AuthenticationFailed):
            people.authenticate(s, "pio", PASSWORD, policy=policy)


def test_role_changes_are_audited_with_before_and_after(
    sessions: sessionmaker[Session], staff
) -> None:
    with transaction(sessions) as s:
        people.set_roles(
            s,
            staff[Role.EMPLOYEE].account_id,
            actor=staff.admin,
            roles=["employee", "cadre"],
            reason="completed PIO training (§.30)",
        )
    with sessions() as s:
        event = s.execute(
            select(audit.AuditEvent).where(audit.AuditEvent.action == "account:set_roles")
        ).scalar_one()
        assert event.data["before"]["roles"] == ["employee"]
        assert event.data["after"]["roles"] == ["cadre", "employee"]
        assert event.reason == "completed PIO training (§.30)"
