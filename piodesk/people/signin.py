"""Signing in and out, password changes, one-time password links and sign-in backoff.

A failed sign-in says the same thing, and costs the same hashing work, whether or not the
username exists. Failures slow down one (username, source address) pair with a doubling wait,
so nobody can lock a colleague out from elsewhere; an administrator can clear the waits.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from piodesk.core import audit, clock, tags
from piodesk.core.errors import AuthenticationFailed, Conflict, InvalidInput, PermissionDenied
from piodesk.core.permissions import ROLE_LABELS, SYSTEM, Actor, Perm, Role, require
from piodesk.core.text import clean_text
from piodesk.people.hashing import (
    hash_password,
    needs_rehash,
    sha256,
    unusable_password,
    verify_dummy,
    verify_password,
)
from piodesk.people.lookup import OPERATOR_VIA, actor_for, find_account, get_account
from piodesk.people.model import SENSITIVE_ROLES, LockoutPolicy, check_password
from piodesk.people.tables import (
    Account,
    ApiToken,
    PasswordLink,
    SignInSession,
    SignInThrottle,
)

WRONG = "wrong username or password"
#: The same whether or not the username exists, so it reveals nothing.
SLOW_DOWN = "too many failed sign-ins from here; wait {seconds} s and try again"


def _throttle_key(username: str, source: str) -> str:
    return sha256(f"{username}\n{source}")


def authenticate(
    session: Session, username: str, password: str, *, policy: LockoutPolicy, source: str = ""
) -> Account:
    """Check a sign-in from ``source`` (an address); failures slow that pair down."""
    now = clock.now()
    name = username.strip().lower()[:100]
    key = _throttle_key(name, source)
    row = session.execute(
        select(SignInThrottle).where(SignInThrottle.key_hash == key)
    ).scalar_one_or_none()
    if row is not None and row.next_allowed_at is not None and row.next_allowed_at > now:
        verify_dummy(password)  # the same work as any other answer
        wait = max(1, int((row.next_allowed_at - now).total_seconds() + 0.999))
        raise AuthenticationFailed(SLOW_DOWN.format(seconds=wait))
    account = find_account(session, name)
    ok = False
    if account is None or not account.active:
        verify_dummy(password)
    else:
        ok = verify_password(account.password_hash, password)
    if not ok:
        if row is None:
            row = SignInThrottle(key_hash=key, username=name, failures=0, updated_at=now)
            session.add(row)
        row.failures += 1
        row.updated_at = now
        row.next_allowed_at = policy.next_allowed(row.failures, now)
        if row.failures == policy.attempts and account is not None:
            audit.record(
                session,
                SYSTEM,
                tags.Account.THROTTLE,
                "account",
                account.id,
                reason=f"{policy.attempts} failed sign-ins in a row from one address",
                data={"source": source[:100]},
            )
        session.flush()
        raise AuthenticationFailed(WRONG)
    assert account is not None
    if row is not None:
        row.failures = 0
        row.next_allowed_at = None
        row.updated_at = now
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    return account


def unlock(session: Session, account_id: int, *, actor: Actor, reason: str) -> int:
    """An administrator clears every sign-in wait on an account; returns how many were set."""
    require(actor, Perm.ACCOUNT_MANAGE)
    reason = clean_text("reason", reason, max_len=500, required=True)
    account = get_account(session, account_id)
    rows = session.execute(
        select(SignInThrottle).where(SignInThrottle.username == account.username)
    ).scalars()
    cleared = 0
    for row in rows:
        session.delete(row)  # a wait is operational state, not a record; the unlock is audited
        cleared += 1
    audit.record(
        session,
        actor,
        tags.Account.UNLOCK,
        "account",
        account.id,
        reason=reason,
        data={"throttles_cleared": cleared},
    )
    return cleared


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
    audit.record(session, actor_for(account), tags.Account.SIGN_IN, "account", account.id)
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
            audit.record(session, actor_for(account), tags.Account.SIGN_OUT, "account", account.id)


def _revoke_sessions(session: Session, account: Account, *, keep: str | None = None) -> None:
    for s in session.execute(
        select(SignInSession).where(SignInSession.account_id == account.id)
    ).scalars():
        if keep is None or s.token_hash != sha256(keep):
            s.revoked = True


def void_credentials(session: Session, account: Account, *, actor: Actor, why: str) -> None:
    """No password, session or token of ``account`` works any more (audited)."""
    account.password_hash = unusable_password()
    _revoke_sessions(session, account)
    for t in session.execute(select(ApiToken).where(ApiToken.account_id == account.id)).scalars():
        t.revoked = True
    audit.record(session, actor, tags.Account.CREDENTIALS_VOID, "account", account.id, reason=why)


def change_password(
    session: Session, *, actor: Actor, current: str, new: str, keep_session: str | None = None
) -> None:
    """A person changes their own password, proving the current one; other sessions end."""
    if actor.account_id is None:
        raise InvalidInput("only a person's account has a password")
    account = get_account(session, actor.account_id)
    if not verify_password(account.password_hash, current):
        raise AuthenticationFailed("the current password is wrong")
    if new == current:
        raise InvalidInput("password: the new password must differ from the current one")
    account.password_hash = hash_password(
        check_password(new, account.username, hints=(account.display_name,))
    )
    _revoke_sessions(session, account, keep=keep_session)
    audit.record(session, actor, tags.Account.PASSWORD_CHANGE, "account", account.id)


def new_password_link(
    session: Session, account: Account, *, actor: Actor, purpose: str, hours: int
) -> str:
    """A one-time link token for ``account`` (only its hash is kept); earlier ones stop working."""
    now = clock.now()
    for old in session.execute(
        select(PasswordLink).where(
            PasswordLink.account_id == account.id, PasswordLink.used_at.is_(None)
        )
    ).scalars():
        old.used_at = now  # superseded: only the newest link works
    token = secrets.token_urlsafe(32)
    row = PasswordLink(
        token_hash=sha256(token),
        account_id=account.id,
        purpose=purpose,
        created_by_name=f"{actor.display_name} ({actor.username}, {actor.via})",
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Account.PASSWORD_LINK,
        "account",
        account.id,
        data={"purpose": purpose, "link": row.id, "expires_at": row.expires_at.isoformat()},
    )
    return token


def issue_password_link(
    session: Session,
    account_id: int,
    *,
    actor: Actor,
    reason: str,
    hours: int = 72,
    approver: Role = Role.CHIEF,
) -> str:
    """An administrator starts a password reset: a one-time link to hand to the account's owner.

    For an account holding a sensitive role the administrator would then hold its powers, so
    only the approver (or the local operator) may reset it, and never their own.
    """
    account = get_account(session, account_id)
    reason = clean_text("reason", reason, max_len=500, required=True)
    sensitive = [Role(r.role) for r in account.roles if Role(r.role) in SENSITIVE_ROLES]
    if sensitive and actor.via != OPERATOR_VIA:
        if approver not in actor.roles:
            raise PermissionDenied(
                f"{account.display_name} holds {ROLE_LABELS[sensitive[0]]}; only the "
                f"{ROLE_LABELS[approver]} may start a reset of that account's password"
            )
    elif not sensitive:
        require(actor, Perm.ACCOUNT_MANAGE)
    if actor.account_id == account.id:
        raise Conflict("change your own password with your current one instead")
    token = new_password_link(session, account, actor=actor, purpose="reset", hours=hours)
    audit.record(session, actor, tags.Account.PASSWORD_RESET, "account", account.id, reason=reason)
    return token


def use_password_link(session: Session, token: str, new_password: str) -> Account:
    """The owner sets a password with a one-time link: it works once, before it expires."""
    row = session.execute(
        select(PasswordLink).where(PasswordLink.token_hash == sha256(token[:200]))
    ).scalar_one_or_none()
    now = clock.now()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise InvalidInput(
            "this password link is not valid: it was used already, has expired or was replaced; "
            "ask for a new one"
        )
    account = session.get(Account, row.account_id)
    if account is None or not account.active:
        raise InvalidInput("this password link is not valid; ask for a new one")
    account.password_hash = hash_password(
        check_password(new_password, account.username, hints=(account.display_name,))
    )
    row.used_at = now
    _revoke_sessions(session, account)
    session.execute(delete(SignInThrottle).where(SignInThrottle.username == account.username))
    audit.record(
        session,
        actor_for(account),
        tags.Account.PASSWORD_SET,
        "account",
        account.id,
        data={"link": row.id, "purpose": row.purpose},
    )
    return account
