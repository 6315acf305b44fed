"""`piodesk due ...`: the viewpoint guard's second look, corrections and appeals from the
command line (GO 409 §.20). Each command acts with a credential (--as / --token), like the rest
of the CLI, and calls the same service functions as the pages and the API."""

from __future__ import annotations

from typing import Annotated

import typer

due_app = typer.Typer(help="Due process in moderation: second looks, reopening, appeals (§.20).")

AsUser = Annotated[
    str,
    typer.Option(
        "--as", envvar="PIODESK_ACTOR", help="The account you act as (its password is asked for)."
    ),
]


@due_app.command("hold")
def due_hold(
    case_id: int,
    action: Annotated[str, typer.Option(help="hide or remove.")],
    reason: Annotated[str, typer.Option(help="The §.20 category.")],
    note: Annotated[str, typer.Option(help="What in the comment meets the category.")],
    as_user: AsUser = "",
) -> None:
    """Send a hide or removal the viewpoint guard held for a second person's look."""
    from piodesk.cli import acting, load_settings, out, session_factory
    from piodesk.core.db import transaction
    from piodesk.moderation import actions

    settings = load_settings()
    with session_factory(settings) as sessions, transaction(sessions) as session:
        actor = acting(session, as_user)
        p = actions.hold(
            session,
            case_id,
            action=action,
            reason=reason,
            note=note,
            actor=actor,
            guard_mode=settings.viewpoint_concurrence,
        )
        out.print(f"held decision {p.id} on case {case_id}: {p.guard_text}")


@due_app.command("answer")
def due_answer(
    proposal_id: int,
    verdict: Annotated[str, typer.Option(help="concur or decline.")],
    note: Annotated[str, typer.Option(help="Why (required to decline).")] = "",
    as_user: AsUser = "",
) -> None:
    """Concur with a held decision (a second PIO's concurrence carries it out) or decline it."""
    from piodesk.cli import acting, load_settings, out, session_factory
    from piodesk.connectors.factory import build
    from piodesk.core.db import transaction
    from piodesk.moderation import actions

    settings = load_settings()
    mode = settings.viewpoint_concurrence
    with session_factory(settings) as sessions:
        with sessions() as session:
            actor = acting(session, as_user)
        if verdict == "decline":
            with transaction(sessions) as session:
                actions.decline_held(session, proposal_id, note=note, actor=actor, guard_mode=mode)
            out.print(f"held decision {proposal_id} declined; the case is open again")
            return
        if verdict != "concur":
            raise typer.BadParameter("verdict is concur or decline")
        done = actions.concur(
            sessions,
            proposal_id,
            note=note,
            actor=actor,
            connect=lambda p: build(p, sessions, settings.secret_key),
            guard_mode=mode,
        )
        out.print(f"held decision {proposal_id}: concurred ({type(done).__name__.lower()})")


@due_app.command("reopen")
def due_reopen(
    case_id: int,
    reason: Annotated[str, typer.Option(help="Why the case is opened again.")],
    as_user: AsUser = "",
) -> None:
    """Reopen a decided case (kept or restored), with the reason."""
    from piodesk.cli import acting, load_settings, out, session_factory
    from piodesk.core.db import transaction
    from piodesk.moderation import actions

    settings = load_settings()
    with session_factory(settings) as sessions, transaction(sessions) as session:
        actor = acting(session, as_user)
        row = actions.reopen(session, case_id, reason=reason, actor=actor)
        out.print(f"case {case_id} reopened (was {row.previous_outcome})")


@due_app.command("appeals")
def due_appeals(as_user: AsUser = "") -> None:
    """Appeals of blocks waiting for a decision."""
    from piodesk.cli import acting, load_settings, out, session_factory
    from piodesk.moderation import queries

    settings = load_settings()
    with session_factory(settings) as sessions, sessions() as session:
        actor = acting(session, as_user)
        rows = queries.appeals_queue(session, actor=actor)
        for a, b, _ in rows:
            out.print(f"appeal {a.id} · block {b.id} of {b.person_name or b.person_id}: {a.text}")
        if not rows:
            out.print("no appeal waits for a decision")


@due_app.command("decide-appeal")
def due_decide_appeal(
    appeal_id: int,
    outcome: Annotated[str, typer.Option(help="upheld or lifted.")],
    note: Annotated[str, typer.Option(help="Why.")],
    as_user: AsUser = "",
) -> None:
    """Uphold a block or lift it, on appeal (not by whoever placed it)."""
    from piodesk.cli import acting, load_settings, out, session_factory
    from piodesk.connectors.factory import build
    from piodesk.moderation import actions

    settings = load_settings()
    with session_factory(settings) as sessions:
        with sessions() as session:
            actor = acting(session, as_user)
        row = actions.decide_appeal(
            sessions,
            appeal_id,
            outcome=outcome,
            note=note,
            actor=actor,
            connect=lambda p: build(p, sessions, settings.secret_key),
        )
        out.print(f"appeal {appeal_id}: {row.outcome}")
