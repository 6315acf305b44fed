"""Notifications: a person's in-app list, and e-mail through a queued, retried outbox.

Any area calls :func:`notify` inside the transaction of the action that causes it::

    from piodesk.program.notifications import notify

    notify(
        session,
        recipient_account_id=counsel_id,
        kind="moderation.consulted",
        subject="A case was sent to you for advice",
        body="Case 14: is this comment a threat?",
        link="/counsel",
    )

It adds a row to the recipient's list and, when the account has an e-mail address, a message
to the outbox; nothing is sent inside the transaction, so the action succeeds whether or not
the SMTP server is up. :func:`deliver_outbox` (a periodic job, and ``piodesk program
deliver-mail``) sends what is due, each message in its own transaction, and retries a failure
later with a doubling wait until ``mail_max_attempts``.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from piodesk.core import clock
from piodesk.core.db import transaction
from piodesk.core.errors import InvalidInput, NotFound
from piodesk.core.permissions import Actor
from piodesk.core.text import clean_line, clean_text
from piodesk.people.tables import Account
from piodesk.program.config import ProgramSettings
from piodesk.program.model import check_email
from piodesk.program.tables import MailOutbox, Notification

log = structlog.get_logger(__name__)

__all__ = ["deliver_outbox", "list_notifications", "mark_read", "notify", "unread_count"]


def notify(
    session: Session,
    *,
    recipient_account_id: int,
    kind: str,
    subject: str,
    body: str,
    link: str = "",
) -> Notification:
    """Tell one person something: in their list now, by e-mail when the outbox delivers.

    ``kind`` names the event (``memo.waiting``, ``authorization.expiring`` …); ``link`` is a
    path inside piodesk (``/memos/4``). An inactive account is told nothing by e-mail.
    """
    account = session.get(Account, recipient_account_id)
    if account is None:
        raise NotFound(f"no account with id {recipient_account_id} to notify")
    if link and not (link.startswith("/") and link[1:2] not in ("/", "\\") and link.isprintable()):
        raise InvalidInput("link: a path inside piodesk, such as /memos/4")
    row = Notification(
        recipient_id=account.id,
        kind=clean_line("kind", kind, max_len=60, required=True),
        subject=clean_line("subject", subject, max_len=200, required=True),
        body=clean_text("body", body, max_len=5000),
        link=link[:500],
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    address = (account.email or "").strip()
    if address and account.active:
        try:
            to = check_email(address)
        except InvalidInput:
            log.warning("notification address is not an address", account=account.id)
        else:
            session.add(
                MailOutbox(
                    notification_id=row.id,
                    to_address=to,
                    subject=row.subject,
                    body=row.body,
                    state="queued",
                    attempts=0,
                    next_attempt_at=row.created_at,
                    last_error="",
                    created_at=row.created_at,
                )
            )
    return row


def list_notifications(session: Session, *, actor: Actor, limit: int = 100) -> list[Notification]:
    """The actor's own notifications, newest first."""
    if actor.account_id is None:
        return []
    return list(
        session.execute(
            select(Notification)
            .where(Notification.recipient_id == actor.account_id)
            .order_by(Notification.id.desc())
            .limit(limit)
        ).scalars()
    )


def unread_count(session: Session, *, actor: Actor) -> int:
    """How many of the actor's notifications are unread."""
    if actor.account_id is None:
        return 0
    return int(
        session.execute(
            select(func.count(Notification.id)).where(
                Notification.recipient_id == actor.account_id, Notification.read_at.is_(None)
            )
        ).scalar_one()
    )


def mark_read(session: Session, notification_id: int, *, actor: Actor) -> Notification:
    """Mark one of your notifications read."""
    row = session.get(Notification, notification_id)
    if row is None or row.recipient_id != actor.account_id:
        raise NotFound(f"no notification {notification_id} of yours")
    if row.read_at is None:
        row.read_at = clock.now()
    return row


@dataclass
class Delivery:
    """What one run of the outbox did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0


def _send(settings: ProgramSettings, row: MailOutbox, link: str) -> None:
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = row.to_address
    msg["Subject"] = row.subject
    msg["Message-ID"] = (
        f"<piodesk-outbox-{row.id}@{settings.smtp_from.partition('@')[2] or 'piodesk'}>"
    )
    where = f"\n\n{settings.base_url.rstrip('/')}{link}" if link else ""
    msg.set_content(row.body + where)
    with smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
    ) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(msg)


def deliver_outbox(
    sessions: sessionmaker[Session], settings: ProgramSettings, *, batch: int = 100
) -> Delivery:
    """Send the e-mails that are due; a failure waits and is retried (nothing is lost)."""
    done = Delivery()
    if not settings.smtp_host:
        return done
    with sessions() as session:
        due = list(
            session.execute(
                select(MailOutbox.id)
                .where(MailOutbox.state == "queued", MailOutbox.next_attempt_at <= clock.now())
                .order_by(MailOutbox.id)
                .limit(batch)
            ).scalars()
        )
    for outbox_id in due:
        with transaction(sessions) as session:
            row = session.get(MailOutbox, outbox_id, with_for_update=True)
            if row is None or row.state != "queued":
                continue
            note = session.get(Notification, row.notification_id) if row.notification_id else None
            try:
                _send(settings, row, note.link if note is not None else "")
            except (OSError, smtplib.SMTPException) as exc:
                row.attempts += 1
                row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if row.attempts >= settings.mail_max_attempts:
                    row.state = "failed"
                    done.failed += 1
                else:
                    wait = settings.mail_retry_seconds * 2 ** (row.attempts - 1)
                    row.next_attempt_at = clock.now() + timedelta(seconds=min(wait, 86400))
                    done.retried += 1
                log.warning("e-mail not sent", outbox=row.id, error=row.last_error)
            else:
                row.attempts += 1
                row.state = "sent"
                row.sent_at = clock.now()
                done.sent += 1
    return done
