"""Page scope: a designee limited to some pages acts on nothing outside them (nor on no page)."""

from __future__ import annotations

import pytest

from piodesk.core.errors import PermissionDenied
from piodesk.core.permissions import PAGE_SCOPED, Actor, Perm, Role, require

DESIGNEE = Actor(1, "designee", "D", frozenset({Role.PIO}), page_scope=frozenset({7}))
PIO = Actor(2, "pio", "P", frozenset({Role.PIO}))
ADMIN_SCOPED = Actor(3, "admin", "A", frozenset({Role.ADMIN, Role.PIO}), frozenset({7}))


@pytest.mark.parametrize("perm", sorted(PAGE_SCOPED))
def test_a_designee_cannot_act_on_something_with_no_page(perm: Perm) -> None:
    assert not DESIGNEE.can(perm, None)
    assert DESIGNEE.can(perm, 7) and not DESIGNEE.can(perm, 8)
    assert DESIGNEE.can(perm)  # "on some page": menus and queues filtered to the scope
    assert PIO.can(perm, None)  # an unscoped PIO keeps acting on work with no page


def test_the_refusal_says_why() -> None:
    with pytest.raises(PermissionDenied, match="belongs to no page"):
        require(DESIGNEE, Perm.MODERATION_DECIDE, None)


def test_a_designee_cannot_register_pages() -> None:
    assert PIO.can(Perm.PAGE_REGISTER)
    assert not DESIGNEE.can(Perm.PAGE_REGISTER)
    with pytest.raises(PermissionDenied, match="limited to some pages"):
        require(DESIGNEE, Perm.PAGE_REGISTER)
    assert ADMIN_SCOPED.can(Perm.PAGE_REGISTER)  # the admin role is never page-scoped


def test_designee_cannot_register_through_the_service(sessions, staff, agency) -> None:
    from piodesk.core.db import transaction
    from piodesk.pages import actions as pages
    from piodesk.people import actions as people

    with transaction(sessions) as s:
        mine = pages.register_page(
            s,
            actor=staff.admin,
            agency=agency,
            platform="x",
            handle="mine",
            name="Mine",
            administering_unit="Patrol",
        )
        designee = people.actor_for(
            people.set_roles(
                s,
                staff[Role.PIO].account_id,
                actor=staff.admin,
                roles=["pio"],
                page_scope=[mine.id],
                reason="one page",
            )
        )
    with pytest.raises(PermissionDenied), transaction(sessions) as s:
        pages.register_page(
            s,
            actor=designee,
            agency=agency,
            platform="x",
            handle="theirs",
            name="Theirs",
            administering_unit="Patrol",
        )
