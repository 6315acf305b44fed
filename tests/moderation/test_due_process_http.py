"""Due process through the web app and the JSON API: the viewpoint guard's refusal beside the
field with the text kept, a second look, reopening, the public appeal form (no sign-in, small
body), the appeals queue, privileged advice on the case page, and the public transparency page
(no sign-in, no comment text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.ingest import ingest_all
from piodesk.archive.media import MediaStore
from piodesk.connectors.sandbox import platform
from piodesk.core import audit
from piodesk.core.db import transaction
from piodesk.core.permissions import Actor, Role
from piodesk.moderation import actions
from piodesk.moderation.intake import intake_all
from piodesk.moderation.tables import Appeal, Case, Decision
from piodesk.people import actions as people
from piodesk.people.tokens import ALL_SCOPES
from piodesk.screening.engine import default_screener
from tests.conftest import PASSWORD
from tests.moderation.conftest import Site
from tests.web.conftest import bearer, sign_in

CRITICISM = "Another useless PR post from a department that covers for bad cops"
PHONE = "Call me at 719-555-0134 for cheap game tickets, best prices in town"


def _poll(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    ingest_all(sessions, media=MediaStore(tmp_path / "media"))
    intake_all(sessions, default_screener())


@pytest.fixture
def pio2(sessions: sessionmaker[Session]) -> Actor:
    with transaction(sessions) as s:
        return people.actor_for(
            people.seed_account(
                s,
                username="pio-two",
                display_name="Sam Second",
                password=PASSWORD,
                roles=[Role.PIO.value],
                reason="test fixture",
            )
        )


def _reported_criticism(site: Site, staff, tmp_path: Path) -> int:
    cid = site.comment("Critic", CRITICISM)
    _poll(site.sessions, tmp_path)
    with transaction(site.sessions) as s:
        return actions.file_report(
            s,
            item_id=site.item(cid).id,
            reason="disrespectful to our officers",
            actor=staff[Role.EMPLOYEE],
        ).case_id


def test_the_guard_refuses_beside_the_field_keeps_the_text_and_sends_for_a_second_look(
    client: TestClient, site: Site, staff, pio2: Actor, tmp_path: Path
) -> None:
    case_id = _reported_criticism(site, staff, tmp_path)
    csrf = sign_in(client, staff[Role.PIO].username, PASSWORD)
    page = client.get(f"/moderation/cases/{case_id}")
    assert page.status_code == 200
    assert "Screening found nothing in this comment" in page.text
    # No category is pre-selected on the decide form.
    reason_select = page.text[page.text.index('name="reason" id="reason"') :].split("</select>")[0]
    assert " selected" not in reason_select
    assert "[has_" not in page.text and "hateful" not in page.text
    form = {
        "csrf_token": csrf,
        "action": "remove",
        "reason": "threat",
        "note": "Disrespectful to officers",
    }
    refused = client.post(f"/moderation/cases/{case_id}/decide", data=form)
    assert refused.status_code == 409
    assert 'id="decide-guard-error"' in refused.text and "viewpoint guard" in refused.text
    assert 'value="Disrespectful to officers"' in refused.text  # the typed note is kept
    assert re.search(r'<option value="threat" selected>', refused.text)
    assert site.public_comment(site.case_comment(case_id)) is not None
    # htmx gets the same page (the script swaps a 409 in).
    hx = client.post(f"/moderation/cases/{case_id}/decide", data=form, headers={"HX-Request": "1"})
    assert hx.status_code == 409 and 'id="hold-button"' in hx.text
    # A missing note is shown beside the note.
    no_note = client.post(
        f"/moderation/cases/{case_id}/decide",
        data={"csrf_token": csrf, "action": "hide", "reason": "profanity", "note": ""},
    )
    assert no_note.status_code == 422 and 'id="decide-note-error"' in no_note.text

    held = client.post(f"/moderation/cases/{case_id}/hold", data=form)
    assert held.status_code == 303
    with site.sessions() as s:
        case = s.get(Case, case_id)
        assert case is not None and case.state == "needs_second"
    # The second PIO sees the held decision and declines it; the comment stays up.
    client.cookies.clear()
    csrf2 = sign_in(client, pio2.username, PASSWORD)
    page2 = client.get(f"/moderation/cases/{case_id}")
    assert 'id="concur-form"' in page2.text and "Test pio" in page2.text  # a name, not "pio"
    proposal = re.search(r'action="/moderation/held/(\d+)/answer"', page2.text)
    assert proposal
    empty = client.post(
        f"/moderation/held/{proposal[1]}/answer",
        data={"csrf_token": csrf2, "verdict": "decline", "note": ""},
    )
    assert empty.status_code == 422 and 'id="concur-note-error"' in empty.text
    declined = client.post(
        f"/moderation/held/{proposal[1]}/answer",
        data={"csrf_token": csrf2, "verdict": "decline", "note": "criticism; it stays up"},
    )
    assert declined.status_code == 303
    page3 = client.get(f"/moderation/cases/{case_id}")
    assert "declined" in page3.text and "sent a hide or removal for a second look" in page3.text


def test_api_refuses_the_guarded_removal_and_a_second_pio_concurs(
    client: TestClient, site: Site, staff, pio2: Actor, tokens, tmp_path: Path
) -> None:
    case_id = _reported_criticism(site, staff, tmp_path)
    body = {"action": "remove", "reason": "threat", "note": "Disrespectful to officers"}
    r = client.post(
        f"/api/v1/moderation/cases/{case_id}/decision", json=body, headers=bearer(tokens[Role.PIO])
    )
    assert r.status_code == 409 and "viewpoint guard" in r.json()["error"]
    r = client.post(
        f"/api/v1/moderation/cases/{case_id}/held", json=body, headers=bearer(tokens[Role.PIO])
    )
    assert r.status_code == 201 and r.json()["guard"] == ["no_finding", "viewpoint_note"]
    proposal_id = r.json()["id"]
    r = client.post(
        f"/api/v1/moderation/held/{proposal_id}/answer",
        json={"verdict": "concur"},
        headers=bearer(tokens[Role.PIO]),
    )
    assert r.status_code == 403  # the proposer is not a second person
    with transaction(site.sessions) as s:
        _row, token2 = people.issue_api_token(s, actor=pio2, name="t", scopes=ALL_SCOPES)
    r = client.post(
        f"/api/v1/moderation/held/{proposal_id}/answer",
        json={"verdict": "concur", "note": "on the whole thread it is a threat"},
        headers=bearer(token2),
    )
    assert r.status_code == 200 and r.json()["role"] == "pio"
    with site.sessions() as s:
        decision = s.execute(select(Decision).where(Decision.case_id == case_id)).scalar_one()
        assert decision.action == "remove" and decision.actor_name == "pio-two"
    # Corrections: restore for its own reason, then reopen.
    r = client.post(
        f"/api/v1/moderation/cases/{case_id}/restore",
        json={"note": "protected criticism after all", "reason": "no_violation"},
        headers=bearer(tokens[Role.PIO]),
    )
    assert r.status_code == 201 and r.json()["reason"] == "no_violation"
    r = client.post(
        f"/api/v1/moderation/cases/{case_id}/reopen",
        json={"reason": "to record the keep it deserved"},
        headers=bearer(tokens[Role.PIO]),
    )
    assert r.status_code == 200 and r.json()["previous_outcome"] == "restored"


def _blocked_with_code(site: Site, staff, tmp_path: Path) -> str:
    pio = staff[Role.PIO]
    cid = site.comment("Seller", PHONE)
    _poll(site.sessions, tmp_path)
    case = site.case_of(cid)
    actions.decide(
        site.sessions,
        case.id,
        action="hide",
        reason="solicitation",
        note="sells tickets",
        actor=pio,
        connect=site.connect,
    )
    actions.warn(
        site.sessions,
        case_id=case.id,
        category="solicitation",
        explanation="Selling tickets is solicitation, which the page does not allow.",
        actor=pio,
        connect=site.connect,
    )
    site.violate_again("Seller", pio)
    actions.block(
        site.sessions,
        case_id=case.id,
        category="solicitation",
        reason="kept advertising after the warning.",
        actor=pio,
        connect=site.connect,
        review_days=30,
    )
    with transaction(site.sessions) as s:
        page = platform.find_page(s, site.handle)
        assert page is not None
        text = next(
            m.body for m in platform.messages_for(s, page, "visitor-seller") if "code=" in m.body
        )
    return text.split("code=")[1].split()[0]


def test_the_blocked_visitor_appeals_without_signing_in_and_a_second_pio_lifts_it(
    client: TestClient, site: Site, staff, pio2: Actor, tmp_path: Path
) -> None:
    code = _blocked_with_code(site, staff, tmp_path)
    public = TestClient(client.app, follow_redirects=False)
    form = public.get(f"/appeal?code={code}")
    assert form.status_code == 200 and f'value="{code}"' in form.text
    bad = public.post("/appeal", data={"code": "wrong-code-123", "text": "please unblock me"})
    assert bad.status_code == 422 and 'id="appeal-code-error"' in bad.text
    assert "please unblock me" in bad.text  # the text is kept
    huge = public.post("/appeal", data={"code": code, "text": "x" * 70_000})
    assert huge.status_code == 413  # the public body limit
    filed = public.post(
        "/appeal", data={"code": code, "text": "I stopped selling; let me comment on closures."}
    )
    assert filed.status_code == 200 and 'id="appeal-filed"' in filed.text
    with site.sessions() as s:
        assert s.execute(select(Appeal)).scalar_one().via == "form"
        events = [e.action for e in s.execute(select(audit.AuditEvent)).scalars()]
        assert "moderation:appeal" in events

    # The PIO who blocked may not decide it; the second PIO lifts the block.
    csrf = sign_in(client, staff[Role.PIO].username, PASSWORD)
    queue = client.get("/moderation/appeals")
    assert "a colleague decides its appeal" in queue.text
    client.cookies.clear()
    csrf = sign_in(client, pio2.username, PASSWORD)
    queue = client.get("/moderation/appeals")
    appeal = re.search(r'action="/moderation/appeals/(\d+)/decide"', queue.text)
    assert appeal
    short = client.post(
        f"/moderation/appeals/{appeal[1]}/decide",
        data={"csrf_token": csrf, "outcome": "lifted", "note": "ok"},
    )
    assert short.status_code == 422 and f'id="appeal-{appeal[1]}-error"' in short.text
    done = client.post(
        f"/moderation/appeals/{appeal[1]}/decide",
        data={"csrf_token": csrf, "outcome": "lifted", "note": "a fair second chance"},
    )
    assert done.status_code == 303
    with transaction(site.sessions) as s:
        page = platform.find_page(s, site.handle)
        assert page is not None and not platform.is_blocked(s, page, "visitor-seller")


def test_advice_is_marked_privileged_and_the_audit_page_shows_no_words(
    client: TestClient, site: Site, staff, tmp_path: Path
) -> None:
    case_id = _reported_criticism(site, staff, tmp_path)
    advice = "Protected criticism of government; keep it and do not block."
    with transaction(site.sessions) as s:
        c = actions.consult(s, case_id, question="May we remove this one?", actor=staff[Role.PIO])
        actions.advise(s, c.id, advice=advice, recommends="keep", actor=staff[Role.LEGAL])
    sign_in(client, staff[Role.AUDITOR].username, PASSWORD)
    case_page = client.get(f"/moderation/cases/{case_id}")
    assert "Attorney–client privileged" in case_page.text and advice in case_page.text
    audit_page = client.get("/audit")
    assert audit_page.status_code == 200
    assert advice not in audit_page.text and "Legal counsel advised (privileged" in audit_page.text
    assert f'href="/moderation/cases/{case_id}"' in audit_page.text  # the auditor may open it
    client.cookies.clear()
    sign_in(client, staff[Role.CHIEF].username, PASSWORD)
    chiefs_log = client.get("/audit").text
    assert advice not in chiefs_log
    # The chief reads the case's events but not the case: it is named, not linked to a refusal.
    assert f"Case {case_id}" in chiefs_log and 'href="/moderation/cases/' not in chiefs_log
    assert client.get(f"/moderation/cases/{case_id}").status_code == 403


def test_the_public_transparency_page_needs_no_sign_in_and_shows_no_comment_text(
    client: TestClient, site: Site, staff, tmp_path: Path
) -> None:
    cid = site.comment("Seller", PHONE)
    _poll(site.sessions, tmp_path)
    actions.decide(
        site.sessions,
        site.case_of(cid).id,
        action="remove",
        reason="solicitation",
        note="sells game tickets here",
        actor=staff[Role.PIO],
        connect=site.connect,
    )
    anonymous = TestClient(client.app, follow_redirects=False)
    page = anonymous.get("/transparency")
    assert page.status_code == 200
    assert 'id="public-rows"' in page.text and 'id="unequal-pairs"' in page.text
    assert "Solicitation of commerce or advertising" in page.text
    for secret in ("719-555-0134", "cheap game tickets", "Seller", "sells game tickets"):
        assert secret not in page.text
    months = page.text[page.text.index('id="public-months"') :]
    assert re.search(r'<td class="num">1</td>', months)  # the removal is counted


def test_other_moderation_forms_refuse_beside_the_field_and_keep_the_text(
    client: TestClient, site: Site, staff, tmp_path: Path
) -> None:
    _blocked_with_code(site, staff, tmp_path)
    csrf = sign_in(client, staff[Role.PIO].username, PASSWORD)
    blocks = client.get("/moderation/blocks").text
    block_id = re.search(r'action="/moderation/blocks/(\d+)/lift"', blocks)
    assert block_id
    r = client.post(
        f"/moderation/blocks/{block_id[1]}/lift", data={"csrf_token": csrf, "reason": "short"}
    )
    assert r.status_code == 422 and f'id="block-{block_id[1]}-lift-error"' in r.text
    assert 'value="short"' in r.text and "That was not done" not in r.text
    # The block's category in words, its person by name (GO 409 §.20's words, not a code).
    row = blocks[blocks.index(f'data-block-id="{block_id[1]}"') :].split("</tr>")[0]
    assert "Solicitation of commerce or advertising" in row and ">solicitation<" not in row
    assert "Seller" in row and "Test pio" in row
    client.cookies.clear()
    csrf = sign_in(client, staff[Role.EMPLOYEE].username, PASSWORD)
    url = f"https://piodesk.example/sandbox/{site.handle}#comment-999999"
    r = client.post("/reports", data={"csrf_token": csrf, "url": url, "reason": "bad"})
    assert r.status_code == 422 and 'id="report-reason-error"' in r.text
    assert f'value="{url}"' in r.text and ">bad</textarea>" in r.text
