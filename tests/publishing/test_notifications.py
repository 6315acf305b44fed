"""Publishing tells people: a story waits for review, an approval is due at a tier, a post is
sent back or not released, a post expired unapproved (issue 14 item 6), in-app and by e-mail."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from piodesk.core import clock
from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.program.tables import MailOutbox, Notification
from piodesk.publishing import approvals, notify, review
from tests.publishing.review_support import CLEAN_STORY, make_active, store_for
from tests.publishing.test_review_flow import _review_ready, _submit


def _told(sessions, kind):
    """(recipient id, link) of every notification of ``kind``."""
    with sessions() as s:
        return sorted(
            (n.recipient_id, n.link)
            for n in s.execute(select(Notification).where(Notification.kind == kind)).scalars()
        )


def test_submission_waits_for_the_pio_office(sessions, staff, tmp_path):
    make_active(sessions, staff)
    sub_id = _submit(sessions, staff, store_for(tmp_path), text=CLEAN_STORY, photos=[])
    told = _told(sessions, notify.TO_REVIEW)
    assert told == [(staff[Role.PIO].account_id, f"/stories/{sub_id}")]
    assert staff[Role.CADRE].account_id not in [r for r, _ in told]


def test_an_approval_due_tells_each_tier_in_turn(sessions, staff, sandbox_pages, tmp_path):
    store = store_for(tmp_path)
    pio, chief = staff[Role.PIO], staff[Role.CHIEF]
    with transaction(sessions) as s:
        policy = approvals.parse_tiers([("any", []), ("all", [chief.account_id])])
        approvals.set_policy(s, actor=staff.admin, policy=policy, reason="two tiers")
    make_active(sessions, staff)
    sub_id = _submit(sessions, staff, store, text=CLEAN_STORY, photos=[])
    _review_ready(sessions, staff, store, sub_id, [sandbox_pages.ids["north"]])
    # Tier 1 is Any: everyone who may approve posts to the page, never the author.
    first = {r for r, _ in _told(sessions, notify.APPROVAL_DUE)}
    assert first == {pio.account_id, chief.account_id}
    with transaction(sessions) as s:
        approvals.approve(s, sub_id, actor=pio)
    # Tier 2 names the chief: only the chief is told now.
    second = [r for r, _ in _told(sessions, notify.APPROVAL_DUE)]
    assert second.count(chief.account_id) == 2
    assert second.count(pio.account_id) == 1
    with transaction(sessions) as s:
        approvals.approve(s, sub_id, actor=chief)
    assert len(_told(sessions, notify.APPROVAL_DUE)) == 3  # approved: nobody more to tell


def test_sent_back_and_rejected_tell_the_author(sessions, staff, sandbox_pages, tmp_path):
    store = store_for(tmp_path)
    author = staff[Role.CADRE].account_id
    make_active(sessions, staff)
    sub_id = _submit(sessions, staff, store, text=CLEAN_STORY, photos=[])
    _review_ready(sessions, staff, store, sub_id, [sandbox_pages.ids["north"]])
    with transaction(sessions) as s:
        approvals.send_back(s, sub_id, actor=staff[Role.CHIEF], note="Name the division, please.")
    assert _told(sessions, notify.SENT_BACK) == [(author, f"/stories/{sub_id}")]
    with transaction(sessions) as s:
        review.reject(s, sub_id, actor=staff[Role.PIO], reason="Covered by the press release.")
    assert _told(sessions, notify.REJECTED) == [(author, f"/stories/{sub_id}")]
    with sessions() as s:
        body = s.execute(
            select(Notification.body).where(Notification.kind == notify.REJECTED)
        ).scalar_one()
    assert "Covered by the press release." in body


def test_an_expired_post_tells_the_office_and_author(sessions, staff, sandbox_pages, tmp_path):
    make_active(sessions, staff)
    sub_id = _submit(sessions, staff, store_for(tmp_path), text=CLEAN_STORY, photos=[])
    with transaction(sessions) as s:
        review.plan(
            s,
            sub_id,
            actor=staff[Role.PIO],
            page_ids=[sandbox_pages.ids["north"]],
            category="tips",
            scheduled_for=clock.now() + timedelta(minutes=30),
        )
    later = clock.now() + timedelta(hours=1)
    clock.set_clock(lambda: later)
    try:
        with transaction(sessions) as s:
            assert approvals.expire_overdue(s) == [sub_id]
        with transaction(sessions) as s:
            assert approvals.expire_overdue(s) == []  # once only
    finally:
        clock.set_clock(None)
    told = {r for r, _ in _told(sessions, notify.EXPIRED)}
    assert told == {staff[Role.PIO].account_id, staff[Role.CADRE].account_id}
    assert len(_told(sessions, notify.EXPIRED)) == 2


def test_a_recipient_with_an_address_gets_mail_queued(sessions, staff, tmp_path):
    with transaction(sessions) as s:
        from piodesk.people.tables import Account

        s.get(Account, staff[Role.PIO].account_id).email = "pio@example.org"
    make_active(sessions, staff)
    _submit(sessions, staff, store_for(tmp_path), text=CLEAN_STORY, photos=[])
    with sessions() as s:
        mail = list(s.execute(select(MailOutbox)).scalars())
    assert [(m.to_address, m.state) for m in mail] == [("pio@example.org", "queued")]
    assert "waits for review" in mail[0].subject


def test_the_server_sweeps_expired_posts_on_its_own(
    settings, engine, sessions, staff, sandbox_pages, tmp_path
):
    """Nobody opens /approvals or /expired: the periodic job moves the post and tells people."""
    import time

    from fastapi.testclient import TestClient

    from piodesk.publishing import submissions
    from piodesk.publishing.workflow import StoryState
    from piodesk.web.app import create_app

    make_active(sessions, staff)
    sub_id = _submit(sessions, staff, store_for(tmp_path), text=CLEAN_STORY, photos=[])
    with transaction(sessions) as s:
        review.plan(
            s,
            sub_id,
            actor=staff[Role.PIO],
            page_ids=[sandbox_pages.ids["north"]],
            category="tips",
            scheduled_for=clock.now() + timedelta(minutes=30),
        )
    later = clock.now() + timedelta(hours=1)
    only_expiry = settings.model_copy(
        update={
            "ingest_seconds": 0,
            "intake_seconds": 0,
            "checkpoint_seconds": 0,
            "reconcile_seconds": 0,
            "outbox_seconds": 0,
            "expire_seconds": 3600,
        }
    )
    clock.set_clock(lambda: later)
    try:
        app = create_app(only_expiry, engine, jobs=True)
        from piodesk.program.config import ProgramSettings

        app.state.program_settings = ProgramSettings(program_jobs_seconds=0)
        with TestClient(app):
            # The job runs at start-up on the runner's thread; wait for it (no timing asserted).
            deadline = time.monotonic() + 30
            state = None
            while time.monotonic() < deadline:
                with sessions() as s:
                    state = submissions.load(s, sub_id).state
                if state == StoryState.EXPIRED:
                    break
                time.sleep(0.05)
    finally:
        clock.set_clock(None)
    assert state == StoryState.EXPIRED
    assert {r for r, _ in _told(sessions, notify.EXPIRED)} == {
        staff[Role.PIO].account_id,
        staff[Role.CADRE].account_id,
    }
