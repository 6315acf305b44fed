"""The ``piodesk`` command: serve, demo, migrate, user, page and audit.

Every command that changes something acts as a named account (``--as USERNAME``) and goes
through the same services as the web app, so permissions and the audit log are the same.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from piodesk.archive.media import MediaStore
from piodesk.core import audit
from piodesk.core.config import PLACEHOLDER_SECRET, Settings
from piodesk.core.db import make_engine, make_sessionmaker, transaction
from piodesk.core.errors import DomainError, InvalidInput
from piodesk.core.migrate import upgrade
from piodesk.core.permissions import Actor
from piodesk.pages import actions as pages
from piodesk.pages.model import Agency
from piodesk.people import actions as people
from piodesk.screening.cli import app as screening_app

app = typer.Typer(help="piodesk: a police department's social media program, run by GO 409.")
user_app = typer.Typer(help="Accounts and roles.")
page_app = typer.Typer(help="The official-page registry (GO 409 §.04, §.10).")
audit_app = typer.Typer(help="The hash-chained audit log.")
archive_app = typer.Typer(help="The public-records archive (GO 409 §.40).")
moderation_app = typer.Typer(help="The PIO's comment queue (GO 409 §.20).")
app.add_typer(archive_app, name="archive")
app.add_typer(screening_app, name="screening")
app.add_typer(user_app, name="user")
app.add_typer(page_app, name="page")
app.add_typer(audit_app, name="audit")
app.add_typer(moderation_app, name="moderation")

out = Console()
err = Console(stderr=True)

AsUser = Annotated[
    str, typer.Option("--as", envvar="PIODESK_ACTOR", help="The account you act as.")
]


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
    """The actor for ``--as``."""
    if not username:
        raise InvalidInput("say who you act as: --as USERNAME (or PIODESK_ACTOR)")
    account = people.find_account(session, username)
    if account is None or not account.active:
        raise InvalidInput(f"no active account '{username}'")
    return people.actor_for(account, "cli")


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
    from piodesk.demo import DEMO_LOGINS, DEMO_PASSWORD, seed, seed_moderation, seed_sandbox
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
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
) -> None:
    """Create an account. On an empty installation, the first admin needs no --as."""
    settings = load_settings()
    with unit_of_work(settings) as session:
        if not as_user and not people.list_accounts_exist(session):
            if roles != ["admin"]:
                raise typer.BadParameter("the first account must be --role admin")
            account = people.bootstrap_admin(
                session, username=username, display_name=display_name, password=password
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
            )
        out.print(f"created {account.username} ({', '.join(r.role for r in account.roles)})")


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
    days: Annotated[int, typer.Option(help="Days until it expires (0: never).")] = 90,
    as_user: AsUser = "",
) -> None:
    """Create an API token for the account you act as (shown once)."""
    with unit_of_work(load_settings()) as session:
        _row, secret = people.issue_api_token(
            session, actor=acting(session, as_user), name=name, days=days or None
        )
    out.print(secret)


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
    fn = {"approve": pages.approve_page, "retire": pages.retire_page, "reject": pages.reject_page}
    with unit_of_work(load_settings()) as session:
        page = fn[step](session, page_id, actor=acting(session, as_user), reason=reason)
        out.print(f"page {page.id}: {page.state}")


@page_app.command("approve")
def page_approve(page_id: int, as_user: AsUser = "", reason: str = "") -> None:
    """Approve a page (chief or designee)."""
    _decide("approve", page_id, reason, as_user)


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
        fields = pages.CONNECTION_FIELDS.get(page.platform, ((), ()))[1]
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


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit chain; name the first event altered, removed or reordered."""
    settings = load_settings()
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine)() as session:
        result = audit.verify(session)
    engine.dispose()
    if result.ok:
        out.print(f"audit chain intact: {result.events_checked} events verified")
        return
    err.print(f"[red]audit chain broken at event {result.first_bad_seq}:[/red] {result.problem}")
    raise typer.Exit(1)


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
def archive_verify() -> None:
    """Recompute the version chain, raw payload and media hashes; name what does not match."""
    from piodesk.archive.verify import verify_archive

    settings = load_settings()
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine)() as session:
        result = verify_archive(session, media_store(settings))
    engine.dispose()
    if result.ok:
        out.print(
            f"archive intact: {result.versions_checked} versions and "
            f"{result.media_checked} media files verified"
        )
        return
    for problem in result.problems:
        err.print(f"[red]archive problem:[/red] {problem}")
    raise typer.Exit(1)


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
def ingest(
    page: Annotated[
        int | None, typer.Option(help="Only this page (default: every approved page).")
    ] = None,
) -> None:
    """Poll approved pages into the archive now (what the scheduled job does)."""
    from dataclasses import replace

    from piodesk.archive.ingest import connector_for, ingest_all, ingest_page
    from piodesk.core.permissions import SYSTEM
    from piodesk.pages.tables import Page

    settings = load_settings()
    actor = replace(SYSTEM, via="cli")
    with session_factory(settings) as sessions:
        if page is None:
            reports = ingest_all(
                sessions, media=media_store(settings), actor=actor, key=settings.secret_key
            )
        else:
            with sessions() as session:
                row = session.get(Page, page)
                if row is None:
                    raise InvalidInput(f"no page with id {page}")
                connector = connector_for(row, sessions, settings.secret_key)
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
    from piodesk.archive.ingest import connector_for
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
            connect=lambda p: connector_for(p, sessions, settings.secret_key),
        )
    out.print(f"case {case_id}: {decision.action} ({decision.reason}); {decision.platform_effect}")


@moderation_app.command("intake")
def moderation_intake() -> None:
    """Screen newly captured comments into the queue now (what the server does every few s)."""
    from dataclasses import replace

    from piodesk.core.permissions import SYSTEM
    from piodesk.moderation.intake import intake_all
    from piodesk.screening.engine import default_screener

    with session_factory(load_settings()) as sessions:
        report = intake_all(sessions, default_screener(), actor=replace(SYSTEM, via="cli"))
    out.print(
        f"{report.screened} comments screened, {report.cases_opened} cases opened, "
        f"{report.cases_updated} updated, {report.response_requests} asking for a response"
    )
