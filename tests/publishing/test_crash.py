"""A worker SIGKILLed between the platform's acceptance and the record: on restart nothing is
posted twice, and the delivery ends sent (reconciled by reading the page) or unconfirmed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from piodesk.connectors import intents
from piodesk.connectors.base import Connector
from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.core.db import transaction
from piodesk.core.permissions import Role
from piodesk.pages.tables import Page
from piodesk.publishing import outbox
from piodesk.publishing.outbox_model import DeliveryState, Overall
from piodesk.publishing.outbox_sender import send_due

ROOT = Path(__file__).resolve().parents[2]
TEXT = "Weather emergency: flash flooding on Fountain Creek. Avoid the trails."


def _kill_a_worker(db_url: str) -> None:
    child = subprocess.run(
        [sys.executable, "-m", "tests.publishing.crash_child", db_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]


def _enqueue(sessions, staff, page_id) -> int:
    with transaction(sessions) as s:
        return outbox.enqueue(
            s, actor=staff[Role.PIO], text=TEXT, page_ids=[page_id], source="notice:1"
        )


def test_sigkill_after_acceptance_restart_posts_nothing_twice_and_reconciles(
    sessions, staff, sandbox_pages, db_url
):
    pub = _enqueue(sessions, staff, sandbox_pages.ids["north"])
    _kill_a_worker(db_url)
    assert sandbox_pages.posts("north") == [TEXT]  # the platform has it
    with sessions() as s:
        (page,) = outbox.status(s, pub).pages
    assert page.state is DeliveryState.SENDING and page.external_id is None  # the crash's state

    # The worker restarts: it sends nothing that may already be on the platform.
    assert send_due(sessions, sandbox_pages.connect).sent == []
    assert sandbox_pages.posts("north") == [TEXT]

    # The reconciler reads the page, finds the post and records it once.
    report = intents.reconcile(sessions, sandbox_pages.connect, grace=timedelta(0))
    assert len(report.recorded) == 1
    with sessions() as s:
        st = outbox.status(s, pub)
    assert st.overall is Overall.PUBLISHED
    live = SandboxConnector(sessions, "north").live_post_ids()
    assert {st.pages[0].external_id} == set(live)
    assert send_due(sessions, sandbox_pages.connect).sent == []
    assert sandbox_pages.posts("north") == [TEXT]


def test_sigkill_and_a_platform_that_cannot_be_read_ends_unconfirmed(
    sessions, staff, sandbox_pages, db_url
):
    pub = _enqueue(sessions, staff, sandbox_pages.ids["south"])
    _kill_a_worker(db_url)

    class Unreadable(SandboxConnector):
        def find_published(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None  # the platform's listing does not show it (yet)

    def connect(page: Page) -> Connector:
        return Unreadable(sessions, page.handle)

    send_due(sessions, connect)
    intents.reconcile(sessions, connect, grace=timedelta(0))
    with sessions() as s:
        st = outbox.status(s, pub)
    assert st.overall is Overall.UNCONFIRMED
    assert sandbox_pages.posts("south") == [TEXT]  # never posted a second time
    send_due(sessions, connect)
    assert sandbox_pages.posts("south") == [TEXT]
