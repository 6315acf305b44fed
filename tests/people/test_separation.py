"""Separation of duties: no self-elevation, and sensitive roles wait for a second person."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import audit
from piodesk.core.db import transaction
from piodesk.core.errors import AuthenticationFailed, Conflict, InvalidInput, PermissionDenied
from piodesk.core.permissions import Perm, Role
from piodesk.people import actions as people
from piodesk.people.model import LockoutPolicy
from piodesk.people.tables import RoleGrant
from tests.conftest import PASSWORD

POLICY = LockoutPolicy(5, 15)


def _roles(sessions: sessionmaker[Session], account_id: int) -> set[Role]:
    with sessions() as s:
        return set(people.actor_for(people.get_account(s, account_id)).roles)


def test_admin_cannot_give_itself_chief_or_pio(sessions: sessionmaker[Session], staff) -> None:
    for roles in (["admin", "chief"], ["admin", "pio"]):
        with pytest.raises(Conflict, match="own roles"), transaction(sessions) as s:
            people.set_roles(
                s, staff.admin.account_id, actor=staff.admin, roles=roles, reason="self"
            )
    assert _roles(sessions, staff.admin.account_id) == {Role.ADMIN}


def test_second_admin_granting_pio_waits_for_the_chief(
    sessions: sessionmaker[Session], staff
) -> None:
    employee = staff[Role.EMPLOYEE]
    with transaction(sessions) as s:
        people.set_roles(
            s,
            employee.account_id,
            actor=staff.admin,
            roles=["employee", "pio"],
            reason="joins the PIO office",
        )
    assert _roles(sessions, employee.account_id) == {Role.EMPLOYEE}  # not yet
    with sessions() as s:
        grant = people.pending_grant(s, employee.account_id)
        assert grant is not None and grant.roles == ["pio"]
        assert grant.proposed_by_id == staff.admin.account_id
        grant_id = grant.id
    # The admin (the proposer) cannot approve; nor can a PIO; the chief can.
    for who, error in ((staff.admin, PermissionDenied), (staff[Role.PIO], PermissionDenied)):
        with pytest.raises(error), transaction(sessions) as s:
            people.approve_grant(s, grant_id, actor=who)
    with transaction(sessions) as s:
        _grant, link = people.approve_grant(
            s, grant_id, actor=staff[Role.CHIEF], reason="trained (§.30)"
        )
    assert link is not None
    assert _roles(sessions, employee.account_id) == {Role.EMPLOYEE, Role.PIO}
    # The password the admin chose is void: only the link the chief received sets a new one.
    with transaction(sessions) as s, pytest.raises(AuthenticationFailed):
        people.authenticate(s, "employee", PASSWORD, policy=POLICY)
    with transaction(sessions) as s:
        people.use_password_link(s, link, "a fresh password of my own choosing")
    with transaction(sessions) as s:
        account = people.authenticate(
            s, "employee", "a fresh password of my own choosing", policy=POLICY
        )
        assert people.actor_for(account).can(Perm.MODERATION_DECIDE)
    with sessions() as s:
        actions = [
            e.action
            for e in s.execute(select(audit.AuditEvent).order_by(audit.AuditEvent.seq)).scalars()
        ]
    tail = actions[actions.index("account:grant_approve") :]
    assert tail == [
        "account:grant_approve",
        "account:credentials_void",
        "account:password_link",
        "account:password_set",
    ]


def test_the_proposer_cannot_approve_even_when_chief(
    sessions: sessionmaker[Session], staff
) -> None:
    """A chief who is also an administrator proposes; another chief must approve."""
    with transaction(sessions) as s:
        both = people.seed_account(
            s,
            username="chief-admin",
            display_name="Chief Admin",
            password=PASSWORD,
            roles=["chief", "admin"],
            reason="test",
        )
        actor = people.actor_for(both)
        people.set_roles(
            s,
            staff[Role.AUDITOR].account_id,
            actor=actor,
            roles=["auditor", "legal_counsel"],
            reason="counsel",
        )
        grant_id = people.pending_grant(s, staff[Role.AUDITOR].account_id).id  # type: ignore[union-attr]
    with pytest.raises(Conflict, match="second person"), transaction(sessions) as s:
        people.approve_grant(s, grant_id, actor=actor)
    with transaction(sessions) as s:
        people.decline_grant(s, grant_id, actor=staff[Role.CHIEF], reason="not needed")
    with sessions() as s:
        row = s.get(RoleGrant, grant_id)
        assert row is not None and row.state == "declined" and row.decision_reason == "not needed"
    assert _roles(sessions, staff[Role.AUDITOR].account_id) == {Role.AUDITOR}


def test_no_one_approves_a_grant_to_themselves(sessions: sessionmaker[Session], staff) -> None:
    chief = staff[Role.CHIEF]
    with transaction(sessions) as s:
        people.set_roles(
            s, chief.account_id, actor=staff.admin, roles=["chief", "pio"], reason="also PIO"
        )
        grant_id = people.pending_grant(s, chief.account_id).id  # type: ignore[union-attr]
    with pytest.raises(Conflict, match="itself"), transaction(sessions) as s:
        people.approve_grant(s, grant_id, actor=chief)


def test_creating_a_sensitive_account_is_a_pending_grant_without_a_known_password(
    sessions: sessionmaker[Session], staff
) -> None:
    refused = pytest.raises(InvalidInput, match="no password chosen by an administrator")
    with refused, transaction(sessions) as s:
        people.create_account(
            s,
            actor=staff.admin,
            username="dana",
            display_name="Chief Dana",
            password=PASSWORD,
            roles=["chief"],
        )
    with transaction(sessions) as s:
        account = people.create_account(
            s,
            actor=staff.admin,
            username="dana",
            display_name="Chief Dana",
            password=None,
            roles=["chief"],
            reason="new deputy chief",
        )
        dana = account.id
        assert people.actor_for(account).roles == frozenset()
    # No password works for it until the approver's link is used.
    for guess in (PASSWORD, "", "!unset:"):
        with transaction(sessions) as s, pytest.raises(AuthenticationFailed):
            people.authenticate(s, "dana", guess, policy=POLICY)
    with transaction(sessions) as s:
        grant = people.pending_grant(s, dana)
        assert grant is not None
        _grant, link = people.approve_grant(s, grant.id, actor=staff[Role.CHIEF])
    assert link and _roles(sessions, dana) == {Role.CHIEF}


def test_admin_cannot_reset_a_sensitive_accounts_password(
    sessions: sessionmaker[Session], staff
) -> None:
    with pytest.raises(PermissionDenied, match="only the Chief"), transaction(sessions) as s:
        people.issue_password_link(s, staff[Role.PIO].account_id, actor=staff.admin, reason="x")
    with transaction(sessions) as s:
        assert people.issue_password_link(
            s, staff[Role.PIO].account_id, actor=staff[Role.CHIEF], reason="forgot it"
        )
        assert people.issue_password_link(
            s, staff[Role.EMPLOYEE].account_id, actor=staff.admin, reason="forgot it"
        )


def test_first_approver_only_by_the_operator_and_only_once(
    sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as s:
        admin = people.actor_for(
            people.bootstrap_admin(s, username="root", display_name="Root", password=PASSWORD)
        )
    with pytest.raises(PermissionDenied, match="operator"), transaction(sessions) as s:
        people.bootstrap_approver(s, actor=admin, username="dana", display_name="Chief Dana")
    with transaction(sessions) as s:
        account, link = people.bootstrap_approver(
            s, actor=people.operator_actor(), username="dana", display_name="Chief Dana"
        )
        assert {r.role for r in account.roles} == {"chief"} and link
    with pytest.raises(Conflict, match="exists"), transaction(sessions) as s:
        people.bootstrap_approver(
            s, actor=people.operator_actor(), username="dana2", display_name="Chief Two"
        )
    with sessions() as s:
        event = s.execute(
            select(audit.AuditEvent).where(audit.AuditEvent.action == "account:bootstrap_approver")
        ).scalar_one()
        assert event.via == "operator"


def test_operator_cannot_moderate_or_approve() -> None:
    operator = people.operator_actor()
    for perm in (Perm.PAGE_APPROVE, Perm.MODERATION_DECIDE, Perm.PERSON_BLOCK):
        assert not operator.can(perm)
    assert operator.can(Perm.ACCOUNT_MANAGE)


def test_widening_a_designees_pages_waits(sessions: sessionmaker[Session], staff, agency) -> None:
    from piodesk.pages import actions as pages

    pio = staff[Role.PIO]
    with transaction(sessions) as s:
        one, two = (
            pages.register_page(
                s,
                actor=staff.admin,
                agency=agency,
                platform="facebook",
                handle=h,
                name=h,
                administering_unit="Patrol",
            ).id
            for h in ("one", "two")
        )
        people.set_roles(
            s, pio.account_id, actor=staff.admin, roles=["pio"], page_scope=[one], reason="narrow"
        )
    with sessions() as s:
        assert people.actor_for(people.get_account(s, pio.account_id)).page_scope == {one}
    with transaction(sessions) as s:
        people.set_roles(
            s,
            pio.account_id,
            actor=staff.admin,
            roles=["pio"],
            page_scope=[one, two],
            reason="widen",
        )
    with sessions() as s:
        assert people.actor_for(people.get_account(s, pio.account_id)).page_scope == {one}
        grant = people.pending_grant(s, pio.account_id)
        assert grant is not None and grant.page_scope == [one, two]
