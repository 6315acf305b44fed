"""``piodesk production …``: make and verify productions; ``piodesk records …`` is the same app.

Verification needs no database and no credential: only the ZIP and the agency's public key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Productions of records (GO 409 §.40): make one, verify one offline.")
records_app = typer.Typer(help="Legal holds, retention and disposition (GO 409 §.40).")


def register(main: typer.Typer) -> None:
    """Add ``piodesk production`` and ``piodesk records`` to the main command."""
    main.add_typer(app, name="production")
    main.add_typer(records_app, name="records")


@app.command("verify")
def production_verify(
    path: Annotated[Path, typer.Argument(help="The production ZIP.")],
    key: Annotated[Path, typer.Option("--key", help="The agency's public key (PEM).")],
    tsa_cert: Annotated[
        Path | None, typer.Option(help="The TSA's certificate, to check the timestamp's signature.")
    ] = None,
) -> None:
    """Check a production offline: its signature, every file's hash, nothing added or missing."""
    from piodesk.cli import err, out
    from piodesk.core import signing, timestamps
    from piodesk.core.errors import DomainError
    from piodesk.records.productions.verify import verify_production

    try:
        public = signing.load_public(key.read_bytes())
        roots = timestamps.load_certificates(tsa_cert) if tsa_cert else []
    except OSError as exc:
        err.print(f"[red]refused:[/red] cannot read {key}: {exc.strerror}")
        raise typer.Exit(2) from None
    except DomainError as exc:
        err.print(f"[red]refused:[/red] {exc.message}")
        raise typer.Exit(2) from None
    result = verify_production(path, public, roots)
    if result.refused:
        err.print(f"[red]production refused:[/red] {result.refused}")
        raise typer.Exit(1)
    for problem in result.problems:
        err.print(f"[red]production problem:[/red] {problem}")
    if result.problems:
        raise typer.Exit(1)
    stamp = f"; timestamped {result.timestamp}" if result.timestamp else ""
    out.print(
        f"production {result.production} verified: {result.files_checked} files match the "
        f"signed manifest ({result.records} records, {result.versions} versions){stamp}"
    )


@app.command("make")
def production_make(
    item: Annotated[list[int], typer.Option("--item", help="An archive record id (repeat).")] = [],  # noqa: B006
    request: Annotated[int | None, typer.Option(help="A request: its review set.")] = None,
    subpoena: Annotated[
        bool, typer.Option("--subpoena", help="Everything in scope, every version, no redaction.")
    ] = False,
    title: Annotated[str, typer.Option()] = "",
    as_user: Annotated[str, typer.Option("--as", envvar="PIODESK_ACTOR")] = "",
) -> None:
    """Make a production of records (with a Rich progress bar); prints where the ZIP is."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from piodesk.cli import acting, err, load_settings, out, session_factory
    from piodesk.records.productions.build import make_production

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
            task = bar.add_task("producing", total=None)
            made = make_production(
                sessions,
                actor=actor,
                settings=settings,
                item_ids=item,
                request_id=request,
                mode="subpoena" if subpoena else "request",
                title=title,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    out.print(
        f"production {made.id}: {made.records} records, {made.versions} versions, Bates "
        f"{made.bates_first} to {made.bates_last}\n{made.path}\nSHA-256 {made.zip_sha256}"
    )


AsUser = Annotated[
    str, typer.Option("--as", envvar="PIODESK_ACTOR", help="The account you act as.")
]


@records_app.command("hold")
def hold_place(
    name: Annotated[str, typer.Option(help="A short name, e.g. the case caption.")],
    matter: Annotated[str, typer.Option(help="The litigation or matter.")],
    notice: Annotated[str, typer.Option(help="The written notice custodians receive.")],
    page: Annotated[int | None, typer.Option(help="Hold a page's records.")] = None,
    author: Annotated[str, typer.Option(help="Hold a person's records (platform id).")] = "",
    date_from: Annotated[str, typer.Option(help="Hold records created from (YYYY-MM-DD).")] = "",
    date_to: Annotated[str, typer.Option(help="… to (YYYY-MM-DD).")] = "",
    query: Annotated[str, typer.Option(help="Hold what a search finds (its words).")] = "",
    request: Annotated[int | None, typer.Option(help="Hold a request's review set.")] = None,
    item: Annotated[list[int], typer.Option(help="Hold these records (repeat).")] = [],  # noqa: B006
    custodian: Annotated[list[int], typer.Option(help="Account id sent the notice.")] = [],  # noqa: B006
    as_user: AsUser = "",
) -> None:
    """Place a legal hold (exactly one scope) and send its notice."""
    from datetime import UTC, datetime

    from piodesk.cli import acting, load_settings, out, unit_of_work
    from piodesk.core.errors import InvalidInput
    from piodesk.records import holds

    def day(value: str) -> datetime | None:
        if not value:
            return None
        try:
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        except ValueError:
            raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)") from None

    settings = load_settings()
    with unit_of_work(settings) as session:
        actor = acting(session, as_user)
        chosen = [
            s
            for s, on in (
                ("page", page is not None),
                ("author", bool(author)),
                ("dates", bool(date_from or date_to)),
                ("query", bool(query)),
                ("request", request is not None),
                ("items", bool(item)),
            )
            if on
        ]
        if len(chosen) != 1:
            raise InvalidInput(
                "a hold has exactly one scope: --page, --author, --date-from/--date-to, "
                "--query, --request or --item"
            )
        scope = holds.HoldScope(
            chosen[0],
            page_id=page,
            author_platform_id=author or None,
            date_from=day(date_from),
            date_to=day(date_to),
            query={"q": query} if query else None,
            request_id=request,
            item_ids=tuple(item),
        )
        hold = holds.place(
            session,
            actor=actor,
            name=name,
            matter=matter,
            scope=scope,
            notice=notice,
            custodians=custodian,
        )
        out.print(f"hold {hold.id} placed on {holds.SCOPE_LABELS[hold.scope]}")


@records_app.command("holds")
def hold_list(as_user: AsUser = "") -> None:
    """The holds in force, with who acknowledged them."""
    from rich.table import Table

    from piodesk.cli import acting, load_settings, out, unit_of_work
    from piodesk.core.permissions import Perm, require
    from piodesk.records import holds

    settings = load_settings()
    with unit_of_work(settings) as session:
        require(acting(session, as_user), Perm.HOLD_MANAGE)
        table = Table("hold", "name", "scope", "placed", "acknowledged by")
        for h in holds.holds_in_force(session):
            acks = ", ".join(a.name for a in holds.acknowledgements(session, h.id)) or "—"
            table.add_row(
                str(h.id),
                h.name,
                holds.SCOPE_LABELS[h.scope],
                f"{h.placed_at:%Y-%m-%d} by {h.placed_by_name}",
                acks,
            )
        out.print(table)


@records_app.command("acknowledge")
def hold_acknowledge(hold: int, note: str = "", as_user: AsUser = "") -> None:
    """Acknowledge a hold notice sent to you."""
    from piodesk.cli import acting, load_settings, out, unit_of_work
    from piodesk.records import holds

    settings = load_settings()
    with unit_of_work(settings) as session:
        holds.acknowledge(session, actor=acting(session, as_user), hold_id=hold, note=note)
        out.print(f"hold {hold} acknowledged")


@records_app.command("release")
def hold_release(
    hold: int,
    reason: Annotated[str, typer.Option()],
    item: Annotated[list[int], typer.Option(help="Release only these records.")] = [],  # noqa: B006
    as_user: AsUser = "",
) -> None:
    """Release a hold in full, or some records of it (--item)."""
    from piodesk.cli import acting, load_settings, out, unit_of_work
    from piodesk.records import holds

    settings = load_settings()
    with unit_of_work(settings) as session:
        holds.release(
            session,
            actor=acting(session, as_user),
            hold_id=hold,
            reason=reason,
            item_ids=item or None,
        )
        out.print(f"hold {hold} released" + (f" for {len(item)} records" if item else " in full"))


@records_app.command("schedule")
def retention_show(as_user: AsUser = "") -> None:
    """The retention schedule in force."""
    from rich.table import Table

    from piodesk.cli import acting, load_settings, out, unit_of_work
    from piodesk.core.permissions import Perm, require
    from piodesk.records import retention

    settings = load_settings()
    with unit_of_work(settings) as session:
        require(acting(session, as_user), Perm.ARCHIVE_VIEW)
        table = Table("record type", "days", "citation", "set by")
        for rule in retention.schedule(session).values():
            table.add_row(rule.label, str(rule.period_days), rule.citation, rule.set_by_name)
        out.print(table)


@records_app.command("retain")
def retention_set(
    record_type: Annotated[str, typer.Argument(help="post, comment, removed_comment, …")],
    days: Annotated[int, typer.Option()],
    citation: Annotated[str, typer.Option()],
    note: str = "",
    as_user: AsUser = "",
) -> None:
    """Set a record type's retention period."""
    from piodesk.cli import acting, load_settings, out, unit_of_work
    from piodesk.records import retention

    settings = load_settings()
    with unit_of_work(settings) as session:
        retention.set_rule(
            session,
            actor=acting(session, as_user),
            record_type=record_type,
            period_days=days,
            citation=citation,
            note=note,
        )
        out.print(f"{record_type}: {days} days ({citation})")


@records_app.command("dispose-dry-run")
def disposition_prepare(as_user: AsUser = "") -> None:
    """List what is past retention and under no hold (nothing is destroyed)."""
    from piodesk.cli import acting, load_settings, out, unit_of_work
    from piodesk.records import disposition

    settings = load_settings()
    with unit_of_work(settings) as session:
        run = disposition.prepare(session, actor=acting(session, as_user))
        out.print(
            f"disposition run {run.id}: {len(run.candidates)} records may go, "
            f"{len(run.held)} past retention but held"
        )
        for c in run.candidates[:50]:
            out.print(f"  record {c['item_id']} {c['record_type']} due {c['due']}")


@records_app.command("dispose-approve")
def disposition_approve(run: int, note: str = "", as_user: AsUser = "") -> None:
    """Approve a dry run (a records custodian other than the one who prepared it)."""
    from piodesk.cli import acting, load_settings, out, unit_of_work
    from piodesk.records import disposition

    settings = load_settings()
    with unit_of_work(settings) as session:
        disposition.approve(session, actor=acting(session, as_user), run_id=run, note=note)
        out.print(f"disposition run {run} approved")


@records_app.command("dispose")
def disposition_carry_out(run: int, as_user: AsUser = "") -> None:
    """Carry out an approved run (Rich progress bar); prints the certificate."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress

    from piodesk.archive.media import MediaStore
    from piodesk.cli import acting, err, load_settings, out, session_factory
    from piodesk.records import disposition

    settings = load_settings()
    with session_factory(settings) as sessions:
        with sessions() as session:
            actor = acting(session, as_user)
        with Progress(
            "{task.description}", BarColumn(), MofNCompleteColumn(), console=err, transient=True
        ) as bar:
            task = bar.add_task("destroying content", total=None)
            done = disposition.carry_out(
                sessions,
                actor=actor,
                run_id=run,
                media=MediaStore(settings.data_dir / "media"),
                progress=lambda n, total: bar.update(task, completed=n, total=total),
            )
        with sessions() as session:
            cert = disposition.certificate(session, run)
            assert cert is not None
            out.print(cert.text)
    out.print(
        f"certificate {done.certificate_id}: {done.records} records, {done.versions} versions, "
        f"{done.media_deleted} media files"
    )
