"""Registry services: register, approve, reject, retire, edit profile; every step audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import audit
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, InvalidInput
from piodesk.core.permissions import Role
from piodesk.pages import actions as pages
from piodesk.pages.model import Agency, Element, PageState
from piodesk.pages.tables import ComplianceCheck, Page, PageProfileVersion
from tests.pages.test_compliance import complete_profile


def _count(session: Session, model: type) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_page_lifecycle_is_audited(sessions: sessionmaker[Session], staff, agency: Agency) -> None:
    with transaction(sessions) as session:
        page = pages.register_page(
            session,
            actor=staff[Role.PIO],
            agency=agency,
            platform="Instagram",
            handle="cspd",
            name="CSPD Instagram",
            administering_unit="Public Affairs Section",
            profile=complete_profile(),
        )
        assert page.state == PageState.PENDING and page.compliant is True
        assert not pages.is_usable(page)
        pages.approve_page(session, page.id, actor=staff[Role.CHIEF])
        assert pages.is_usable(page)
        with pytest.raises(Conflict):
            pages.approve_page(session, page.id, actor=staff[Role.CHIEF])
        with pytest.raises(InvalidInput, match="reason is required"):
            pages.retire_page(session, page.id, actor=staff[Role.CHIEF], reason="  ")
        pages.retire_page(session, page.id, actor=staff[Role.CHIEF], reason="account closed")
        assert page.state == PageState.RETIRED and page.retired_at is not None
    with sessions() as session:
        actions = [
            e.action
            for e in session.execute(select(audit.AuditEvent).order_by(audit.AuditEvent.seq))
            .scalars()
            .all()
            if e.target_type == "page"
        ]
        assert actions == ["page:register", "page:approved", "page:retired"]
        assert audit.verify(session).ok


def test_profile_edit_adds_a_version_and_rechecks(
    sessions: sessionmaker[Session],
    staff,
    agency: Agency,
) -> None:
    with transaction(sessions) as session:
        page = pages.register_page(
            session,
            actor=staff[Role.PIO],
            agency=agency,
            platform="facebook",
            handle="cspd",
            name="CSPD",
            administering_unit="Public Affairs Section",
            profile=complete_profile(),
        )
    with transaction(sessions) as session:
        report = pages.update_profile(
            session,
            page.id,
            actor=staff[Role.PIO],
            agency=agency,
            profile=complete_profile(drop=Element.MONITORING),
            reason="shortened the about text",
        )
        assert report.missing == [Element.MONITORING]
    with sessions() as session:
        page = session.get(Page, page.id)
        assert page is not None and page.profile_version == 2 and page.compliant is False
        assert _count(session, PageProfileVersion) == 2  # the old version is kept
        assert _count(session, ComplianceCheck) == 2
        latest = pages.latest_check(session, page)
        assert latest is not None and latest.profile_version == 2
        event = session.execute(
            select(audit.AuditEvent).where(audit.AuditEvent.action == "page:update_profile")
        ).scalar_one()
        assert event.reason == "shortened the about text" and "about" in event.data["changed"]


def test_pio_designee_limited_to_their_pages(
    sessions: sessionmaker[Session],
    staff,
    agency: Agency,
) -> None:
    from piodesk.core.errors import PermissionDenied
    from piodesk.people import actions as people

    with transaction(sessions) as session:
        mine, other = (
            pages.register_page(
                session,
                actor=staff.admin,
                agency=agency,
                platform="facebook",
                handle=h,
                name=h,
                administering_unit="Patrol",
            )
            for h in ("mine", "other")
        )
        account = people.set_roles(
            session,
            staff[Role.PIO].account_id,
            actor=staff.admin,
            roles=["pio"],
            page_scope=[mine.id],
            reason="designee for one page",
        )
        designee = people.actor_for(account)
        pages.update_profile(
            session, mine.id, actor=designee, agency=agency, profile=complete_profile()
        )
        with pytest.raises(PermissionDenied, match=f"on page {other.id}"):
            pages.update_profile(
                session, other.id, actor=designee, agency=agency, profile=complete_profile()
            )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("platform", "myspace", "unknown platform 'myspace'"),
        ("name", "x" * 201, "name is too long"),
        ("handle", "", "handle is required"),
        ("administering_unit", "Unit\x00", "control character"),
    ],
)
def test_bad_input_changes_nothing(
    sessions: sessionmaker[Session],
    staff,
    agency: Agency,
    field: str,
    value: str,
    message: str,
) -> None:
    args = {
        "platform": "facebook",
        "handle": "h",
        "name": "n",
        "administering_unit": "Patrol",
    } | {field: value}
    with sessions() as session:
        events_before = _count(session, audit.AuditEvent)
    with pytest.raises(InvalidInput, match=message), transaction(sessions) as session:
        pages.register_page(session, actor=staff.admin, agency=agency, **args)
    with sessions() as session:
        assert _count(session, Page) == 0
        assert _count(session, audit.AuditEvent) == events_before


def test_overlong_profile_refused() -> None:
    with pytest.raises(InvalidInput, match="about text is too long"):
        pages.clean_profile(about="a" * (pages.MAX_ABOUT + 1))
    with pytest.raises(InvalidInput, match="must start with http"):
        pages.clean_profile(links=["javascript:alert(1)"])
