"""Working the queue (issue 12, item 5): threats first, claims and assignment, who is looking,
bulk keep of clean cases, account notes on a person, saved replies, notifications."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from piodesk.core.db import transaction
from piodesk.core.errors import Conflict
from piodesk.core.permissions import Role
from piodesk.moderation import actions, queries
from piodesk.moderation.actions import notifications
from piodesk.moderation.actions import queue as work
from piodesk.moderation.queries import QueueFilter
from piodesk.moderation.tables import Case
from tests.conftest import PASSWORD
from tests.moderation.conftest import Site
from tests.web.conftest import sign_in

PHONE = "Call me at 719-555-0134 for cheap game tickets, best prices in town"
THREAT = "I know where officer Diaz lives and I'm going to hurt him"


def _case(site: Site, who: str, text: str) -> int:
    cid = site.comment(who, text)
    site.poll()
    return site.case_of(cid).id


def test_threats_come_first_then_the_oldest(site: Site, staff) -> None:
    older = _case(site, "Vendor", PHONE)
    threat = _case(site, "Threat", THREAT)
    with site.sessions() as s:
        ids = [r.case.id for r in queries.queue(s, QueueFilter(), actor=staff[Role.PIO])]
    assert ids.index(threat) < ids.index(older)


def test_claim_assign_release_and_who_is_looking(site: Site, staff) -> None:
    pio, auditor = staff[Role.PIO], staff[Role.AUDITOR]
    case_id = _case(site, "Vendor", PHONE)
    with transaction(site.sessions) as s:
        work.note_viewer(s, case_id, auditor)
        work.claim(s, case_id, actor=pio)
    with site.sessions() as s:
        view = queries.case_view(s, case_id, actor=pio)
        assert view.claimed_by == "Test pio" and view.viewers == ["Test auditor"]
        assert queries.case_view(s, case_id, actor=auditor).viewers == []  # not oneself
    with transaction(site.sessions) as s:
        work.claim(s, case_id, actor=pio, assignee="legal-counsel")
    with site.sessions() as s:
        assert queries.case_view(s, case_id, actor=pio).claimed_by == "Test legal_counsel"
        assert any("assigned you" in n.body for n in notifications.mine(s, staff[Role.LEGAL]))
    with transaction(site.sessions) as s:
        work.release(s, case_id, actor=pio)
    with transaction(site.sessions) as s, pytest.raises(Conflict, match="not claimed"):
        work.release(s, case_id, actor=pio)


def test_bulk_keep_keeps_clean_cases_and_refuses_a_batch_with_a_threat(site: Site, staff) -> None:
    pio = staff[Role.PIO]
    a = _case(site, "A", PHONE)
    b = _case(site, "B", PHONE.replace("0134", "0177"))
    threat = _case(site, "Threat", THREAT)
    with pytest.raises(Conflict, match="threat finding"):
        work.bulk_keep(site.sessions, [a, threat], actor=pio, connect=site.connect)
    with site.sessions() as s:
        assert s.get(Case, a).state == "open"  # type: ignore[union-attr]  # nothing was kept
    assert work.bulk_keep(site.sessions, [a, b], actor=pio, connect=site.connect) == [a, b]
    with site.sessions() as s:
        assert {s.get(Case, i).outcome for i in (a, b)} == {"kept"}  # type: ignore[union-attr]


def test_person_notes_saved_replies_and_the_reporter_hears_the_outcome(
    site: Site, staff, client: TestClient
) -> None:
    pio, employee = staff[Role.PIO], staff[Role.EMPLOYEE]
    cid = site.comment("Vendor", PHONE)
    site.poll()
    with transaction(site.sessions) as s:
        report = actions.file_report(
            s, item_id=site.item(cid).id, reason="selling here", actor=employee
        )
        work.add_person_note(
            s, report.case_id, note="Posts ads on every closure notice.", actor=pio
        )
        work.save_reply(
            s,
            title="Ads",
            category="solicitation",
            text="Advertising is not allowed on the department's pages.",
            actor=pio,
        )
    actions.decide(
        site.sessions,
        report.case_id,
        action="hide",
        reason="solicitation",
        note="an ad for tickets",
        actor=pio,
        connect=site.connect,
    )
    with site.sessions() as s:
        view = queries.case_view(s, report.case_id, actor=pio)
        assert [n.note for n in view.person_notes] == ["Posts ads on every closure notice."]
        assert any("was hidden" in n.body for n in notifications.mine(s, employee))
    csrf = sign_in(client, pio.username, PASSWORD)
    page = client.get(f"/moderation/cases/{report.case_id}")
    assert (
        "Posts ads on every closure notice." in page.text
        and 'data-fill="warn-explanation"' in page.text
    )
    bad = client.post(
        "/moderation/saved-replies",
        data={"csrf_token": csrf, "title": "Short", "category": "solicitation", "text": "no"},
    )
    assert bad.status_code == 422 and 'value="Short"' in bad.text
    client.cookies.clear()
    sign_in(client, employee.username, PASSWORD)
    mine = client.get("/notifications")
    assert "The comment you reported was hidden" in mine.text
    assert 'class="unread"' in mine.text  # one list for all of piodesk (program/notifications)
    with site.sessions() as s:
        assert s.execute(select(Case).where(Case.id == report.case_id)).scalar_one()
