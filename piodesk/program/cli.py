"""`piodesk program ...`: the program's jobs (mail outbox, reminders) and a few reports.

The main `piodesk` CLI mounts `app` as `piodesk program`. Commands that act for a person need a
credential (`--as`, `--token`, `--operator`), like the rest of the CLI; `deliver-mail` and
`remind` are the server's own jobs and run as the system.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from piodesk.core.db import transaction

app = typer.Typer(
    help="Device authorizations, the investigative log, memos, notifications (GO 409 §.12, §.15).",
    no_args_is_help=True,
)

AsUser = Annotated[
    str,
    typer.Option(
        "--as", envvar="PIODESK_ACTOR", help="The account you act as (its password is asked for)."
    ),
]


@app.command("deliver-mail")
def deliver_mail() -> None:
    """Send the notification e-mails that are due (what the scheduled job does)."""
    from piodesk.cli import load_settings, out, session_factory
    from piodesk.program.config import ProgramSettings
    from piodesk.program.notifications import deliver_outbox

    settings = load_settings()
    program = ProgramSettings()
    if not program.smtp_host:
        out.print("no SMTP server configured (PIODESK_SMTP_HOST); nothing sent")
        return
    with session_factory(settings) as sessions:
        done = deliver_outbox(sessions, program)
    out.print(f"sent {done.sent}, to retry {done.retried}, given up {done.failed}")


@app.command("remind")
def remind() -> None:
    """Remind holders of authorizations that expire soon (what the scheduled job does)."""
    from piodesk.cli import load_settings, out, session_factory
    from piodesk.program.authorizations import send_reminders
    from piodesk.program.config import ProgramSettings

    settings = load_settings()
    with session_factory(settings) as sessions:
        count = send_reminders(sessions, ProgramSettings())
    out.print(f"reminded about {count} authorization(s)")


@app.command("authorized")
def authorized(
    as_user: AsUser = "",
    day: Annotated[str, typer.Option(help="YYYY-MM-DD (default: today)")] = "",
) -> None:
    """Everyone authorized on a day to use department computers or personal devices (§.12)."""
    from piodesk.cli import acting, load_settings, out, session_factory
    from piodesk.core.errors import InvalidInput
    from piodesk.program.authorizations import authorized_on
    from piodesk.program.model import DEVICE_LABELS, DeviceClass

    settings = load_settings()
    with session_factory(settings) as sessions, transaction(sessions) as session:
        try:
            when = date.fromisoformat(day) if day else None
        except ValueError:
            raise InvalidInput(f"day: '{day}' is not a date (YYYY-MM-DD)") from None
        rows = authorized_on(session, actor=acting(session, as_user), day=when)
        table = Table(title=f"Authorized on {when or 'today'} (GO 409 §.12)")
        for col in ("person", "device", "uses", "until"):
            table.add_column(col)
        for account, row in rows:
            table.add_row(
                account.display_name,
                f"{DEVICE_LABELS[DeviceClass(row.device_class)]}: {row.devices}",
                ", ".join(row.uses),
                row.expires_on.isoformat(),
            )
    out.print(table)


@app.command("log-use")
def log_use(
    purpose: Annotated[str, typer.Option(help="A §.15 purpose, e.g. wanted_persons")],
    case: Annotated[str, typer.Option(help="The case number")],
    viewed: Annotated[list[str], typer.Option(help="An account or page viewed (repeatable)")],
    evidence: Annotated[str, typer.Option(help="What was kept as evidence")] = "",
    detail: Annotated[str, typer.Option(help="Which purpose, for 'other'")] = "",
    as_user: AsUser = "",
) -> None:
    """Log an investigative use of social media (§.15)."""
    from piodesk.cli import acting, load_settings, out, session_factory
    from piodesk.program.investigations import log_use as log

    settings = load_settings()
    with session_factory(settings) as sessions, transaction(sessions) as session:
        row = log(
            session,
            actor=acting(session, as_user),
            purpose=purpose,
            case_number=case,
            viewed=viewed,
            evidence_kept=evidence,
            purpose_detail=detail,
        )
        out.print(f"logged investigative use {row.id} for case {row.case_number}")
