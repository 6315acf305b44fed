"""`piodesk outbox ...`: the outbox from the command line.

    piodesk outbox send                       # send due deliveries now (the server's job)
    piodesk outbox status 12 --as jordan      # a publication on each page
    piodesk outbox retry 40 --reason "…" --as jordan       # send one failed page again
    piodesk outbox resolve 41 --published --reason "seen on the page" --as jordan

``send`` is the server's own job and runs as the system, like ``ingest``; the others act with a
credential (``--as`` asks for the password, ``--token``, ``--operator``), checked by the same
service functions as the web pages.
"""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="The publishing outbox (GO 409 §.04, §.15)", no_args_is_help=True)

AsUser = Annotated[
    str,
    typer.Option(
        "--as", envvar="PIODESK_ACTOR", help="The account you act as (its password is asked for)."
    ),
]


@app.callback()
def _group() -> None:
    """The publishing outbox: send, status, retry a failed page, resolve an unconfirmed one."""


@app.command()
def send() -> None:
    """Send every due delivery now, and look again for unconfirmed ones (never resending)."""
    from piodesk.cli import load_settings, out, session_factory
    from piodesk.publishing.outbox_routes import outbox_job

    settings = load_settings()
    with session_factory(settings) as sessions:
        report = outbox_job(sessions, settings, look_again=True)
    out.print(
        f"sent {len(report.sent)}, failed {len(report.failed)}, "  # type: ignore[attr-defined]
        f"not confirmed yet {len(report.open)}, waiting for the original {len(report.waiting)}"  # type: ignore[attr-defined]
    )


@app.command()
def status(
    publication: Annotated[int, typer.Argument(help="The publication's number.")],
    as_user: AsUser = "",
) -> None:
    """A publication's status on each page (the platform's id, or its own error)."""
    from rich.table import Table

    from piodesk.cli import acting, load_settings, out, unit_of_work
    from piodesk.core.permissions import Perm, require
    from piodesk.publishing import outbox

    with unit_of_work(load_settings()) as session:
        actor = acting(session, as_user)
        require(actor, Perm.PUBLISH)
        st = outbox.status(session, publication)
    table = Table(title=f"publication {st.publication_id} ({st.kind}): {st.label}")
    for col in ("delivery", "page", "state", "platform id / error"):
        table.add_column(col)
    for p in st.pages:
        table.add_row(str(p.delivery_id), p.page_name, p.label, p.external_id or p.error)
    out.print(table)


@app.command()
def retry(
    delivery: Annotated[int, typer.Argument(help="The failed page's delivery number.")],
    reason: Annotated[str, typer.Option(help="Why it is sent again.")] = "",
    as_user: AsUser = "",
) -> None:
    """Send one failed page again (the other pages are not touched)."""
    from piodesk.cli import acting, load_settings, out, unit_of_work
    from piodesk.publishing import outbox

    with unit_of_work(load_settings()) as session:
        outbox.retry(session, delivery, actor=acting(session, as_user), reason=reason)
    out.print(f"delivery {delivery} is waiting to be sent again (`piodesk outbox send`)")


@app.command()
def resolve(
    delivery: Annotated[int, typer.Argument(help="The unconfirmed page's delivery number.")],
    reason: Annotated[str, typer.Option(help="What you saw on the page.")],
    published: Annotated[
        bool, typer.Option("--published/--not-published", help="Is the post on the page?")
    ],
    platform_id: Annotated[str, typer.Option(help="The post's id on the platform.")] = "",
    as_user: AsUser = "",
) -> None:
    """Settle an unconfirmed page after checking it on the platform (nothing is sent)."""
    from piodesk.cli import acting, load_settings, out, unit_of_work
    from piodesk.publishing import outbox

    with unit_of_work(load_settings()) as session:
        outbox.resolve(
            session,
            delivery,
            actor=acting(session, as_user),
            published=published,
            reason=reason,
            external_id=platform_id or None,
        )
    out.print(f"delivery {delivery}: {'published' if published else 'failed (retry it)'}")
