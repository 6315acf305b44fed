"""A child process for the SIGKILL test: hides a case's comment and dies right after the
platform did it, before piodesk can record the decision.

Run as ``python -m tests.moderation.crash_child DB_URL CASE_ID USERNAME``. The connector kills
its own process with SIGKILL as soon as the sandbox platform has committed the hide, so the
stop falls exactly between the platform call and the record — no timing involved.
"""

from __future__ import annotations

import os
import signal
import sys

from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.core.db import make_engine, make_sessionmaker
from piodesk.moderation import actions
from piodesk.pages.tables import Page
from piodesk.people import actions as people


def main(db_url: str, case_id: int, username: str) -> None:
    """Hide the comment of ``case_id`` as ``username``, and be killed mid-way."""
    sessions = make_sessionmaker(make_engine(db_url))
    with sessions() as s:
        account = people.find_account(s, username)
        assert account is not None
        actor = people.actor_for(account)

    class KilledAfterHiding(SandboxConnector):
        def hide_comment(self, comment_id: str) -> None:
            super().hide_comment(comment_id)  # committed on the platform
            os.kill(os.getpid(), signal.SIGKILL)

    def connect(page: Page) -> SandboxConnector:
        return KilledAfterHiding(sessions, page.handle)

    actions.decide(
        sessions,
        case_id,
        action="hide",
        reason="solicitation",
        note="selling tickets",
        actor=actor,
        connect=connect,
    )
    raise SystemExit("the decision was recorded: the kill did not happen")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
