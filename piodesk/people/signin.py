"""Signing in and out, password changes, one-time password links and sign-in backoff.

A failed sign-in says the same thing, and costs the same hashing work, whether or not the
username exists. Failures slow down one (username, source address) pair with a doubling wait,
so nobody can lock a colleague out from elsewhere; an administrator can clear the waits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
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


@dataclass(frozen=True)
class SignInAttempt:
    """What a sign-in read before the password is checked (:func:`begin_sign_in`)."""

    name: str
    source: str
    key: str  # the (username, source) pair's throttle key
    account_id: int | None  # None: no such account, or not active
    stored_hash: str | None
    wait: int | None  # seconds the pair must still wait (checked again when it is written)

    def check(self, password: str) -> SignInVerdict:
        """The argon2 work (no database, no transaction): the same for every kind of answer."""
        if self.wait is not None or self.stored_hash is None:
            verify_dummy(password)
            return SignInVerdict(ok=False)
        ok = verify_password(self.stored_hash, password)
        rehashed = hash_password(password) if ok and needs_rehash(self.stored_hash) else None
        return SignInVerdict(ok=ok, checked=self.stored_hash, rehashed=rehashed)


@dataclass(frozen=True)
class SignInVerdict:
    """What checking the password said, against which stored hash."""

    ok: bool
    checked: str | None = None
    rehashed: str | None = None  # the password hashed with today's parameters, when due


def begin_sign_in(session: Session, username: str, *, source: str = "") -> SignInAttempt:
    """Read what a sign-in from ``source`` needs: whether the pair is slowed down, and the
    account's password hash. Only reads, so the hashing can run outside any write transaction
    (under SQLite a write transaction holds the one write lock of the whole database)."""
    now = clock.now()
    name = username.strip().lower()[:100]
    key = _throttle_key(name, source)
    row = session.execute(
        select(SignInThrottle).where(SignInThrottle.key_hash == key)
    ).scalar_one_or_none()
    wait = None
    if row is not None and row.next_allowed_at is not None and row.next_allowed_at > now:
        wait = max(1, int((row.next_allowed_at - now).total_seconds() + 0.999))
    account = find_account(session, name)
    usable = account is not None and account.active
    return SignInAttempt(
        name,
        source,
        key,
        account.id if usable and account is not None else None,
        account.password_hash if usable and account is not None else None,
        wait,
    )


def finish_sign_in(
    session: Session,
    attempt: SignInAttempt,
    verdict: SignInVerdict,
    password: str,
    *,
    policy: LockoutPolicy,
) -> Account:
    """Record the sign-in's outcome (a failure slows the pair down) and return the account.

    Checked again here, in the write transaction: a wait set by another attempt of the same
    pair meanwhile refuses this one too, and an account deactivated or given a new password
    meanwhile is judged as it is now."""
    now = clock.now()
    row = session.execute(
        select(SignInThrottle).where(SignInThrottle.key_hash == attempt.key)
    ).scalar_one_or_none()
    if attempt.wait is not None:
        raise AuthenticationFailed(SLOW_DOWN.format(seconds=attempt.wait))
    if row is not None and row.next_allowed_at is not None and row.next_allowed_at > now:
        wait = max(1, int((row.next_allowed_at - now).total_seconds() + 0.999))
        raise AuthenticationFailed(SLOW_DOWN.format(seconds=wait))
    account = session.get(Account, attempt.account_id) if attempt.account_id is not None else None
    ok = verdict.ok
    if account is None or not account.active:
        ok = False
    elif account.password_hash != verdict.checked:  # changed since it was read: check it now
        ok = verify_password(account.password_hash, password)
        verdict = SignInVerdict(ok, account.password_hash)
    if not ok:
        if row is None:
            row = SignInThrottle(
                key_hash=attempt.key, username=attempt.name, failures=0, updated_at=now
            )
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
                data={"source": attempt.source[:100]},
            )
        session.flush()
        raise AuthenticationFailed(WRONG)
    assert account is not None
    if row is not None:
        row.failures = 0
        row.next_allowed_at = None
        row.updated_at = now
    if verdict.rehashed is not None:
        account.password_hash = verdict.rehashed
    elif needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    return account


def authenticate(
    session: Session, username: str, password: str, *, policy: LockoutPolicy, source: str = ""
) -> Account:
    """Check a sign-in from ``source`` (an address) in one session; failures slow that pair
    down. The sign-in page runs the same three steps with the hashing between a read and a
    short write transaction (:func:`begin_sign_in`, :meth:`SignInAttempt.check`,
    :func:`finish_sign_in`)."""
    attempt = begin_sign_in(session, username, source=source)
    return finish_sign_in(session, attempt, attempt.check(password), password, policy=policy)


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
