"""The chief's review of a page (§.04, §.10): approving a page that fails required elements
takes a written justification; a page can be sent back for fixes with a note; the
target-audience element wants an audience a reviewer would accept."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from piodesk.cli import app
from piodesk.core import audit
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, InvalidInput, PermissionDenied
from piodesk.core.permissions import Role
from piodesk.pages import actions as pages
from piodesk.pages.model import Agency, Element, PageState, audience_named, check_profile
from piodesk.pages.tables import Page
from tests.conftest import PASSWORD
from tests.pages.test_compliance import AGENCY, complete_profile

WHY = "Needed for the winter storm notices now; the PIO office adds the missing notices by Friday."


def _register(sessions: sessionmaker[Session], staff, agency: Agency, *, complete: bool) -> int:
    with transaction(sessions) as s:
        page = pages.register_page(
            s,
            actor=staff[Role.PIO],
            agency=agency,
            platform="facebook",
            handle="cspd-" + ("complete" if complete else "bare"),
            name="CSPD " + ("Complete" if complete else "Bare"),
            administering_unit="Public Affairs Section",
            profile=complete_profile() if complete else None,
        )
        return page.id


def _state(sessions: sessionmaker[Session], page_id: int) -> str:
    with sessions() as s:
        page = s.get(Page, page_id)
        assert page is not None
        return page.state


def _events(sessions: sessionmaker[Session], page_id: int) -> list[audit.AuditEvent]:
    with sessions() as s:
        return list(
            s.execute(
                select(audit.AuditEvent)
                .where(audit.AuditEvent.target_type == "page")
                .where(audit.AuditEvent.target_id == str(page_id))
                .order_by(audit.AuditEvent.seq)
            ).scalars()
        )


# ---- approving with a justification ---------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "ok", "approved, fine", "   ", "looks fine to me"])
def test_an_incomplete_page_is_not_approved_without_a_justification(
    sessions: sessionmaker[Session], staff, agency: Agency, reason: str
) -> None:
    page_id = _register(sessions, staff, agency, complete=False)
    before = len(_events(sessions, page_id))
    with pytest.raises(pages.JustificationNeeded) as refused, transaction(sessions) as s:
        pages.approve_page(s, page_id, actor=staff[Role.CHIEF], reason=reason)
    message = refused.value.message
    assert "needs a written justification" in message and "send it back" in message
    assert "target audience" in message  # it names what is missing
    assert _state(sessions, page_id) == PageState.PENDING
    assert len(_events(sessions, page_id)) == before  # nothing half-written


def test_an_incomplete_page_is_approved_with_its_justification_recorded(
    sessions: sessionmaker[Session], staff, agency: Agency
) -> None:
    page_id = _register(sessions, staff, agency, complete=False)
    with transaction(sessions) as s:
        page = pages.approve_page(s, page_id, actor=staff[Role.CHIEF], reason=WHY)
        assert pages.is_usable(page)
    approved = _events(sessions, page_id)[-1]
    assert approved.action == "page:approved" and approved.reason == WHY
    assert approved.data["compliant"] is False
    assert set(approved.data["missing"]) == {e.value for e in Element}  # an empty profile
    with sessions() as s:
        assert audit.verify(s).ok


def test_a_complete_page_needs_no_justification(
    sessions: sessionmaker[Session], staff, agency: Agency
) -> None:
    page_id = _register(sessions, staff, agency, complete=True)
    with transaction(sessions) as s:
        pages.approve_page(s, page_id, actor=staff[Role.CHIEF])
    assert _state(sessions, page_id) == PageState.APPROVED
    assert _events(sessions, page_id)[-1].data["missing"] == []


# ---- sending back for fixes -----------------------------------------------------------------


def test_send_back_for_fixes_then_resubmit_and_approve(
    sessions: sessionmaker[Session], staff, agency: Agency
) -> None:
    page_id = _register(sessions, staff, agency, complete=False)
    chief, pio = staff[Role.CHIEF], staff[Role.PIO]
    with pytest.raises(InvalidInput, match="reason is required"), transaction(sessions) as s:
        pages.send_back_page(s, page_id, actor=chief, reason="  ")
    with pytest.raises(PermissionDenied), transaction(sessions) as s:
        pages.send_back_page(s, page_id, actor=pio, reason="my own page, sending it back")
    note = "Add the comment-monitoring notice and the disclaimer word for word."
    with transaction(sessions) as s:
        page = pages.send_back_page(s, page_id, actor=chief, reason=note)
        assert page.state == PageState.RETURNED and not pages.is_usable(page)
    sent = _events(sessions, page_id)[-1]
    assert (sent.action, sent.reason, sent.section) == ("page:sent_back", note, "§.04")
    assert sent.data["from"] == "pending" and sent.data["to"] == "returned"
    assert "monitoring" in sent.data["missing"]
    # While it is back with the PIO office it cannot be approved.
    with pytest.raises(Conflict), transaction(sessions) as s:
        pages.approve_page(s, page_id, actor=chief, reason=WHY)
    with transaction(sessions) as s:
        pages.update_profile(
            s, page_id, actor=pio, agency=agency, profile=complete_profile(), reason="fixed"
        )
        pages.resubmit_page(s, page_id, actor=pio, reason="all nine elements now in the profile")
    assert _state(sessions, page_id) == PageState.PENDING
    with transaction(sessions) as s:
        pages.approve_page(s, page_id, actor=chief)  # complete now: no justification needed
    actions = [e.action for e in _events(sessions, page_id)]
    assert actions == [
        "page:register",
        "page:sent_back",
        "page:update_profile",
        "page:resubmit",
        "page:approved",
    ]


# ---- the target-audience element ------------------------------------------------------------

NOT_AN_AUDIENCE = [
    "Fun stuff from the youth academy!",
    "Youth academy photos",
    "Crime prevention tips",
    "Public safety updates",
    "Community policing news",
    "Public Affairs",
    "Everything CSPD",
    "Our followers",
    "N/A",
    "TBD",
]
AN_AUDIENCE = [
    "Colorado Springs residents",
    "Potential police recruits",
    "Teens and parents in El Paso County",
    "Job seekers considering a career in law enforcement",
    "The general public",
    "Neighbors in the Sand Creek Division",
    "Business owners downtown",
    "Spanish-speaking families",
    "Youth in Colorado Springs",
    "Students at UCCS",
]


@pytest.mark.parametrize("audience", NOT_AN_AUDIENCE)
def test_a_target_audience_that_names_nobody_is_missing(audience: str) -> None:
    assert audience_named(audience) == []
    report = check_profile(complete_profile(target_audience=audience), AGENCY)
    assert report.missing == [Element.AUDIENCE]
    (result,) = [r for r in report.results if r.element == Element.AUDIENCE]
    assert audience in result.evidence and "names no group of people" in result.evidence


@pytest.mark.parametrize("audience", AN_AUDIENCE)
def test_a_target_audience_that_names_people_is_met(audience: str) -> None:
    named = audience_named(audience)
    assert named
    report = check_profile(complete_profile(target_audience=audience), AGENCY)
    assert report.compliant, report.as_dict()
    (result,) = [r for r in report.results if r.element == Element.AUDIENCE]
    assert all(n in result.evidence for n in named)


def test_the_audience_a_reviewer_reads_is_the_one_named() -> None:
    assert audience_named("Teens and parents in El Paso County") == ["teens", "parents"]
    assert audience_named("Job seekers and veterans") == ["job seekers", "veterans"]
    # "community" and "public" name people only when nothing follows that they describe.
    assert audience_named("the community") == ["community"]
    assert audience_named("community events and public safety") == []


def test_send_back_and_resubmit_from_the_command_line(
    db_url: str, sessions: sessionmaker[Session], staff, agency: Agency
) -> None:
    page_id = _register(sessions, staff, agency, complete=False)

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(
            app,
            list(args),
            input=PASSWORD + "\n",
            env={"PIODESK_DATABASE_URL": db_url, "PIODESK_SECRET_KEY": "k" * 32},
        )
        return result.exit_code, " ".join(result.output.split())

    code, out = run("page", "send-back", str(page_id), "--reason", "  ", "--as", "chief")
    assert code == 1 and "reason is required" in out, out
    code, out = run(
        "page", "send-back", str(page_id), "--reason", "Add the disclaimer.", "--as", "chief"
    )
    assert code == 0 and f"page {page_id}: returned" in out, out
    code, out = run("page", "resubmit", str(page_id), "--reason", "disclaimer added", "--as", "pio")
    assert code == 0 and f"page {page_id}: pending" in out, out
    assert [e.action for e in _events(sessions, page_id)][-2:] == [
        "page:sent_back",
        "page:resubmit",
    ]


# ---- the purpose element --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "met"),
    [
        ("This page is maintained by the CSPD Public Affairs Section.", False),  # who, not why
        ("This page is the Colorado Springs Police Department's.", False),
        ("This page is where we post road closures and crime prevention tips.", True),
        ("This page is used to share public safety news with residents.", True),
        ("This account shares hiring events and academy news.", True),
    ],
)
def test_a_purpose_statement_says_what_the_page_is_for(sentence: str, met: bool) -> None:
    profile = complete_profile(drop=Element.PURPOSE)
    report = check_profile(replace(profile, about=profile.about + " " + sentence), AGENCY)
    assert (Element.PURPOSE not in report.missing) is met, report.as_dict()
