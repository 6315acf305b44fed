"""API tokens: scopes narrow the account, every token expires, listed and revoked one by one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import clock
from piodesk.core.db import transaction
from piodesk.core.errors import InvalidInput, NotFound, PermissionDenied
from piodesk.core.permissions import Perm, Role, require
from piodesk.people import actions as people


def test_scopes_limit_what_the_token_can_do(sessions: sessionmaker[Session], staff) -> None:
    pio = staff[Role.PIO]
    with transaction(sessions) as s:
        _row, read_only = people.issue_api_token(s, actor=pio, name="dashboard")
        _row, moderating = people.issue_api_token(s, actor=pio, name="bot", scopes=["moderation"])
    with sessions() as s:
        reader = people.resolve_api_token(s, read_only)
        mod = people.resolve_api_token(s, moderating)
    assert reader is not None and mod is not None
    assert reader.can(Perm.MODERATION_VIEW) and not reader.can(Perm.MODERATION_DECIDE)
    with pytest.raises(PermissionDenied, match="scopes do not cover"):
        require(reader, Perm.MODERATION_DECIDE)
    assert mod.can(Perm.MODERATION_DECIDE)
    # A scope never adds what the account lacks.
    assert not mod.can(Perm.PAGE_APPROVE)


def test_every_token_expires_within_the_maximum(sessions: sessionmaker[Session], staff) -> None:
    for days in (0, -1, 400):
        with pytest.raises(InvalidInput, match="every token expires"), transaction(sessions) as s:
            people.issue_api_token(s, actor=staff[Role.AUDITOR], name="x", days=days, max_days=365)
    with transaction(sessions) as s:
        row, _secret = people.issue_api_token(s, actor=staff[Role.AUDITOR], name="x", days=365)
        assert row.expires_at is not None


def test_expired_token_is_refused(sessions: sessionmaker[Session], staff) -> None:
    with transaction(sessions) as s:
        _row, token = people.issue_api_token(s, actor=staff[Role.RECORDS], name="short", days=1)
    later = clock.now() + timedelta(days=2)
    clock.set_clock(lambda: later)
    try:
        with sessions() as s:
            assert people.resolve_api_token(s, token) is None
    finally:
        clock.set_clock(None)


def test_unknown_scope_is_refused(sessions: sessionmaker[Session], staff) -> None:
    with (
        pytest.raises(InvalidInput, match="unknown token scope 'root'"),
        transaction(sessions) as s,
    ):
        people.issue_api_token(s, actor=staff[Role.AUDITOR], name="x", scopes=["root"])


def test_tokens_are_listed_and_revoked_one_by_one(sessions: sessionmaker[Session], staff) -> None:
    auditor, pio = staff[Role.AUDITOR], staff[Role.PIO]
    with transaction(sessions) as s:
        first, one = people.issue_api_token(s, actor=auditor, name="laptop")
        _second, two = people.issue_api_token(s, actor=auditor, name="phone")
        first_id = first.id
    with sessions() as s:
        assert [t.name for t in people.list_tokens(s, actor=auditor)] == ["phone", "laptop"]
        with pytest.raises(PermissionDenied):
            people.list_tokens(s, actor=pio, account_id=auditor.account_id)
    with pytest.raises(NotFound), transaction(sessions) as s:
        people.revoke_token(s, first_id, actor=pio)  # someone else's token: not theirs to see
    with transaction(sessions) as s:
        people.revoke_token(s, first_id, actor=auditor, reason="laptop lost")
    with sessions() as s:
        assert people.resolve_api_token(s, one) is None
        assert people.resolve_api_token(s, two) is not None
