"""A PIO designee limited to one page cannot act on a case that belongs to no page."""

from __future__ import annotations

import pytest

from piodesk.core.db import transaction
from piodesk.core.errors import PermissionDenied
from piodesk.core.permissions import Role
from piodesk.moderation import actions
from piodesk.people import actions as people
from tests.moderation.conftest import Site


def test_designee_cannot_consult_on_a_case_with_no_page(site: Site, staff) -> None:
    with transaction(site.sessions) as s:
        # A report of a link piodesk never captured: a case with no page.
        outside = actions.file_report(
            s,
            url="https://www.facebook.com/groups/123/posts/456",
            reason="Someone copying our logo on a fake page",
            category="ip",
            actor=staff[Role.EMPLOYEE],
        )
        designee = people.actor_for(
            people.set_roles(
                s,
                staff[Role.PIO].account_id,
                actor=staff.admin,
                roles=["pio"],
                page_scope=[site.page_id],
                reason="designee for the community page",
            )
        )
        case_id = outside.case_id
        assert designee.page_scope == {site.page_id}
    assert case_id is not None
    with (
        pytest.raises(PermissionDenied, match="belongs to no page"),
        transaction(site.sessions) as s,
    ):
        actions.consult(s, case_id, question="Is this ours to act on?", actor=designee)
    with pytest.raises(PermissionDenied), site.sessions() as s:
        actions.get_case(s, case_id, actor=designee)
    # A PIO not limited to pages keeps handling work with no page.
    with transaction(site.sessions) as s:
        office = people.actor_for(
            people.seed_account(
                s,
                username="pio-office",
                display_name="PIO Office",
                password="the office's own phrase",
                roles=["pio"],
                reason="test",
            )
        )
        actions.consult(s, case_id, question="Is this ours to act on?", actor=office)
