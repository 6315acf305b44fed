"""Sign-in backoff, unlock, password change, one-time links and the strength check."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import audit, clock
from piodesk.core.db import transaction
from piodesk.core.errors import AuthenticationFailed, InvalidInput
from piodesk.core.permissions import Role
from piodesk.people import actions as people
from piodesk.people.model import LockoutPolicy, check_password
from tests.conftest import PASSWORD

POLICY = LockoutPolicy(attempts=2, minutes=15)


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    # The backoff's first waits are seconds long: no real time may pass between attempts.
    frozen = clock.now()
    clock.set_clock(lambda: frozen)
    yield
    clock.set_clock(None)


def _fail(sessions: sessionmaker[Session], username: str, source: str, password: str) -> str:
    with transaction(sessions) as s, pytest.raises(AuthenticationFailed) as info:
        people.authenticate(s, username, password, policy=POLICY, source=source)
    return info.value.message


def test_failures_say_the_same_whether_or_not_the_username_exists(
    sessions: sessionmaker[Session], staff
) -> None:
    real = [_fail(sessions, "auditor", "10.0.0.9", "wrong password!!") for _ in range(4)]
    ghost = [_fail(sessions, "no-such-person", "10.0.0.9", "wrong password!!") for _ in range(4)]
    assert real[:2] == ghost[:2] == ["wrong username or password"] * 2
    # After the free attempts both are slowed down, with the same words.
    assert [m.split(";")[0] for m in real[2:]] == [m.split(";")[0] for m in ghost[2:]]
    assert "too many failed sign-ins from here" in real[2]


def test_a_stranger_cannot_lock_the_owner_out(sessions: sessionmaker[Session], staff) -> None:
    for _ in range(6):
        _fail(sessions, "auditor", "203.0.113.7", "guessing away!!")
    # The attacker's address waits; the owner at another address signs in at once.
    assert "too many" in _fail(sessions, "auditor", "203.0.113.7", PASSWORD)
    with transaction(sessions) as s:
        account = people.authenticate(s, "auditor", PASSWORD, policy=POLICY, source="10.1.1.1")
        assert account.username == "auditor"


def test_backoff_doubles_and_is_capped() -> None:
    waits = [POLICY.wait_after(n) for n in range(0, 8)]
    assert waits[:2] == [None, None]
    assert waits[2:6] == [timedelta(seconds=s) for s in (1, 2, 4, 8)]
    assert POLICY.wait_after(10_000) == timedelta(minutes=15)


def test_backoff_ends_and_admin_unlock_clears_it(sessions: sessionmaker[Session], staff) -> None:
    for _ in range(12):
        with transaction(sessions) as s, pytest.raises(AuthenticationFailed):
            people.authenticate(s, "auditor", "nope nope nope", policy=POLICY, source="a")
    assert "too many" in _fail(sessions, "auditor", "a", PASSWORD)
    later = clock.now() + timedelta(minutes=16)
    clock.set_clock(lambda: later)  # the longest wait is over
    with transaction(sessions) as s:
        assert people.authenticate(s, "auditor", PASSWORD, policy=POLICY, source="a")
    for _ in range(4):
        _fail(sessions, "auditor", "a", "nope nope nope")
    with transaction(sessions) as s:
        assert (
            people.unlock(
                s, staff[Role.AUDITOR].account_id, actor=staff.admin, reason="called the desk"
            )
            == 1
        )
    with transaction(sessions) as s:
        assert people.authenticate(s, "auditor", PASSWORD, policy=POLICY, source="a")
    with sessions() as s:
        event = s.execute(
            select(audit.AuditEvent).where(audit.AuditEvent.action == "account:unlock")
        ).scalar_one()
        assert event.reason == "called the desk" and event.actor_name == "root"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password1234", "too easy to guess"),
        (" " * 12, "too easy to guess"),
        ("aaaaaaaaaaaa", "too easy to guess"),
        ("qwertyuiop12", "too easy to guess"),
    ],
)
def test_weak_passwords_are_refused(password: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        check_password(password, "someone")


def test_password_change_needs_the_current_one(sessions: sessionmaker[Session], staff) -> None:
    auditor = staff[Role.AUDITOR]
    with pytest.raises(AuthenticationFailed, match="current password"), transaction(sessions) as s:
        people.change_password(
            s, actor=auditor, current="not it at all", new="brand new phrase here"
        )
    with pytest.raises(InvalidInput, match="too easy"), transaction(sessions) as s:
        people.change_password(s, actor=auditor, current=PASSWORD, new="password1234")
    with transaction(sessions) as s:
        people.change_password(s, actor=auditor, current=PASSWORD, new="brand new phrase here")
    with transaction(sessions) as s:
        assert people.authenticate(s, "auditor", "brand new phrase here", policy=POLICY)


def test_reset_link_is_hashed_single_use_and_expires(
    sessions: sessionmaker[Session], staff
) -> None:
    from piodesk.people.tables import PasswordLink

    employee = staff[Role.EMPLOYEE].account_id
    with transaction(sessions) as s:
        link = people.issue_password_link(
            s, employee, actor=staff.admin, reason="forgot it", hours=1
        )
    with sessions() as s:
        stored = s.execute(select(PasswordLink.token_hash)).scalars().all()
        assert link not in stored and people.sha256(link) in stored
    with transaction(sessions) as s:
        people.use_password_link(s, link, "my own new phrase 42")
    with pytest.raises(InvalidInput, match="not valid"), transaction(sessions) as s:
        people.use_password_link(s, link, "someone else's phrase 7")
    with transaction(sessions) as s:
        expired = people.issue_password_link(
            s, employee, actor=staff.admin, reason="again", hours=1
        )
    later = clock.now() + timedelta(hours=2)
    clock.set_clock(lambda: later)
    try:
        with pytest.raises(InvalidInput, match="expired"), transaction(sessions) as s:
            people.use_password_link(s, expired, "another phrase of mine")
    finally:
        clock.set_clock(None)
    with transaction(sessions) as s:
        assert people.authenticate(s, "employee", "my own new phrase 42", policy=POLICY)


def test_the_sign_in_pages_steps_judge_what_changed_while_the_password_was_hashed(
    sessions: sessionmaker[Session], staff
) -> None:
    """The sign-in page reads, hashes with no transaction open, then records: a wait another
    attempt set meanwhile, a password changed or an account deactivated meanwhile all count."""
    from piodesk.core.db import reading

    def begin(source: str) -> people.SignInAttempt:
        with reading(sessions) as s:
            return people.begin_sign_in(s, "auditor", source=source)

    def finish(attempt: people.SignInAttempt, password: str) -> str:
        verdict = attempt.check(password)
        with transaction(sessions) as s:  # committed on failure too, as the page does
            try:
                return people.finish_sign_in(s, attempt, verdict, password, policy=POLICY).username
            except AuthenticationFailed as exc:
                return exc.message

    assert finish(begin("a"), PASSWORD) == "auditor"
    # The right password, but two wrong ones from the same address were recorded meanwhile.
    right = begin("b")
    for _ in range(2):
        assert finish(begin("b"), "wrong wrong wrong") == "wrong username or password"
    assert "too many failed sign-ins" in finish(right, PASSWORD)
    # The password changed after it was read: the old one no longer signs in, the new one does.
    old, new = begin("c"), begin("c")
    with transaction(sessions) as s:
        people.change_password(
            s, actor=staff[Role.AUDITOR], current=PASSWORD, new="a brand new phrase 77"
        )
    assert finish(old, PASSWORD) == "wrong username or password"
    assert finish(new, "a brand new phrase 77") == "auditor"
