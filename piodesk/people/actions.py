"""Things people do with accounts: create, change roles, approve role grants, deactivate.

Each function checks the actor's permission, works inside the caller's transaction and writes
the audit event; the caller (web, API, CLI) commits. Sign-in, passwords and API tokens live in
:mod:`piodesk.people.signin` and :mod:`piodesk.people.tokens` (re-exported here).

Separation of duties: no account changes its own roles, and the sensitive roles
(:data:`~piodesk.people.model.SENSITIVE_ROLES`) wait as a pending :class:`RoleGrant` until a
second person holding the approver role (the chief by default) approves them. When a grant
first makes an account sensitive, its password and tokens are voided and the approver gets the
one-time link to set a new password, so whoever chose the old password (the administrator)
never holds the new powers.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from piodesk.core import audit, clock, tags
from piodesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from piodesk.core.permissions import ROLE_LABELS, SYSTEM, Actor, Perm, Role, require
from piodesk.core.text import clean_line, clean_text
from piodesk.people.hashing import hash_password, sha256, unusable_password
from piodesk.people.lookup import OPERATOR_VIA, actor_for, find_account, get_account
from piodesk.people.model import SENSITIVE_ROLES, check_email, check_password, check_username

# Sign-in, passwords and tokens are re-exported: callers keep one import for people's actions.
from piodesk.people.signin import (
    SignInAttempt,
    SignInVerdict,
    authenticate,
    begin_sign_in,
    change_password,
    end_session,
    finish_sign_in,
    issue_password_link,
    new_password_link,
    resolve_session,
    start_session,
    unlock,
    use_password_link,
    void_credentials,
)
from piodesk.people.tables import (
    Account,
    AccountPageScope,
    AccountRole,
    ApiToken,
    RoleGrant,
    SignInSession,
)
from piodesk.people.tokens import (
    issue_api_token,
    list_tokens,
    resolve_api_token,
    revoke_token,
)

#: The role whose holders approve sensitive grants unless the settings name another.
DEFAULT_APPROVER = Role.CHIEF


__all__ = [
    "DEFAULT_APPROVER",
    "OPERATOR_VIA",
    "actor_for",
    "approve_grant",
    "bootstrap_admin",
    "bootstrap_approver",
    "create_account",
    "decline_grant",
    "find_account",
    "get_account",
    "list_accounts",
    "list_accounts_exist",
    "list_grants",
    "operator_actor",
    "pending_grant",
    "seed_account",
    "set_active",
    "set_roles",
    "sha256",
]


def operator_actor() -> Actor:
    """The local operator: whoever runs the CLI with the server's configuration.

    It acts as an administrator and nothing more (never approves, publishes or moderates), and
    every event it writes says ``via=cli-operator``.
    """
    return Actor(
        account_id=None,
        username="operator",
        display_name="local operator (server configuration)",
        roles=frozenset({Role.ADMIN}),
        via=OPERATOR_VIA,
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


def list_accounts(session: Session, *, actor: Actor) -> list[Account]:
    """Every account, for the people who manage or audit them."""
    require(actor, Perm.ACCOUNT_VIEW)
    return list(session.execute(select(Account).order_by(Account.username)).scalars())


def _new_account(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str | None,
    roles: Iterable[Role],
    email: str,
    unit: str,
    page_scope: Iterable[int],
) -> Account:
    name = check_username(username)
    if find_account(session, name) is not None:
        raise Conflict(f"username '{name}' is taken")
    display = clean_line("display name", display_name, max_len=120, required=True)
    account = Account(
        username=name,
        display_name=display,
        email=check_email(email) if (email or "").strip() else "",
        unit=clean_line("unit", unit, max_len=120),
        password_hash=(
            hash_password(check_password(password, name, hints=(display,)))
            if password is not None
            else unusable_password()
        ),
        active=True,
        failed_attempts=0,
        created_at=clock.now(),
    )
    account.roles = [AccountRole(role=r.value) for r in sorted(set(roles))]
    account.page_scopes = [AccountPageScope(page_id=p) for p in sorted(set(page_scope))]
    session.add(account)
    session.flush()
    return account


def list_accounts_exist(session: Session) -> bool:
    """True once any account exists (the first admin is created without an actor)."""
    return session.execute(select(func.count(Account.id))).scalar_one() > 0


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
        tags.Account.BOOTSTRAP,
        "account",
        account.id,
        reason="first administrator of a new installation",
        data={"after": _snapshot(account)},
    )
    return account


def _active_holders(session: Session, role: Role) -> list[int]:
    return list(
        session.execute(
            select(Account.id)
            .join(AccountRole, AccountRole.account_id == Account.id)
            .where(AccountRole.role == role.value, Account.active.is_(True))
        ).scalars()
    )


def bootstrap_approver(
    session: Session,
    *,
    actor: Actor,
    username: str,
    display_name: str,
    approver: Role = DEFAULT_APPROVER,
    link_hours: int = 72,
) -> tuple[Account, str]:
    """The local operator creates the first approver (the chief) of an installation.

    Refused once any active account holds the approver role: from then on every sensitive
    grant goes through that person. The account has no password; the returned one-time link
    is how its owner sets one.
    """
    if actor.via != OPERATOR_VIA:
        raise PermissionDenied(
            "only the local operator (piodesk ... --operator on the server) creates the first "
            f"{ROLE_LABELS[approver]}"
        )
    if _active_holders(session, approver):
        raise Conflict(f"an active {ROLE_LABELS[approver]} exists; ask them to approve new grants")
    account = _new_account(
        session,
        username=username,
        display_name=display_name,
        password=None,
        roles=[approver],
        email="",
        unit="",
        page_scope=(),
    )
    audit.record(
        session,
        actor,
        tags.Account.BOOTSTRAP_APPROVER,
        "account",
        account.id,
        reason=f"first {ROLE_LABELS[approver]} of the installation",
        data={"after": _snapshot(account)},
    )
    token = new_password_link(session, account, actor=actor, purpose="set", hours=link_hours)
    return account, token


def seed_account(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    roles: Iterable[str],
    unit: str = "",
    reason: str,
) -> Account:
    """Seeding (the demo's fresh database, test fixtures): an account with its roles at once.

    No web route or CLI command reaches this but ``piodesk demo``, which builds a new
    database; the event says it was seeded, by the system, so the log shows it plainly.
    """
    account = _new_account(
        session,
        username=username,
        display_name=display_name,
        password=password,
        roles=_parse_roles(roles),
        email="",
        unit=unit,
        page_scope=(),
    )
    audit.record(
        session,
        SYSTEM,
        tags.Account.SEED,
        "account",
        account.id,
        reason=clean_text("reason", reason, max_len=500, required=True),
        data={"after": _snapshot(account)},
    )
    return account


def _propose(
    session: Session,
    account: Account,
    *,
    actor: Actor,
    roles: Iterable[Role],
    page_scope: Iterable[int],
    reason: str,
) -> RoleGrant:
    pending = pending_grant(session, account.id)
    if pending is not None:
        raise Conflict(
            f"{account.display_name} already has a role grant waiting (grant {pending.id}); "
            "it must be approved or declined first"
        )
    grant = RoleGrant(
        account_id=account.id,
        roles=sorted(r.value for r in roles),
        page_scope=sorted(set(page_scope)),
        state="pending",
        reason=reason,
        proposed_by_id=actor.account_id,
        proposed_by_name=f"{actor.display_name} ({actor.username}, {actor.via})",
        proposed_at=clock.now(),
        decided_by_name="",
        decision_reason="",
    )
    session.add(grant)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Account.GRANT_PROPOSE,
        "account",
        account.id,
        reason=reason,
        data={"grant": grant.id, "roles": grant.roles, "page_scope": grant.page_scope},
    )
    # The approvers are told a grant waits for them (program/notifications.py).
    from piodesk.program.notifications import notify

    for approver_id in _active_holders(session, DEFAULT_APPROVER):
        if approver_id != actor.account_id:
            notify(
                session,
                recipient_account_id=approver_id,
                kind="account.grant_waiting",
                subject=f"A role grant waits for your decision: {account.display_name}",
                body=f"{actor.display_name} proposes "
                + ", ".join(ROLE_LABELS[Role(r)] for r in grant.roles or [])
                + (" (wider pages)" if not grant.roles else "")
                + f". Reason: {reason}",
                link=f"/role-grants#grant-{grant.id}",
            )
    return grant


def create_account(
    session: Session,
    *,
    actor: Actor,
    username: str,
    display_name: str,
    password: str | None,
    roles: Iterable[str],
    email: str = "",
    unit: str = "",
    page_scope: Iterable[int] = (),
    reason: str = "",
) -> Account:
    """An administrator adds a person with their roles (and, for a PIO designee, pages).

    Plain roles take effect now. Sensitive roles become a pending grant for the approver, and
    such an account gets no administrator-chosen password (``password`` must be None): its
    owner sets one through the link the approver receives on approval.
    """
    require(actor, Perm.ACCOUNT_MANAGE)
    reason = clean_text("reason", reason, max_len=500)
    wanted = _parse_roles(roles)
    if find_account(session, check_username(username)) is not None:
        raise Conflict(f"username '{check_username(username)}' is taken")
    sensitive = [r for r in wanted if r in SENSITIVE_ROLES]
    if sensitive and password:
        raise InvalidInput(
            f"an account with the role {ROLE_LABELS[sensitive[0]]} gets no password chosen by "
            "an administrator; leave the password empty (the approver receives a one-time "
            "link for its owner)"
        )
    if not sensitive and not password:
        raise InvalidInput("password is required")
    account = _new_account(
        session,
        username=username,
        display_name=display_name,
        password=password or None,
        roles=[r for r in wanted if r not in SENSITIVE_ROLES],
        email=email,
        unit=unit,
        page_scope=page_scope if not sensitive else (),
    )
    audit.record(
        session,
        actor,
        tags.Account.CREATE,
        "account",
        account.id,
        reason=reason,
        data={"after": _snapshot(account)},
    )
    if sensitive:
        _propose(
            session,
            account,
            actor=actor,
            roles=sensitive,
            page_scope=page_scope,
            reason=reason or "roles of a new account",
        )
    return account


def _apply(account: Account, roles: set[str], page_scope: set[int]) -> None:
    # Change the collections in place: replacing them would insert before the orphans are
    # deleted and trip the unique constraints.
    for row in [r for r in account.roles if r.role not in roles]:
        account.roles.remove(row)
    have_roles = {r.role for r in account.roles}
    account.roles.extend(AccountRole(role=r) for r in sorted(roles - have_roles))
    for scope in [s for s in account.page_scopes if s.page_id not in page_scope]:
        account.page_scopes.remove(scope)
    have_pages = {s.page_id for s in account.page_scopes}
    account.page_scopes.extend(AccountPageScope(page_id=p) for p in sorted(page_scope - have_pages))


def set_roles(
    session: Session,
    account_id: int,
    *,
    actor: Actor,
    roles: Iterable[str],
    page_scope: Iterable[int] = (),
    reason: str,
) -> Account:
    """An administrator changes what another person may do; the reason is kept.

    Removing roles and narrowing a designee's pages take effect now. Adding a sensitive role,
    or widening the pages of a PIO designee, waits for the approver as a pending grant.
    """
    require(actor, Perm.ACCOUNT_MANAGE)
    reason = clean_text("reason", reason, max_len=500, required=True)
    account = get_account(session, account_id)
    if actor.account_id is not None and account.id == actor.account_id:
        raise Conflict("no account changes its own roles; ask another administrator")
    before = _snapshot(account)
    wanted = {r.value for r in _parse_roles(roles)}
    have = {r.role for r in account.roles}
    old_scope = {s.page_id for s in account.page_scopes}
    new_scope = set(page_scope)
    added_sensitive = {r for r in wanted - have if Role(r) in SENSITIVE_ROLES}
    # An empty scope means every page: going from some pages to all, or adding a page, widens.
    pio_after = Role.PIO.value in wanted
    widens = (
        pio_after
        and Role.PIO.value in have
        and bool(old_scope)
        and (not new_scope or bool(new_scope - old_scope))
    )
    now_roles = wanted - added_sensitive
    # While a widening waits, the designee keeps only the pages both old and new scope name.
    now_scope = (old_scope & new_scope if new_scope else old_scope) if widens else new_scope
    _apply(account, now_roles, now_scope)
    session.flush()
    audit.record(
        session,
        actor,
        tags.Account.SET_ROLES,
        "account",
        account.id,
        reason=reason,
        data={"before": before, "after": _snapshot(account)},
    )
    if added_sensitive or widens:
        _propose(
            session,
            account,
            actor=actor,
            roles=[Role(r) for r in added_sensitive],
            page_scope=new_scope,
            reason=reason,
        )
    return account


def _may_decide(session: Session, grant: RoleGrant, actor: Actor, approver: Role) -> Account:
    if approver not in actor.roles:
        raise PermissionDenied(
            f"{actor.username} may not approve role grants; that belongs to: "
            f"{ROLE_LABELS[approver]}"
        )
    if actor.perm_limit is not None and Perm.ACCOUNT_MANAGE not in actor.perm_limit:
        raise PermissionDenied("this API token's scopes do not cover role grants (admin scope)")
    if grant.state != "pending":
        raise Conflict(f"grant {grant.id} is {grant.state} already")
    if actor.account_id is not None and actor.account_id == grant.proposed_by_id:
        raise Conflict(
            "whoever proposed a grant cannot approve or decline it; a second person must"
        )
    if actor.account_id == grant.account_id:
        raise Conflict("no account approves a grant of roles to itself")
    return get_account(session, grant.account_id)


def pending_grant(session: Session, account_id: int) -> RoleGrant | None:
    """The grant waiting for the approver on this account, if any."""
    return session.execute(
        select(RoleGrant).where(RoleGrant.account_id == account_id, RoleGrant.state == "pending")
    ).scalar_one_or_none()


def get_grant(session: Session, grant_id: int) -> RoleGrant:
    """The role grant with this id, or a clear NotFound."""
    grant = session.get(RoleGrant, grant_id)
    if grant is None:
        raise NotFound(f"no role grant with id {grant_id}")
    return grant


def list_grants(
    session: Session,
    *,
    actor: Actor,
    state: str | None = "pending",
    approver: Role = DEFAULT_APPROVER,
) -> list[RoleGrant]:
    """Role grants (pending by default), for administrators, auditors and the approver."""
    if approver not in actor.roles:
        require(actor, Perm.ACCOUNT_VIEW)
    q = select(RoleGrant).order_by(RoleGrant.id)
    if state:
        q = q.where(RoleGrant.state == state)
    return list(session.execute(q).scalars())


def approve_grant(
    session: Session,
    grant_id: int,
    *,
    actor: Actor,
    reason: str = "",
    approver: Role = DEFAULT_APPROVER,
    link_hours: int = 72,
) -> tuple[RoleGrant, str | None]:
    """The approver (a second person) lets a pending grant take effect.

    Returns the grant and, when the grant first makes the account sensitive, the one-time link
    for its owner to set a password (the old one is voided: an administrator may know it).
    """
    grant = get_grant(session, grant_id)
    account = _may_decide(session, grant, actor, approver)
    reason = clean_text("reason", reason, max_len=500)
    before = _snapshot(account)
    was_sensitive = any(Role(r.role) in SENSITIVE_ROLES for r in account.roles)
    roles = {r.role for r in account.roles} | set(grant.roles)
    scope = set(grant.page_scope)
    _apply(account, roles, scope)
    grant.state = "approved"
    grant.decided_by_id = actor.account_id
    grant.decided_by_name = f"{actor.display_name} ({actor.username}, {actor.via})"
    grant.decided_at = clock.now()
    grant.decision_reason = reason
    session.flush()
    audit.record(
        session,
        actor,
        tags.Account.GRANT_APPROVE,
        "account",
        account.id,
        reason=reason,
        data={"grant": grant.id, "before": before, "after": _snapshot(account)},
    )
    link = None
    if not was_sensitive:
        void_credentials(session, account, actor=actor, why="a sensitive role was granted")
        link = new_password_link(session, account, actor=actor, purpose="set", hours=link_hours)
    return grant, link


def decline_grant(
    session: Session,
    grant_id: int,
    *,
    actor: Actor,
    reason: str,
    approver: Role = DEFAULT_APPROVER,
) -> RoleGrant:
    """The approver declines a pending grant, with a reason; nothing about the account changes."""
    grant = get_grant(session, grant_id)
    account = _may_decide(session, grant, actor, approver)
    grant.state = "declined"
    grant.decided_by_id = actor.account_id
    grant.decided_by_name = f"{actor.display_name} ({actor.username}, {actor.via})"
    grant.decided_at = clock.now()
    grant.decision_reason = clean_text("reason", reason, max_len=500, required=True)
    audit.record(
        session,
        actor,
        tags.Account.GRANT_DECLINE,
        "account",
        account.id,
        reason=grant.decision_reason,
        data={"grant": grant.id, "roles": grant.roles},
    )
    return grant


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
        tags.Account.ACTIVATE if active else tags.Account.DEACTIVATE,
        "account",
        account.id,
        reason=reason,
        data={"before": before, "after": _snapshot(account)},
    )
    return account


def set_email(
    session: Session, account_id: int, *, actor: Actor, email: str, reason: str = ""
) -> Account:
    """An administrator (or the owner) sets where notifications are e-mailed; empty: none."""
    if actor.account_id != account_id:
        require(actor, Perm.ACCOUNT_MANAGE)
    account = get_account(session, account_id)
    before = _snapshot(account) | {"email": account.email}
    account.email = check_email(email) if (email or "").strip() else ""
    audit.record(
        session,
        actor,
        tags.Program.ACCOUNT_EMAIL,
        "account",
        account.id,
        reason=clean_text("reason", reason, max_len=500),
        data={"before": before, "after": _snapshot(account) | {"email": account.email}},
    )
    return account


__all__ += [
    "SignInAttempt",
    "SignInVerdict",
    "authenticate",
    "begin_sign_in",
    "change_password",
    "end_session",
    "finish_sign_in",
    "issue_api_token",
    "issue_password_link",
    "list_tokens",
    "resolve_api_token",
    "resolve_session",
    "revoke_token",
    "set_email",
    "start_session",
    "unlock",
    "use_password_link",
]
