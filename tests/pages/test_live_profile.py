"""§.10 "Check the live profile": the required-element check reads what the platform shows now
(the sandbox's page profile, Mastodon's account note and fields, a Facebook Page's about and
description), records it as an audited recheck of the page, and says where the live page
differs from piodesk's record. Mastodon replays its recorded exchange (vcrpy, no network);
Facebook's recorded Graph body is served on a local socket, as the connector tests do."""

from __future__ import annotations

import hashlib
import json
from typing import Any, ClassVar

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.connectors.base import AuthExpired, Connector
from piodesk.connectors.credentials import Credential
from piodesk.connectors.facebook import FacebookConnector
from piodesk.connectors.factory import build
from piodesk.connectors.mastodon import MastodonConnector
from piodesk.connectors.model import Capability
from piodesk.connectors.sandbox import platform as sandbox
from piodesk.core import audit, tags
from piodesk.core.audit import AuditEvent
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, InvalidInput, PermissionDenied
from piodesk.core.permissions import Role
from piodesk.pages import actions as pages
from piodesk.pages.model import Agency, Element, live_profile
from piodesk.pages.tables import ComplianceCheck, Page
from tests.conftest import registered_sandbox_page
from tests.connectors.conftest import shared
from tests.connectors.test_mastodon import _cassette, _recorded
from tests.pages.test_compliance import SENTENCES, complete_profile


@pytest.fixture
def data() -> object:
    """``data("platform_http/...")``: the shared recordings, or skip when they are absent."""
    return shared


def _checks(sessions: sessionmaker[Session], page_id: int) -> list[ComplianceCheck]:
    with sessions() as s:
        return list(
            s.execute(
                select(ComplianceCheck)
                .where(ComplianceCheck.page_id == page_id)
                .order_by(ComplianceCheck.id)
            ).scalars()
        )


def _rechecks(sessions: sessionmaker[Session], page_id: int) -> list[AuditEvent]:
    with sessions() as s:
        return list(
            s.execute(
                select(AuditEvent).where(
                    AuditEvent.target_type == "page",
                    AuditEvent.target_id == str(page_id),
                    AuditEvent.action == tags.Page.RECHECK.value,
                )
            ).scalars()
        )


def _register(sessions: sessionmaker[Session], staff: Any, agency: Agency, platform: str) -> int:
    with transaction(sessions) as s:
        return pages.register_page(
            s,
            actor=staff[Role.PIO],
            agency=agency,
            platform=platform,
            handle=f"cspd-{platform}",
            name=f"CSPD on {platform}",
            administering_unit="Public Affairs",
            profile=complete_profile(),
        ).id


def test_sandbox_live_profile_is_checked_and_recorded_as_a_recheck(
    sessions: sessionmaker[Session], staff, agency: Agency
) -> None:
    page_id = registered_sandbox_page(
        sessions, staff, agency, "live-check", profile=complete_profile()
    )
    [recorded_check] = [c for c in _checks(sessions, page_id) if c.compliant]
    assert recorded_check.report.get("source") is None  # the check of piodesk's own record

    # On the platform, someone shortens the about text: the monitoring notice is gone.
    with transaction(sessions) as s:
        shown = sandbox.find_page(s, "live-check")
        assert shown is not None
        shown.about = " ".join(v for e, v in SENTENCES.items() if e != Element.MONITORING)

    def connect(page: Page) -> Connector:
        return build(page, sessions)

    result = pages.check_live_profile(
        sessions, page_id, actor=staff[Role.PIO], agency=agency, connect=connect
    )
    assert result.report.missing == [Element.MONITORING]
    assert result.differs == ["about text"]
    live = _checks(sessions, page_id)[-1]
    assert live.report["source"] == "live" and live.report["differs"] == ["about text"]
    assert not live.compliant
    with sessions() as s:
        page = s.get(Page, page_id)
        assert page is not None and page.compliant is False
        # The recorded profile is untouched: the live check is a check, not an edit.
        assert pages.current_profile(s, page) == complete_profile()
        assert pages.missing_elements(s, page) == [Element.MONITORING]
        assert audit.verify(s).ok
    event = _rechecks(sessions, page_id)[-1]
    assert event.section == "§.10" and event.data["source"] == "live"
    assert event.data["missing"] == ["monitoring"] and event.actor_id == staff[Role.PIO].account_id
    assert event.data["fingerprint"] == result.fingerprint

    # Put right on the platform, the next live check is complete and matches the record.
    with transaction(sessions) as s:
        shown = sandbox.find_page(s, "live-check")
        assert shown is not None
        shown.about = complete_profile().about
    again = pages.check_live_profile(
        sessions, page_id, actor=staff[Role.PIO], agency=agency, connect=connect
    )
    assert again.report.compliant and again.differs == []


def test_who_may_check_and_what_refuses_writes_nothing(
    sessions: sessionmaker[Session], staff, agency: Agency
) -> None:
    page_id = registered_sandbox_page(sessions, staff, agency, "refusals")
    before = (len(_checks(sessions, page_id)), len(_rechecks(sessions, page_id)))

    def never(page: Page) -> Connector:
        raise AssertionError("the platform is not called for someone who may not check")

    with pytest.raises(PermissionDenied):
        pages.check_live_profile(
            sessions, page_id, actor=staff[Role.EMPLOYEE], agency=agency, connect=never
        )

    class NoProfile(Connector):
        platform = "sandbox"
        capabilities: ClassVar[frozenset[Capability]] = frozenset()

    class Expired(Connector):
        platform = "sandbox"
        capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.READ_PROFILE})

        def read_profile(self) -> Any:
            raise AuthExpired("sandbox", "the page token has expired")

    with pytest.raises(InvalidInput, match="cannot read the profile"):
        pages.check_live_profile(
            sessions, page_id, actor=staff[Role.PIO], agency=agency, connect=lambda p: NoProfile()
        )
    with pytest.raises(Conflict, match="could not read the live profile"):
        pages.check_live_profile(
            sessions, page_id, actor=staff[Role.PIO], agency=agency, connect=lambda p: Expired()
        )
    assert (len(_checks(sessions, page_id)), len(_rechecks(sessions, page_id))) == before


def test_mastodon_account_note_and_fields_are_read_live(
    sessions: sessionmaker[Session], staff, agency: Agency, data: Any
) -> None:
    page_id = _register(sessions, staff, agency, "mastodon")
    name = "cassettes_entity_tests/test_entity_account.yaml"
    body = _recorded(data, name)[1]["response"]["body"]["string"]
    account = json.loads(body)
    conn = MastodonConnector("https://mastodon.social", Credential({"access_token": "REDACTED"}))
    with _cassette(data, name):
        result = pages.check_live_profile(
            sessions, page_id, actor=staff[Role.PIO], agency=agency, connect=lambda p: conn
        )
    assert result.fingerprint == hashlib.sha256(body.encode("utf-8")).hexdigest()
    # A personal test account is not a department page: most elements are missing, and the
    # live page differs from the complete profile piodesk recorded.
    assert not result.report.compliant and Element.MONITORING in result.report.missing
    assert {"about text", "links"} <= set(result.differs)
    live = _checks(sessions, page_id)[-1]
    assert live.report["source"] == "live" and live.report["platform"] == "mastodon"
    # The bio (as text, not HTML), the profile URL and the profile fields, as the public sees them.
    assert result.profile.about.startswith("https://halcy.de/ ~ Local account.")
    assert "<" not in result.profile.about
    for f in account["fields"]:
        assert f"{f['name']}: {f['value']}" in result.profile.about
    assert result.profile.links[0] == account["url"]


def test_facebook_page_about_and_description_are_read_live(
    sessions: sessionmaker[Session], staff, agency: Agency, data: Any, httpserver: Any
) -> None:
    page_id = _register(sessions, staff, agency, "facebook")
    body = data("platform_http/facebook_graph/testdata/base/object_data.json").read_text("utf-8")
    httpserver.expect_request("/v19.0/20531316728", method="GET").respond_with_data(
        body, content_type="application/json"
    )
    conn = FacebookConnector(
        "20531316728",
        Credential({"access_token": "page-token-for-tests"}),
        base_url=httpserver.url_for("/").rstrip("/"),
    )
    result = pages.check_live_profile(
        sessions, page_id, actor=staff[Role.PIO], agency=agency, connect=lambda p: conn
    )
    assert len(httpserver.log) == 1
    assert "about" in httpserver.log[0][0].args["fields"].split(",")
    assert result.fingerprint == hashlib.sha256(body.encode("utf-8")).hexdigest()
    page = json.loads(body)
    # Facebook's own app page names neither CSPD nor its website: both are missing, with the
    # evidence read from the live about/description text.
    assert Element.MAINTAINED_BY in result.report.missing
    assert Element.WEBSITE_LINK in result.report.missing
    assert "about text" in result.differs and "links" in result.differs
    event = _rechecks(sessions, page_id)[-1]
    assert event.data["source"] == "live" and "maintained_by" in event.data["missing"]
    assert page["website"] in result.profile.links  # a website, but not the agency's


def test_live_profile_maps_platform_contact_fields() -> None:
    profile = live_profile(
        about="Official page.",
        links=["https://a.example", "", "https://a.example"],
        contact={"Phone": "(719) 444-7000", "E-mail": "pio@example.gov", "Hours": "24/7"},
        target_audience="residents",
    )
    assert profile.contact_phone == "(719) 444-7000" and profile.contact_email == "pio@example.gov"
    assert profile.about == "Official page.\nHours: 24/7" and profile.links == (
        "https://a.example",
    )
    assert profile.target_audience == "residents"
