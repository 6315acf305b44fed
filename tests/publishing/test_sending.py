"""Sending the outbox on the sandbox: once per page, the platform's id kept, failures per page,
lost answers reconciled by reading the page (never by posting again)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from piodesk.archive.tables import ArchiveItem
from piodesk.connectors import intents
from piodesk.connectors.base import Connector, PlatformError
from piodesk.connectors.sandbox import platform
from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.connectors.tables import PlatformAction
from piodesk.core import audit, clock
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, PermissionDenied
from piodesk.core.evidence import verify as verify_evidence
from piodesk.core.permissions import Role
from piodesk.pages.tables import Page
from piodesk.publishing import outbox
from piodesk.publishing.outbox_model import DeliveryState, Overall
from piodesk.publishing.outbox_sender import reconcile_unconfirmed, send_due


def _publish(sessions, staff, page_ids, text="Crime prevention tip: lock your car.", **kw) -> int:
    with transaction(sessions) as s:
        return outbox.enqueue(
            s, actor=staff[Role.PIO], text=text, page_ids=page_ids, source="post:1", **kw
        )


def _status(sessions, pub):
    with sessions() as s:
        return outbox.status(s, pub)


class Flaky:
    """Sandbox connectors, except that chosen pages misbehave the way platforms do."""

    def __init__(self, sessions, *, refuse=(), lose_answer=(), fail_before=()) -> None:
        self.sessions = sessions
        self.refuse, self.lose, self.before = set(refuse), set(lose_answer), set(fail_before)
        self.calls: list[str] = []

    def __call__(self, page: Page) -> Connector:
        outer = self
        base = SandboxConnector(self.sessions, page.handle)

        class Wrapped(SandboxConnector):
            def publish(self, text: str, media: Any = (), *, idempotency_key=None) -> str:
                outer.calls.append(page.handle)
                if page.handle in outer.refuse:
                    raise PlatformError("sandbox", 422, "Text character limit of 500 exceeded")
                if page.handle in outer.before:
                    raise PlatformError("sandbox", None, "connection reset before sending")
                made = super().publish(text, media)
                if page.handle in outer.lose:
                    raise PlatformError("sandbox", None, "read timed out")
                return made

        return Wrapped(base._sessions, base.handle)


def test_publishes_once_to_every_page_and_keeps_the_platforms_id(sessions, staff, sandbox_pages):
    ids = sandbox_pages.ids
    pub = _publish(sessions, staff, list(ids.values()))
    report = send_due(sessions, sandbox_pages.connect)
    assert len(report.sent) == 3
    st = _status(sessions, pub)
    assert st.overall is Overall.PUBLISHED
    for handle in ids:
        assert sandbox_pages.posts(handle) == ["Crime prevention tip: lock your car."]
    with sessions() as s:
        for p in st.pages:
            assert p.state is DeliveryState.SENT and p.external_id
            item = s.execute(
                select(ArchiveItem).where(
                    ArchiveItem.platform == "sandbox", ArchiveItem.platform_id == p.external_id
                )
            ).scalar_one()  # captured into the archive (§.40)
            assert item.kind == "post"
    # A second pass sends nothing again.
    assert send_due(sessions, sandbox_pages.connect).sent == []
    assert all(len(sandbox_pages.posts(h)) == 1 for h in ids)
    with sessions() as s:
        assert audit.verify(s).ok
        assert not verify_evidence(s).problems


def test_scheduled_post_waits_for_its_time(sessions, staff, sandbox_pages):
    start = clock.now()
    pub = _publish(
        sessions, staff, [sandbox_pages.ids["north"]], scheduled_for=start + timedelta(hours=2)
    )
    assert send_due(sessions, sandbox_pages.connect).sent == []
    assert _status(sessions, pub).overall is Overall.SCHEDULED
    clock.set_clock(lambda: start + timedelta(hours=2, seconds=1))
    try:
        assert len(send_due(sessions, sandbox_pages.connect).sent) == 1
    finally:
        clock.set_clock(None)
    assert _status(sessions, pub).overall is Overall.PUBLISHED


def test_one_page_refuses_partly_published_then_retry_that_page_only(
    sessions, staff, sandbox_pages
):
    ids = sandbox_pages.ids
    connect = Flaky(sessions, refuse={"south"})
    pub = _publish(sessions, staff, list(ids.values()))
    send_due(sessions, connect)
    st = _status(sessions, pub)
    assert st.overall is Overall.PARTLY
    south = next(p for p in st.pages if p.page_id == ids["south"])
    assert south.state is DeliveryState.FAILED
    assert "Text character limit of 500 exceeded" in south.error  # the platform's own words
    assert sandbox_pages.posts("south") == []

    # Nobody retries automatically; a cadre member cannot retry at all.
    send_due(sessions, connect)
    assert connect.calls.count("south") == 1
    with pytest.raises(PermissionDenied), transaction(sessions) as s:
        outbox.retry(s, south.delivery_id, actor=staff[Role.CADRE])

    connect.refuse.clear()
    with transaction(sessions) as s:
        outbox.retry(s, south.delivery_id, actor=staff[Role.PIO], reason="shortened upstream")
    send_due(sessions, connect)
    assert _status(sessions, pub).overall is Overall.PUBLISHED
    for handle in ids:  # the pages that went out the first time were not posted to again
        assert len(sandbox_pages.posts(handle)) == 1
    assert connect.calls.count("north") == 1


def test_lost_answer_is_reconciled_by_reading_the_page(sessions, staff, sandbox_pages):
    north = sandbox_pages.ids["north"]
    connect = Flaky(sessions, lose_answer={"north"})
    pub = _publish(sessions, staff, [north])
    send_due(sessions, connect)
    assert _status(sessions, pub).pages[0].state is DeliveryState.SENDING
    assert send_due(sessions, connect).sent == []  # never re-sent while open
    report = intents.reconcile(sessions, sandbox_pages.connect, grace=timedelta(0))
    assert len(report.recorded) == 1
    st = _status(sessions, pub)
    assert st.overall is Overall.PUBLISHED
    assert sandbox_pages.posts("north") == ["Crime prevention tip: lock your car."]
    with sessions() as s:
        post = s.execute(select(platform.SandboxPost)).scalars().one()
    assert st.pages[0].external_id == str(post.id)


def test_answer_lost_and_post_not_found_is_unconfirmed_until_a_person_resolves(
    sessions, staff, sandbox_pages
):
    north = sandbox_pages.ids["north"]
    connect = Flaky(sessions, fail_before={"north"})
    pub = _publish(sessions, staff, [north])
    send_due(sessions, connect)
    intents.reconcile(sessions, sandbox_pages.connect, grace=timedelta(0))
    st = _status(sessions, pub)
    assert st.overall is Overall.UNCONFIRMED
    delivery = st.pages[0].delivery_id
    assert reconcile_unconfirmed(sessions, sandbox_pages.connect) == []  # still not there
    with pytest.raises(Conflict, match="resolve it first"), transaction(sessions) as s:
        outbox.retry(s, delivery, actor=staff[Role.PIO])
    with transaction(sessions) as s:
        outbox.resolve(
            s, delivery, actor=staff[Role.PIO], published=False, reason="not on the page"
        )
        outbox.retry(s, delivery, actor=staff[Role.PIO])
    connect.before.clear()
    send_due(sessions, connect)
    assert _status(sessions, pub).overall is Overall.PUBLISHED
    assert len(sandbox_pages.posts("north")) == 1
    with sessions() as s:
        states = [a.state for a in s.execute(select(PlatformAction)).scalars()]
    assert states == ["failed", "succeeded"]


def test_unconfirmed_found_later_by_the_reconciler(sessions, staff, sandbox_pages):
    north = sandbox_pages.ids["north"]
    pub = _publish(sessions, staff, [north])
    connect = Flaky(sessions, fail_before={"north"})
    send_due(sessions, connect)
    intents.reconcile(sessions, sandbox_pages.connect, grace=timedelta(0))
    assert _status(sessions, pub).overall is Overall.UNCONFIRMED
    # The post did reach the page after all (the platform's listing lagged).
    SandboxConnector(sessions, "north").publish("Crime prevention tip: lock your car.")
    assert len(reconcile_unconfirmed(sessions, sandbox_pages.connect)) == 1
    assert _status(sessions, pub).overall is Overall.PUBLISHED


def test_update_is_threaded_under_the_original_on_each_page(sessions, staff, sandbox_pages):
    ids = sandbox_pages.ids
    original = _publish(sessions, staff, list(ids.values()), text="Road closed: Academy Blvd.")
    update = _publish(
        sessions,
        staff,
        list(ids.values()),
        text="Update: one lane open.",
        thread_under_publication_id=original,
    )
    send_due(sessions, sandbox_pages.connect)
    send_due(sessions, sandbox_pages.connect)  # (the update may wait one pass for its original)
    assert _status(sessions, update).overall is Overall.PUBLISHED
    orig = {p.page_id: p.external_id for p in _status(sessions, original).pages}
    for handle, page_id in ids.items():
        (comment,) = sandbox_pages.comments(handle)
        assert comment.body == "Update: one lane open."
        assert str(comment.post_id) == orig[page_id]
        assert len(sandbox_pages.posts(handle)) == 1


def test_reply_under_a_visitors_comment(sessions, staff, sandbox_pages):
    handle = "north"
    post_id = SandboxConnector(sessions, handle).publish("Community meeting Tuesday.")
    with transaction(sessions) as s:
        page = platform.find_page(s, handle)
        c = platform.add_comment(
            s, page, int(post_id), visitor_id="v1", visitor_name="Ann", body="Where is it?"
        )
        comment_id = str(c.id)
    pub = _publish(
        sessions,
        staff,
        [sandbox_pages.ids[handle]],
        text="At the Police Operations Center, 7 pm.",
        kind="reply",
        reply_to_external_id=comment_id,
    )
    send_due(sessions, sandbox_pages.connect)
    assert _status(sessions, pub).overall is Overall.PUBLISHED
    replies = [c for c in sandbox_pages.comments(handle) if c.parent_comment_id == int(comment_id)]
    assert [r.body for r in replies] == ["At the Police Operations Center, 7 pm."]
    assert replies[0].visitor_name == "CSPD North"


def test_a_page_retired_before_sending_fails_with_the_reason(sessions, staff, sandbox_pages):
    from piodesk.pages import actions as pages

    north = sandbox_pages.ids["north"]
    pub = _publish(sessions, staff, [north])
    with transaction(sessions) as s:
        pages.retire_page(s, north, actor=staff[Role.CHIEF], reason="account closed")
    send_due(sessions, sandbox_pages.connect)
    (page,) = _status(sessions, pub).pages
    assert page.state is DeliveryState.FAILED and "no longer approved" in page.error
    assert sandbox_pages.posts("north") == []


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def test_a_photo_goes_out_with_its_alt_text_and_bad_media_is_refused(
    sessions, staff, sandbox_pages, settings
):
    from fastapi.testclient import TestClient

    from piodesk.web.app import create_app

    store = sandbox_pages.media
    assert store is not None
    good = store.put(JPEG)
    bad = store.put(b"%PDF-1.7 not an image")
    photo = {"sha256": good, "mime_type": "image/jpeg", "alt_text": "Officers at a coffee table."}
    pub = _publish(
        sessions, staff, [sandbox_pages.ids["north"]], text="Coffee with a Cop", media=[photo]
    )
    refused = _publish(
        sessions,
        staff,
        [sandbox_pages.ids["south"]],
        text="A flyer",
        media=[{"sha256": bad, "mime_type": "application/pdf", "alt_text": ""}],
    )
    send_due(sessions, sandbox_pages.connect, media=store)
    assert _status(sessions, pub).overall is Overall.PUBLISHED
    (page,) = _status(sessions, refused).pages
    assert page.state is DeliveryState.FAILED
    assert "takes JPEG, PNG, GIF or WebP images" in page.error  # the platform's reason
    assert sandbox_pages.posts("south") == []

    # The archive holds the photo with the post (§.40), by its SHA-256.
    from piodesk.archive.tables import ArchiveMedia

    with sessions() as s:
        assert s.get(ArchiveMedia, good) is not None
    client = TestClient(create_app(settings, sessions.kw["bind"]))
    html = client.get("/sandbox/north").text
    assert 'alt="Officers at a coffee table."' in html
    src = html.split('<img src="', 1)[1].split('"', 1)[0]
    shot = client.get(src)
    assert shot.status_code == 200 and shot.content == JPEG
    assert shot.headers["content-type"] == "image/jpeg"
