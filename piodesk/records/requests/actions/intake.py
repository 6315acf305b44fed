"""Logging a request as it arrived, and assigning it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from piodesk.core import audit, clock
from piodesk.core.errors import InvalidInput
from piodesk.core.permissions import Actor, Perm, require
from piodesk.core.text import clean_line, clean_text
from piodesk.people.tables import Account
from piodesk.records.requests import queries
from piodesk.records.requests.actions._common import (
    FUTURE_SLACK,
    SECTION,
    FieldErrors,
    T,
    _actor_id,
    _event,
    _open_request,
)
from piodesk.records.requests.deadline import ClockKind
from piodesk.records.requests.model import (
    CHANNEL_LABELS,
    MACHINE,
    MAX_NAME,
    MAX_NOTE,
    MAX_TEXT,
    Channel,
)
from piodesk.records.requests.queries import Desk
from piodesk.records.requests.tables import (
    RecordsRequest,
)

# ---- intake ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Intake:
    """A request as the custodian typed it (strings, as from a form)."""

    requester_name: str = ""
    requester_contact: str = ""
    requester_organization: str = ""
    channel: str = ""
    received_at: str = ""  # local date and time, "YYYY-MM-DDTHH:MM" (or ISO with an offset)
    text: str = ""
    scope: str = ""
    single_document: bool = False
    regime: str = ""
    assignee: str = ""  # username, optional


def parse_local(value: str, desk: Desk) -> datetime:
    """A local date and time typed by a person (or ISO 8601 with an offset)."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput("give the date and time as YYYY-MM-DD HH:MM") from None
    local = parsed if parsed.tzinfo else parsed.replace(tzinfo=desk.tz)
    return local.astimezone(UTC)  # stored as UTC: SQLite keeps no offset


def _validate_intake(
    session: Session, desk: Desk, intake: Intake
) -> tuple[dict[str, Any], Account | None]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}

    def field(name: str, fn: Any) -> None:
        try:
            values[name] = fn()
        except InvalidInput as exc:
            errors[name] = exc.message

    field(
        "requester_name",
        lambda: clean_line(
            "the requester's name", intake.requester_name, max_len=MAX_NAME, required=True
        ),
    )
    field(
        "requester_contact",
        lambda: clean_line("how to reach the requester", intake.requester_contact, max_len=300),
    )
    field(
        "requester_organization",
        lambda: clean_line("the organization", intake.requester_organization, max_len=MAX_NAME),
    )

    def channel() -> str:
        if intake.channel not in {c.value for c in Channel}:
            raise InvalidInput("choose how the request arrived")
        return intake.channel

    field("channel", channel)

    def received() -> datetime:
        if not intake.received_at.strip():
            raise InvalidInput("the date and time the request was received is required")
        at = parse_local(intake.received_at, desk)
        if at > clock.now() + FUTURE_SLACK:
            raise InvalidInput("the request cannot have been received in the future")
        return at

    field("received_at", received)
    field(
        "text",
        lambda: clean_text("the request's text", intake.text, max_len=MAX_TEXT, required=True),
    )
    field("scope", lambda: clean_text("the scope", intake.scope, max_len=MAX_TEXT))

    def regime() -> str:
        key = intake.regime or desk.book.default
        if key not in desk.book.regimes:
            raise InvalidInput("choose a law the request is made under")
        return key

    field("regime", regime)
    assignee: Account | None = None
    if intake.assignee.strip():
        assignee = session.execute(
            select(Account).where(Account.username == intake.assignee.strip())
        ).scalar_one_or_none()
        if assignee is None:
            errors["assignee"] = f"no account '{intake.assignee.strip()[:60]}'"
        else:
            try:
                _check_assignee(assignee)
            except InvalidInput as exc:
                errors["assignee"] = exc.message
    if errors:
        raise FieldErrors(errors)
    return values, assignee


def log_request(session: Session, desk: Desk, intake: Intake, *, actor: Actor) -> RecordsRequest:
    """Log a request as it arrived (a request without a requester or a date is refused whole)."""
    require(actor, Perm.RECORDS_REQUEST_MANAGE)
    values, assignee = _validate_intake(session, desk, intake)
    request = RecordsRequest(
        regime=values["regime"],
        requester_name=values["requester_name"],
        requester_contact=values["requester_contact"],
        requester_organization=values["requester_organization"],
        channel=values["channel"],
        received_at=values["received_at"],
        text=values["text"],
        scope=values["scope"],
        single_document=bool(intake.single_document),
        logged_by=_actor_id(actor),
        logged_by_name=actor.display_name,
        logged_at=clock.now(),
        state=MACHINE.initial.value,
        assignee_id=assignee.id if assignee else None,
        assignee_name=assignee.display_name if assignee else None,
        saved_search=None,
    )
    session.add(request)
    session.flush()
    _event(
        session,
        request,
        ClockKind.RECEIVED.value,
        actor,
        at=values["received_at"],
        to_state=request.state,
        data={"channel": request.channel, "regime": request.regime},
    )
    session.flush()
    c = queries.clock_of(session, desk, request)
    audit.record(
        session,
        actor,
        T.INTAKE,
        "records_request",
        request.id,
        reason=f"received {c.received_at:%Y-%m-%d %H:%M %Z} by "
        f"{CHANNEL_LABELS[Channel(request.channel)]}",
        section=SECTION,
        data={
            "regime": request.regime,
            "counts_from": c.counts_from.isoformat(),
            "due": c.due.isoformat() if c.due else None,
            "assignee": request.assignee_name,
        },
    )
    return request


def _check_assignee(account: Account) -> None:
    from piodesk.people.actions import actor_for

    if not account.active or not actor_for(account).can(Perm.RECORDS_REQUEST_MANAGE):
        raise InvalidInput(f"{account.display_name} may not work records requests")


def assign(
    session: Session, request_id: int, username: str, *, actor: Actor, reason: str = ""
) -> RecordsRequest:
    """Give the request to a records custodian."""
    request = _open_request(session, request_id, actor)
    reason = clean_text("the reason", reason, max_len=MAX_NOTE)
    account = session.execute(
        select(Account).where(Account.username == username.strip())
    ).scalar_one_or_none()
    if account is None:
        raise InvalidInput(f"no account '{username.strip()[:60]}'")
    _check_assignee(account)
    before = request.assignee_name
    request.assignee_id = account.id
    request.assignee_name = account.display_name
    _event(session, request, "assign", actor, note=reason, data={"assignee": account.username})
    session.flush()
    audit.record(
        session,
        actor,
        T.ASSIGN,
        "records_request",
        request.id,
        reason=reason,
        section=SECTION,
        data={"before": before, "after": account.display_name},
    )
    return request
