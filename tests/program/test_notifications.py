"""Notifications: the in-app list, and e-mail through the outbox to a real SMTP server this
test starts on loopback (aiosmtpd). A server that is down leaves the mail queued for a retry
and the action that caused it still succeeds."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import clock
from piodesk.core.db import transaction
from piodesk.core.errors import InvalidInput
from piodesk.core.permissions import Role
from piodesk.people import actions as people
from piodesk.program import memos
from piodesk.program.config import ProgramSettings
from piodesk.program.notifications import deliver_outbox, list_notifications, mark_read, notify
from piodesk.program.tables import MailOutbox


class Inbox:
    """What the loopback SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_port() -> int:
    return _free_port()


@pytest.fixture
def mail_settings(smtp_port: int) -> ProgramSettings:
    return ProgramSettings(
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_from="piodesk@cspd.example",
        smtp_timeout=3,
        mail_retry_seconds=30,
        base_url="https://piodesk.cspd.example",
    )


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.inbox = Inbox()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=port)

    def __enter__(self) -> Inbox:
        self.controller.start()
        return self.inbox

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


@pytest.fixture
def moved_clock() -> Iterator[list[timedelta]]:
    offset = [timedelta(0)]
    clock.set_clock(lambda: datetime.now(UTC) + offset[0])
    yield offset
    clock.set_clock(None)


def _with_email(sessions: sessionmaker[Session], staff, role: Role, address: str) -> None:
    with transaction(sessions) as s:
        people.set_email(s, staff[role].account_id, actor=staff.admin, email=address)


def test_mail_waits_while_smtp_is_down_then_arrives(
    sessions: sessionmaker[Session], staff, mail_settings, smtp_port, moved_clock
) -> None:
    _with_email(sessions, staff, Role.SUPERVISOR, "sgt.kim@cspd.example")
    # Nothing listens on the port: filing the memo still succeeds, the mail is queued.
    with transaction(sessions) as s:
        memo = memos.file_memo(
            s,
            actor=staff[Role.EMPLOYEE],
            title="Recruiting videos",
            body="Short recruiting videos on the department pages.",
            supervisor_id=staff[Role.SUPERVISOR].account_id,
        )
        memo_id = memo.id
    result = deliver_outbox(sessions, mail_settings)
    assert (result.sent, result.retried) == (0, 1)
    with sessions() as s:
        row = s.execute(select(MailOutbox)).scalar_one()
        assert row.state == "queued" and row.attempts == 1 and "Connection" in row.last_error
        assert clock.as_utc(row.next_attempt_at) > clock.now()
    with SmtpServer(smtp_port) as inbox:
        # Not due yet: nothing is sent before the wait is over.
        assert deliver_outbox(sessions, mail_settings).sent == 0
        moved_clock[0] = timedelta(seconds=31)
        assert deliver_outbox(sessions, mail_settings).sent == 1
        assert deliver_outbox(sessions, mail_settings).sent == 0  # sent once
    assert len(inbox.messages) == 1
    rcpts, msg = inbox.messages[0]
    assert rcpts == ["sgt.kim@cspd.example"]
    assert msg["Subject"] == "A suggestion memo waits for you: Recruiting videos"
    assert msg["From"] == "piodesk@cspd.example"
    assert f"https://piodesk.cspd.example/memos/{memo_id}" in msg.get_payload(decode=True).decode()
    with sessions() as s:
        row = s.execute(select(MailOutbox)).scalar_one()
        assert row.state == "sent" and row.attempts == 2


def test_gives_up_after_the_configured_attempts(
    sessions: sessionmaker[Session], staff, smtp_port, moved_clock
) -> None:
    _with_email(sessions, staff, Role.EMPLOYEE, "officer@cspd.example")
    with transaction(sessions) as s:
        notify(
            s,
            recipient_account_id=staff[Role.EMPLOYEE].account_id,
            kind="test.kind",
            subject="Hello",
            body="Body",
        )
    settings = ProgramSettings(
        smtp_host="127.0.0.1", smtp_port=smtp_port, mail_max_attempts=2, mail_retry_seconds=1
    )
    deliver_outbox(sessions, settings)
    moved_clock[0] = timedelta(seconds=5)
    assert deliver_outbox(sessions, settings).failed == 1
    with sessions() as s:
        assert s.execute(select(MailOutbox.state)).scalar_one() == "failed"


def test_in_app_list_and_addresses(sessions: sessionmaker[Session], staff) -> None:
    emp = staff[Role.EMPLOYEE]
    with transaction(sessions) as s, pytest.raises(InvalidInput, match="not an e-mail address"):
        people.set_email(s, emp.account_id, actor=staff.admin, email="officer at cspd")
    with transaction(sessions) as s, pytest.raises(InvalidInput, match="a path inside piodesk"):
        notify(
            s,
            recipient_account_id=emp.account_id,
            kind="k",
            subject="s",
            body="b",
            link="https://evil.example/",
        )
    for bad in ("//evil.example/", "/\\evil.example/"):
        with transaction(sessions) as s, pytest.raises(InvalidInput):
            notify(
                s, recipient_account_id=emp.account_id, kind="k", subject="s", body="b", link=bad
            )
    with transaction(sessions) as s:
        n = notify(
            s,
            recipient_account_id=emp.account_id,
            kind="k",
            subject="Read me",
            body="b",
            link="/memos",
        )
        nid = n.id
    with sessions() as s:
        # No address: no mail queued; the list has it, unread; nobody else sees it.
        assert s.execute(select(MailOutbox)).first() is None
        assert [x.subject for x in list_notifications(s, actor=emp)] == ["Read me"]
        assert list_notifications(s, actor=staff[Role.CADRE]) == []
    with transaction(sessions) as s:
        assert mark_read(s, nid, actor=emp).read_at is not None
    # Without an SMTP host nothing is attempted.
    assert deliver_outbox(sessions, ProgramSettings(smtp_host="")).sent == 0
