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
