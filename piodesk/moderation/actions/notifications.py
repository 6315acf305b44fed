"""Moderation's notifications: counsel when consulted, a reporter when their report is
answered, a PIO when a colleague answers their held decision, an assignee.

One notification list serves all of piodesk (``piodesk.program.notifications``: in-app, and by
e-mail through its retried outbox); this module only names moderation's events and finds
their recipients. Not evidence: the audited events they point at are.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.core.permissions import Actor, Role
from piodesk.people.tables import Account, AccountRole
from piodesk.program import notifications as inbox
from piodesk.program.tables import Notification

KIND = "moderation"


def notify(session: Session, account_id: int, text: str, link: str) -> None:
    """Tell one person something, with a link to where it happened."""
    inbox.notify(
        session,
        recipient_account_id=account_id,
        kind=KIND,
        subject=text[:200],
        body=text,
        link=link,
    )


def notify_role(session: Session, role: Role, text: str, link: str) -> None:
    """Tell every active holder of a role."""
    ids = session.execute(
        select(Account.id)
        .join(AccountRole, AccountRole.account_id == Account.id)
        .where(AccountRole.role == role.value, Account.active.is_(True))
    ).scalars()
    for account_id in sorted(set(ids)):
        notify(session, account_id, text, link)


def mine(session: Session, actor: Actor, *, limit: int = 50) -> list[Notification]:
    """The actor's notifications, newest first."""
    return inbox.list_notifications(session, actor=actor, limit=limit)
