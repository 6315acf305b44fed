"""Moderation's platform actions, intent first: races, refusals, crashes and the reconciler.

Each finding of issue 9 ("Platform actions") is a test here, on SQLite and PostgreSQL, on the
sandbox platform. Races are made deterministic through the ``connect`` callback (it runs in
the action's read phase, so another person's action can be completed exactly there) or a
connector whose action stops the process right after the platform did it.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from piodesk.archive.verify import verify_archive
from piodesk.cli import app as cli_app
from piodesk.connectors import intents
from piodesk.connectors.base import Connector, PlatformError, UnsupportedAction
from piodesk.connectors.model import CommentState
from piodesk.connectors.sandbox import platform
from piodesk.connectors.sandbox.connector import SandboxConnector
from piodesk.connectors.tables import PlatformAction
from piodesk.core import audit, clock, tags
from piodesk.core.config import Settings
from piodesk.core.db import transaction
from piodesk.core.errors import Conflict, PermissionDenied
from piodesk.core.permissions import PAGE_SCOPED, SYSTEM, Actor, Perm, Role
from piodesk.moderation import actions, queries
from piodesk.moderation.model import (
    BLOCK_LIFECYCLE,
    RESPONSE_LIFECYCLE,
    BlockState,
    ResponseState,
)
from piodesk.moderation.tables import Block, Case, Decision, Warning_
from piodesk.pages.tables import Page
from piodesk.web.app import reconcile_platform_actions
from tests.conftest import PASSWORD
from tests.moderation.conftest import Site
from tests.web.conftest import sign_in

PHONE = "Call me at 719-555-0134 for cheap game tickets, best prices in town"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _evidence_verifies(sessions: sessionmaker[Session], site: Site, db_url: str) -> Iterator[None]:
    yield
    with sessions() as s:
        archive = verify_archive(s, site.media)
        assert archive.ok, archive.problems[:3]
        assert audit.verify(s).ok


class Crash(BaseException):
    """Stands for the process stopping (not an error anything may catch and handle)."""


def crashing(site: Site, method: str, *, before: bool = False) -> Callable[[Page], Connector]:
    """A connect callback whose ``method`` stops right after (or before) the platform acts."""

    def stop(self: SandboxConnector, *args: Any) -> None:
        if not before:
            getattr(SandboxConnector, method)(self, *args)
        raise Crash(method)

    cls = type("Crashing", (SandboxConnector,), {method: stop})
    return lambda page: cls(site.sessions, page.handle)


def _count(sessions: sessionmaker[Session], model: Any, *where: Any) -> int:
    with sessions() as s:
        return int(s.execute(select(func.count()).select_from(model).where(*where)).scalar_one())


def _intents(sessions: sessionmaker[Session]) -> list[PlatformAction]:
    with sessions() as s:
        return list(s.execute(select(PlatformAction).order_by(PlatformAction.id)).scalars())


def _events(sessions: sessionmaker[Session], prefix: str) -> list[str]:
    with sessions() as s:
        return list(
            s.execute(
                select(audit.AuditEvent.action)
                .where(audit.AuditEvent.action.like(f"{prefix}%"))
                .order_by(audit.AuditEvent.seq)
            ).scalars()
        )


def _flagged_case(site: Site, who: str = "Vendor") -> tuple[str, int]:
    cid = site.comment(who, PHONE)
    site.poll()
    return cid, site.case_of(cid).id


def _hide(site: Site, case_id: int, actor: Any, connect: Callable[[Page], Connector]) -> Decision:
    return actions.decide(
        site.sessions,
        case_id,
        action="hide",
        reason="solicitation",
        note="selling tickets",
        actor=actor,
        connect=connect,
    )


def _warned(site: Site, case_id: int, pio: Any) -> None:
    actions.warn(
        site.sessions,
        case_id=case_id,
        category="solicitation",
        explanation="Selling tickets is solicitation, which the page does not allow.",
        actor=pio,
        connect=site.connect,
    )
    with site.sessions() as s:
        case = s.get(Case, case_id)
        assert case is not None and case.author_name
        who = case.author_name
    site.violate_again(who, pio)  # a block rests on a violation after the warning


def _blocker(site: Site, case_id: int, pio: Any) -> Callable[..., Block]:
    return functools.partial(
        actions.block,
        site.sessions,
        case_id=case_id,
        category="solicitation",
        reason="keeps selling tickets here",
        actor=pio,
        review_days=30,
    )


# ---- an action is an intent first, then its outcome -----------------------------------------


def test_a_hide_records_its_intent_before_the_platform_and_its_outcome_after(
    site: Site, staff
) -> None:
    cid, case_id = _flagged_case(site)
    pio = staff[Role.PIO]
    seen: list[list[str]] = []

    class Watching(SandboxConnector):
        def hide_comment(self, comment_id: str) -> None:
            seen.append([a.state for a in _intents(site.sessions)])  # while the platform acts
            super().hide_comment(comment_id)

    decision = _hide(site, case_id, pio, lambda page: Watching(site.sessions, page.handle))
    assert seen == [["pending"]]
    (row,) = _intents(site.sessions)
    assert (row.state, row.kind, row.purpose, row.result_id) == (
        "succeeded",
        "hide_comment",
        "moderation:decide",
        str(decision.id),
    )
    assert row.requested_by == pio.account_id and row.target == cid and row.idempotency_key
    assert _events(site.sessions, "platform_action:") == [
        "platform_action:intent",
        "platform_action:succeeded",
    ]


def test_a_platform_refusal_records_a_failed_intent_and_nothing_else(site: Site, staff) -> None:
    cid, case_id = _flagged_case(site)
    with transaction(site.sessions) as s:  # its author deletes it before the PIO gets to it
        page = platform.find_page(s, site.handle)
        assert page is not None
        platform.delete_comment(s, page, int(cid))
    with pytest.raises(Conflict, match=r"refused to hide the comment.*nothing was recorded"):
        _hide(site, case_id, staff[Role.PIO], site.connect)
    (row,) = _intents(site.sessions)
    assert row.state == "failed" and "deleted" in row.outcome
    assert _count(site.sessions, Decision) == 0
    assert site.case_of(cid).state == "open"
    assert _events(site.sessions, "platform_action:") == [
        "platform_action:intent",
        "platform_action:failed",
    ]


def test_no_answer_from_the_platform_stays_pending_until_the_platform_is_read(
    site: Site, staff
) -> None:
    cid, case_id = _flagged_case(site)

    class Cut(SandboxConnector):
        def hide_comment(self, comment_id: str) -> None:
            super().hide_comment(comment_id)  # it went through; the answer never came back
            raise PlatformError("sandbox", None, "network failure (ReadTimeout)")

    with pytest.raises(Conflict, match=r"could not confirm.*Check the page"):
        _hide(site, case_id, staff[Role.PIO], lambda page: Cut(site.sessions, page.handle))
    (row,) = _intents(site.sessions)
    assert row.state == "pending" and "ReadTimeout" in row.outcome
    assert _count(site.sessions, Decision) == 0
    with site.sessions() as s:
        (note,) = queries.case_view(s, case_id, actor=staff[Role.PIO]).platform_actions
    assert "Hiding the comment on Sandbox" in note and "check the page" in note
    with pytest.raises(Conflict, match="not confirmed yet"):  # not sent a second time
        _hide(site, case_id, staff[Role.PIO], site.connect)
    intents.reconcile(site.sessions, site.connect, grace=timedelta(0))
    assert [d.action for d in _decisions(site.sessions, case_id)] == ["hide"]
    assert site.public_comment(cid) is None


def test_an_action_the_platform_cannot_confirm_is_left_for_a_person(site: Site, staff) -> None:
    """A warning's delivery cannot be read back, but a warning is still recorded (below); an
    action whose recorder needs a confirmed outcome is marked unconfirmed instead."""
    _cid, case_id = _flagged_case(site)

    class Unreadable(SandboxConnector):
        def comment_state(self, comment_id: str) -> CommentState:
            raise UnsupportedAction("sandbox", "read_comment_state")

    with pytest.raises(Crash):
        _hide(site, case_id, staff[Role.PIO], crashing(site, "hide_comment"))
    report = intents.reconcile(
        site.sessions, lambda page: Unreadable(site.sessions, page.handle), grace=timedelta(0)
    )
    assert len(report.unconfirmed) == 1
    assert _count(site.sessions, Decision) == 0
    with site.sessions() as s:
        (note,) = queries.case_view(s, case_id, actor=staff[Role.PIO]).platform_actions
    assert "could not be confirmed" in note
    _hide(site, case_id, staff[Role.PIO], site.connect)  # a person checked, and does it
    with site.sessions() as s:
        assert queries.case_view(s, case_id, actor=staff[Role.PIO]).platform_actions == []


# ---- the races of the finding ---------------------------------------------------------------


def test_two_blocks_of_the_same_person_at_once_leave_one_in_force(site: Site, staff) -> None:
    _cid, case_id = _flagged_case(site)
    pio = staff[Role.PIO]
    _warned(site, case_id, pio)
    block = _blocker(site, case_id, pio)
    first = True

    def connect_and_race(page: Page) -> Connector:  # the other PIO blocks while this one reads
        nonlocal first
        if first:
            first = False
            block(connect=site.connect)
        return site.connect(page)

    with pytest.raises(Conflict, match="already blocked on this page"):
        block(connect=connect_and_race)
    assert _count(site.sessions, Block, Block.lifted_at.is_(None)) == 1
    with site.sessions() as s:  # the case page still opens (it failed with MultipleResultsFound)
        view = queries.case_view(s, case_id, actor=pio)
        assert view.active_block is not None


def test_a_block_recorded_meanwhile_is_not_recorded_twice(site: Site, staff) -> None:
    """The write phase re-checks: a block written while the platform was asked wins."""
    cid, case_id = _flagged_case(site)
    pio = staff[Role.PIO]
    _warned(site, case_id, pio)
    case = site.case_of(cid)

    class Meanwhile(SandboxConnector):
        def block(self, person_id: str) -> None:
            super().block(person_id)
            with transaction(site.sessions) as s:  # someone else's record lands first
                now = clock.now()
                s.add(
                    Block(
                        page_id=site.page_id,
                        platform="sandbox",
                        person_id=person_id,
                        person_name=case.author_name,
                        case_id=case_id,
                        category="solicitation",
                        reason="placed by another process",
                        actor_name="other-pio",
                        blocked_at=now,
                        review_due_at=now + timedelta(days=30),
                    )
                )
                # The other process's record is audited like any (evidence rows need their event).
                audit.record(s, SYSTEM, tags.Moderation.BLOCK, "person", person_id, reason="other")

    with pytest.raises(Conflict, match=r"already blocked.*nothing was recorded twice"):
        _blocker(site, case_id, pio)(connect=lambda page: Meanwhile(site.sessions, page.handle))
    assert _count(site.sessions, Block, Block.lifted_at.is_(None)) == 1
    states = [a.state for a in _intents(site.sessions) if a.kind == "block"]
    assert states == ["superseded"]


def test_the_database_keeps_one_block_in_force_per_person_and_page(site: Site, staff) -> None:
    now = clock.now()

    def row(lifted: bool = False) -> Block:
        return Block(
            page_id=site.page_id,
            platform="sandbox",
            person_id="visitor-x",
            category="threat",
            reason="r",
            actor_name="pio",
            blocked_at=now,
            review_due_at=now,
            lifted_at=now if lifted else None,
        )

    with transaction(site.sessions) as s:
        s.add_all([row(lifted=True), row(lifted=True), row()])  # lifted ones may repeat
        audit.record(s, SYSTEM, tags.Moderation.BLOCK, "person", "visitor-x", reason="test rows")
    with pytest.raises(IntegrityError), transaction(site.sessions) as s:
        s.add(row())
        audit.record(s, SYSTEM, tags.Moderation.BLOCK, "person", "visitor-x", reason="a second")
    assert _count(site.sessions, Block, Block.lifted_at.is_(None)) == 1


def test_two_threads_blocking_at_once_leave_one_block_and_a_clear_refusal(
    site: Site, staff
) -> None:
    _cid, case_id = _flagged_case(site)
    pio = staff[Role.PIO]
    _warned(site, case_id, pio)
    block = _blocker(site, case_id, pio)
    both_read = threading.Barrier(2, timeout=60)

    def connect(page: Page) -> Connector:  # both have checked "not blocked yet" before either acts
        both_read.wait()
        return site.connect(page)

    results: list[object] = []

    def run() -> None:
        try:
            results.append(block(connect=connect))
        except Conflict as exc:
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    blocks = [r for r in results if isinstance(r, Block)]
    refusals = [r for r in results if isinstance(r, Conflict)]
    assert len(blocks) == 1 and len(refusals) == 1, results
    assert "blocked" in refusals[0].message or "in progress" in refusals[0].message
    assert _count(site.sessions, Block, Block.lifted_at.is_(None)) == 1
    with transaction(site.sessions) as s:
        page = platform.find_page(s, site.handle)
        assert page is not None and platform.is_blocked(s, page, "visitor-vendor")


def test_lifting_a_block_already_lifted_is_refused_and_the_first_lift_stays(
    site: Site, staff
) -> None:
    _cid, case_id = _flagged_case(site)
    pio = staff[Role.PIO]
    _warned(site, case_id, pio)
    row = _blocker(site, case_id, pio)(connect=site.connect)
    first = True

    def connect_and_race(page: Page) -> Connector:
        nonlocal first
        if first:
            first = False
            actions.lift_block(
                site.sessions,
                row.id,
                reason="the first lift, by the PIO",
                actor=pio,
                connect=site.connect,
            )
        return site.connect(page)

    with pytest.raises(Conflict, match="already lifted"):
        actions.lift_block(
            site.sessions,
            row.id,
            reason="a second lift, later",
            actor=pio,
            connect=connect_and_race,
        )
    with site.sessions() as s:
        lifted = s.get(Block, row.id)
        assert lifted is not None
        assert (lifted.lifted_by_name, lifted.lift_reason) == (
            pio.username,
            "the first lift, by the PIO",
        )
    assert _events(site.sessions, "moderation:lift_block") == ["moderation:lift_block"]


def test_a_restore_is_recorded_exactly_once(site: Site, staff) -> None:
    cid, case_id = _flagged_case(site)
    pio = staff[Role.PIO]
    _hide(site, case_id, pio, site.connect)
    first = True

    def connect_and_race(page: Page) -> Connector:
        nonlocal first
        if first:
            first = False
            actions.restore(
                site.sessions,
                case_id,
                reason="no_violation",
                note="a charity raffle after all",
                actor=pio,
                connect=site.connect,
            )
        return site.connect(page)

    with pytest.raises(Conflict, match="nothing to restore"):
        actions.restore(
            site.sessions,
            case_id,
            reason="mistake",
            note="restoring it too",
            actor=pio,
            connect=connect_and_race,
        )
    assert _count(site.sessions, Decision, Decision.action == "restore") == 1
    assert site.public_comment(cid) is not None


# ---- the reconciler -------------------------------------------------------------------------


def test_a_crash_after_the_platform_hid_it_is_recorded_once_by_the_reconciler(
    site: Site, staff
) -> None:
    cid, case_id = _flagged_case(site)
    pio = staff[Role.PIO]
    with pytest.raises(Crash):
        _hide(site, case_id, pio, crashing(site, "hide_comment"))
    # The platform hid it; piodesk has the intent, and no decision yet.
    assert site.public_comment(cid) is None
    assert _count(site.sessions, Decision) == 0
    assert [a.state for a in _intents(site.sessions)] == ["pending"]
    with site.sessions() as s:
        (note,) = queries.case_view(s, case_id, actor=pio).platform_actions
        assert "not confirmed yet" in note
    # Another hide meanwhile is refused: the first may have happened.
    with pytest.raises(Conflict, match="not confirmed yet"):
        _hide(site, case_id, pio, site.connect)
    # Within the grace period the reconciler leaves it to the process that may still run.
    assert intents.reconcile(site.sessions, site.connect).looked_at == 0
    report = intents.reconcile(site.sessions, site.connect, grace=timedelta(0))
    assert report.recorded == [_intents(site.sessions)[0].id]
    (decision,) = _decisions(site.sessions, case_id)
    assert (decision.action, decision.actor_name) == ("hide", pio.username)
    assert site.case_of(cid).outcome == "hidden"
    assert site.connector.comment_state(cid) is CommentState.HIDDEN  # the platform agrees
    # A second pass finds nothing to do: exactly one decision.
    assert intents.reconcile(site.sessions, site.connect, grace=timedelta(0)).looked_at == 0
    assert len(_decisions(site.sessions, case_id)) == 1


def test_a_crash_before_the_platform_acted_is_marked_failed_not_resent(site: Site, staff) -> None:
    cid, case_id = _flagged_case(site)
    calls: list[str] = []

    class Counting(SandboxConnector):
        def hide_comment(self, comment_id: str) -> None:
            calls.append(comment_id)
            super().hide_comment(comment_id)

    with pytest.raises(Crash):
        _hide(site, case_id, staff[Role.PIO], crashing(site, "hide_comment", before=True))
    report = intents.reconcile(
        site.sessions, lambda page: Counting(site.sessions, page.handle), grace=timedelta(0)
    )
    assert len(report.failed) == 1 and calls == []  # read, never re-sent
    assert _count(site.sessions, Decision) == 0
    assert site.case_of(cid).state == "open"
    assert site.public_comment(cid) is not None
    _hide(site, case_id, staff[Role.PIO], site.connect)  # a person may try again
    assert len(_decisions(site.sessions, case_id)) == 1


def test_the_reconciler_completes_blocks_lifts_and_restores(site: Site, staff) -> None:
    cid, case_id = _flagged_case(site)
    pio = staff[Role.PIO]
    _warned(site, case_id, pio)
    with pytest.raises(Crash):
        _blocker(site, case_id, pio)(connect=crashing(site, "block"))
    intents.reconcile(site.sessions, site.connect, grace=timedelta(0))
    with site.sessions() as s:
        (row,) = s.execute(select(Block)).scalars()
    assert row.lifted_at is None and site.connector.is_blocked("visitor-vendor")

    with pytest.raises(Crash):
        actions.lift_block(
            site.sessions,
            row.id,
            reason="promised to stop",
            actor=pio,
            connect=crashing(site, "unblock"),
        )
    intents.reconcile(site.sessions, site.connect, grace=timedelta(0))
    with site.sessions() as s:
        lifted = s.get(Block, row.id)
        assert lifted is not None and lifted.lifted_at is not None
        assert lifted.lift_reason == "promised to stop"
    assert not site.connector.is_blocked("visitor-vendor")

    _hide(site, case_id, pio, site.connect)
    with pytest.raises(Crash):
        actions.restore(
            site.sessions,
            case_id,
            reason="no_violation",
            note="a charity raffle",
            actor=pio,
            connect=crashing(site, "unhide_comment"),
        )
    intents.reconcile(site.sessions, site.connect, grace=timedelta(0))
    assert [d.action for d in _decisions(site.sessions, case_id)] == ["hide", "restore"]
    assert site.public_comment(cid) is not None
    assert {a.state for a in _intents(site.sessions)} == {"succeeded"}


def test_a_warning_whose_delivery_is_unknown_is_recorded_as_not_confirmed(
    site: Site, staff
) -> None:
    _cid, case_id = _flagged_case(site)
    with pytest.raises(Crash):
        actions.warn(
            site.sessions,
            case_id=case_id,
            category="solicitation",
            explanation="Selling tickets is solicitation, which the page does not allow.",
            actor=staff[Role.PIO],
            connect=crashing(site, "send_message"),
        )
    assert _count(site.sessions, Warning_) == 0
    intents.reconcile(site.sessions, site.connect, grace=timedelta(0))
    with site.sessions() as s:
        (warning,) = s.execute(select(Warning_)).scalars()
    assert not warning.delivered and warning.delivery.startswith("not confirmed")


def test_piodesk_reconcile_on_the_command_line(site: Site, staff, db_url: str) -> None:
    _cid, case_id = _flagged_case(site)
    with pytest.raises(Crash):
        _hide(site, case_id, staff[Role.PIO], crashing(site, "hide_comment"))
    env = {"PIODESK_DATABASE_URL": db_url, "PIODESK_SECRET_KEY": "k" * 32}
    # Settling changes records: never anonymously (issue 9), and nothing is settled.
    result = CliRunner().invoke(cli_app, ["reconcile", "--grace", "0"], env=env)
    assert result.exit_code == 1 and "say who you act as" in result.output, result.output
    assert _decisions(site.sessions, case_id) == []
    result = CliRunner().invoke(cli_app, ["--operator", "reconcile", "--grace", "0"], env=env)
    assert result.exit_code == 0, result.output
    assert "1 recorded" in result.output
    assert len(_decisions(site.sessions, case_id)) == 1
    with site.sessions() as s:
        settled = s.execute(
            select(audit.AuditEvent).where(audit.AuditEvent.action == "platform_action:succeeded")
        ).scalar_one()
    assert (settled.actor_name, settled.via) == ("operator", "operator")


def _decisions(sessions: sessionmaker[Session], case_id: int) -> list[Decision]:
    with sessions() as s:
        return list(
            s.execute(
                select(Decision).where(Decision.case_id == case_id).order_by(Decision.id)
            ).scalars()
        )


def test_sigkill_between_the_platform_call_and_the_record(site: Site, staff, db_url: str) -> None:
    """A real process, killed with SIGKILL right after the platform hid the comment."""
    cid, case_id = _flagged_case(site)
    pio = staff[Role.PIO]
    child = subprocess.run(
        [sys.executable, "-m", "tests.moderation.crash_child", db_url, str(case_id), pio.username],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]
    assert site.public_comment(cid) is None  # hidden on the platform
    assert _count(site.sessions, Decision) == 0  # and nothing recorded: the crash's state
    intents.reconcile(site.sessions, site.connect, grace=timedelta(0))
    (decision,) = _decisions(site.sessions, case_id)
    assert decision.action == "hide" and decision.actor_name == pio.username
    assert site.connector.comment_state(cid) is CommentState.HIDDEN
    assert site.case_of(cid).outcome == "hidden"
    with site.sessions() as s:
        event = s.execute(
            select(audit.AuditEvent).where(audit.AuditEvent.action == "moderation:hide")
        ).scalar_one()
        assert event.target_id == str(case_id)


# ---- declared state machines -----------------------------------------------------------------


def test_block_and_response_lifecycles_refuse_undeclared_moves() -> None:
    assert BLOCK_LIFECYCLE.check(BlockState.IN_FORCE, BlockState.LIFTED) is BlockState.LIFTED
    with pytest.raises(Conflict, match="cannot go from 'lifted' to 'lifted'"):
        BLOCK_LIFECYCLE.check(BlockState.LIFTED, BlockState.LIFTED)
    with pytest.raises(Conflict):
        BLOCK_LIFECYCLE.check(BlockState.LIFTED, BlockState.IN_FORCE)
    assert RESPONSE_LIFECYCLE.terminal(ResponseState.ANSWERED)
    with pytest.raises(Conflict):
        RESPONSE_LIFECYCLE.check(ResponseState.ANSWERED, ResponseState.OPEN)
    with pytest.raises(Conflict):
        intents.ACTION_LIFECYCLE.check(intents.ActionState.SUCCEEDED, intents.ActionState.FAILED)


def test_the_case_page_says_plainly_an_action_is_not_confirmed(
    client: TestClient, site: Site, staff
) -> None:
    _cid, case_id = _flagged_case(site)
    with pytest.raises(Crash):
        _hide(site, case_id, staff[Role.PIO], crashing(site, "hide_comment"))
    sign_in(client, staff[Role.PIO].username, PASSWORD)
    html = client.get(f"/moderation/cases/{case_id}").text
    assert "Hiding the comment on Sandbox (CSPD Community)… not confirmed yet" in html
    assert "check the page before trying again" in html
    detail = client.get(f"/api/v1/moderation/cases/{case_id}").json()
    assert detail["platform_actions"] and "not confirmed yet" in detail["platform_actions"][0]
    intents.reconcile(site.sessions, site.connect, grace=timedelta(0))
    assert "not confirmed" not in client.get(f"/moderation/cases/{case_id}").text


def test_the_server_job_reconciles_through_the_configured_connectors(
    site: Site, staff, settings: Settings
) -> None:
    _cid, case_id = _flagged_case(site)
    with pytest.raises(Crash):
        _hide(site, case_id, staff[Role.PIO], crashing(site, "hide_comment"))
    waiting = reconcile_platform_actions(site.sessions, settings)  # within the grace period
    assert isinstance(waiting, intents.ReconcileReport) and waiting.looked_at == 0
    done = reconcile_platform_actions(
        site.sessions, settings.model_copy(update={"platform_action_grace_seconds": 0})
    )
    assert isinstance(done, intents.ReconcileReport) and len(done.recorded) == 1
    assert len(_decisions(site.sessions, case_id)) == 1


def test_the_blocks_page_shows_a_lift_not_confirmed_yet(
    client: TestClient, site: Site, staff
) -> None:
    _cid, case_id = _flagged_case(site)
    pio = staff[Role.PIO]
    _warned(site, case_id, pio)
    row = _blocker(site, case_id, pio)(connect=site.connect)
    with pytest.raises(Crash):
        actions.lift_block(
            site.sessions,
            row.id,
            reason="promised to stop",
            actor=pio,
            connect=crashing(site, "unblock"),
        )
    sign_in(client, pio.username, PASSWORD)
    html = client.get("/moderation/blocks").text
    assert "Lifting the block on Sandbox… not confirmed yet" in html


# ---- scope: a case with no page -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ScopedDesignee(Actor):
    """A PIO designee as core/permissions will treat them: no page means not theirs."""

    def can(self, perm: Perm, page_id: int | None = None) -> bool:
        if perm in PAGE_SCOPED and self.page_scope is not None and page_id is None:
            return False
        return Actor.can(self, perm, page_id)


def test_a_case_with_no_page_is_asked_about_with_no_page(site: Site, staff) -> None:
    """Moderation passes the case's page (None here) to every check, so a designee limited to
    one page cannot see, consult on or close a report of a link piodesk never captured."""
    with transaction(site.sessions) as s:
        report = actions.file_report(
            s,
            reason="a threat on a page we do not run",
            url="https://www.facebook.com/somewhere/posts/1?comment_id=999999",
            actor=staff[Role.EMPLOYEE],
        )
    pio = staff[Role.PIO]
    designee = _ScopedDesignee(
        pio.account_id, pio.username, pio.display_name, pio.roles, frozenset({site.page_id})
    )
    with site.sessions() as s, pytest.raises(PermissionDenied):
        actions.get_case(s, report.case_id, actor=designee)
    with pytest.raises(PermissionDenied), transaction(site.sessions) as s:
        actions.consult(s, report.case_id, question="is this ours to act on?", actor=designee)
    with pytest.raises(PermissionDenied):
        actions.decide(
            site.sessions,
            report.case_id,
            action="keep",
            reason="no_violation",
            note="",
            actor=designee,
            connect=site.connect,
        )
    with site.sessions() as s:  # the PIO office (unscoped) still can
        assert actions.get_case(s, report.case_id, actor=pio).page_id is None
