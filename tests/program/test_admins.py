"""Page administrators (§.04): the chief assigns the unit and people; the registry shows them;
a page-limited PIO designee's scope follows."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import evidence
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, PermissionDenied
from piodesk.core.permissions import Role
from piodesk.pages import actions as pages
from piodesk.people import actions as people
from piodesk.program import admins
from piodesk.program.model import FieldErrors
from tests.conftest import PASSWORD
from tests.web.conftest import sign_in


def _page(sessions, staff, agency, handle: str) -> int:
    with transaction(sessions) as s:
        return pages.register_page(
            s,
            actor=staff.admin,
            agency=agency,
            platform="facebook",
            handle=handle,
            name=f"CSPD {handle}",
            administering_unit="Public Affairs Section",
        ).id


def test_the_chief_assigns_and_the_designee_scope_follows(
    sessions: sessionmaker[Session], staff, agency, client: TestClient
) -> None:
    first = _page(sessions, staff, agency, "north")
    second = _page(sessions, staff, agency, "south")
    chief = staff[Role.CHIEF]
    # A PIO designee limited to the first page.
    with transaction(sessions) as s:
        designee = people.seed_account(
            s,
            username="des",
            display_name="Ofc. Dee Signee",
            password=PASSWORD,
            roles=["pio"],
            reason="test",
        )
        designee.page_scopes.append(people.AccountPageScope(page_id=first))
        people.audit.record(s, people.SYSTEM, people.tags.Account.SEED, "account", designee.id)
        des_id = designee.id
    for who in (staff.admin, staff[Role.PIO]):
        with transaction(sessions) as s, pytest.raises(PermissionDenied):
            admins.assign(s, second, actor=who, account_id=des_id)
    with transaction(sessions) as s:
        admins.set_unit(s, second, actor=chief, unit="Sand Creek Division")
        admins.assign(s, second, actor=chief, account_id=des_id)
    with transaction(sessions) as s, pytest.raises(Conflict):
        admins.assign(s, second, actor=chief, account_id=des_id)
    with transaction(sessions) as s, pytest.raises(FieldErrors):
        admins.set_unit(s, second, actor=chief, unit="  ")
    with sessions() as s:
        actor = people.actor_for(people.get_account(s, des_id))
        assert actor.page_scope == frozenset({first, second})
        assert admins.administrators_by_page(s) == {second: ["Ofc. Dee Signee"]}
        assert evidence.verify(s).ok
    sign_in(client, "chief", PASSWORD)
    listing = client.get("/pages")
    assert "Sand Creek Division" in listing.text and "Ofc. Dee Signee" in listing.text
    with transaction(sessions) as s:
        admins.remove(s, second, actor=chief, account_id=des_id, reason="reassigned")
    with sessions() as s:
        assert people.actor_for(people.get_account(s, des_id)).page_scope == frozenset({first})
