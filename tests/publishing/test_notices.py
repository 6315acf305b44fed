"""Time-sensitive notices (§.15): templates, a second PIO's approval, the fast path to every
page at once, updates and the all-clear threaded under the original, CAP 1.2 validated against
the OASIS schema, the Atom feed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import xmlschema
from lxml import etree
from sqlalchemy import func, select

from piodesk.core import audit, clock
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, InvalidInput, PermissionDenied
from piodesk.core.evidence import verify as verify_evidence
from piodesk.core.permissions import Role
from piodesk.publishing import notices, outbox
from piodesk.publishing.notice_model import TEMPLATES
from piodesk.publishing.notice_tables import Notice
from piodesk.publishing.outbox_model import Overall
from piodesk.publishing.outbox_sender import send_due
from piodesk.publishing.outbox_tables import Publication

SCHEMA = xmlschema.XMLSchema(Path(__file__).parent / "data" / "CAP-v1.2.xsd")
CAP = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
AGENCY = notices.Agency(
    "Colorado Springs Police Department", "CSPD", "https://coloradosprings.gov/police"
)


def _soon(hours: float) -> str:
    return (clock.now() + timedelta(hours=hours)).astimezone(AGENCY.tz).strftime("%Y-%m-%dT%H:%M")


def _draft(sessions, staff, page_ids, **over):
    values = {
        "location": "Academy Blvd northbound at Fountain Blvd",
        "detour": "Use Powers Blvd",
        "start": _soon(0),
        "description": "Crash investigation.",
        "contact": "719-444-7000",
    }
    values = over.pop("exact", None) or {**values, **over.pop("values", {})}
    with transaction(sessions) as s:
        return notices.draft_notice(
            s,
            actor=staff[Role.PIO],
            agency=AGENCY,
            template=over.pop("template", "road_closure"),
            values=values,
            page_ids=page_ids,
            expires=over.pop("expires", _soon(6)),
        ).id


def _approve(sessions, notice_id, approver) -> int:
    with transaction(sessions) as s:
        return notices.approve_notice(s, notice_id, actor=approver, agency=AGENCY)


def _cap(sessions, notice_id) -> etree._Element:
    with sessions() as s:
        xml = notices.cap_xml(s, notice_id, AGENCY, base_url="https://piodesk.example")
    SCHEMA.validate(xml.decode())  # raises with the schema's words when invalid
    return etree.fromstring(xml)


def test_every_template_lists_its_fields_and_maps_to_cap():
    assert set(TEMPLATES) == {
        "road_closure",
        "special_event",
        "weather_emergency",
        "missing_person",
        "other",
    }
    for t in TEMPLATES.values():
        assert any(f.required for f in t.fields)
        assert t.headline_from in {f.name for f in t.fields}


def test_notice_fast_path_update_and_all_clear(sessions, staff, sandbox_pages, approver):
    ids = list(sandbox_pages.ids.values())
    nid = _draft(sessions, staff, ids)
    pub = _approve(sessions, nid, approver)
    report = send_due(sessions, sandbox_pages.connect, only={pub})
    assert len(report.sent) == 3
    with sessions() as s:
        assert outbox.status(s, pub).overall is Overall.PUBLISHED
    for handle in sandbox_pages.ids:
        (post,) = sandbox_pages.posts(handle)
        assert post.startswith("ROAD CLOSURE: Academy Blvd northbound at Fountain Blvd")
        assert "Detour: Use Powers Blvd" in post

    alert = _cap(sessions, nid)
    assert alert.findtext("cap:msgType", namespaces=CAP) == "Alert"
    assert alert.findtext("cap:info/cap:category", namespaces=CAP) == "Transport"
    assert alert.findtext("cap:info/cap:expires", namespaces=CAP)
    assert alert.find("cap:references", CAP) is None

    with transaction(sessions) as s:
        upd = notices.draft_followup(
            s, nid, actor=staff[Role.PIO], agency=AGENCY, kind="update", note="One lane open."
        ).id
    upd_pub = _approve(sessions, upd, approver)
    send_due(sessions, sandbox_pages.connect, only={upd_pub})
    with transaction(sessions) as s:
        clear = notices.draft_followup(
            s, nid, actor=staff[Role.PIO], agency=AGENCY, kind="all_clear"
        ).id
    clear_pub = _approve(sessions, clear, approver)
    send_due(sessions, sandbox_pages.connect, only={clear_pub})

    for handle in sandbox_pages.ids:
        assert len(sandbox_pages.posts(handle)) == 1  # follow-ups are threaded, not new posts
        bodies = [c.body for c in sandbox_pages.comments(handle)]
        assert bodies[0].startswith("UPDATE — ROAD CLOSURE") and "One lane open." in bodies[0]
        assert bodies[1].startswith("ALL CLEAR — ROAD CLOSURE")

    first_id = alert.findtext("cap:identifier", namespaces=CAP)
    sent = alert.findtext("cap:sent", namespaces=CAP)
    update = _cap(sessions, upd)
    assert update.findtext("cap:msgType", namespaces=CAP) == "Update"
    assert (
        update.findtext("cap:references", namespaces=CAP)
        == f"pio@coloradosprings.gov,{first_id},{sent}"
    )
    done = _cap(sessions, clear)
    assert done.findtext("cap:msgType", namespaces=CAP) == "Update"
    assert done.findtext("cap:info/cap:responseType", namespaces=CAP) == "AllClear"
    assert done.findtext("cap:info/cap:urgency", namespaces=CAP) == "Past"
    assert len(done.findtext("cap:references", namespaces=CAP).split()) == 2  # alert and update

    with sessions() as s:
        feed = etree.fromstring(notices.atom_feed(s, AGENCY, base_url="https://piodesk.example"))
    atom = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", atom)
    assert len(entries) == 3
    links = [e.find("a:link", atom).get("href") for e in entries]
    assert f"https://piodesk.example/public/notices/{nid}.cap.xml" in links

    with sessions() as s:
        assert audit.verify(s).ok
        assert not verify_evidence(s).problems  # notices and deliveries sealed in the chain
    with pytest.raises(Conflict, match="already closed"), transaction(sessions) as s:
        notices.draft_followup(
            s, nid, actor=staff[Role.PIO], agency=AGENCY, kind="update", note="x"
        )


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_template_makes_a_valid_cap_message(
    sessions, staff, sandbox_pages, approver, template
):
    values = {
        f.name: (
            _soon(1)
            if f.when
            else ("https://example.org/p.jpg" if f.name == "photo_url" else f"{f.label} here")
        )
        for f in TEMPLATES[template].fields
    }
    nid = _draft(sessions, staff, [sandbox_pages.ids["north"]], template=template, exact=values)
    _approve(sessions, nid, approver)
    alert = _cap(sessions, nid)
    assert alert.findtext("cap:status", namespaces=CAP) == "Actual"
    assert alert.findtext("cap:scope", namespaces=CAP) == "Public"


def test_nobody_approves_their_own_notice_and_only_the_pio_office_drafts(
    sessions, staff, sandbox_pages
):
    north = sandbox_pages.ids["north"]
    nid = _draft(sessions, staff, [north])
    with pytest.raises(PermissionDenied, match="own notice"), transaction(sessions) as s:
        notices.approve_notice(s, nid, actor=staff[Role.PIO], agency=AGENCY)
    for role in (Role.CADRE, Role.CHIEF, Role.ADMIN, Role.AUDITOR):
        with pytest.raises(PermissionDenied), transaction(sessions) as s:
            notices.approve_notice(s, nid, actor=staff[role], agency=AGENCY)
        with pytest.raises(PermissionDenied), transaction(sessions) as s:
            notices.draft_notice(
                s,
                actor=staff[role],
                agency=AGENCY,
                template="other",
                values={"headline": "x", "location": "y", "description": "z"},
                page_ids=[north],
                expires=_soon(2),
            )
    with sessions() as s:
        assert s.execute(select(func.count()).select_from(Publication)).scalar_one() == 0


def test_bad_notices_are_refused_naming_the_reason(sessions, staff, agency, sandbox_pages):
    from tests.publishing.conftest import add_pages

    north = sandbox_pages.ids["north"]
    waiting = add_pages(sessions, staff, agency, ["waiting"], approve=False)["waiting"]
    cases = [
        ({"page_ids": [waiting]}, Conflict, "not approved"),
        ({"page_ids": [north], "expires": ""}, InvalidInput, "needs an expiry"),
        ({"page_ids": [north], "expires": _soon(-1)}, InvalidInput, "in the past"),
        ({"page_ids": [north], "values": {"location": ""}}, InvalidInput, "required"),
        ({"page_ids": [north], "values": {"start": "tomorrow"}}, InvalidInput, "not a date"),
        ({"page_ids": [north], "template": "parade"}, InvalidInput, "not a notice template"),
    ]
    for kwargs, error, words in cases:
        with pytest.raises(error, match=words):
            _draft(sessions, staff, **kwargs)
    with sessions() as s:
        assert s.execute(select(func.count()).select_from(Notice)).scalar_one() == 0


def test_the_schema_check_can_fail():
    from datetime import UTC, datetime

    from piodesk.publishing import cap

    now = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)
    good = cap.CapMessage(
        identifier="cspd-notice-1",
        sender="pio@example.org",
        sent=now,
        msg_type="Alert",
        category="Transport",
        event="Road closure",
        urgency="Immediate",
        severity="Minor",
        certainty="Observed",
        expires=now + timedelta(hours=2),
        headline="Road closed",
        description="Closed.",
        area_desc="Academy Blvd",
        sender_name="CSPD",
    )
    assert SCHEMA.is_valid(cap.build_alert(good).decode())
    bad = cap.build_alert(good).decode().replace("<msgType>Alert", "<msgType>Bulletin")
    assert not SCHEMA.is_valid(bad)
    with pytest.raises(ValueError, match="zone"):
        cap.cap_time(datetime(2026, 12, 3, 16, 0))
