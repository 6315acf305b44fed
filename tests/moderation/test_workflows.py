"""Each path of the PIO's work on a comment, end to end on the sandbox platform (§.20, §.22, §.12).

Every test ends with the audit chain and the archive verifying: each step is an audited event,
and nothing captured was changed in place.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.tables import ArchiveItem, ArchiveVersion
from piodesk.connectors.sandbox import platform
from piodesk.core import audit, clock
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, InvalidInput, PermissionDenied
from piodesk.core.permissions import Role
from piodesk.moderation import actions, queries
from piodesk.moderation.model import asks_for_response, check_decision
from piodesk.moderation.queries import QueueFilter
from piodesk.moderation.tables import Block, Case, Decision, ResponseRequest, Warning_
from tests.conftest import JUSTIFICATION
from tests.moderation.conftest import Site

PHONE = "Call me at 719-555-0134 for cheap game tickets, best prices in town"
CRITICISM = "The department handled this closure terribly and the chief should answer for it."


pytestmark = pytest.mark.usefixtures("evidence_verifies")


def _actions(sessions: sessionmaker[Session], case_id: int) -> list[str]:
    with sessions() as s:
        return list(
            s.execute(
                select(audit.AuditEvent.action)
                .where(audit.AuditEvent.target_type == "case")
                .where(audit.AuditEvent.target_id == str(case_id))
                .order_by(audit.AuditEvent.seq)
            ).scalars()
        )


def _item_state(site: Site, comment_id: str) -> tuple[str, int]:
    item = site.item(comment_id)
    return item.state, item.head_version


def test_flagged_comment_opens_a_case_and_criticism_does_not(site: Site, staff) -> None:
    flagged = site.comment("Vendor", PHONE)
    site.comment("Critic", CRITICISM)
    site.comment("Friend", "No thanks, scalper.", reply_to=flagged)
    report = site.poll()
    assert report.screened == 3 and report.cases_opened == 1
    case = site.case_of(flagged)
    assert case.state == "open" and case.source == "screening"
    with site.sessions() as s:
        view = queries.case_view(s, case.id, actor=staff[Role.PIO])
        assert "pii" in view.categories
        marked = "".join(seg.text for seg in view.segments if seg.categories)
        assert "719-555-0134" in marked
        assert view.post is not None and "Academy" in (view.post.text or "")
        # The comment in its thread: the post's comments, each followed by its replies.
        assert [t for _, t in view.thread] == [PHONE, "No thanks, scalper.", CRITICISM]
        # The criticism has no case, but is browsable under "all comments".
        rows = queries.all_comments(s, actor=staff[Role.PIO])
        by_text = {t: c for _, t, c in rows}
        assert by_text[CRITICISM] is None and by_text[PHONE] is not None
    assert _actions(site.sessions, case.id) == ["moderation:case_opened"]
    # Polling again screens nothing new and opens nothing.
    assert site.poll().screened == 0


def test_keep(site: Site, staff) -> None:
    cid, case = site.flagged("Vendor", PHONE)
    site.decide(case.id, action="keep", reason="no_violation", note="", actor=staff[Role.PIO])
    assert site.case_of(cid).outcome == "kept"
    assert site.public_comment(cid) is not None
    assert _item_state(site, cid) == ("live", 1)  # keeping writes nothing to the archive
    assert _actions(site.sessions, case.id) == ["moderation:case_opened", "moderation:keep"]


def test_hide_then_restore(site: Site, staff) -> None:
    cid, case = site.flagged("Vendor", PHONE)
    pio = staff[Role.PIO]
    decision = site.decide(
        case.id,
        action="hide",
        reason="pii",
        note="a phone number offered for ticket sales",
        actor=pio,
    )
    assert decision.archive_seq is not None
    assert site.public_comment(cid) is None  # hidden on the platform
    assert _item_state(site, cid) == ("hidden", 2)
    site.poll()  # the platform's own view of the hidden comment adds no duplicate version
    assert _item_state(site, cid) == ("hidden", 2)

    site.restore(
        case.id, reason="no_violation", note="on review: the number is a business line", actor=pio
    )
    assert site.public_comment(cid) is not None
    assert _item_state(site, cid) == ("live", 3)
    assert site.case_of(cid).outcome == "restored"
    assert _actions(site.sessions, case.id)[-2:] == ["moderation:hide", "moderation:restore"]
    with site.sessions() as s:
        texts = (
            s.execute(
                select(ArchiveVersion.text).where(ArchiveVersion.item_id == site.item(cid).id)
            )
            .scalars()
            .all()
        )
        assert texts == [PHONE] * 3  # every version kept, none changed
    # A restored case is decided: a new decision needs the case reopened, with a reason.
    with pytest.raises(Conflict, match="reopened with a reason"):
        site.decide(case.id, action="hide", reason="pii", note="second thoughts here", actor=pio)
    with transaction(site.sessions) as s:
        again = actions.file_report(
            s,
            item_id=site.item(cid).id,
            reason="the number is a private cell phone",
            category="pii",
            actor=staff[Role.EMPLOYEE],
        )
    assert again.case_id != case.id
    site.decide(
        again.case_id,
        action="hide",
        reason="pii",
        note="a private cell phone number after all",
        actor=pio,
    )
    assert site.public_comment(cid) is None


def test_remove_then_restore(site: Site, staff) -> None:
    cid = site.comment("Vendor", PHONE)
    reply = site.comment("Friend", "me too, call me", reply_to=cid)
    site.poll()
    case = site.case_of(cid)
    pio = staff[Role.PIO]
    site.decide(
        case.id,
        action="remove",
        reason="solicitation",
        note="sells tickets on the department's page",
        actor=pio,
    )
    assert site.public_comment(cid) is None
    assert _item_state(site, cid) == ("removed", 2)
    site.poll()  # the removed comment's absence is not a second, "deleted", version
    assert _item_state(site, cid) == ("removed", 2)
    assert site.item(reply).state == "deleted"  # its reply went with it, and is kept too

    site.restore(case.id, reason="no_violation", note="removed in error; restoring", actor=pio)
    assert site.public_comment(cid) is not None
    assert site.item(cid).state == "live"
    with site.sessions() as s:
        states = (
            s.execute(
                select(ArchiveVersion.state)
                .where(ArchiveVersion.item_id == site.item(cid).id)
                .order_by(ArchiveVersion.version)
            )
            .scalars()
            .all()
        )
    assert states == ["live", "removed", "live"]


def test_decision_needs_a_section_20_reason(site: Site, staff) -> None:
    cid, case = site.flagged("Critic", "You are all a bunch of f*cking clowns")
    pio = staff[Role.PIO]
    for action, reason, note in (
        ("remove", "disagree", "I disagree with it"),
        ("remove", "no_violation", "nothing wrong"),
        ("keep", "profanity", ""),
        ("hide", "profanity", ""),  # hiding or removing needs a note
        ("ban", "profanity", "not an action"),
    ):
        with pytest.raises(InvalidInput):
            site.decide(case.id, action=action, reason=reason, note=note, actor=pio)
    assert site.case_of(cid).state == "open"
    assert site.public_comment(cid) is not None
    with pytest.raises(InvalidInput, match=r"§\.20"):
        check_decision("remove", "no_violation", "a long enough note")


def test_only_the_pio_office_decides(site: Site, staff) -> None:
    cid, case = site.flagged("Vendor", PHONE)
    for role in (Role.EMPLOYEE, Role.LEGAL, Role.CADRE, Role.ADMIN, Role.AUDITOR, Role.CHIEF):
        with pytest.raises(PermissionDenied):
            site.decide(
                case.id, action="remove", reason="pii", note="phone number", actor=staff[role]
            )
    assert site.public_comment(cid) is not None
    with site.sessions() as s:
        with pytest.raises(PermissionDenied):
            queries.queue(s, QueueFilter(), actor=staff[Role.CADRE])
        with pytest.raises(PermissionDenied):
            queries.case_view(s, case.id, actor=staff[Role.EMPLOYEE])


def test_platform_refusal_records_nothing(site: Site, staff) -> None:
    cid, case = site.flagged("Vendor", PHONE)
    with transaction(site.sessions) as s:  # its author deletes it before the PIO gets to it
        page = platform.find_page(s, site.handle)
        assert page is not None
        platform.delete_comment(s, page, int(cid))
    with pytest.raises(Conflict, match="nothing was recorded"):
        site.decide(
            case.id, action="remove", reason="pii", note="phone number", actor=staff[Role.PIO]
        )
    with site.sessions() as s:
        assert s.execute(select(func.count()).select_from(Decision)).scalar() == 0
    assert site.case_of(cid).state == "open"
    # A decided case is not decided twice.
    site.decide(
        case.id, action="keep", reason="no_violation", note="gone already", actor=staff[Role.PIO]
    )
    with pytest.raises(Conflict, match="already decided"):
        site.decide(case.id, action="keep", reason="no_violation", note="", actor=staff[Role.PIO])


def test_legal_consult(site: Site, staff) -> None:
    cid, case = site.flagged("Angry", "Somebody should burn down that station with everyone inside")
    pio, counsel = staff[Role.PIO], staff[Role.LEGAL]
    # Counsel sees only the cases sent to them.
    with site.sessions() as s, pytest.raises(PermissionDenied):
        queries.case_view(s, case.id, actor=counsel)
    with transaction(site.sessions) as s:
        consultation = actions.consult(
            s, case.id, question="Is this a true threat or hyperbole?", actor=pio
        )
    assert site.case_of(cid).state == "with_counsel"
    # The PIO does not answer for counsel.
    with transaction(site.sessions) as s, pytest.raises(PermissionDenied):
        actions.advise(s, consultation.id, advice="It is fine, keep it.", actor=pio)
    with site.sessions() as s:
        waiting = queries.consultations_for_counsel(s, actor=counsel)
        assert [c.id for c, _, _ in waiting] == [consultation.id]
        assert queries.case_view(s, case.id, actor=counsel).case.id == case.id
    with transaction(site.sessions) as s:
        actions.advise(
            s,
            consultation.id,
            advice="A specific threat against a place and people: removal is supported.",
            recommends="remove",
            actor=counsel,
        )
    assert site.case_of(cid).state == "open"  # back to the PIO, who decides
    with pytest.raises(PermissionDenied):
        site.decide(case.id, action="remove", reason="threat", note="counsel agrees", actor=counsel)
    site.decide(
        case.id,
        action="remove",
        reason="threat",
        note="threat to burn a station with people inside; counsel concurs",
        actor=pio,
    )
    with site.sessions() as s:
        view = queries.case_view(s, case.id, actor=pio)
        ((_question, advice),) = view.consultations
        assert advice is not None and advice.recommends == "remove"
        assert view.decisions[0].counsel_pending is False
    assert _actions(site.sessions, case.id) == [
        "moderation:case_opened",
        "moderation:consult",
        "moderation:advise",
        "moderation:remove",
    ]


def test_warning_then_block_then_lift(site: Site, staff) -> None:
    _cid, case = site.flagged("Repeat", PHONE)
    pio = staff[Role.PIO]
    block = functools.partial(
        site.block,
        pio,
        case_id=case.id,
        category="solicitation",
        reason="keeps selling tickets here",
    )
    with pytest.raises(InvalidInput, match="warned"):
        block()
    with transaction(site.sessions) as s:
        page = platform.find_page(s, site.handle)
        assert page is not None and not platform.is_blocked(s, page, "visitor-repeat")

    warning = site.warn(case.id, pio)
    assert warning.delivered and "private message" in warning.delivery
    (message,) = site.messages_to("visitor-repeat")
    assert "Selling tickets is solicitation" in message
    # A warning and a block a second later, with nothing repeated in between, is no due process.
    with pytest.raises(InvalidInput, match="later violation"):
        block()
    site.violate_again("Repeat", pio)

    clock.set_clock(lambda: datetime(2026, 10, 1, 12, tzinfo=UTC))
    try:
        row = block()
    finally:
        clock.set_clock(None)
    assert row.warning_id == warning.id and row.concurrence_id is None
    assert clock.as_utc(row.review_due_at) == datetime(2026, 10, 31, 12, tzinfo=UTC)
    with transaction(site.sessions) as s:
        page = platform.find_page(s, site.handle)
        assert page is not None and platform.is_blocked(s, page, "visitor-repeat")
    with pytest.raises(platform.VisitorBlocked):
        site.comment("Repeat", "let me back in")
    with pytest.raises(Conflict, match="already blocked"):
        block()

    with site.sessions() as s:  # due for review: it has been more than 30 days
        (listed,) = queries.blocks(s, actor=pio)
        assert clock.as_utc(listed.review_due_at) < clock.now()
        assert queries.dashboard_counts(s, actor=pio)["blocks_due"] == 1
    with transaction(site.sessions) as s:
        reviewed = actions.review_block(
            s, row.id, note="still posting ads elsewhere; keep", actor=pio, review_days=30
        )
        assert clock.as_utc(reviewed.review_due_at) > clock.now() + timedelta(days=29)

    actions.lift_block(
        site.sessions,
        row.id,
        reason="promised to stop; lifting after review",
        actor=pio,
        connect=site.connect,
    )
    site.comment("Repeat", "thanks for letting me back")  # can comment again
    with site.sessions() as s:
        lifted = s.get(Block, row.id)
        assert lifted is not None and lifted.lifted_at is not None
        person = f"sandbox:{case.author_platform_id}"
        events = (
            s.execute(
                select(audit.AuditEvent.action)
                .where(audit.AuditEvent.target_id == person)
                .order_by(audit.AuditEvent.seq)
            )
            .scalars()
            .all()
        )
    assert events == [
        "moderation:warn",
        "moderation:block",
        "moderation:block_notice",
        "moderation:review_block",
        "moderation:lift_block",
    ]


def test_block_without_warning_needs_counsels_concurrence(site: Site, staff) -> None:
    cid = site.comment("Threat", "I know where officer Diaz lives and I'm going to hurt him")
    other = site.comment("Vendor", PHONE)
    site.poll()
    case, other_case = site.case_of(cid), site.case_of(other)
    pio, counsel = staff[Role.PIO], staff[Role.LEGAL]
    with transaction(site.sessions) as s:
        q1 = actions.consult(s, case.id, question="Block at once, without a warning?", actor=pio)
        q2 = actions.consult(s, other_case.id, question="Block the seller?", actor=pio)
    with transaction(site.sessions) as s:
        concur = actions.advise(
            s,
            q1.id,
            advice="A true threat: block now, warning not required.",
            recommends="remove",
            concurs_block=True,
            actor=counsel,
        )
        declined = actions.advise(
            s, q2.id, advice="Warn first; a seller is no danger.", actor=counsel
        )
    block = functools.partial(
        site.block,
        pio,
        category="threat",
        reason="threat to harm an officer at home",
        review_days=90,
    )
    with pytest.raises(InvalidInput, match="does not concur"):
        block(case_id=other_case.id, concurrence_id=declined.id)
    with pytest.raises(InvalidInput, match="someone else"):
        block(case_id=other_case.id, concurrence_id=concur.id)
    row = block(case_id=case.id, concurrence_id=concur.id)
    assert row.warning_id is None and row.concurrence_id == concur.id
    with site.sessions() as s:
        assert s.execute(select(func.count()).select_from(Warning_)).scalar() == 0


def test_employee_report_and_its_outcome(site: Site, staff) -> None:
    cid = site.comment(
        "Neighbor", "The witness in the Elm St case is Maria Lopez, she lives at 12 Elm"
    )
    quiet = site.comment("Neighbor", "Nice work on the parade yesterday")
    site.poll()
    employee, pio = staff[Role.EMPLOYEE], staff[Role.PIO]
    before = site.case_of(cid)
    with transaction(site.sessions) as s:
        # By link to the comment (as copied from the public page): joins the open case.
        joined = actions.file_report(
            s,
            url=f"http://127.0.0.1:8000/sandbox/{site.handle}#comment-{cid}",
            reason="Names a witness in an open case",
            category="investigation",
            actor=employee,
        )
        # A comment screening did not flag: a new case from the report.
        opened = actions.file_report(
            s, item_id=site.item(quiet).id, reason="I think this is sarcasm", actor=employee
        )
        # A link piodesk never captured still reaches the PIO.
        outside = actions.file_report(
            s,
            url="https://www.facebook.com/groups/123/posts/456",
            reason="Someone copying our logo on a fake page",
            category="ip",
            actor=employee,
        )
    assert joined.case_id == before.id
    with site.sessions() as s:
        new_case = s.get(Case, opened.case_id)
        assert new_case is not None and new_case.source == "report"
        unresolved = s.get(Case, outside.case_id)
        assert unresolved is not None and unresolved.item_id is None
        view = queries.case_view(s, before.id, actor=pio)
        assert "investigation" in view.categories and view.reports[0].reporter_name
        statuses = {r.report.id: r for r in queries.my_reports(s, actor=employee)}
        assert all(r.last_decision is None for r in statuses.values())
    with pytest.raises(PermissionDenied):  # reports, but cannot decide
        site.decide(
            before.id,
            action="remove",
            reason="investigation",
            note="names a witness",
            actor=employee,
        )
    site.decide(
        before.id,
        action="remove",
        reason="investigation",
        note="names a witness and her address",
        actor=pio,
    )
    site.decide(opened.case_id, action="keep", reason="no_violation", note="", actor=pio)
    with pytest.raises(InvalidInput, match="not a record piodesk has captured"):
        site.decide(outside.case_id, action="remove", reason="ip", note="fake page logo", actor=pio)
    with site.sessions() as s:
        statuses = {r.report.id: r for r in queries.my_reports(s, actor=employee)}
        assert statuses[joined.id].last_decision.action == "remove"  # type: ignore[union-attr]
        assert statuses[opened.id].last_decision.action == "keep"  # type: ignore[union-attr]
        assert statuses[outside.id].last_decision is None
        # What was reported, where, and the outcome in words (not the action codes).
        assert statuses[joined.id].text is not None and "Maria Lopez" in statuses[joined.id].text
        assert statuses[opened.id].text == "Nice work on the parade yesterday"
        assert statuses[joined.id].page_name and statuses[opened.id].page_name
        assert statuses[outside.id].text is None and statuses[outside.id].page_name is None
        assert statuses[joined.id].outcome.startswith("Removed from the page (could compromise")
        assert statuses[opened.id].outcome.startswith("Kept")
        assert statuses[outside.id].outcome == "Waiting for the PIO's review"
        # Another employee does not see these reports.
        assert queries.my_reports(s, actor=staff[Role.CADRE]) == []
    with transaction(site.sessions) as s:
        with pytest.raises(InvalidInput):
            actions.file_report(s, reason="x", url="https://example.org/a", actor=employee)
        with pytest.raises(InvalidInput):
            actions.file_report(s, reason="no target given at all", actor=employee)
        with pytest.raises(PermissionDenied):
            actions.file_report(
                s,
                reason="auditors only read",
                item_id=site.item(quiet).id,
                actor=staff[Role.AUDITOR],
            )


def test_needs_response_answered(site: Site, staff) -> None:
    asks = site.comment("Resident", "When will Academy reopen? Can the department let us know?")
    site.comment("Resident", "Did anyone else see the fireworks?")
    site.poll()
    pio = staff[Role.PIO]
    with site.sessions() as s:
        (row,) = queries.needs_response(s, actor=pio)
        assert row.item.platform_id == asks and row.answer is None
        assert queries.dashboard_counts(s, actor=pio)["responses"] == 1
    with transaction(site.sessions) as s:
        with pytest.raises(PermissionDenied):
            actions.answer(
                s, row.request.id, outcome="answered", note="replied", actor=staff[Role.EMPLOYEE]
            )
        actions.answer(
            s, row.request.id, outcome="answered", note="Replied on the post: 3 pm.", actor=pio
        )
    with site.sessions() as s:
        assert queries.needs_response(s, actor=pio) == []
        (done,) = queries.needs_response(s, actor=pio, state="answered")
        assert done.answer is not None and done.answer.actor_name == pio.username
        assert done.request.answered_at is not None
        request = s.get(ResponseRequest, row.request.id)
        assert request is not None and request.state == "answered"
    with transaction(site.sessions) as s, pytest.raises(Conflict):
        actions.answer(s, row.request.id, outcome="answered", note="again", actor=pio)


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("Can someone from the department call me back about my report?", True),
        ("Who do I contact to get my impounded car back?", True),
        ("Is the police station open on Sunday?", True),
        ("Still no response to my email from last week.", True),
        ("Please respond to my message about the noise complaint", True),
        ("Did anyone else hear that?", False),
        ("Great job officers!", False),
        ("Why would anyone park there?", False),
        ("How long will it stay closed? I have an appointment at 2.", True),
        ("Am I the only one who thinks this is great? What a turnout!", False),
        ("", False),
    ],
)
def test_asks_for_response(text: str, asks: bool) -> None:
    assert asks_for_response(text) is asks


def test_a_reply_asks_the_department_only_when_addressed_to_it() -> None:
    assert not asks_for_response("How long did you wait?", top_level=False)
    assert asks_for_response("How long will the police keep it closed?", top_level=False)


def test_edit_with_new_findings_updates_the_open_case(site: Site, staff) -> None:
    cid, case = site.flagged("Vendor", PHONE)
    with transaction(site.sessions) as s:
        page = platform.find_page(s, site.handle)
        assert page is not None
        platform.edit_comment(
            s,
            page,
            int(cid),
            visitor_id="visitor-vendor",
            body=PHONE + " or email deals@tickets.example",
        )
    report = site.poll()
    assert report.cases_updated == 1 and report.cases_opened == 0
    assert site.case_of(cid).id == case.id


def test_decisions_are_append_only(site: Site, staff) -> None:
    _cid, case = site.flagged("Vendor", PHONE)
    site.decide(case.id, action="keep", reason="no_violation", note="", actor=staff[Role.PIO])
    with pytest.raises(DatabaseError), transaction(site.sessions) as s:
        s.execute(text("UPDATE moderation_decisions SET reason = 'pii'"))
    with pytest.raises(DatabaseError), transaction(site.sessions) as s:
        s.execute(text("DELETE FROM moderation_screenings"))


def test_queue_filters_and_oldest_age(sessions: sessionmaker[Session], site: Site, staff) -> None:
    clock.set_clock(lambda: datetime(2026, 11, 20, 9, tzinfo=UTC))
    try:
        old = site.comment("Vendor", PHONE)
        site.poll()
    finally:
        clock.set_clock(None)
    new = site.comment("Potty", "what a load of bullsh1t, you f*cking idiots")
    site.poll()
    pio = staff[Role.PIO]
    with sessions() as s:
        rows = queries.queue(s, QueueFilter(), actor=pio)
        assert [r.case.id for r in rows] == [site.case_of(old).id, site.case_of(new).id]
        only_pii = queries.queue(s, QueueFilter(category="pii"), actor=pio)
        assert [r.case.id for r in only_pii] == [site.case_of(old).id]
        aged = queries.queue(s, QueueFilter(older_than_hours=24), actor=pio)
        assert [r.case.id for r in aged] == [site.case_of(old).id]
        assert queries.queue(s, QueueFilter(page_id=site.page_id + 999), actor=pio) == []
        count, oldest = queries.oldest_open(s, actor=pio)
        assert count == 2 and oldest is not None
        assert clock.as_utc(oldest) == datetime(2026, 11, 20, 9, tzinfo=UTC)
        with pytest.raises(InvalidInput):
            QueueFilter(state="everything")
    with sessions() as s:
        assert s.execute(select(func.count()).select_from(ArchiveItem)).scalar()


def test_two_pios_deciding_at_once_leave_a_truthful_record(site: Site, staff) -> None:
    cid, case = site.flagged("Vendor", PHONE)
    pio = staff[Role.PIO]
    first = True

    def connect_and_race(page):  # the other PIO keeps it while this one asks the platform
        nonlocal first
        if first:
            first = False
            site.decide(case.id, action="keep", reason="no_violation", note="", actor=pio)
        return site.connect(page)

    actions.decide(
        site.sessions,
        case.id,
        action="remove",
        reason="pii",
        note="a phone number for sales",
        actor=pio,
        connect=connect_and_race,
    )
    assert site.public_comment(cid) is None
    closed = site.case_of(cid)
    assert closed.outcome == "removed"  # what the public sees is what the case says
    with site.sessions() as s:
        assert [d.action for d in queries.case_view(s, case.id, actor=pio).decisions] == [
            "keep",
            "remove",
        ]
        event = s.execute(
            select(audit.AuditEvent).where(audit.AuditEvent.action == "moderation:remove")
        ).scalar_one()
        assert event.data["concurrent_with_decision"] is not None


def test_a_reported_post_can_be_taken_down_but_not_hidden(site: Site, staff) -> None:
    site.poll()
    with site.sessions() as s:
        post = s.execute(
            select(ArchiveItem).where(
                ArchiveItem.kind == "post", ArchiveItem.page_id == site.page_id
            )
        ).scalar_one()
    with transaction(site.sessions) as s:
        report = actions.file_report(
            s,
            url=f"https://piodesk.example/sandbox/{site.handle}#post-{post.platform_id}",
            reason="The closure was lifted at noon; this post is now wrong",
            actor=staff[Role.EMPLOYEE],
        )
    with site.sessions() as s:
        case = s.get(Case, report.case_id)
        assert case is not None and case.item_id == post.id and case.kind == "post"
    pio = staff[Role.PIO]
    with pytest.raises(InvalidInput, match="hide a post"):
        site.decide(
            case.id, action="hide", reason="safety", note="outdated closure info", actor=pio
        )
    site.decide(
        case.id,
        action="remove",
        reason="safety",
        note="an outdated closure notice sends drivers the wrong way",
        actor=pio,
    )
    with transaction(site.sessions) as s:
        page = platform.find_page(s, site.handle)
        assert page is not None
        assert platform.public_feed(s, page, visitor_id=None) == []
    assert site.poll().screened == 0
    with site.sessions() as s:
        refreshed = s.get(ArchiveItem, post.id)
        assert refreshed is not None and refreshed.state == "removed"


def test_a_page_whose_credentials_no_longer_decrypt_is_refused_clearly(
    site: Site, staff, agency
) -> None:
    """A Facebook page connected under an old secret: hiding a comment asks for a reconnect,
    and nothing is recorded."""
    from piodesk.archive.capture import capture
    from piodesk.connectors.factory import build
    from piodesk.connectors.model import CapturedItem, ItemKind
    from piodesk.moderation.intake import intake_all
    from piodesk.pages import actions as pages
    from piodesk.screening.engine import default_screener

    with transaction(site.sessions) as s:
        page = pages.register_page(
            s,
            actor=staff[Role.PIO],
            agency=agency,
            platform="facebook",
            handle="cspd-fb",
            name="CSPD on Facebook",
            administering_unit="Public Affairs",
        )
        pages.approve_page(s, page.id, actor=staff[Role.CHIEF], reason=JUSTIFICATION)
        pages.connect_page(
            s,
            page.id,
            actor=staff[Role.ADMIN],
            settings={"graph_page_id": "1234"},
            secrets={"access_token": "EAAB-secret"},
            key="the-old-secret-key-0123456789",
        )
        capture(
            s,
            [
                CapturedItem(
                    kind=ItemKind.COMMENT,
                    platform="facebook",
                    platform_id="1234_1_9",
                    raw=b"{}",
                    raw_media_type="application/json",
                    page_platform_id="1234",
                    parent_platform_id="1234_1",
                    author_platform_id="77",
                    author_name="Seller",
                    text=PHONE,
                )
            ],
            source="ingest:facebook:cspd-fb",
            page_id=page.id,
        )
    intake_all(site.sessions, default_screener())
    with site.sessions() as s:
        case = s.execute(select(Case).where(Case.platform == "facebook")).scalar_one()
    with pytest.raises(Conflict, match="reconnect"):
        actions.decide(
            site.sessions,
            case.id,
            action="hide",
            reason="pii",
            note="a phone number for sales",
            actor=staff[Role.PIO],
            connect=lambda p: build(p, site.sessions, "the-new-secret-key-9876543210"),
        )
    with site.sessions() as s:
        assert s.execute(select(func.count()).select_from(Decision)).scalar() == 0
