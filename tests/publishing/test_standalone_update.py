"""An update (or all clear) whose original did not go out on a page waits there, and says so
on the notice's page and in the outbox; a person may send it as a new post (recorded, audited,
never changed); the other pages keep it threaded under their original."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from piodesk.connectors.base import Connector, PlatformError
from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.core import audit
from piodesk.core.audit import AuditEvent
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, InvalidInput, PermissionDenied
from piodesk.core.migrate import MIGRATIONS
from piodesk.core.permissions import Role
from piodesk.pages.tables import Page
from piodesk.publishing import outbox
from piodesk.publishing.outbox_model import DeliveryState
from piodesk.publishing.outbox_sender import send_due
from piodesk.publishing.outbox_tables import APPEND_ONLY_0023, StandaloneDecision

ORIGINAL = "ROAD CLOSURE: Academy Blvd northbound at Fountain Blvd. Use Powers Blvd."
UPDATE = "UPDATE: Academy Blvd northbound has one lane open. Expect delays until 5 pm."


class Refusing:
    """Sandbox connectors, except that the pages named refuse a post as a platform does."""

    def __init__(self, sessions, refuse: set[str]) -> None:
        self.sessions, self.refuse = sessions, refuse

    def __call__(self, page: Page) -> Connector:
        outer = self

        class Wrapped(SandboxConnector):
            def publish(self, text: str, media: Any = (), *, idempotency_key=None) -> str:
                if page.handle in outer.refuse:
                    raise PlatformError("sandbox", 503, "The page is temporarily unavailable")
                return super().publish(text, media)

        return Wrapped(self.sessions, page.handle)


def _waiting_update(sessions, staff, sandbox_pages) -> tuple[int, int]:
    north, south = sandbox_pages.ids["north"], sandbox_pages.ids["south"]
    with transaction(sessions) as s:
        original = outbox.enqueue(
            s, actor=staff[Role.PIO], text=ORIGINAL, page_ids=[north, south], source="notice:1"
        )
    send_due(sessions, Refusing(sessions, {"north"}))
    with transaction(sessions) as s:
        update = outbox.enqueue(
            s,
            actor=staff[Role.PIO],
            text=UPDATE,
            page_ids=[north, south],
            source="notice:2",
            thread_under_publication_id=original,
        )
    send_due(sessions, sandbox_pages.connect)
    return original, update


def _page(st: outbox.PublicationStatus, name: str) -> outbox.PageStatus:
    return next(p for p in st.pages if p.page_name == name)


def test_waits_visibly_then_a_person_sends_it_as_a_new_post(sessions, staff, sandbox_pages):
    _original, update = _waiting_update(sessions, staff, sandbox_pages)
    with sessions() as s:
        st = outbox.status(s, update)
    north, south = _page(st, "CSPD North"), _page(st, "CSPD South")
    assert south.state is DeliveryState.SENT and south.waiting == ""  # threaded there
    assert north.state is DeliveryState.PENDING
    assert north.waiting.startswith("Waiting: the original was not published on CSPD North")
    assert "publish the original first or send this as a new post" in north.waiting
    assert send_due(sessions, sandbox_pages.connect).waiting == [north.delivery_id]  # no guess
    assert sandbox_pages.posts("north") == []

    with pytest.raises(InvalidInput, match="reason"), transaction(sessions) as s:
        outbox.send_standalone(s, north.delivery_id, actor=staff[Role.PIO], reason="  ")
    with pytest.raises(PermissionDenied), transaction(sessions) as s:
        outbox.send_standalone(s, north.delivery_id, actor=staff[Role.CADRE], reason="go")
    with pytest.raises(Conflict, match="waiting for its original"), transaction(sessions) as s:
        outbox.send_standalone(s, south.delivery_id, actor=staff[Role.PIO], reason="go")
    with sessions() as s:
        assert s.execute(select(StandaloneDecision)).first() is None  # refusals wrote nothing

    with transaction(sessions) as s:
        outbox.send_standalone(
            s, north.delivery_id, actor=staff[Role.PIO], reason="North page was down; tell them now"
        )
    with pytest.raises(Conflict, match="already"), transaction(sessions) as s:
        outbox.send_standalone(s, north.delivery_id, actor=staff[Role.PIO], reason="again")
    report = send_due(sessions, sandbox_pages.connect)
    assert report.sent == [north.delivery_id]
    assert sandbox_pages.posts("north") == [UPDATE]  # a new post, not a comment
    assert [c.body for c in sandbox_pages.comments("south")] == [UPDATE]  # threaded
    assert sandbox_pages.comments("north") == []
    with sessions() as s:
        st = outbox.status(s, update)
        event = s.execute(
            select(AuditEvent).where(AuditEvent.action == "outbox:standalone")
        ).scalar_one()
        assert audit.verify(s).ok
    done = _page(st, "CSPD North")
    assert done.state is DeliveryState.SENT and done.waiting == ""
    assert (
        staff[Role.PIO].display_name in done.standalone and "North page was down" in done.standalone
    )
    assert event.actor_id == staff[Role.PIO].account_id and event.data["original_state"] == "failed"


def test_the_decision_is_never_changed(sessions, staff, sandbox_pages):
    _original, update = _waiting_update(sessions, staff, sandbox_pages)
    with sessions() as s:
        north = _page(outbox.status(s, update), "CSPD North")
    with transaction(sessions) as s:
        outbox.send_standalone(s, north.delivery_id, actor=staff[Role.PIO], reason="page down")
    for sql in ("UPDATE delivery_standalone SET reason = 'x'", "DELETE FROM delivery_standalone"):
        with pytest.raises(DBAPIError), transaction(sessions) as s:
            s.execute(text(sql))


def test_migration_and_tables_agree_on_append_only():
    import importlib.util

    path = next(MIGRATIONS.glob("versions/0023_*.py"))
    spec = importlib.util.spec_from_file_location("m0023", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert set(module.APPEND_ONLY) == set(APPEND_ONLY_0023)
