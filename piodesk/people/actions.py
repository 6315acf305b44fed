"""Things people do with accounts: create, change roles, sign in, tokens.

Each function checks the actor's permission, works inside the caller's transaction and writes
the audit event; the caller (web, API, CLI) commits.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from piodesk.core import audit, clock
from piodesk.core.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound
from piodesk.core.permissions import SYSTEM, Actor, Perm, Role, require
from piodesk.core.text import clean_line, clean_text
from piodesk.people.model import LockoutPolicy, check_password, check_username
from piodesk.people.tables import (
    Account,
    AccountPageScope,
    AccountRole,
    ApiToken,
    SignInSession,
)

_hasher = PasswordHasher()
# Verifying against this when the username is unknown costs the same time as a real check,
# so response time does not reveal which usernames exist.
_DUMMY_HASH = _hasher.hash("piodesk-dummy-password")


def sha256(token: str) -> str:
    """Hex SHA-256 of a token: what the database stores instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def actor_for(account: Account, via: str = "web") -> Actor:
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
    )


def _parse_roles(roles: Iterable[str]) -> list[Role]:
    parsed: list[Role] = []
    for r in roles:
        try:
            parsed.append(Role(r))
        except ValueError:
            known = ", ".join(x.value for x in Role)
            raise InvalidInput(f"unknown role '{r}'; roles are: {known}") from None
    if not parsed:
        raise InvalidInput("an account needs at least one role")
    return sorted(set(parsed))


def _snapshot(account: Account) -> dict[str, object]:
    return {
        "username": account.username,
        "display_name": account.display_name,
        "roles": sorted(r.role for r in account.roles),
        "page_scope": sorted(s.page_id for s in account.page_scopes),
        "active": account.active,
    }


def get_account(session: Session, account_id: int) -> Account:
    """The account with this id, or a clear NotFound."""
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(f"no account with id {account_id}")
    return account


def find_account(session: Session, username: str) -> Account | None:
    """The account signing in under ``username``, if any."""
    return session.execute(
        select(Account).where(Account.username == username.strip().lower())
    ).scalar_one_or_none()


def list_accounts(session: Session, *, actor: Actor) -> list[Account]:
    """Every account, for the people who manage or audit them."""
    require(actor, Perm.ACCOUNT_VIEW)
    return list(session.execute(select(Account).order_by(Account.username)).scalars())


def _new_account(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    roles: Iterable[str],
    email: str,
    unit: str,
    page_scope: Iterable[int],
) -> Account:
    name = check_username(username)
    if find_account(session, name) is not None:
        raise Conflict(f"username '{name}' is taken")
    account = Account(
        username=name,
        display_name=clean_line("display name", display_name, max_len=120, required=True),
        email=clean_line("email", email, max_len=254),
        unit=clean_line("unit", unit, max_len=120),
        password_hash=_hasher.hash(check_password(password, name)),
        active=True,
        failed_attempts=0,
        created_at=clock.now(),
    )
    account.roles = [AccountRole(role=r.value) for r in _parse_roles(roles)]
    account.page_scopes = [AccountPageScope(page_id=p) for p in sorted(set(page_scope))]
    session.add(account)
    session.flush()
    return account


def bootstrap_admin(
    session: Session, *, username: str, display_name: str, password: str
) -> Account:
    """Create the first administrator of an empty installation (refused once anyone exists)."""
    if list_accounts_exist(session):
        raise Conflict("accounts exist already; an administrator must create new ones")
    account = _new_account(
        session,
        username=username,
        display_name=display_name,
        password=password,
        roles=[Role.ADMIN],
        email="",
        unit="",
        page_scope=(),
    )
    audit.record(
        session,
        SYSTEM,
        "account:bootstrap",
        "account",
        account.id,
        reason="first administrator of a new installation",
        data={"after": _snapshot(account)},
    )
    return account


def create_account(
    session: Session,
    *,
    actor: Actor,
    username: str,
    display_name: str,
    password: str,
    roles: Iterable[str],
    email: str = "",
    unit: str = "",
    page_scope: Iterable[int] = (),
    reason: str = "",
) -> Account:
    """An administrator adds a person with their roles (and, for a PIO designee, pages)."""
    require(actor, Perm.ACCOUNT_MANAGE)
    account = _new_account(
        session,
        username=username,
        display_name=display_name,
        password=password,
        roles=roles,
        email=email,
        unit=unit,
        page_scope=page_scope,
    )
    audit.record(
        session,
        actor,
        "account:create",
        "account",
        account.id,
        reason=reason,
        data={"after": _snapshot(account)},
    )
    return account


def set_roles(
    session: Session,
    account_id: int,
    *,
    actor: Actor,
    roles: Iterable[str],
    page_scope: Iterable[int] = (),
    reason: str,
) -> Account:
    """An administrator changes what a person may do; the reason is kept."""
    require(actor, Perm.ACCOUNT_MANAGE)
    reason = clean_text("reason", reason, max_len=500, required=True)
    account = get_account(session, account_id)
    before = _snapshot(account)
    new_roles = _parse_roles(roles)
    if account.id == actor.account_id and Role.ADMIN not in new_roles:
        raise Conflict("you cannot remove your own administrator role")
    # Change the collections in place: replacing them would insert before the orphans are
    # deleted and trip the unique constraints.
    wanted_roles = {r.value for r in new_roles}
    for row in [r for r in account.roles if r.role not in wanted_roles]:
        account.roles.remove(row)
    have_roles = {r.role for r in account.roles}
    account.roles.extend(AccountRole(role=r) for r in sorted(wanted_roles - have_roles))
    wanted_pages = set(page_scope)
    for scope in [s for s in account.page_scopes if s.page_id not in wanted_pages]:
        account.page_scopes.remove(scope)
    have_pages = {s.page_id for s in account.page_scopes}
    account.page_scopes.extend(
        AccountPageScope(page_id=p) for p in sorted(wanted_pages - have_pages)
    )
    session.flush()
    audit.record(
        session,
        actor,
        "account:set_roles",
        "account",
        account.id,
        reason=reason,
        data={"before": before, "after": _snapshot(account)},
    )
    return account


def set_active(
    session: Session, account_id: int, *, actor: Actor, active: bool, reason: str
) -> Account:
    """An administrator deactivates (or reactivates) an account; its sessions end."""
    require(actor, Perm.ACCOUNT_MANAGE)
    reason = clean_text("reason", reason, max_len=500, required=True)
    account = get_account(session, account_id)
    if account.id == actor.account_id and not active:
        raise Conflict("you cannot deactivate your own account")
    before = _snapshot(account)
    account.active = active
    if not active:
        for s in session.execute(
            select(SignInSession).where(SignInSession.account_id == account.id)
        ).scalars():
            s.revoked = True
        for t in session.execute(
            select(ApiToken).where(ApiToken.account_id == account.id)
        ).scalars():
            t.revoked = True
    audit.record(
        session,
        actor,
        "account:activate" if active else "account:deactivate",
        "account",
        account.id,
        reason=reason,
        data={"before": before, "after": _snapshot(account)},
    )
    return account


def authenticate(
    session: Session, username: str, password: str, *, policy: LockoutPolicy
) -> Account:
    """Check a sign-in; count failures and lock the account after too many in a row."""
    now = clock.now()
    account = find_account(session, username) if len(username) <= 100 else None
    if account is None or not account.active:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password[:256])
        raise AuthenticationFailed("wrong username or password")
    if account.locked_until is not None and account.locked_until > now:
        raise AuthenticationFailed(
            "this account is locked after repeated failed sign-ins; try again later "
            "or ask an administrator"
        )
    try:
        _hasher.verify(account.password_hash, password[:256])
    except (VerificationError, InvalidHashError):
        account.failed_attempts += 1
        locked = policy.after_failure(account.failed_attempts, now)
        if locked is not None:
            account.locked_until = locked
            account.failed_attempts = 0
            audit.record(
                session,
                SYSTEM,
                "account:lock",
                "account",
                account.id,
                reason=f"{policy.attempts} failed sign-ins in a row",
                data={"locked_until": locked.isoformat()},
            )
        raise AuthenticationFailed("wrong username or password") from None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    account.failed_attempts = 0
    account.locked_until = None
    return account


def start_session(session: Session, account: Account, *, hours: int) -> tuple[str, str]:
    """Open a browser session: returns (cookie token, CSRF token)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = clock.now()
    session.add(
        SignInSession(
            token_hash=sha256(token),
            csrf_token=csrf,
            account_id=account.id,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
            revoked=False,
        )
    )
    audit.record(session, actor_for(account), "account:sign_in", "account", account.id)
    return token, csrf


def resolve_session(session: Session, token: str) -> tuple[Actor, str] | None:
    """The actor and CSRF token behind a session cookie, or None if it is not valid."""
    row = session.execute(
        select(SignInSession).where(SignInSession.token_hash == sha256(token))
    ).scalar_one_or_none()
    if row is None or row.revoked or row.expires_at <= clock.now():
        return None
    account = session.get(Account, row.account_id)
    if account is None or not account.active:
        return None
    return actor_for(account, "web"), row.csrf_token


def end_session(session: Session, token: str) -> None:
    """Sign out: the cookie's session stops working."""
    row = session.execute(
        select(SignInSession).where(SignInSession.token_hash == sha256(token))
    ).scalar_one_or_none()
    if row is not None and not row.revoked:
        row.revoked = True
        account = session.get(Account, row.account_id)
        if account is not None:
            audit.record(session, actor_for(account), "account:sign_out", "account", account.id)


def issue_api_token(
    session: Session, *, actor: Actor, name: str, days: int | None = 90
) -> tuple[ApiToken, str]:
    """A person creates an API token for themselves; the secret is returned only now."""
    if actor.account_id is None:
        raise InvalidInput("API tokens belong to a person's account")
    name = clean_line("token name", name, max_len=80, required=True)
    secret = "pio_" + secrets.token_urlsafe(32)
    now = clock.now()
    row = ApiToken(
        token_hash=sha256(secret),
        prefix=secret[:10],
        name=name,
        account_id=actor.account_id,
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
        revoked=False,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "account:token_issue", "api_token", row.id, data={"name": name})
    return row, secret


def resolve_api_token(session: Session, secret: str) -> Actor | None:
    """The actor behind an API bearer token, or None."""
    if not secret.startswith("pio_") or len(secret) > 100:
        return None
    row = session.execute(
        select(ApiToken).where(ApiToken.token_hash == sha256(secret))
    ).scalar_one_or_none()
    if row is None or row.revoked:
        return None
    if row.expires_at is not None and row.expires_at <= clock.now():
        return None
    account = session.get(Account, row.account_id)
    if account is None or not account.active:
        return None
    return actor_for(account, "api")


def list_accounts_exist(session: Session) -> bool:
    """True once any account exists (the first admin is created without an actor)."""
    return session.execute(select(func.count(Account.id))).scalar_one() > 0
