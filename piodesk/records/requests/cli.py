"""`piodesk requests ...`: the records custodian's open-records requests on the command line.

Every command acts with a credential (``--as`` asks for the password, or ``piodesk --token``),
through the same services as the web pages, so the permissions and refusals are the same.
"""

from __future__ import annotations

from datetime import date
from types import ModuleType
from typing import Annotated

import typer
from rich.table import Table

from piodesk.records.requests import actions, queries
from piodesk.records.requests.actions import FieldErrors, Intake
from piodesk.records.requests.deadline import Clock
from piodesk.records.requests.model import CHANNEL_LABELS, STATE_LABELS, RequestState
from piodesk.records.requests.queries import Desk, number

app = typer.Typer(help="Open-records requests and their clock (GO 409 §.40)", no_args_is_help=True)

AsUser = Annotated[
    str,
    typer.Option(
        "--as", envvar="PIODESK_ACTOR", help="The account you act as (its password is asked for)."
    ),
]


def _main() -> ModuleType:
    # piodesk.cli mounts this module, so its helpers (credentials, sessions) are found late.
    from piodesk import cli as main

    return main


def _desk() -> Desk:
    return Desk.from_settings(_main().load_settings())


def _due(c: Clock) -> str:
    if not c.open:
        return "responded"
    if c.paused:
        return f"paused ({c.days_left} working days left)"
    return c.due.strftime("%a %d %b %Y") if c.due else "no deadline"


@app.command("list")
def list_requests(
    as_user: AsUser = "", state: Annotated[str, typer.Option(help="Only this state.")] = ""
) -> None:
    """Requests, newest first, with their due dates."""
    m = _main()
    d = _desk()
    with m.unit_of_work(m.load_settings()) as session:
        rows = actions.list_requests(session, d, actor=m.acting(session, as_user), state=state)
        table = Table(title=f"{len(rows)} request(s)")
        for col in ("request", "requester", "received", "state", "due", "assigned to"):
            table.add_column(col)
        for r, c in rows:
            table.add_row(
                number(r),
                r.requester_name,
                c.received_at.strftime("%Y-%m-%d %H:%M"),
                STATE_LABELS[RequestState(r.state)],
                _due(c),
                r.assignee_name or "—",
            )
        m.out.print(table)


@app.command("dashboard")
def dashboard(as_user: AsUser = "") -> None:
    """What is overdue, due today and due later this week."""
    m = _main()
    d = _desk()
    with m.unit_of_work(m.load_settings()) as session:
        board = actions.dashboard(session, d, actor=m.acting(session, as_user))
        for key, title in (
            ("overdue", "Overdue"),
            ("today", "Due today"),
            ("week", "Due later this week"),
            ("paused", "Waiting for the requester"),
        ):
            m.out.print(f"[bold]{title}[/bold]: {len(board[key])}")
            for row in board[key]:
                m.out.print(
                    f"  {number(row.request)}  {row.request.requester_name}  {_due(row.clock)}"
                )


@app.command("log")
def log_request(
    requester: Annotated[str, typer.Option(help="The requester's name.")] = "",
    received: Annotated[str, typer.Option(help="Local date and time, YYYY-MM-DDTHH:MM.")] = "",
    text: Annotated[str, typer.Option(help="The request as written.")] = "",
    channel: Annotated[str, typer.Option(help=", ".join(c.value for c in CHANNEL_LABELS))] = "",
    contact: Annotated[str, typer.Option(help="How to reach the requester.")] = "",
    organization: Annotated[str, typer.Option()] = "",
    scope: Annotated[str, typer.Option()] = "",
    regime: Annotated[str, typer.Option(help="cora, ccjra, … (the regime file).")] = "",
    assignee: Annotated[str, typer.Option(help="Username of the custodian.")] = "",
    single_document: Annotated[bool, typer.Option(help="One identified document.")] = False,
    as_user: AsUser = "",
) -> None:
    """Log a request as it arrived."""
    m = _main()
    d = _desk()
    intake = Intake(
        requester_name=requester,
        requester_contact=contact,
        requester_organization=organization,
        channel=channel,
        received_at=received,
        text=text,
        scope=scope,
        single_document=single_document,
        regime=regime,
        assignee=assignee,
    )
    with m.unit_of_work(m.load_settings()) as session:
        actor = m.acting(session, as_user)
        try:
            r = actions.log_request(session, d, intake, actor=actor)
        except FieldErrors as exc:
            for name, message in exc.fields.items():
                option = _OPTIONS.get(name, name).replace("_", "-")
                m.err.print(f"[red]refused:[/red] --{option}: {message}")
            raise typer.Exit(1) from None
        c = queries.clock_of(session, d, r)
        m.out.print(f"{number(r)} logged (id {r.id}); due: {_due(c)}")


#: The intake's fields as the `log` command's options.
_OPTIONS = {
    "requester_name": "requester",
    "requester_contact": "contact",
    "requester_organization": "organization",
    "received_at": "received",
}


@app.command("show")
def show(request_id: int, as_user: AsUser = "") -> None:
    """A request: its clock and timeline, review set, letters, fees."""
    m = _main()
    d = _desk()
    with m.unit_of_work(m.load_settings()) as session:
        v = actions.open_request(session, d, request_id, actor=m.acting(session, as_user))
        r = v.request
        m.out.print(
            f"[bold]{number(r)}[/bold] {r.requester_name} — {STATE_LABELS[RequestState(r.state)]}"
        )
        m.out.print(f"due: {_due(v.clock)}  (status: {v.status})")
        for ms in v.clock.timeline:
            m.out.print(f"  {ms.day:%a %d %b %Y}  {ms.label}")
        m.out.print(
            f"review set: {len(v.review)} record(s), responsive: "
            f"{queries.review_set_item_ids(session, r.id)}"
        )
        m.out.print(f"fees: total ${v.fees.total:.2f}, paid ${v.fees.paid:.2f}")
        for lt in v.letters:
            m.out.print(f"letter {lt.id}: {lt.kind} — {lt.subject}")


@app.command("move")
def move(
    request_id: int,
    to: Annotated[str, typer.Option(help=", ".join(s.value for s in RequestState))],
    reason: Annotated[str, typer.Option()] = "",
    as_user: AsUser = "",
) -> None:
    """Move a request (waiting pauses the clock; closing stops it)."""
    m = _main()
    d = _desk()
    with m.unit_of_work(m.load_settings()) as session:
        r = actions.move(
            session, d, request_id, to, actor=m.acting(session, as_user), reason=reason
        )
        m.out.print(f"{number(r)}: {STATE_LABELS[RequestState(r.state)]}")


@app.command("extend")
def extend(
    request_id: int,
    finding: Annotated[str, typer.Option(help="The written finding of extenuating circumstances.")],
    days: Annotated[int, typer.Option(help="Working days.")] = 7,
    as_user: AsUser = "",
) -> None:
    """Extend the period with a written finding (sent as the extension letter)."""
    m = _main()
    d = _desk()
    with m.unit_of_work(m.load_settings()) as session:
        letter = actions.extend(
            session, d, request_id, days=days, finding=finding, actor=m.acting(session, as_user)
        )
        m.out.print(f"extended; letter {letter.id}: {letter.subject}")


@app.command("search")
def search(
    request_id: int,
    q: Annotated[str, typer.Argument(help="Words.")] = "",
    state: Annotated[str, typer.Option(help="live, edited, hidden, removed, deleted.")] = "",
    as_user: AsUser = "",
) -> None:
    """Save the request's archive search and list what it finds."""
    from piodesk.archive.routes import _query

    m = _main()
    with m.unit_of_work(m.load_settings()) as session:
        hits = actions.save_search(
            session, request_id, _query({"q": q, "state": state}), actor=m.acting(session, as_user)
        )
        for h in hits:
            m.out.print(f"{h.item.id}\t{h.item.kind}\t{(h.version.text or '')[:80]}")
        m.out.print(
            f"{len(hits)} record(s); add them with `piodesk requests review {request_id} ID…`"
        )


@app.command("review")
def review(
    request_id: int,
    item_ids: Annotated[list[int], typer.Argument(help="Archive record ids.")],
    reason: Annotated[str, typer.Option()] = "",
    as_user: AsUser = "",
) -> None:
    """Put archive records into the request's review set."""
    m = _main()
    with m.unit_of_work(m.load_settings()) as session:
        rows = actions.add_to_review(
            session, request_id, item_ids, actor=m.acting(session, as_user), reason=reason
        )
        m.out.print(f"{len(rows)} record(s) added")


@app.command("mark")
def mark(
    request_id: int,
    item_id: int,
    reason: Annotated[str, typer.Option(help="Why.")],
    responsive: Annotated[bool, typer.Option("--responsive/--not-responsive")] = True,
    as_user: AsUser = "",
) -> None:
    """Mark a record of the review set responsive or not, with a reason."""
    m = _main()
    with m.unit_of_work(m.load_settings()) as session:
        actions.mark(
            session,
            request_id,
            item_id,
            responsive=responsive,
            reason=reason,
            actor=m.acting(session, as_user),
        )
        m.out.print(f"record {item_id}: {'responsive' if responsive else 'not responsive'}")


@app.command("letter")
def letter(
    request_id: int,
    kind: Annotated[
        str, typer.Argument(help="acknowledgement, fee_estimate, clarification, response, denial.")
    ],
    ground: Annotated[list[str] | None, typer.Option(help="An exemption key (repeat).")] = None,
    extra: Annotated[str, typer.Option(help="Text added to the letter.")] = "",
    as_user: AsUser = "",
) -> None:
    """Send a letter from the agency's template (it is kept as sent) and print it."""
    m = _main()
    d = _desk()
    with m.unit_of_work(m.load_settings()) as session:
        lt = actions.send_letter(
            session,
            d,
            request_id,
            kind,
            actor=m.acting(session, as_user),
            grounds=ground or [],
            extra=extra,
        )
        m.out.print(f"[bold]{lt.subject}[/bold]\n\n{lt.body}", markup=True, highlight=False)


@app.command("fee")
def fee(
    request_id: int,
    kind: Annotated[str, typer.Argument(help="time, copies, payment, waiver.")],
    minutes: Annotated[int, typer.Option()] = 0,
    pages: Annotated[int, typer.Option()] = 0,
    amount: Annotated[str, typer.Option(help="Dollars (payment, waiver).")] = "",
    note: Annotated[str, typer.Option()] = "",
    as_user: AsUser = "",
) -> None:
    """Add a line to the fees log."""
    m = _main()
    d = _desk()
    with m.unit_of_work(m.load_settings()) as session:
        actor = m.acting(session, as_user)
        actions.add_fee(
            session,
            request_id,
            kind,
            actor=actor,
            minutes=minutes,
            pages=pages,
            amount=amount,
            note=note,
        )
        f = queries.fees_of(session, d, queries.get_request(session, request_id))
        m.out.print(f"total ${f.total:.2f}, paid ${f.paid:.2f}, balance ${f.balance:.2f}")


@app.command("note")
def note(request_id: int, body: str, as_user: AsUser = "") -> None:
    """Add an internal note."""
    m = _main()
    with m.unit_of_work(m.load_settings()) as session:
        actions.add_note(session, request_id, body, actor=m.acting(session, as_user))
        m.out.print("note added")


@app.command("calendar")
def calendar(
    day: Annotated[str, typer.Argument(help="YYYY-MM-DD.")],
    change: Annotated[str, typer.Argument(help="closed, open (a holiday worked) or library.")],
    reason: Annotated[str, typer.Option()],
    as_user: AsUser = "",
) -> None:
    """Change the working calendar (every open request's due date follows)."""
    m = _main()
    try:
        when = date.fromisoformat(day)
    except ValueError:
        m.err.print("[red]refused:[/red] the day is YYYY-MM-DD")
        raise typer.Exit(1) from None
    with m.unit_of_work(m.load_settings()) as session:
        actions.change_calendar(
            session, when, change, reason=reason, actor=m.acting(session, as_user)
        )
        m.out.print(f"{when}: {change}")
