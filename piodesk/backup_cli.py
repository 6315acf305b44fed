"""``piodesk backup create | restore | verify``: see ``piodesk/backup.py`` and the README.

These are the operator's commands: they need the server's configuration (its database URL and
data directory), not an account, as ``pg_dump`` itself needs the database's credentials.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from rich.console import Console

from piodesk import backup
from piodesk.core import signing
from piodesk.core.config import Settings
from piodesk.core.errors import DomainError

app = typer.Typer(help="Back up and restore the database, media store and checkpoint file.")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

PublicKeyOption = Annotated[
    Path | None,
    typer.Option(
        "--public-key",
        help="The agency's published public key (PEM) to check the checkpoints' signatures "
        "(default: the configured signing key's, when it is on this machine).",
    ),
]


def _settings() -> Settings:
    from piodesk.cli import load_settings

    return load_settings()


def _public(settings: Settings, path: Path | None) -> Ed25519PublicKey | None:
    if path is not None:
        try:
            return signing.load_public(path.read_bytes())
        except (OSError, ValueError) as exc:
            err.print(f"[red]refused:[/red] cannot read the public key {path}: {exc}")
            raise typer.Exit(2) from None
    if settings.signing_key_path.is_file():
        return signing.load_key(settings.signing_key_path).public_key()
    return None


def _report(result: backup.Verified) -> None:
    for fact in result.facts:
        out.print(fact)
    for problem in result.problems:
        err.print(f"[red]problem:[/red] {problem}")
    if not result.ok:
        raise typer.Exit(1)
    out.print("[green]verified[/green]: every chain agrees with the signed checkpoints")


@app.command("create")
def create(dest: Annotated[Path, typer.Argument(help="A new directory for the backup.")]) -> None:
    """Copy the database (SQLite .backup or pg_dump), media store and checkpoint file."""
    try:
        manifest = backup.create(_settings(), dest)
    except DomainError as exc:
        err.print(f"[red]refused:[/red] {exc.message}")
        raise typer.Exit(1) from None
    out.print(
        f"backup of the {manifest.backend} database (revision {', '.join(manifest.revision)}, "
        f"last checkpoint {manifest.latest_checkpoint or 'none'}) with "
        f"{sum(n.startswith('media/') for n in manifest.files)} media files written to {dest}"
    )


@app.command("restore")
def restore(
    src: Annotated[Path, typer.Argument(help="A directory `piodesk backup create` wrote.")],
    public_key: PublicKeyOption = None,
) -> None:
    """Restore into the configured (new, empty) database and data directory, then verify it."""
    settings = _settings()
    try:
        manifest = backup.restore(src, settings)
    except DomainError as exc:
        err.print(f"[red]refused:[/red] {exc.message}")
        raise typer.Exit(1) from None
    out.print(f"restored the backup of {manifest.made_at}; verifying")
    _report(backup.verify(settings, _public(settings, public_key)))


@app.command("verify")
def verify(public_key: PublicKeyOption = None) -> None:
    """Recompute every chain, evidence row and media file and compare with the checkpoints."""
    settings = _settings()
    _report(backup.verify(settings, _public(settings, public_key)))
