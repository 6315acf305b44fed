"""Finding accounts and the Actor services see for them (shared by every people module)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.core.errors import NotFound
from piodesk.core.permissions import Actor, Perm, Role
from piodesk.people.tables import Account

#: How a local operator (whoever holds the server's configuration) appears in the audit log.
OPERATOR_VIA = "operator"  # audit_events.via is 10 characters


def actor_for(
    account: Account, via: str = "web", perm_limit: frozenset[Perm] | None = None
) -> Actor:
    """The Actor that services see for this account."""
    roles = frozenset(Role(r.role) for r in account.roles)
    scope = frozenset(s.page_id for s in account.page_scopes) or None
    return Actor(
        account_id=account.id,
        username=account.username,
        display_name=account.display_name,
        roles=roles,
        page_scope=scope,
        via=via,
        perm_limit=perm_limit,
    )


def get_account(session: Session, account_id: int) -> Account:
    """The account with this id, or a clear NotFound."""
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(f"no account with id {account_id}")
    return account


def find_account(session: Session, username: str) -> Account | None:
    """The account signing in under ``username``, if any."""
    return session.execute(
        select(Account).where(Account.username == username.strip().lower()[:100])
    ).scalar_one_or_none()


def display_names(session: Session, account_ids: Iterable[int | None]) -> dict[int, str]:
    """Each account's name as people know it (pages show these, not usernames)."""
    wanted = {i for i in account_ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(
        select(Account.id, Account.display_name).where(Account.id.in_(wanted))
    ).all()
    return {int(account_id): str(name) for account_id, name in rows}
