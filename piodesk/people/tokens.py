"""API tokens: named, scoped (read, moderation, records, admin), listed and revoked one by one.

A token's scopes narrow what its account may do; every token expires, at most after the
installation's maximum lifetime. Only the SHA-256 of a token is stored.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.core import audit, clock, tags
from piodesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from piodesk.core.permissions import Actor, Perm, TokenScope, scope_perms
from piodesk.core.text import clean_line
from piodesk.people.hashing import sha256
from piodesk.people.lookup import actor_for
from piodesk.people.tables import Account, ApiToken

ALL_SCOPES: tuple[TokenScope, ...] = tuple(TokenScope)


def parse_scopes(scopes: Iterable[str]) -> frozenset[TokenScope]:
    """Scope names checked against the four there are (read is always included)."""
    out = {TokenScope.READ}
    for s in scopes:
        try:
            out.add(TokenScope(str(s).strip().lower()))
        except ValueError:
            known = ", ".join(x.value for x in TokenScope)
            raise InvalidInput(
                f"unknown token scope '{str(s)[:20]}'; scopes are: {known}"
            ) from None
    return frozenset(out)


def _stored(scopes: frozenset[TokenScope]) -> str:
    return " ".join(s.value for s in TokenScope if s in scopes)


def token_scopes(row: ApiToken) -> frozenset[TokenScope]:
    """The scopes a stored token carries."""
    return parse_scopes(row.scopes.split())


def issue_api_token(
    session: Session,
    *,
    actor: Actor,
    name: str,
    days: int = 90,
    scopes: Iterable[str] = ("read",),
    max_days: int = 365,
) -> tuple[ApiToken, str]:
    """A person creates an API token for themselves; the secret is returned only now."""
    if actor.account_id is None:
        raise InvalidInput("API tokens belong to a person's account")
    name = clean_line("token name", name, max_len=80, required=True)
    if not 1 <= days <= max_days:
        raise InvalidInput(
            f"days: a token lives 1 to {max_days} days on this installation (asked: {days}); "
            "every token expires"
        )
    wanted = parse_scopes(scopes)
    if actor.perm_limit is not None and not scope_perms(wanted) <= actor.perm_limit:
        raise PermissionDenied("a token cannot create a token with wider scopes than its own")
    secret = "pio_" + secrets.token_urlsafe(32)
    now = clock.now()
    row = ApiToken(
        token_hash=sha256(secret),
        prefix=secret[:10],
        name=name,
        account_id=actor.account_id,
        created_at=now,
        expires_at=now + timedelta(days=days),
        revoked=False,
        scopes=_stored(wanted),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Account.TOKEN_ISSUE,
        "api_token",
        row.id,
        data={"name": name, "scopes": row.scopes.split(), "days": days},
    )
    return row, secret


def resolve_api_token(session: Session, secret: str) -> Actor | None:
    """The actor behind an API bearer token (narrowed to its scopes), or None."""
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
    return actor_for(account, "api", perm_limit=scope_perms(token_scopes(row)))


def list_tokens(session: Session, *, actor: Actor, account_id: int | None = None) -> list[ApiToken]:
    """A person's own tokens (an administrator may list anyone's), newest first."""
    target = actor.account_id if account_id is None else account_id
    if target != actor.account_id and not actor.can(Perm.ACCOUNT_MANAGE):
        raise PermissionDenied(f"{actor.username} may list only their own tokens")
    return list(
        session.execute(
            select(ApiToken).where(ApiToken.account_id == target).order_by(ApiToken.id.desc())
        ).scalars()
    )


def revoke_token(session: Session, token_id: int, *, actor: Actor, reason: str = "") -> ApiToken:
    """Revoke one token: its owner's, or anyone's by an administrator (audited)."""
    row = session.get(ApiToken, token_id)
    if row is None or (row.account_id != actor.account_id and not actor.can(Perm.ACCOUNT_MANAGE)):
        raise NotFound(f"no token with id {token_id} of yours")
    if row.revoked:
        raise Conflict(f"token {token_id} is revoked already")
    row.revoked = True
    audit.record(
        session,
        actor,
        tags.Account.TOKEN_REVOKE,
        "api_token",
        row.id,
        reason=reason[:500],
        data={"name": row.name, "account_id": row.account_id},
    )
    return row
