"""`piodesk story …`: the cadre register, stories, approvals and the Expired list (GO 409 §.30).

The same services as the web pages, so the same permissions: a command acts only with a
credential (``--as``, ``--token`` or ``--operator``), and a cadre member is refused approving or
publishing here as everywhere. The helpers of ``piodesk.cli`` are imported when a command runs
(that module imports this one).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from piodesk.archive.media import MediaStore
from piodesk.core.config import Settings
from piodesk.publishing.workflow import (
    CADRE_STATE_LABELS,
    STORY_STATE_LABELS,
    CadreState,
    CadreStep,
    StoryState,
)

app = typer.Typer(help="The cadre's stories: register, review, approval (GO 409 §.04 §.30).")

AsUser = Annotated[
    str,
    typer.Option(
        "--as", envvar="PIODESK_ACTOR", help="The account you act as (its password is asked for)."
    ),
]


@app.command("cadre")
def cadre_register(as_user: AsUser = "") -> None:
    """The cadre register: each membership and its state."""
    from piodesk.cli import acting, load_settings, out, unit_of_work
    from piodesk.publishing import cadre

    with unit_of_work(load_settings()) as session:
        rows = cadre.register(session, actor=acting(session, as_user))
        table = Table(title=f"{len(rows)} membership(s)")
        for col in ("id", "member", "division", "state", "recommended by"):
            table.add_column(col)
        for r in rows:
            table.add_row(
                str(r.member.id),
                r.name,
                r.member.division,
                CADRE_STATE_LABELS[CadreState(r.member.state)],
                r.recommended_by,
            )
        out.print(table)


@app.command("recommend")
def recommend(
    username: str,
    division: Annotated[str, typer.Option(help="The division the person works in.")],
    reason: Annotated[str, typer.Option(help="Why you recommend them.")],
    as_user: AsUser = "",
) -> None:
    """A supervisor recommends a person for the cadre (§.30)."""
    from piodesk.cli import acting, load_settings, out, unit_of_work
    from piodesk.core.errors import NotFound
    from piodesk.people.lookup import find_account
    from piodesk.publishing import cadre

    with unit_of_work(load_settings()) as session:
        actor = acting(session, as_user)
        account = find_account(session, username)
        if account is None:
            raise NotFound(f"no account '{username[:40]}'")
        m = cadre.recommend(
            session, actor=actor, account_id=account.id, division=division, reason=reason
        )
        out.print(f"membership {m.id}: {CADRE_STATE_LABELS[CadreState(m.state)]}")


@app.command("step")
def step(
    member_id: int,
    what: Annotated[
        str, typer.Argument(help="vet, decline, train, suspend, reinstate, end, leave")
    ],
    reason: Annotated[str, typer.Option()] = "",
    course: Annotated[str, typer.Option(help="Training course (train).")] = "",
    completed_on: Annotated[str, typer.Option(help="Training date YYYY-MM-DD (train).")] = "",
    as_user: AsUser = "",
) -> None:
    """Take one step on a membership (each by its own role)."""
    from piodesk.cli import acting, load_settings, out, unit_of_work
    from piodesk.core.errors import InvalidInput
    from piodesk.publishing import cadre

    with unit_of_work(load_settings()) as session:
        actor = acting(session, as_user)
        try:
            chosen = CadreStep(what.strip().lower())
        except ValueError:
            raise InvalidInput(
                f"unknown step '{what[:20]}'; steps: "
                + ", ".join(s.value for s in CadreStep if s != CadreStep.RECOMMEND)
            ) from None
        training = cadre.clean_training(course, completed_on) if chosen == CadreStep.TRAIN else None
        m = cadre.take_step(
            session, member_id, chosen, actor=actor, reason=reason, training=training
        )
        out.print(f"membership {m.id}: {CADRE_STATE_LABELS[CadreState(m.state)]}")


@app.command("list")
def story_list(
    as_user: AsUser = "",
    state: Annotated[str, typer.Option(help="Only this state, e.g. awaiting_approval.")] = "",
) -> None:
    """Every submission (PIO office, chief, records, auditor)."""
    from piodesk.cli import acting, load_settings, out, unit_of_work
    from piodesk.core.errors import InvalidInput
    from piodesk.publishing import submissions

    with unit_of_work(load_settings()) as session:
        try:
            states = [StoryState(state)] if state else []
        except ValueError:
            raise InvalidInput(f"unknown state '{state[:30]}'") from None
        rows = submissions.list_all(session, actor=acting(session, as_user), states=states)
        table = Table(title=f"{len(rows)} submission(s)")
        for col in ("id", "title", "from", "sent (UTC)", "state"):
            table.add_column(col)
        for s in rows:
            table.add_row(
                str(s.id),
                s.title,
                s.author_name,
                s.submitted_at.strftime("%Y-%m-%d %H:%M"),
                STORY_STATE_LABELS[StoryState(s.state)],
            )
        out.print(table)


@app.command("approve")
def approve(submission_id: int, note: str = "", as_user: AsUser = "") -> None:
    """Approve a post at its current tier (never your own work)."""
    from piodesk.cli import acting, load_settings, out, unit_of_work
    from piodesk.publishing import approvals

    settings = load_settings()
    with unit_of_work(settings) as session:
        sub = approvals.approve(
            session,
            submission_id,
            actor=acting(session, as_user),
            note=note,
            store=_store(settings),
        )
        out.print(f"submission {sub.id}: {STORY_STATE_LABELS[StoryState(sub.state)]}")


@app.command("publish")
def publish(submission_id: int, as_user: AsUser = "") -> None:
    """Hand an approved post to the outbox (one delivery per chosen page)."""
    from piodesk.cli import acting, load_settings, out, unit_of_work
    from piodesk.publishing import approvals

    settings = load_settings()
    with unit_of_work(settings) as session:
        sub = approvals.publish(
            session, submission_id, actor=acting(session, as_user), store=_store(settings)
        )
        out.print(f"submission {sub.id}: handed to the outbox as publication {sub.publication_id}")


@app.command("tiers")
def tiers(
    tier: Annotated[
        list[str],
        typer.Option(help="One per tier, in order: 'any' or 'all', then ':user1,user2'."),
    ],
    reason: Annotated[str, typer.Option()],
    as_user: AsUser = "",
) -> None:
    """Set the approval tiers (1 to 3; e.g. --tier any --tier all:chief)."""
    from piodesk.cli import acting, load_settings, out, unit_of_work
    from piodesk.core.errors import NotFound
    from piodesk.people.lookup import find_account
    from piodesk.publishing import approvals

    with unit_of_work(load_settings()) as session:
        actor = acting(session, as_user)
        specs = []
        for spec in tier:
            rule, _, names = spec.partition(":")
            ids = []
            for name in (n for n in names.split(",") if n.strip()):
                account = find_account(session, name)
                if account is None:
                    raise NotFound(f"no account '{name[:40]}'")
                ids.append(account.id)
            specs.append((rule, ids))
        policy = approvals.parse_tiers(specs)
        approvals.set_policy(session, actor=actor, policy=policy, reason=reason)
        out.print(f"{len(policy.tiers)} approval tier(s) set")


@app.command("expire")
def expire() -> None:
    """Move posts not approved by their scheduled time to the Expired list (a job's work)."""
    from dataclasses import replace

    from piodesk.cli import load_settings, out, unit_of_work
    from piodesk.core.permissions import SYSTEM
    from piodesk.publishing import approvals

    settings = load_settings()
    with unit_of_work(settings) as session:
        ids = approvals.expire_overdue(
            session, actor=replace(SYSTEM, via="cli"), store=_store(settings)
        )
        out.print(f"{len(ids)} post(s) expired")


def _store(settings: Settings) -> MediaStore:
    return MediaStore(settings.data_dir / "media")
