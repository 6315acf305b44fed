"""The ``piodesk`` command: serve, demo, migrate, user, page, audit, keys and checkpoint.

Every command that reads or changes records acts with a credential and goes through the same
services as the web app, so permissions and the audit log are the same:

- ``--as USERNAME`` asks for that account's password (and is slowed down like the sign-in
  page after failures);
- ``piodesk --token pio_...`` (or ``PIODESK_TOKEN``) acts with an API token, within its scopes;
- ``piodesk --operator`` acts as the local operator: whoever holds the server's configuration.
  It may do an administrator's work (accounts, pages, connections, imports) and create the first
  approver, never approve, publish or moderate; its events say ``via=operator``.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.media import MediaStore
from piodesk.backup_cli import app as backup_app
from piodesk.core import audit, chain, checkpoints, signing, timestamps
from piodesk.core.checkpoints import Checkpoint
from piodesk.core.config import PLACEHOLDER_SECRET, Settings
from piodesk.core.db import make_engine, make_sessionmaker, transaction
from piodesk.core.errors import AuthenticationFailed, DomainError, InvalidInput
from piodesk.core.migrate import upgrade
from piodesk.core.permissions import Actor, Perm, Role, require
from piodesk.jobs import cli as jobs_cli
from piodesk.moderation import cli as moderation_due_cli
from piodesk.pages import actions as pages
from piodesk.pages.model import Agency
from piodesk.people import actions as people
from piodesk.people.model import SENSITIVE_ROLES, LockoutPolicy
from piodesk.program.cli import app as program_app
from piodesk.publishing.cli import app as outbox_app
from piodesk.publishing.review_cli import app as story_app
from piodesk.records import cli as records_cli
from piodesk.records.requests.cli import app as requests_app
from piodesk.screening.cli import app as screening_app

app = typer.Typer(help="piodesk: a police department's social media program, run by GO 409.")
# (the top-level options --token and --operator are defined with acting(), below)
user_app = typer.Typer(help="Accounts and roles.")
page_app = typer.Typer(help="The official-page registry (GO 409 §.04, §.10).")
audit_app = typer.Typer(help="The hash-chained audit log.")
archive_app = typer.Typer(help="The public-records archive (GO 409 §.40).")
moderation_app = typer.Typer(help="The PIO's comment queue (GO 409 §.20).")
keys_app = typer.Typer(help="The agency's signing key for checkpoints (kept outside the database).")
checkpoint_app = typer.Typer(help="Signed checkpoints of every chain, kept outside the database.")
app.add_typer(keys_app, name="keys")
app.add_typer(checkpoint_app, name="checkpoint")
app.add_typer(archive_app, name="archive")
app.add_typer(screening_app, name="screening")
app.add_typer(user_app, name="user")
app.add_typer(page_app, name="page")
app.add_typer(audit_app, name="audit")
app.add_typer(moderation_app, name="moderation")
app.add_typer(requests_app, name="requests")
records_cli.register(app)  # piodesk production …, piodesk records …
app.add_typer(story_app, name="story")  # publishing review: cadre, stories, approvals
app.add_typer(outbox_app, name="outbox")
app.add_typer(program_app, name="program")  # program/: authorizations, investigative log, mail
app.add_typer(moderation_due_cli.due_app, name="due")
app.add_typer(backup_app, name="backup")  # operations: backup create / restore / verify
app.command("worker")(jobs_cli.worker)  # jobs/: a Procrastinate worker on PostgreSQL

out = Console()
err = Console(stderr=True)

AsUser = Annotated[
    str,
    typer.Option(
        "--as", envvar="PIODESK_ACTOR", help="The account you act as (its password is asked for)."
    ),
]


@dataclass
class Credentials:
    """How this invocation proves who it acts as (set by the top-level options)."""

    token: str = ""
    operator: bool = False
    actor: Actor | None = None  # resolved once per invocation


_creds = Credentials()


@app.callback()
def _global_options(
    token: Annotated[
        str,
        typer.Option(
            envvar="PIODESK_TOKEN",
            help="Act with this API token (within its scopes).",
            show_default=False,
        ),
    ] = "",
    operator: Annotated[
        bool,
        typer.Option(
            "--operator",
            envvar="PIODESK_OPERATOR",
            help="Act as the local operator (server configuration holder): administrator work "
            "only, audited via=operator.",
        ),
    ] = False,
) -> None:
    """piodesk: a police department's social media program, run by GO 409."""
    global _creds
    _creds = Credentials(token=token.strip(), operator=operator)


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with a readable message instead of a traceback."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        for e in exc.errors():
            err.print(f"[red]configuration error:[/red] {e['msg']}")
        raise typer.Exit(2) from None


@contextmanager
def session_factory(settings: Settings) -> Iterator[sessionmaker[Session]]:
    """Sessions on the configured database, for commands that run several transactions;
    domain errors become a message and exit 1, and the engine is closed either way."""
    engine = make_engine(settings.database_url)
    try:
        yield make_sessionmaker(engine)
    except DomainError as exc:
        err.print(f"[red]refused:[/red] {exc.message}")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


@contextmanager
def unit_of_work(settings: Settings) -> Iterator[Session]:
    """A transaction on the configured database; domain errors become a message and exit 1."""
    with session_factory(settings) as sessions, transaction(sessions) as session:
        yield session


def acting(session: Session, username: str) -> Actor:
    """The actor this invocation proves it is: a token, a password, or the local operator."""
    if _creds.actor is not None:
        return _creds.actor
    chosen = [bool(_creds.token), bool(username), _creds.operator]
    if sum(chosen) > 1:
        raise InvalidInput("use one of --as USERNAME, --token (PIODESK_TOKEN) or --operator")
    if _creds.token:
        actor = people.resolve_api_token(session, _creds.token)
        if actor is None:
            raise InvalidInput("the API token is not valid (expired, revoked or mistyped)")
        actor = replace(actor, via="cli")
    elif username:
        password = typer.prompt(f"password for {username}", hide_input=True, err=True)
        settings = load_settings()
        policy = LockoutPolicy(settings.lockout_attempts, settings.lockout_minutes)
        try:
            account = people.authenticate(
                session, username, password, policy=policy, source="cli:" + socket.gethostname()
            )
        except AuthenticationFailed:
            session.commit()  # the failure counts toward the backoff, as on the sign-in page
            raise
        actor = people.actor_for(account, "cli")
    elif _creds.operator:
        actor = people.operator_actor()
    else:
        raise InvalidInput(
            "say who you act as: --as USERNAME (asks for the password), "
            "piodesk --token TOKEN (or PIODESK_TOKEN), or piodesk --operator on the server"
        )
    _creds.actor = actor
    return actor


def acting_with(session: Session, username: str, perm: Perm) -> Actor:
    """:func:`acting`, refused unless the actor holds ``perm``: for the commands whose work the
    server also does on its own (ingest, intake, reconcile, checkpoints, verify), which by hand
    act with a credential like every other command, never as the anonymous system."""
    actor = acting(session, username)
    require(actor, perm)
    return actor


def _acting_from(sessions: sessionmaker[Session], username: str, perm: Perm) -> Actor:
    """:func:`acting_with` in a short transaction of its own (a failed password counts)."""
    with transaction(sessions) as session:
        return acting_with(session, username, perm)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema to the latest migration."""
    settings = load_settings()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    engine.dispose()
    out.print(f"database is up to date: {engine.url.render_as_string(hide_password=True)}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
) -> None:
    """Serve the web app and API with the configured database."""
    import uvicorn

    from piodesk.web.app import create_app

    settings = load_settings()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    uvicorn.run(create_app(settings, engine, jobs=True), host=host, port=port, log_level="info")


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    database: Annotated[Path, typer.Option(help="Demo SQLite file (recreated).")] = Path(
        "var/demo.sqlite3"
    ),
    serve_app: Annotated[bool, typer.Option("--serve/--no-serve", help="Start the server.")] = True,
) -> None:
    """Start a fresh demo agency on SQLite and print one login per role."""
    import shutil

    import uvicorn

    from piodesk.archive.ingest import ingest_all
    from piodesk.demo import (
        DEMO_LOGINS,
        DEMO_PASSWORD,
        seed,
        seed_moderation,
        seed_records_requests,
        seed_sandbox,
    )
    from piodesk.web.app import create_app

    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    data_dir = database.parent / "demo-data"
    shutil.rmtree(data_dir, ignore_errors=True)
    settings = load_settings(
        demo=True,
        database_url=f"sqlite:///{database}",
        data_dir=data_dir,
        cookie_secure=False,  # the demo is served over plain http on localhost
        secret_key=os.environ.get("PIODESK_SECRET_KEY", PLACEHOLDER_SECRET),
        ingest_seconds=10,  # a visitor's comment reaches the archive within seconds
    )
    engine = make_engine(settings.database_url)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as session:
        seed(session, Agency.from_settings(settings))
    seed_sandbox(sessions)
    ingest_all(sessions, media=media_store(settings))  # the archive starts with the sandbox page
    from piodesk.moderation.intake import intake_all
    from piodesk.screening.engine import default_screener

    intake_all(sessions, default_screener())  # and the PIO's queue with its flagged comments
    seed_moderation(sessions)
    seed_records_requests(sessions, settings)
    # The demo's own signing key under its data dir, and a first checkpoint of what it seeded.
    signing.init_key(settings.signing_key_path)
    first = checkpoints.checkpoint_now(sessions, settings)
    table = Table(title=f"piodesk demo — {settings.agency_name}")
    for col in ("username", "password", "who", "for"):
        table.add_column(col)
    for login in DEMO_LOGINS:
        table.add_row(login.username, DEMO_PASSWORD, login.display_name, login.note)
    out.print(table)
    out.print(f"Open http://{host}:{port}/ and sign in with any login above.")
    out.print(
        f"The sandbox platform's public page (no sign-in): "
        f"http://{host}:{port}/sandbox/cspd-community"
    )
    if first is not None:
        out.print(
            f"Checkpoint {first.seq} signed with the demo key {settings.signing_key_path}: "
            f"http://{host}:{port}/checkpoints"
        )
    if serve_app:
        uvicorn.run(
            create_app(settings, engine, jobs=True), host=host, port=port, log_level="warning"
        )


# ---- user ------------------------------------------------------------------------------------


@user_app.command("create")
def user_create(
    username: str,
    display_name: Annotated[str, typer.Option("--name", help="Full name.")],
    roles: Annotated[list[str], typer.Option("--role", help="A role; repeat for several.")],
    as_user: AsUser = "",
    unit: Annotated[str, typer.Option(help="Unit.")] = "",
    reason: Annotated[str, typer.Option(help="Why the account is created.")] = "",
) -> None:
    """Create an account. On an empty installation, the first admin needs no credential.

    Chief, PIO, legal counsel and records custodian wait for the approver (the chief) and get
    no password here: the approver receives the owner's one-time link (`piodesk user approve`).
    """
    settings = load_settings()
    sensitive = any(r in {x.value for x in SENSITIVE_ROLES} for r in roles)
    password = None
    if not sensitive:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    with unit_of_work(settings) as session:
        if not as_user and not _creds.token and not people.list_accounts_exist(session):
            if roles != ["admin"]:
                raise typer.BadParameter("the first account must be --role admin")
            account = people.bootstrap_admin(
                session, username=username, display_name=display_name, password=password or ""
            )
        else:
            account = people.create_account(
                session,
                actor=acting(session, as_user),
                username=username,
                display_name=display_name,
                password=password,
                roles=roles,
                unit=unit,
                reason=reason,
            )
        out.print(f"created {account.username} ({', '.join(r.role for r in account.roles)})")
        grant = people.pending_grant(session, account.id)
        if grant is not None:
            out.print(
                f"role grant {grant.id} ({', '.join(grant.roles)}) waits for the "
                f"{settings.role_approver}: piodesk user approve {grant.id} --as APPROVER"
            )


@user_app.command("bootstrap-approver")
def user_bootstrap_approver(
    username: str,
    display_name: Annotated[str, typer.Option("--name", help="Full name.")],
) -> None:
    """Create the installation's first approver (the chief); `piodesk --operator` only, once."""
    settings = load_settings()
    with unit_of_work(settings) as session:
        account, link = people.bootstrap_approver(
            session,
            actor=acting(session, ""),
            username=username,
            display_name=display_name,
            approver=Role(settings.role_approver),
            link_hours=settings.password_link_hours,
        )
    out.print(f"created {account.username} ({settings.role_approver}); no password yet.")
    out.print(f"hand this one-time link to its owner: /password?token={link}")


@user_app.command("grants")
def user_grants(as_user: AsUser = "", state: Annotated[str, typer.Option()] = "pending") -> None:
    """Role grants waiting for the approver (or --state approved, declined, all)."""
    settings = load_settings()
    with unit_of_work(settings) as session:
        table = Table("grant", "account", "roles", "proposed by", "state", "reason")
        for g in people.list_grants(
            session,
            actor=acting(session, as_user),
            state=None if state == "all" else state,
            approver=Role(settings.role_approver),
        ):
            account = people.get_account(session, g.account_id)
            table.add_row(
                str(g.id),
                account.display_name,
                ", ".join(g.roles),
                g.proposed_by_name,
                g.state,
                g.reason,
            )
        out.print(table)


@user_app.command("approve")
def user_approve(grant_id: int, as_user: AsUser = "", reason: str = "") -> None:
    """Approve a role grant (the approver; never the proposer nor the account itself)."""
    settings = load_settings()
    with unit_of_work(settings) as session:
        grant, link = people.approve_grant(
            session,
            grant_id,
            actor=acting(session, as_user),
            reason=reason,
            approver=Role(settings.role_approver),
            link_hours=settings.password_link_hours,
        )
    out.print(f"grant {grant.id}: approved ({', '.join(grant.roles)})")
    if link:
        out.print(f"hand this one-time link to the account's owner: /password?token={link}")


@user_app.command("decline")
def user_decline(
    grant_id: int, reason: Annotated[str, typer.Option()], as_user: AsUser = ""
) -> None:
    """Decline a role grant, with a reason (the approver)."""
    settings = load_settings()
    with unit_of_work(settings) as session:
        grant = people.decline_grant(
            session,
            grant_id,
            actor=acting(session, as_user),
            reason=reason,
            approver=Role(settings.role_approver),
        )
    out.print(f"grant {grant.id}: declined")


def _account_id(session: Session, username: str) -> int:
    account = people.find_account(session, username)
    if account is None:
        raise InvalidInput(f"no account '{username}'")
    return account.id


@user_app.command("unlock")
def user_unlock(
    username: str, reason: Annotated[str, typer.Option()], as_user: AsUser = ""
) -> None:
    """Clear every sign-in wait on an account (administrators; audited)."""
    with unit_of_work(load_settings()) as session:
        n = people.unlock(
            session, _account_id(session, username), actor=acting(session, as_user), reason=reason
        )
    out.print(f"{username}: {n} sign-in wait(s) cleared")


@user_app.command("reset")
def user_reset(username: str, reason: Annotated[str, typer.Option()], as_user: AsUser = "") -> None:
    """Start a password reset: prints a one-time link for the account's owner."""
    settings = load_settings()
    with unit_of_work(settings) as session:
        link = people.issue_password_link(
            session,
            _account_id(session, username),
            actor=acting(session, as_user),
            reason=reason,
            hours=settings.password_link_hours,
            approver=Role(settings.role_approver),
        )
    out.print(f"hand this one-time link to {username}: /password?token={link}")


@user_app.command("password")
def user_password(as_user: AsUser = "") -> None:
    """Change your own password (asks for the current one first)."""
    with unit_of_work(load_settings()) as session:
        actor = acting(session, as_user)
        current = typer.prompt("current password", hide_input=True, err=True)
        new = typer.prompt("new password", hide_input=True, confirmation_prompt=True, err=True)
        people.change_password(session, actor=actor, current=current, new=new)
    out.print("password changed; your other sessions have ended")


@user_app.command("list")
def user_list(as_user: AsUser = "") -> None:
    """List accounts and their roles."""
    with unit_of_work(load_settings()) as session:
        table = Table("id", "username", "name", "roles", "active")
        for a in people.list_accounts(session, actor=acting(session, as_user)):
            roles = ", ".join(r.role for r in a.roles)
            table.add_row(str(a.id), a.username, a.display_name, roles, "yes" if a.active else "no")
        out.print(table)


@user_app.command("roles")
def user_roles(
    username: str,
    roles: Annotated[list[str], typer.Option("--role", help="A role; repeat for several.")],
    reason: Annotated[str, typer.Option(help="Why the roles change.")],
    page: Annotated[list[int], typer.Option(help="Limit a PIO designee to page ids.")] = [],  # noqa: B006
    as_user: AsUser = "",
) -> None:
    """Change an account's roles (and page scope)."""
    with unit_of_work(load_settings()) as session:
        account = people.find_account(session, username)
        if account is None:
            raise InvalidInput(f"no account '{username}'")
        people.set_roles(
            session,
            account.id,
            actor=acting(session, as_user),
            roles=roles,
            page_scope=page,
            reason=reason,
        )
        out.print(f"{username}: {', '.join(roles)}")


@user_app.command("token")
def user_token(
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    days: Annotated[int, typer.Option(help="Days until it expires (at most the maximum).")] = 90,
    scope: Annotated[
        list[str], typer.Option(help="read, moderation, records or admin; repeat.")
    ] = ["read"],  # noqa: B006
    as_user: AsUser = "",
) -> None:
    """Create an API token for the account you act as (shown once)."""
    settings = load_settings()
    with unit_of_work(settings) as session:
        _row, secret = people.issue_api_token(
            session,
            actor=acting(session, as_user),
            name=name,
            days=days,
            scopes=scope,
            max_days=settings.token_max_days,
        )
    out.print(secret)


@user_app.command("tokens")
def user_tokens(as_user: AsUser = "") -> None:
    """Your API tokens (never their secrets)."""
    with unit_of_work(load_settings()) as session:
        table = Table("id", "name", "prefix", "scopes", "expires", "state")
        for t in people.list_tokens(session, actor=acting(session, as_user)):
            expires = t.expires_at.strftime("%Y-%m-%d") if t.expires_at else "-"
            state = "revoked" if t.revoked else "active"
            table.add_row(str(t.id), t.name, t.prefix, t.scopes, expires, state)
        out.print(table)


@user_app.command("revoke")
def user_revoke(token_id: int, as_user: AsUser = "", reason: str = "") -> None:
    """Revoke one API token (yours, or anyone's as an administrator)."""
    with unit_of_work(load_settings()) as session:
        row = people.revoke_token(session, token_id, actor=acting(session, as_user), reason=reason)
    out.print(f"token {row.id} ({row.name}) revoked")


# ---- page ------------------------------------------------------------------------------------


@page_app.command("list")
def page_list(as_user: AsUser = "", state: Annotated[str, typer.Option()] = "") -> None:
    """List pages with their approval state and §.10 result."""
    with unit_of_work(load_settings()) as session:
        table = Table("id", "platform", "handle", "name", "unit", "state", "§.10")
        for p in pages.list_pages(session, actor=acting(session, as_user), state=state or None):
            mark = {True: "complete", False: "missing", None: "-"}[p.compliant]
            table.add_row(
                str(p.id), p.platform, p.handle, p.name, p.administering_unit, p.state, mark
            )
        out.print(table)


@page_app.command("register")
def page_register(
    platform: str,
    handle: str,
    name: Annotated[str, typer.Option(help="Display name.")],
    unit: Annotated[str, typer.Option(help="Administering unit.")],
    audience: Annotated[str, typer.Option(help="Target audience.")] = "",
    about_file: Annotated[
        Path | None, typer.Option(help="A file with the about text.", exists=True)
    ] = None,
    link: Annotated[list[str], typer.Option(help="A profile link; repeat.")] = [],  # noqa: B006
    phone: Annotated[str, typer.Option(help="Contact phone.")] = "",
    email: Annotated[str, typer.Option(help="Contact email.")] = "",
    as_user: AsUser = "",
) -> None:
    """Register a page; it waits for the chief's approval."""
    settings = load_settings()
    about = about_file.read_text(encoding="utf-8", errors="replace")[:20000] if about_file else ""
    with unit_of_work(settings) as session:
        profile = pages.clean_profile(
            about=about,
            links=link,
            contact_phone=phone,
            contact_email=email,
            target_audience=audience,
        )
        page = pages.register_page(
            session,
            actor=acting(session, as_user),
            agency=Agency.from_settings(settings),
            platform=platform,
            handle=handle,
            name=name,
            administering_unit=unit,
            profile=profile,
        )
        out.print(f"registered page {page.id} ({page.state}); §.10 complete: {page.compliant}")


def _decide(step: str, page_id: int, reason: str, as_user: str) -> None:
    fn = {
        "approve": pages.approve_page,
        "retire": pages.retire_page,
        "reject": pages.reject_page,
        "send-back": pages.send_back_page,
        "resubmit": pages.resubmit_page,
    }
    with unit_of_work(load_settings()) as session:
        page = fn[step](session, page_id, actor=acting(session, as_user), reason=reason)
        out.print(f"page {page.id}: {page.state}")


@page_app.command("approve")
def page_approve(
    page_id: int,
    as_user: AsUser = "",
    reason: Annotated[
        str, typer.Option(help="Why; required when the page fails §.10 elements.")
    ] = "",
) -> None:
    """Approve a page (chief or designee); one failing §.10 needs a written justification."""
    _decide("approve", page_id, reason, as_user)


@page_app.command("send-back")
def page_send_back(
    page_id: int,
    reason: Annotated[str, typer.Option(help="What to fix.")],
    as_user: AsUser = "",
) -> None:
    """Send a waiting page back to the PIO office for fixes, with a note (chief or designee)."""
    _decide("send-back", page_id, reason, as_user)


@page_app.command("resubmit")
def page_resubmit(
    page_id: int, reason: Annotated[str, typer.Option(help="What changed.")], as_user: AsUser = ""
) -> None:
    """Put a declined page, or one sent back for fixes, before the chief again."""
    _decide("resubmit", page_id, reason, as_user)


@page_app.command("reject")
def page_reject(page_id: int, reason: Annotated[str, typer.Option()], as_user: AsUser = "") -> None:
    """Decline a page, with a reason (chief or designee)."""
    _decide("reject", page_id, reason, as_user)


@page_app.command("retire")
def page_retire(page_id: int, reason: Annotated[str, typer.Option()], as_user: AsUser = "") -> None:
    """Retire a page, with a reason (chief or designee)."""
    _decide("retire", page_id, reason, as_user)


@page_app.command("connect")
def page_connect(
    page_id: int,
    setting: Annotated[
        list[str], typer.Option(help="A non-secret setting, name=value (e.g. api_base_url=...).")
    ] = [],  # noqa: B006
    as_user: AsUser = "",
) -> None:
    """Store the credentials piodesk uses for a page (asked for without echo; kept encrypted)."""
    settings = load_settings()
    pairs = dict(s.split("=", 1) for s in setting if "=" in s)
    with unit_of_work(settings) as session:
        page = pages.get_page(session, page_id, actor=acting(session, as_user))
        from piodesk.connectors.base import registered

        cls = registered(page.platform)
        fields = cls.connection_secrets if cls else ()
        secrets = {f: typer.prompt(f, hide_input=True) for f in fields}
        pages.connect_page(
            session,
            page_id,
            actor=acting(session, as_user),
            settings=pairs,
            secrets=secrets,
            key=settings.secret_key,
        )
    out.print(f"page {page_id} connected; its credentials are stored encrypted")


@page_app.command("check")
def page_check(page_id: int, as_user: AsUser = "") -> None:
    """Re-run the §.10 compliance check and print the report."""
    settings = load_settings()
    with unit_of_work(settings) as session:
        report = pages.recheck(
            session, page_id, actor=acting(session, as_user), agency=Agency.from_settings(settings)
        )
    table = Table("element", "result", "evidence", title=f"page {page_id} — GO 409 §.10")
    for r in report.results:
        table.add_row(r.label, "[green]met[/green]" if r.met else "[red]missing[/red]", r.evidence)
    out.print(table)
    if not report.compliant:
        raise typer.Exit(3)


# ---- audit -----------------------------------------------------------------------------------


Against = Annotated[
    Path | None,
    typer.Option(
        "--against",
        help="A checkpoint file (JSON lines, from `piodesk checkpoint export` or "
        "/checkpoints.jsonl): also name a cut or rewrite after any of its checkpoints.",
    ),
]
PublicKey = Annotated[
    Path | None,
    typer.Option(
        "--public-key",
        help="The agency's public key (PEM) that signed the checkpoints "
        "(default: the public half of the configured signing key).",
    ),
]


def _public_key(settings: Settings, path: Path | None) -> Ed25519PublicKey:
    if path is not None:
        try:
            return signing.load_public(path.read_bytes())
        except OSError as exc:
            raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None
    return signing.load_key(settings.signing_key_path).public_key()


def _checked_file(
    settings: Settings, path: Path, public_key: Path | None, tsa_cert: Path | None = None
) -> list[Checkpoint]:
    """The checkpoints in ``path``, refused (exit 1) unless every one is signed and in order."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}") from None
    found = checkpoints.parse(text)
    cert = tsa_cert or settings.tsa_certificate_file
    roots = timestamps.load_certificates(cert) if cert else []
    problems = checkpoints.check(found, _public_key(settings, public_key), roots)
    if not found:
        problems.append(f"{path} holds no checkpoints")
    for problem in problems:
        err.print(f"[red]checkpoint file refused:[/red] {problem}")
    if problems:
        raise typer.Exit(1)
    return found


def _against(session: Session, name: str, found: list[Checkpoint]) -> bool:
    """Print how chain ``name`` disagrees with the checkpoints; True when it agrees."""
    problem = checkpoints.against(session, chain.chain(name), found)
    if problem:
        err.print(f"[red]{problem}[/red]")
        return False
    last = found[-1]
    many = f"{len(found)} checkpoints" if len(found) != 1 else "1 checkpoint"
    out.print(f"{name} chain agrees with {many} (the last of {last.made_at})")
    return True


@contextmanager
def _verifying(
    settings: Settings, against: Path | None, public_key: Path | None, as_user: str
) -> Iterator[tuple[Session, list[Checkpoint]]]:
    """A verify command's read session and checkpoints: the checkpoint file (if any) must be
    signed and in order, and whoever runs it must be able to read the audit log."""
    found = _checked_file(settings, against, public_key) if against else []
    engine = make_engine(settings.database_url)
    try:
        sessions = make_sessionmaker(engine)
        _acting_from(sessions, as_user, Perm.AUDIT_VIEW)
        with sessions() as session:
            yield session, found
    finally:
        engine.dispose()


def _with_domain_errors(fn: Callable[[], None]) -> None:
    try:
        fn()
    except DomainError as exc:
        err.print(f"[red]refused:[/red] {exc.message}")
        raise typer.Exit(1) from None


@audit_app.command("verify")
def audit_verify(
    against: Against = None, public_key: PublicKey = None, as_user: AsUser = ""
) -> None:
    """Recompute the audit chain, then check every evidence row against the digest the chain
    last recorded for it; name what was altered, removed, reordered or never recorded."""
    from piodesk.core import evidence

    def run() -> None:
        with _verifying(load_settings(), against, public_key, as_user) as (session, found):
            result = audit.verify(session)
            rows = evidence.verify(session)
            agrees = _against(session, "audit", found) if found else True
        if result.ok:
            out.print(f"audit chain intact: {result.events_checked} events verified")
        else:
            err.print(
                f"[red]audit chain broken at event {result.first_bad_seq}:[/red] {result.problem}"
            )
        if rows.ok:
            out.print(f"evidence intact: {rows.rows_checked} rows match the chain")
        for problem in rows.problems:
            err.print(f"[red]evidence problem:[/red] {problem}")
        if rows.more:
            err.print(f"[red]… and {rows.more} more evidence problems[/red]")
        if not (result.ok and rows.ok and agrees):
            raise typer.Exit(1)

    _with_domain_errors(run)


@audit_app.command("baseline")
def audit_baseline(
    reason: Annotated[str, typer.Option(help="Why (e.g. the upgrade that added sealing).")],
    as_user: AsUser = "",
) -> None:
    """Seal evidence rows written before piodesk sealed them (rows already sealed are kept)."""
    from piodesk.core import evidence
    from piodesk.core.permissions import Perm, require

    with unit_of_work(load_settings()) as session:
        actor = acting(session, as_user)
        require(actor, Perm.ACCOUNT_MANAGE)
        count = evidence.baseline(session, actor, reason.strip() or "baseline")
    out.print(f"sealed {count} evidence rows that no audit event recorded")


# ---- keys and checkpoints --------------------------------------------------------------------


@keys_app.command("init")
def keys_init() -> None:
    """Create the agency's signing key (mode 0600) at PIODESK_SIGNING_KEY_FILE; never overwrite."""

    def run() -> None:
        settings = load_settings()
        key = signing.init_key(settings.signing_key_path)
        out.print(
            f"signing key created at {settings.signing_key_path} (key id {signing.key_id(key)})"
        )
        out.print("Keep it off the database's machine and backups; publish `piodesk keys public`.")

    _with_domain_errors(run)


@keys_app.command("public")
def keys_public(
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the PEM here.")] = None,
) -> None:
    """Print (or write) the public key that checks the agency's checkpoints."""

    def run() -> None:
        key = signing.load_key(load_settings().signing_key_path)
        pem = signing.public_pem(key)
        if out_file is None:
            sys.stdout.write(pem)
        else:
            out_file.write_text(pem, encoding="ascii")
            out.print(f"public key (key id {signing.key_id(key)}) written to {out_file}")

    _with_domain_errors(run)


@checkpoint_app.command("create")
def checkpoint_create(as_user: AsUser = "") -> None:
    """Sign a checkpoint of every chain now (what the server does on its schedule)."""
    settings = load_settings()
    with session_factory(settings) as sessions:
        _acting_from(sessions, as_user, Perm.JOBS_RUN)
        made = checkpoints.checkpoint_now(sessions, settings)
    assert made is not None  # only_if_changed is off: a checkpoint is always made
    heads = ", ".join(f"{n} {h.count} ({h.hash[:12]}…)" for n, h in made.chains.items())
    out.print(f"checkpoint {made.seq} signed at {made.made_at}: {heads}")
    out.print(f"appended to {settings.checkpoint_path}")


@checkpoint_app.command("export")
def checkpoint_export(
    file: Annotated[Path, typer.Argument(help="Write every checkpoint here (JSON lines).")],
) -> None:
    """Write every checkpoint to FILE, to hand to the city clerk or publish."""
    settings = load_settings()
    with session_factory(settings) as sessions, sessions() as session:
        text = checkpoints.export_text(session)
    file.write_text(text, encoding="utf-8")
    out.print(f"{text.count(chr(10))} checkpoints written to {file}")


@checkpoint_app.command("check")
def checkpoint_check(
    file: Annotated[Path, typer.Argument(help="A checkpoint file (JSON lines).")],
    public_key: PublicKey = None,
    tsa_cert: Annotated[
        Path | None,
        typer.Option(help="The time-stamping authority's certificate (PEM): check its tokens."),
    ] = None,
) -> None:
    """Check a checkpoint file on its own (offline): every signature, and the sequence."""

    def run() -> None:
        found = _checked_file(load_settings(), file, public_key, tsa_cert)
        first, last = found[0], found[-1]
        out.print(
            f"{len(found)} checkpoints verified (no. {first.seq} of {first.made_at} to "
            f"no. {last.seq} of {last.made_at})"
        )
        for name, head in last.chains.items():
            out.print(f"  {name}: {head.count} at {head.hash}")
        stamped = [c for c in found if c.timestamp]
        for c in stamped:
            stamp = timestamps.describe(c.timestamp or "")
            out.print(f"  checkpoint {c.seq} timestamped at {stamp.gen_time} by {stamp.tsa}")
        if stamped and not (tsa_cert or load_settings().tsa_certificate_file):
            out.print("  (timestamps checked against their checkpoints; add --tsa-cert to check")
            out.print("   the time-stamping authority's signatures too)")

    _with_domain_errors(run)


def main() -> None:
    """Entry point of the ``piodesk`` script."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


# ---- archive ---------------------------------------------------------------------------------


def media_store(settings: Settings) -> MediaStore:
    """Where captured media live."""
    return MediaStore(settings.data_dir / "media")


@app.command("import")
def import_file(
    path: Annotated[Path, typer.Argument(help="An export: folder, .zip, .tar.gz or data file.")],
    page: Annotated[int | None, typer.Option(help="The registry page it belongs to.")] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000)] = 2000,
    again: Annotated[bool, typer.Option(help="Re-read a file imported before.")] = False,
    as_user: AsUser = "",
) -> None:
    """Import a platform's data export into the archive (resumes an interrupted import)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from piodesk.archive.importing import ImportProgress, import_export

    settings = load_settings()
    with session_factory(settings) as sessions:
        with sessions() as session:
            actor = acting(session, as_user)
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task(f"importing {path.name}", total=None)

            def progress(p: ImportProgress) -> None:
                bar.update(task, completed=p.done, total=p.total)

            run = import_export(
                sessions,
                path,
                actor=actor,
                media=media_store(settings),
                page_id=page,
                batch_size=batch_size,
                again=again,
                on_batch=progress,
            )
    out.print(
        f"import run {run.id} ({run.importer}) {run.status}: took {run.taken}, "
        f"already archived {run.unchanged}, skipped {len(run.skipped)}"
    )
    reasons: dict[str, int] = {}
    for s in run.skipped:
        reasons[s["reason"]] = reasons.get(s["reason"], 0) + 1
    for reason, n in sorted(reasons.items()):
        out.print(f"  skipped {n} × {reason}")


@archive_app.command("verify")
def archive_verify(
    against: Against = None,
    public_key: PublicKey = None,
    deep: Annotated[
        bool, typer.Option("--deep", help="Also check the search index against every version.")
    ] = False,
    as_user: AsUser = "",
) -> None:
    """Recompute the version chain, raw payload and media hashes; name what does not match."""
    from piodesk.archive.fulltext import check_index
    from piodesk.archive.verify import verify_archive

    def run() -> None:
        settings = load_settings()
        with _verifying(settings, against, public_key, as_user) as (session, found):
            result = verify_archive(session, media_store(settings))
            index = check_index(session) if deep else None
            agrees = _against(session, "archive", found) if found else True
        problems = result.problems + (index.problems if index else [])
        if not problems:
            out.print(
                f"archive intact: {result.versions_checked} versions and "
                f"{result.media_checked} media files verified"
                + (f"; search index matches {index.versions_checked} versions" if index else "")
            )
        for problem in problems:
            err.print(f"[red]archive problem:[/red] {problem}")
        if index and index.more:
            err.print(f"[red]… and {index.more} more search index problems[/red]")
        if problems or not agrees:
            raise typer.Exit(1)

    _with_domain_errors(run)


@archive_app.command("reindex")
def archive_reindex(
    reason: Annotated[str, typer.Option(help="Why the index is rebuilt.")],
    as_user: AsUser = "",
) -> None:
    """Rebuild the full-text search index from the versions (an audited event)."""
    from piodesk.archive.fulltext import reindex

    with unit_of_work(load_settings()) as session:
        count = reindex(session, actor=acting(session, as_user), reason=reason)
    out.print(f"search index rebuilt from {count} versions")


@archive_app.command("search")
def archive_search(
    q: Annotated[str, typer.Argument(help="Words to find.")] = "",
    state: Annotated[str, typer.Option(help="live, edited, hidden, removed, deleted")] = "",
    kind: Annotated[str, typer.Option(help="post, comment, reply, ...")] = "",
    author: Annotated[str, typer.Option()] = "",
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    as_user: AsUser = "",
) -> None:
    """Search the archive from the command line."""
    from piodesk.archive.actions import search_archive
    from piodesk.archive.search import SearchQuery

    with unit_of_work(load_settings()) as session:
        hits = search_archive(
            session,
            SearchQuery(
                q=q, state=state or None, kind=kind or None, author=author or None, limit=limit
            ),
            actor=acting(session, as_user),
        )
        table = Table("id", "kind", "author", "state", "v", "text")
        for h in hits:
            table.add_row(
                str(h.item.id),
                h.item.kind,
                h.item.author_name or "",
                h.item.state,
                str(h.item.head_version),
                (h.version.text or "")[:80],
            )
        out.print(table)


@app.command()
def reconcile(
    grace: Annotated[
        int | None,
        typer.Option(help="Seconds an action must have been pending (default: the setting)."),
    ] = None,
    as_user: AsUser = "",
) -> None:
    """Settle platform actions a crash left pending, by reading the platform (never resending)."""
    from datetime import timedelta

    import piodesk.moderation.actions
    import piodesk.publishing.outbox_sender  # noqa: F401  (registers the outbox's recorder)
    from piodesk.connectors.factory import build
    from piodesk.connectors.intents import reconcile as settle_pending

    settings = load_settings()
    seconds = settings.platform_action_grace_seconds if grace is None else grace
    if seconds < 0:
        raise typer.BadParameter("--grace is a number of seconds, 0 or more")
    with session_factory(settings) as sessions:
        actor = _acting_from(sessions, as_user, Perm.JOBS_RUN)
        report = settle_pending(
            sessions,
            lambda page: build(page, sessions, settings.secret_key),
            grace=timedelta(seconds=seconds),
            by=actor,
        )
    out.print(
        f"{report.looked_at} pending platform action(s): {len(report.recorded)} recorded "
        f"(the platform shows them done), {len(report.failed)} failed (not done), "
        f"{len(report.unconfirmed)} need a person to check, {len(report.superseded)} already "
        f"recorded by someone else, {len(report.waiting)} could not be read now"
    )


@app.command()
def ingest(
    page: Annotated[
        int | None, typer.Option(help="Only this page (default: every approved page).")
    ] = None,
    as_user: AsUser = "",
) -> None:
    """Poll approved pages into the archive now (what the scheduled job does)."""
    from piodesk.archive.ingest import ingest_all, ingest_page
    from piodesk.connectors.factory import build
    from piodesk.pages.tables import Page

    settings = load_settings()
    with session_factory(settings) as sessions:
        actor = _acting_from(sessions, as_user, Perm.JOBS_RUN)
        if page is None:
            reports = ingest_all(
                sessions, media=media_store(settings), actor=actor, key=settings.secret_key
            )
        else:
            with sessions() as session:
                row = session.get(Page, page)
                if row is None:
                    raise InvalidInput(f"no page with id {page}")
                connector = build(row, sessions, settings.secret_key)
            reports = [
                ingest_page(sessions, page, connector, media=media_store(settings), actor=actor)
            ]
        from piodesk.moderation.intake import intake_all
        from piodesk.screening.engine import default_screener

        screened = intake_all(sessions, default_screener(), actor=actor)
    out.print(
        f"moderation: {screened.screened} comments screened, {screened.cases_opened} cases "
        f"opened, {screened.cases_updated} updated, {screened.response_requests} asking for a "
        "response"
    )
    for r in reports:
        c = r.captured
        out.print(
            f"page {r.page_id}: {c.new_items} new records, {c.new_versions} new versions, "
            f"{r.deleted} deleted, {c.unchanged} unchanged"
            + (f"; errors: {'; '.join(r.errors)}" if r.errors else "")
        )


# ---- moderation (§.20) -------------------------------------------------------------------


@moderation_app.command("queue")
def moderation_queue(
    as_user: AsUser = "",
    page: Annotated[int | None, typer.Option(help="Only this page.")] = None,
    category: Annotated[str, typer.Option(help="Only this §.20 category.")] = "",
    age: Annotated[float | None, typer.Option(help="Waiting at least this many hours.")] = None,
    state: Annotated[str, typer.Option(help="open, with_counsel, closed or all.")] = "open",
) -> None:
    """The PIO's queue of flagged and reported comments, oldest first."""
    from piodesk.moderation import queries

    with unit_of_work(load_settings()) as session:
        flt = queries.QueueFilter(
            page_id=page, category=category or None, older_than_hours=age, state=state
        )
        rows = queries.queue(session, flt, actor=acting(session, as_user))
        table = Table(title=f"{len(rows)} case(s)")
        for col in ("case", "opened (UTC)", "page", "categories", "state", "comment"):
            table.add_column(col)
        for r in rows:
            table.add_row(
                str(r.case.id),
                r.case.opened_at.strftime("%Y-%m-%d %H:%M"),
                r.page_name,
                ", ".join(r.categories),
                r.case.outcome or r.case.state,
                r.text[:80],
            )
        out.print(table)


@moderation_app.command("decide")
def moderation_decide(
    case_id: int,
    action: Annotated[str, typer.Option(help="keep, hide or remove.")],
    reason: Annotated[str, typer.Option(help="A §.20 category, or no_violation to keep.")],
    note: Annotated[str, typer.Option(help="What in the comment meets the category.")] = "",
    as_user: AsUser = "",
) -> None:
    """Decide a case through the page's connector (PIO office)."""
    from piodesk.connectors.factory import build
    from piodesk.moderation import actions as moderation

    settings = load_settings()
    with session_factory(settings) as sessions:
        with sessions() as session:
            actor = acting(session, as_user)
        decision = moderation.decide(
            sessions,
            case_id,
            action=action,
            reason=reason,
            note=note,
            actor=actor,
            connect=lambda p: build(p, sessions, settings.secret_key),
            guard_mode=settings.viewpoint_concurrence,
        )
    out.print(f"case {case_id}: {decision.action} ({decision.reason}); {decision.platform_effect}")


@moderation_app.command("intake")
def moderation_intake(as_user: AsUser = "") -> None:
    """Screen newly captured comments into the queue now (what the server does every few s)."""
    from piodesk.moderation.intake import intake_all
    from piodesk.screening.engine import default_screener

    with session_factory(load_settings()) as sessions:
        actor = _acting_from(sessions, as_user, Perm.JOBS_RUN)
        report = intake_all(sessions, default_screener(), actor=actor)
    out.print(
        f"{report.screened} comments screened, {report.cases_opened} cases opened, "
        f"{report.cases_updated} updated, {report.response_requests} asking for a response"
    )
