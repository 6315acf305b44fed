"""What every request action shares: the section, refusals by field, event rows, times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from piodesk.core import clock, tags
from piodesk.core.errors import InvalidInput
from piodesk.core.permissions import Actor, Perm, require
from piodesk.records.requests import queries
from piodesk.records.requests.queries import Desk
from piodesk.records.requests.tables import (
    RecordsRequest,
    RequestEvent,
)

SECTION = "§.40"
T = tags.RecordsRequest
#: How far in the future a receipt time may lie (clocks of two machines disagree a little).
FUTURE_SLACK = timedelta(minutes=5)
MAX_REVIEW_BATCH = 500


class FieldErrors(InvalidInput):
    """Several fields are wrong; ``fields`` maps each to its message (forms show them beside)."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def _actor_id(actor: Actor) -> int | None:
    return actor.account_id


def _event(
    session: Session,
    request: RecordsRequest,
    kind: str,
    actor: Actor,
    *,
    at: datetime | None = None,
    note: str = "",
    days: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    data: dict[str, Any] | None = None,
) -> RequestEvent:
    now = clock.now()
    row = RequestEvent(
        request_id=request.id,
        kind=kind,
        at=at or now,
        from_state=from_state,
        to_state=to_state,
        days=days,
        note=note,
        data=data or {},
        actor_id=_actor_id(actor),
        actor_name=actor.display_name,
        recorded_at=now,
    )
    session.add(row)
    return row


def _when(value: datetime | None, desk: Desk, label: str) -> datetime:
    """An event's time: now when not given; refused in the future."""
    now = clock.now()
    if value is None:
        return now
    if value.tzinfo is None:
        value = value.replace(tzinfo=desk.tz)
    if value > now + FUTURE_SLACK:
        raise InvalidInput(f"{label} cannot be in the future")
    return value.astimezone(UTC)  # stored as UTC: SQLite keeps no offset


def _open_request(session: Session, request_id: int, actor: Actor) -> RecordsRequest:
    require(actor, Perm.RECORDS_REQUEST_MANAGE)
    return queries.get_request(session, request_id)
