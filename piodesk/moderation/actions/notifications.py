"""In-app notifications: counsel when consulted, a reporter when their report is answered, a
PIO when a colleague answers their held decision. Not evidence: the audited events they point
at are."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from piodesk.core import clock
from piodesk.core.permissions import Actor, Role
from piodesk.moderation.tables import Notification
from piodesk.people.tables import Account, AccountRole


def notify(session: Session, account_id: int, text: str, link: str) -> None:
    """Tell one person something, with a link to where it happened."""
    session.add(
        Notification(
            account_id=account_id,
            text=text[:500],
            link=link[:300],
            created_at=clock.now(),
        )
    )


def notify_role(session: Session, role: Role, text: str, link: str) -> None:
    """Tell every active holder of a role."""
    ids = session.execute(
        select(Account.id)
        .join(AccountRole, AccountRole.account_id == Account.id)
        .where(AccountRole.role == role.value, Account.active.is_(True))
    ).scalars()
    for account_id in set(ids):
        notify(session, account_id, text, link)


def mine(session: Session, actor: Actor, *, limit: int = 50) -> list[Notification]:
    """The actor's notifications, newest first."""
    if actor.account_id is None:
        return []
    return list(
        session.execute(
            select(Notification)
            .where(Notification.account_id == actor.account_id)
            .order_by(Notification.id.desc())
            .limit(limit)
        ).scalars()
    )


def unread_count(session: Session, actor: Actor) -> int:
    """How many of the actor's notifications are unread."""
    if actor.account_id is None:
        return 0
    return int(
        session.execute(
            select(func.count()).where(
                Notification.account_id == actor.account_id, Notification.read_at.is_(None)
            )
        ).scalar_one()
    )


def mark_read(session: Session, actor: Actor) -> None:
    """Mark all the actor's notifications read."""
    if actor.account_id is None:
        return
    session.execute(
        update(Notification)
        .where(Notification.account_id == actor.account_id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )
