"""A child process for the SIGKILL test: an outbox worker that dies right after the platform
accepted a post, before piodesk can record it.

Run as ``python -m tests.publishing.crash_child DB_URL``. The connector kills its own process
with SIGKILL as soon as the sandbox platform has committed the new post, so the stop falls
exactly between the platform's acceptance and the record — no timing involved.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence

import piodesk.core.schema  # noqa: F401  (every table, for the foreign keys)
from piodesk.connectors.model import MediaRef
from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.core.db import make_engine, make_sessionmaker
from piodesk.pages.tables import Page
from piodesk.publishing.outbox_sender import send_due


def main(db_url: str) -> None:
    """Send every due delivery, and be killed mid-way through the first."""
    sessions = make_sessionmaker(make_engine(db_url))

    class KilledAfterPosting(SandboxConnector):
        def publish(
            self, text: str, media: Sequence[MediaRef] = (), *, idempotency_key: str | None = None
        ) -> str:
            super().publish(text, media)  # committed on the platform
            os.kill(os.getpid(), signal.SIGKILL)
            raise AssertionError("unreachable")

    def connect(page: Page) -> SandboxConnector:
        return KilledAfterPosting(sessions, page.handle)

    send_due(sessions, connect)
    raise SystemExit("the delivery was recorded: the kill did not happen")


if __name__ == "__main__":
    main(sys.argv[1])
